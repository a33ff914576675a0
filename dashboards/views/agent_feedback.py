"""Agent feedback (team leads' one-on-ones, and the agent): a scorecard over a period — score
trend, pass rate per item against the team, strongest and weakest items with the calls behind
them, the reviewers' comments — where the agent acknowledges a review or disputes a finding."""
from datetime import timedelta

import altair as alt
import polars as pl
import streamlit as st
from qa_pipeline.dashboards import call_view, ui

from qa_pipeline.insights import report
from qa_pipeline.insights.filters import CallFilter

st.title("Agent feedback")
ui.pending_banner()
me = ui.user()
db, viewer = ui.db_path(), ui.viewer()
opts = ui.options()
agents: pl.DataFrame = opts["agents"]
if me.role == "agent":
    agent_id = me.agent_id
    st.caption("Your own calls and reviews.")
else:
    if agents.is_empty():
        st.info("No agents with scored calls yet. Run `qa run` (or `qa demo`) to fill the database.",
                icon=":material/inbox:")
        st.stop()
    labels = {r["agent_id"]: f"{r['agent_name'] or r['agent_id']} · {r['team'] or 'no team'}"
              for r in agents.iter_rows(named=True)}
    agent_id = st.sidebar.selectbox("Agent", list(labels), format_func=labels.get, key="af_agent")
first, last = opts["first"], opts["last"]
f = CallFilter()
if first and last:
    picked = st.sidebar.date_input("Period", (max(first, last - timedelta(weeks=12)), last), min_value=first,
                                   max_value=last, key="af_dates")
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        f = CallFilter(date_from=picked[0], date_to=picked[1])

weekly = ui.agent_weekly(db, viewer, agent_id, f)
items = ui.agent_items(db, viewer, agent_id, f)
mine = weekly.filter(pl.col("who") == "agent")
if mine.is_empty():
    st.info("No scored calls for this agent in the period.", icon=":material/inbox:")
    st.stop()

team = weekly.filter(pl.col("who") == "team")
calls = int(mine["calls"].sum())
avg = float((mine["avg_score"] * mine["calls"]).sum() / calls)
team_calls = int(team["calls"].sum())
m1, m2, m3 = st.columns(3)
m1.metric("Calls scored", calls)
team_avg = float((team["avg_score"] * team["calls"]).sum() / team_calls) if team_calls else None
m2.metric("Average score", f"{avg:.1f}", None if team_avg is None else f"{avg - team_avg:+.1f} vs rest of the team")
if team_avg is not None:
    m3.metric("Rest of the team", f"{team_avg:.1f}", help=f"{team_calls} calls of the other agents in the team")
else:
    m3.caption("No comparison with the rest of the team: too few other agents had scored calls in this period.")

WHO_COLOURS = alt.Scale(domain=["this agent", "rest of the team"], range=["#1f6fb2", "#b0b7c3"])
st.subheader("Score trend")
trend = report.with_week_labels(weekly).with_columns(pl.col("who").replace({"agent": "this agent", "team": "rest of the team"}))
st.altair_chart(alt.Chart(trend).mark_line(point=True).encode(
    x=report.week_x("ISO week"),
    y=alt.Y("avg_score:Q", title="average score", scale=alt.Scale(zero=False, nice=True)),
    color=alt.Color("who:N", title=None, legend=alt.Legend(orient="bottom"), scale=WHO_COLOURS),
    tooltip=[alt.Tooltip("week:T", title="week of", format="%d %b %Y"), "who:N",
             alt.Tooltip("avg_score:Q", format=".1f"), "calls:Q"]), width="stretch")

st.subheader("Pass rate per item, against the team")
items = ui.with_item_labels(items)
long = items.unpivot(index="item", on=["agent_pass_rate", "team_pass_rate"], variable_name="who",
                     value_name="pass_rate").with_columns(
    pl.col("who").replace({"agent_pass_rate": "this agent", "team_pass_rate": "rest of the team"}))
st.altair_chart(alt.Chart(long).mark_bar().encode(
    y=alt.Y("item:N", title=None, sort=items["item"].to_list(), axis=alt.Axis(labelLimit=260)), yOffset="who:N",
    x=alt.X("pass_rate:Q", title="pass rate", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
    color=alt.Color("who:N", title=None, legend=alt.Legend(orient="bottom"), scale=WHO_COLOURS),
    tooltip=["item", "who", alt.Tooltip("pass_rate:Q", format=".0%")]).properties(height=34 * items.height + 60),
    width="stretch")
ui.csv_button(items, f"items-{agent_id}", "af_items_csv")



def _vs_team(r: dict) -> str:
    return "" if r["team_pass_rate"] is None else f" (rest of the team {r['team_pass_rate']:.0%})"


ranked = items.filter(pl.col("agent_checked") > 0).with_columns(
    (pl.col("agent_pass_rate") - pl.col("team_pass_rate")).alias("vs_team")).sort(["agent_pass_rate", "vs_team"])
strong, weak = st.columns(2)
with strong:
    st.markdown("**Strongest items**")
    for r in ranked.reverse().head(3).iter_rows(named=True):
        st.markdown(f"- **{r['item']}** {r['agent_pass_rate']:.0%} of {r['agent_checked']}" + _vs_team(r))
with weak:
    st.markdown("**Weakest items** — the calls behind them")
    for r in ranked.filter(pl.col("agent_pass_rate") < 1).head(3).iter_rows(named=True):
        with st.expander(f"{r['item']}: {r['agent_pass_rate']:.0%} of {r['agent_checked']} passed" + _vs_team(r)):
            failing = ui.agent_calls_failing(db, viewer, agent_id, r["check_id"], f)
            for c in failing.iter_rows(named=True):
                st.markdown(f"`{c['call_id']}` {c['started_at']:%Y-%m-%d} · at {ui.mmss(c['evidence_start'])}: "
                            f"“{c['evidence_text'] or '—'}”" + (f"  \n_reviewer: {c['review_comment']}_"
                                                                if c["review_comment"] else ""))

st.subheader("Reviews")
reviewed = ui.agent_reviews(db, viewer, agent_id, f)
if reviewed.is_empty():
    st.caption("No reviewed calls in this period.")
else:
    shown = reviewed.with_columns(ui.score_text("auto_score"), ui.score_text("human_score"))
    picked = st.dataframe(shown, hide_index=True, on_select="rerun", selection_mode="single-row", key="af_table",
                          column_config={"call_id": "call", "auto_score": "auto score", "human_score": "human score",
                                         "open_disputes": "open disputes",
                                         "started_at": st.column_config.DatetimeColumn("started", format="YYYY-MM-DD"),
                                         "reviewed_at": st.column_config.DatetimeColumn("reviewed", format="YYYY-MM-DD"),
                                         "acknowledged_at": st.column_config.DatetimeColumn("acknowledged",
                                                                                            format="YYYY-MM-DD")})
    ui.csv_button(reviewed, f"reviews-{agent_id}", "af_reviews_csv")
    if picked and picked.selection and picked.selection.rows:
        st.session_state["af_call"] = reviewed["call_id"][picked.selection.rows[0]]
call_id = st.session_state.get("af_call")
if call_id and call_id in reviewed["call_id"].to_list():
    st.divider()
    call_view.show(call_id, context="feedback")
