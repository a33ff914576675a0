"""Team trends (managers): score, flagged, complaint and critical-failure rates per week by
centre, team or agent; pass rate per item per team; how far automatic and human scores agree;
new agents' first weeks; quality targets and the gap to them; the weekly report."""
from datetime import date, timedelta

import altair as alt
import polars as pl
import streamlit as st
from qa_pipeline.dashboards import ui

from qa_pipeline.insights import report

st.title("Team trends")
ui.pending_banner()
me = ui.user()
db, viewer = ui.db_path(), ui.viewer()
f = ui.call_filter("tt", default_weeks=12)
level = st.segmented_control("By", ["centre", "team", "agent"], default="team", key="tt_level") or "team"
trends = ui.weekly_trends(db, viewer, f, level)
if trends.is_empty():
    st.info("No scored calls in this period.", icon=":material/inbox:")
    st.stop()

weeks = sorted(trends["week"].unique().to_list())
latest = trends.filter(pl.col("week") == weeks[-1])
before = trends.filter(pl.col("week") == weeks[-2]) if len(weeks) > 1 else None


def _overall(df: pl.DataFrame) -> dict:
    n = df["calls"].sum()
    return {"calls": n, "score": (df["avg_score"] * df["calls"]).sum() / n,
            "flagged": (df["flagged_rate"] * df["calls"]).sum() / n,
            "complaints": (df["complaint_rate"] * df["calls"]).sum() / n, "critical": df["critical_fails"].sum()}


now = _overall(latest)
prev = _overall(before) if before is not None else None
k = st.columns(5)
so_far = " (so far)" if weeks[-1] + timedelta(days=7) > date.today() else ""
k[0].metric(f"Calls, week of {weeks[-1]:%d %b}{so_far}", f"{now['calls']:,}",
            None if prev is None else f"{now['calls'] - prev['calls']:+,}", delta_color="off")
k[1].metric("Average score", f"{now['score']:.1f}", None if prev is None else f"{now['score'] - prev['score']:+.1f}")
k[2].metric("Flagged", f"{now['flagged']:.1%}", None if prev is None else f"{now['flagged'] - prev['flagged']:+.1%}",
            delta_color="inverse")
k[3].metric("Complaints", f"{now['complaints']:.1%}",
            None if prev is None else f"{now['complaints'] - prev['complaints']:+.1%}", delta_color="inverse")
k[4].metric("Critical failures", int(now["critical"]),
            None if prev is None or now["critical"] == prev["critical"] else f"{int(now['critical'] - prev['critical']):+d}",
            delta_color="inverse")

st.subheader("Week by week")
for row in (report.trend_charts(trends)[:2], report.trend_charts(trends)[2:]):
    cols = st.columns(2)
    for col, chart in zip(cols, row):
        col.altair_chart(chart, width="stretch")
ui.csv_button(trends, f"weekly-by-{level}", "tt_trends_csv")

st.subheader("Pass rate per item and team")
items = ui.item_pass_by_team(db, viewer, f)
if items.is_empty():
    st.caption("No findings in this period.")
else:
    st.altair_chart(report.item_heatmap(items), width="stretch")
    ui.csv_button(items, "item-pass-rates", "tt_items_csv")

st.subheader("Can the automation be trusted?")
agree = ui.agreement(db, viewer, f)
scores = ui.score_agreement(db, viewer, f)
if agree.is_empty():
    st.caption("No reviewed findings yet: agreement appears once QA specialists review calls.")
else:
    st.altair_chart(report.agreement_chart(agree), width="stretch")
    st.dataframe(agree, hide_index=True, column_config={"check_id": "item",
        "agreement": st.column_config.ProgressColumn("agreement", min_value=0, max_value=1, format="percent"),
        "missed": st.column_config.NumberColumn("missed (auto pass, human fail)"),
        "false_alarms": st.column_config.NumberColumn("false alarms (auto fail, human pass)")})
    ui.csv_button(agree, "agreement", "tt_agree_csv")
if not scores.is_empty():
    st.caption("Reviewed calls by why they were queued. 'sample' = the random share of unflagged calls; "
               "'passed wrongly' = not flagged, but the human score is 10+ points lower.")
    st.dataframe(scores, hide_index=True, column_config={
        "queued_for": "queued for", "mean_gap": st.column_config.NumberColumn("mean score gap", format="%.1f"),
        "passed_wrongly": "passed wrongly"})

st.subheader("New agents: score by week since hire")
fresh = ui.new_agents(db, viewer, f)
if fresh.is_empty():
    st.caption("No calls from agents in their first 12 weeks (hire dates come from the roster: `qa roster`).")
else:
    st.altair_chart(alt.Chart(fresh).mark_line(point=True).encode(
        x=alt.X("week_since_hire:Q", title="weeks since hire", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("avg_score:Q", title="average score", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("agent:N"), tooltip=["agent", "hire_date:T", "week_since_hire", "calls",
                                             alt.Tooltip("avg_score:Q", format=".1f")]), width="stretch")

st.subheader("Quality targets")
goals = ui.targets(db, viewer, f)
if goals.is_empty():
    st.caption("No targets set yet.")
else:
    st.dataframe(goals.with_columns(pl.when(pl.col("ahead_by") >= 0).then(pl.lit("on target"))
                                    .otherwise(pl.lit("behind")).alias("status")), hide_index=True,
                 column_config={"scope_id": "which", "actual": st.column_config.NumberColumn(format="%.3f"),
                                "ahead_by": st.column_config.NumberColumn("ahead by", format="%+.3f")})
    ui.csv_button(goals, "targets", "tt_targets_csv")
if me.role in ("admin", "manager"):
    with st.expander("Set a target"):
        with st.form("tt_target"):
            opts = ui.options()
            a, b, c, d = st.columns(4)
            scope_kind = a.selectbox("For", ["centre", "team", "agent"])
            ids = {"centre": [""], "team": opts["teams"], "agent": opts["agents"]["agent_id"].to_list()}
            scope_id = b.selectbox("Which", ids[scope_kind] or [""], help="pick 'team' or 'agent' first, then submit")
            metric = c.selectbox("Metric", ["score", "pass_rate", "flagged_rate"],
                                 help="score: average 0–100; pass_rate / flagged_rate: fractions 0–1")
            value = d.number_input("Target", 0.0, 100.0, 85.0 if metric == "score" else 0.9)
            if st.form_submit_button("Save target"):
                if ui.save("set_target", "Target saved", scope=scope_kind, scope_id=scope_id or "", metric=metric,
                           target=value, set_by=me.username):
                    st.rerun()

st.subheader("Weekly report")
last_week = weeks[-1]
options = [w for w in reversed(weeks)]
week = st.selectbox("Week", options, format_func=lambda w: f"{w:%G-W%V} (from {w:%d %b %Y})", key="tt_week")
if st.button("Build the report", key="tt_build"):
    with st.spinner("Building the report…"):
        html = report.build_report(db, week.strftime("%G-W%V"), viewer, title_user=me.display_name or me.username)
    st.session_state["tt_report"] = (week.strftime("%G-W%V"), html)
if "tt_report" in st.session_state:
    name, html = st.session_state["tt_report"]
    st.download_button(f"Download report {name} (HTML)", html.encode("utf-8"), file_name=f"qa-report-{name}.html",
                       mime="text/html", key="tt_dl")
