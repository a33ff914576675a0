"""Alerts (QA specialists, team leads, managers): calls that met an alert rule — a critical
item failed, a score under a threshold, a complaint with no reply time — newest first, with
whether the e-mail and webhook went out; a call opens below with its findings and the review form."""
import streamlit as st
from qa_pipeline.dashboards import call_view, ui

from qa_pipeline.insights import alerts as alert_queries

alerts_for = ui.cached(alert_queries.alerts_for)

st.title("Alerts")
ui.pending_banner()
me = ui.user()
db, viewer = ui.db_path(), ui.viewer()
open_only = st.toggle("Only calls not reviewed yet", value=False, key="al_open")
rows = alerts_for(db, viewer, specialist_team=me.team if me.role == "qa" else None, open_only=open_only)
if me.role == "team_lead":
    st.caption(f"Alerts on calls of {me.team}.")
elif me.role == "qa" and me.team:
    st.caption(f"Alerts on calls of {me.team} and of teams no QA specialist covers.")
if rows.is_empty():
    st.info("No alerts. Alerts are raised by `qa alerts send --db ... --config alerts.yaml` "
            "(see docs/alerts.md).", icon=":material/notifications_off:")
    st.stop()

st.dataframe(rows, hide_index=True, width="stretch", column_config={
    "raised_at": st.column_config.DatetimeColumn("raised", format="YYYY-MM-DD HH:mm"),
    "rule_id": "rule", "title": "alert", "call_id": "call", "agent_id": None, "agent_name": "agent",
    "score": st.column_config.NumberColumn("score", format="%.1f"),
    "reasons": st.column_config.ListColumn("why"),
    "email": "e-mail", "webhook": "webhook"})
ui.csv_button(rows, "alerts", key="al_csv")

calls = list(dict.fromkeys(rows["call_id"].to_list()))
picked = st.selectbox("Open a call", calls, index=None, placeholder="choose a call", key="al_call")
if picked:
    call_view.show(picked, context="review")
