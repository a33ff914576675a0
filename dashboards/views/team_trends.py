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


def _change(key: str, fmt: str) -> str | None:
    """The change since the week before, written with ``fmt``; none (no arrow) when it rounds to nothing."""
    if prev is None:
        return None
    text = format(now[key] - prev[key], fmt)
    return None if text.lstrip("+-").strip("0.%,") == "" else text


k = st.columns(5)
so_far = " (so far)" if weeks[-1] + timedelta(days=7) > date.today() else ""
k[0].metric(f"Calls, week of {weeks[-1]:%d %b}{so_far}", f"{now['calls']:,}", _change("calls", "+,"), delta_color="off")
k[1].metric("Average score", f"{now['score']:.1f}", _change("score", "+.1f"))
k[2].metric("Flagged", f"{now['flagged']:.1%}", _change("flagged", "+.1%"), delta_color="inverse")
k[3].metric("Complaints", f"{now['complaints']:.1%}", _change("complaints", "+.1%"), delta_color="inverse")
k[4].metric("Critical failures", int(now["critical"]), _change("critical", "+.0f"), delta_color="inverse")

st.subheader("Week by week")
if level == "agent":  # 40 lines read as none: the best and the weakest agents instead
    _, note = report.top_and_bottom(trends)
    st.caption(note or "Every agent in the period.")
    bars, *lines = report.agent_charts(trends)
    st.altair_chart(bars, width="stretch")
    for col, chart in zip(st.columns(len(lines)), lines):
        col.altair_chart(chart, width="stretch")
    st.caption("Flagged, complaint and critical-failure rates per agent are in the CSV below; "
               "by team or centre they are drawn.")
else:
    charts = report.trend_charts(trends)
    for row in (charts[:2], charts[2:]):
        for col, chart in zip(st.columns(2), row):
            col.altair_chart(chart, width="stretch")
ui.csv_button(trends, f"weekly-by-{level}", "tt_trends_csv")

st.subheader("Pass rate per item and team")
items = ui.item_pass_by_team(db, viewer, f)
goals = ui.targets(db, viewer, f)
if items.is_empty():
    st.caption("No findings in this period.")
else:
    target = report.pass_rate_target(goals)
    st.caption(f"Red: below the pass-rate target of {target:.0%}; green: above it"
               + ("" if goals.filter(pl.col("metric") == "pass_rate").height else
                  " (no centre pass-rate target set: the default)") + ".")
    st.altair_chart(report.item_heatmap(items, target, ui.language()), width="stretch")
    ui.csv_button(items, "item-pass-rates", "tt_items_csv")

st.subheader("Can the automation be trusted?")
agree = ui.agreement_by_model(db, viewer, f)
scores = ui.score_agreement(db, viewer, f)
if agree.is_empty():
    st.caption("No reviewed findings yet: agreement appears once QA specialists review calls "
               "(or their earlier evaluations are imported: `qa reviews import`).")
else:
    st.caption("Each item by model version: how often each version's results agree with the outcome the QA "
               "specialists stand by, on the reviewed calls it scored. 'exemplar banks': the models the "
               "pipeline ships with; v1, v2 …: this centre's calibrations (`qa calibrate`, then `qa score`).")
    st.altair_chart(report.agreement_by_model_chart(agree, ui.language()), width="stretch")
    st.dataframe(ui.with_item_labels(agree).select("item", "model", pl.exclude("item", "check_id", "model",
                                                                                "model_version")),
                 hide_index=True, column_config={
        "model": "model version",
        "agreement": st.column_config.ProgressColumn("agreement", min_value=0, max_value=1, format="percent"),
        "missed": st.column_config.NumberColumn("missed (auto pass, human fail)"),
        "false_alarms": st.column_config.NumberColumn("false alarms (auto fail, human pass)"),
        "current": st.column_config.CheckboxColumn("scores the calls now")})
    ui.csv_button(agree, "agreement-by-model", "tt_agree_csv")
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
        y=alt.Y("avg_score:Q", title="average score", scale=alt.Scale(zero=False, nice=True)),
        color=alt.Color("agent:N"), tooltip=["agent", "hire_date:T", "week_since_hire", "calls",
                                             alt.Tooltip("avg_score:Q", format=".1f")]), width="stretch")

st.subheader("Quality targets")
opts = ui.options()
agent_names = {r["agent_id"]: r["agent_name"] or r["agent_id"] for r in opts["agents"].iter_rows(named=True)}
if goals.is_empty():
    st.caption("No targets set yet.")
else:
    readable = report.readable_targets(goals, agent_names)
    st.dataframe(readable, hide_index=True, column_config={"gap": "ahead (+) or behind (–)"})
    ui.csv_button(readable, "targets", "tt_targets_csv")
if me.role in ("admin", "manager"):
    with st.expander("Set a target"):
        a, b, c, d = st.columns(4)
        scope_kind = a.selectbox("For", ["centre", "team", "agent"], key="tt_goal_for",
                                 format_func=lambda v: {"centre": "whole centre"}.get(v, v))
        ids = {"centre": [""], "team": opts["teams"], "agent": list(agent_names)}
        scope_id = b.selectbox("Which", ids[scope_kind] or [""], key="tt_goal_which",
                               format_func=lambda v: agent_names.get(v, v) or "the whole centre")
        metric = c.selectbox("Metric", list(report.METRICS), format_func=report.METRICS.get, key="tt_goal_metric")
        if metric == "score":
            value = d.number_input("Target (0–100)", 0.0, 100.0, 85.0, step=1.0, key="tt_goal_score")
        else:
            value = d.number_input("Target (%)", 0.0, 100.0, 90.0 if metric == "pass_rate" else 10.0, step=1.0,
                                   key=f"tt_goal_{metric}") / 100
        if st.button("Save target", key="tt_goal_save"):
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
