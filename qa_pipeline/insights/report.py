"""The weekly report a manager can forward: one self-contained HTML file.

Same figures and plots as the Team trends page (same queries, same Altair charts). Charts
are embedded as inline SVG (rendered offline by ``vl-convert-python``), so the file needs no
script, no network and survives being forwarded by e-mail::

    html = build_report("qa.duckdb", "2026-W46", Viewer.of(user))   # or access.OWNER: every call
    Path("qa-report-2026-W46.html").write_text(html, encoding="utf-8")
"""
from __future__ import annotations

import html
import logging
import os
import re
from datetime import date, datetime, timedelta, timezone
from typing import Optional

import altair as alt
import polars as pl

from qa_pipeline.errors import QaError
from qa_pipeline.insights.aggregates import filter_options, item_pass_by_team, targets, training_needs, weekly_trends
from qa_pipeline.insights.filters import CallFilter
from qa_pipeline.insights.items import item_label
from qa_pipeline.insights.queries import agreement
from qa_pipeline.privacy.access import OWNER, Viewer

log = logging.getLogger(__name__)

TREND_WEEKS = 8
_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


class ReportError(QaError):
    pass


def parse_week(week: str) -> date:
    """Monday of an ISO week written ``YYYY-Www`` (e.g. ``2026-W46``)."""
    m = _WEEK_RE.match(week or "")
    if not m:
        raise ReportError(f"--week {week!r}: write the ISO week as YYYY-Www, e.g. 2026-W46")
    try:
        return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError as exc:
        raise ReportError(f"--week {week}: no such ISO week ({exc})") from exc


DEFAULT_PASS_TARGET = 0.85
"""The pass rate the item heatmap is centred on when no centre-wide pass-rate target is set."""
SHOWN_AGENTS = 5  # "by agent": the best and the weakest this many, not every line


def with_week_labels(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with ``week_label`` ("W46") for its ``week`` (a Monday): weekly points get weekly labels."""
    return df.with_columns(pl.col("week").dt.strftime("W%V").alias("week_label"))


def week_x(title: Optional[str] = None) -> alt.X:
    """The x axis of a weekly chart: one label per ISO week, in date order."""
    return alt.X("week_label:O", title=title, sort=alt.EncodingSortField("week", op="min"),
                 axis=alt.Axis(labelAngle=0, labelOverlap=True))


def top_and_bottom(trends: pl.DataFrame, n: int = SHOWN_AGENTS) -> tuple[pl.DataFrame, str]:
    """The groups of ``trends`` with the ``n`` best and ``n`` weakest average scores over the
    period (all of them when there are no more than ``2 n``), and a sentence saying so."""
    ranked = (trends.group_by("group").agg(((pl.col("avg_score") * pl.col("calls")).sum() / pl.col("calls").sum())
                                           .alias("mean"))
              .sort("mean", descending=True, nulls_last=True))
    if ranked.height <= 2 * n:
        return trends, ""
    best, worst = ranked.head(n)["group"].to_list(), ranked.tail(n)["group"].to_list()
    kept = trends.filter(pl.col("group").is_in(best + worst)).with_columns(
        pl.when(pl.col("group").is_in(best)).then(pl.lit(f"best {n}")).otherwise(pl.lit(f"weakest {n}"))
        .alias("rank"))
    return kept, (f"The {n} best and the {n} weakest of {ranked.height} agents by average score over the period; "
                  "the table below (Download CSV) has every agent.")


def agent_charts(trends: pl.DataFrame, n: int = SHOWN_AGENTS) -> list[alt.Chart]:
    """"By agent" at a glance: the best and the weakest ``n`` agents' average scores over the
    period as bars, then each group's weekly scores as lines (``n`` lines a chart, every name
    in the legend). ``trends`` as from :func:`weekly_trends` at the agent level."""
    kept, _ = top_and_bottom(trends, n)
    if "rank" not in kept.columns:
        kept = kept.with_columns(pl.lit("all agents").alias("rank"))
    means = (kept.group_by("group", "rank").agg(
        ((pl.col("avg_score") * pl.col("calls")).sum() / pl.col("calls").sum()).alias("avg_score"),
        pl.col("calls").sum()).sort("avg_score", descending=True))
    colours = {f"best {n}": "#1a9850", f"weakest {n}": "#c0392b", "all agents": "#1f6fb2"}
    base = alt.Chart(means).encode(
        y=alt.Y("group:N", title=None, sort=means["group"].to_list(), axis=alt.Axis(labelLimit=220)),
        x=alt.X("avg_score:Q", title="average score over the period", scale=alt.Scale(domain=[0, 100])))
    bars = base.mark_bar().encode(
        color=alt.Color("rank:N", title=None, scale=alt.Scale(domain=[r for r in colours if r in set(means["rank"])],
                                                                range=[c for r, c in colours.items()
                                                                       if r in set(means["rank"])]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=["group:N", alt.Tooltip("avg_score:Q", format=".1f"), "calls:Q"])
    text = base.mark_text(align="left", dx=4).encode(text=alt.Text("avg_score:Q", format=".1f"))
    charts: list[alt.Chart] = [(bars + text).properties(title="Average score", height=alt.Step(24))]
    for rank in means["rank"].unique(maintain_order=True).to_list():
        part = with_week_labels(kept.filter(pl.col("rank") == rank))
        charts.append(alt.Chart(part).mark_line(point=True).encode(
            x=week_x(), y=alt.Y("avg_score:Q", title=None, scale=alt.Scale(zero=False, nice=True)),
            color=alt.Color("group:N", title=None, legend=alt.Legend(orient="right", labelLimit=200)),
            tooltip=[alt.Tooltip("week:T", title="week of", format="%d %b %Y"), "group:N",
                     alt.Tooltip("avg_score:Q", format=".1f"), "calls:Q"],
        ).properties(title=f"Week by week: {rank}", height=240))
    return charts


def trend_charts(trends: pl.DataFrame) -> list[alt.Chart]:
    """Average score, flagged rate, complaint rate and critical failures per week and group.
    The score axis is zoomed to the scores shown (a 0–100 axis stacks the team lines on each other)."""
    trends = with_week_labels(trends)
    groups = trends["group"].n_unique() if trends.height else 0
    legend = alt.Legend(orient="bottom", columns=min(max(groups, 1), 5), symbolLimit=0, labelLimit=220)
    base = alt.Chart(trends).encode(x=week_x(), color=alt.Color("group:N", title=None, legend=legend))
    specs = [("avg_score", "Average score", None), ("flagged_rate", "Flagged", "%"),
             ("complaint_rate", "Complaints", "%"), ("critical_fails", "Critical failures", "d")]
    charts = []
    for field, title, fmt in specs:
        y = alt.Y(f"{field}:Q", title=None, axis=alt.Axis(format=fmt) if fmt else alt.Axis(),
                  scale=alt.Scale(zero=False, nice=True) if field == "avg_score" else alt.Scale())
        line = base.mark_line(point=True)
        if "rank" in trends.columns:
            line = line.encode(strokeDash=alt.StrokeDash("rank:N", title=None, legend=alt.Legend(orient="bottom")))
        charts.append(line.encode(
            y=y, tooltip=[alt.Tooltip("week:T", title="week of", format="%d %b %Y"), "group:N",
                          alt.Tooltip(f"{field}:Q", format=".2f"), "calls:Q"])
            .properties(title=title, height=240))
    return charts


def pass_rate_target(goals: pl.DataFrame) -> float:
    """The centre-wide pass-rate target among ``goals`` (:func:`targets`), else :data:`DEFAULT_PASS_TARGET`."""
    if goals.is_empty():
        return DEFAULT_PASS_TARGET
    centre = goals.filter((pl.col("scope") == "centre") & (pl.col("metric") == "pass_rate"))
    return float(centre["target"][0]) if centre.height else DEFAULT_PASS_TARGET


def item_heatmap(items: pl.DataFrame, target: float = DEFAULT_PASS_TARGET, language: str = "en") -> alt.Chart:
    """Pass rate per item (rows) and team (columns), the percentage written in each cell. The
    colours diverge at ``target``: red below it (full red 25 points under it and lower), green
    above, pale at the target itself."""
    items = items.with_columns(pl.col("check_id").map_elements(lambda c: item_label(c, language),
                                                               return_dtype=pl.String).alias("item"))
    order = items.sort("check_id")["item"].unique(maintain_order=True).to_list()
    # Full red from 25 points under the target down: a 0 % cell must not wash 70 % out to pale.
    low = max(0.0, target - 0.25)
    colour = alt.Color("pass_rate:Q", title=f"pass rate (target {target:.0%})",
                       scale=alt.Scale(domain=[low, target, 1.0], range=["#c0392b", "#f7f4e9", "#1a9850"],
                                       clamp=True),
                       legend=alt.Legend(format="%", orient="bottom", gradientLength=260))
    base = alt.Chart(items).encode(y=alt.Y("item:N", title=None, sort=order, axis=alt.Axis(labelLimit=280)),
                                   x=alt.X("team:N", title=None, axis=alt.Axis(labelAngle=0, orient="top")))
    cells = base.mark_rect().encode(
        color=colour, tooltip=["item", "team", alt.Tooltip("pass_rate:Q", format=".0%"), "checked"])
    text = base.mark_text(fontSize=11).encode(text=alt.Text("pass_rate:Q", format=".0%"))
    return (cells + text).properties(height=alt.Step(26))


def agreement_chart(agree: pl.DataFrame, language: str = "en") -> alt.Chart:
    agree = agree.with_columns(pl.col("check_id").map_elements(lambda c: item_label(c, language),
                                                               return_dtype=pl.String).alias("item"))
    return alt.Chart(agree).mark_bar().encode(
        y=alt.Y("item:N", title=None, sort=agree.sort("check_id")["item"].to_list(), axis=alt.Axis(labelLimit=280)),
        x=alt.X("agreement:Q", title="human agrees with automation", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.condition(alt.datum.agreement < 0.8, alt.value("#c2570c"), alt.value("#1f6fb2")),
        tooltip=["item", "reviewed", alt.Tooltip("agreement:Q", format=".0%"), "missed", "false_alarms"],
    ).properties(height=24 * agree.height + 40)


def agreement_by_model_chart(agree: pl.DataFrame, language: str = "en") -> alt.Chart:
    """:func:`~qa_pipeline.insights.queries.agreement_by_model` drawn: per item a bar for each
    model version, oldest on top, the version of the current results marked in the legend."""
    order = (agree.select("model_version", "model", "current").unique("model")
             .sort("model_version", nulls_last=False))
    names = [f"{m} (current)" if c else m for m, c in zip(order["model"].to_list(), order["current"].to_list())]
    agree = agree.with_columns(
        pl.col("check_id").map_elements(lambda c: item_label(c, language), return_dtype=pl.String).alias("item"),
        pl.col("model").replace_strict(dict(zip(order["model"].to_list(), names)), return_dtype=pl.String)
        .alias("model version"))
    # The version scoring the calls now in the blue of the other charts; earlier ones in greys,
    # the oldest lightest.
    greys = ["#c3cad2", "#9ba5b0", "#76828f", "#56616d"]
    current = order["current"].to_list()
    earlier = iter(greys[-max(1, sum(not c for c in current)):] if sum(not c for c in current) <= len(greys)
                   else greys + [greys[-1]] * (sum(not c for c in current) - len(greys)))
    colours = ["#1f6fb2" if c else next(earlier) for c in current]
    return alt.Chart(agree).mark_bar().encode(
        y=alt.Y("item:N", title=None, sort=agree.sort("check_id")["item"].unique(maintain_order=True).to_list(),
                axis=alt.Axis(labelLimit=280)),
        yOffset=alt.YOffset("model version:N", sort=names),
        x=alt.X("agreement:Q", title="human agrees with this model version", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("model version:N", sort=names, scale=alt.Scale(domain=names, range=colours),
                        legend=alt.Legend(orient="top", title="model version")),
        tooltip=["item", "model version", "reviewed", alt.Tooltip("agreement:Q", format=".0%"), "missed",
                 "false_alarms"],
    ).properties(height=alt.Step(14 if len(names) > 1 else 22))


METRICS = {"score": "average score", "pass_rate": "items passed", "flagged_rate": "calls flagged"}
"""Target metrics in words; the rates are shown as percentages, the score out of 100."""


def readable_targets(goals: pl.DataFrame, agent_names: Optional[dict[str, str]] = None) -> pl.DataFrame:
    """The targets of :func:`targets` as a person reads them: who ("centre", the team, the
    agent's name), the metric in words, target, actual and gap as text (percentages for rates)."""
    names = agent_names or {}
    rows = []

    def shown(v: Optional[float], rate: bool, sign: str = "") -> str:
        if v is None:
            return "–"
        return format(v * 100, f"{sign}.1f") + " %" if rate else format(v, f"{sign}.1f")

    for g in goals.iter_rows(named=True):
        rate = g["metric"] != "score"

        who = {"centre": "whole centre", "team": f"team {g['scope_id']}",
               "agent": f"agent {names.get(g['scope_id']) or g['scope_id']}"}.get(g["scope"], g["scope_id"])
        goal = {"flagged_rate": "at most "}.get(g["metric"], "at least ") + shown(g["target"], rate)
        status = "–" if g["ahead_by"] is None else ("on target" if g["ahead_by"] >= 0 else "behind")
        rows.append({"for": who, "metric": METRICS.get(g["metric"], g["metric"]), "target": goal,
                     "actual": shown(g["actual"], rate), "gap": shown(g["ahead_by"], rate, "+"), "status": status,
                     "calls": g["calls"]})
    rows.sort(key=lambda r: r["status"] != "behind")  # the ones behind first
    return pl.DataFrame(rows, schema={"for": pl.String, "metric": pl.String, "target": pl.String, "actual": pl.String,
                                      "gap": pl.String, "status": pl.String, "calls": pl.Int64})


def _labelled(df: pl.DataFrame, language: str = "en") -> pl.DataFrame:
    """``df`` with its ``check_id`` column replaced by ``item`` ("C2 Confirm the need")."""
    return df.with_columns(pl.col("check_id").map_elements(lambda c: item_label(c, language), return_dtype=pl.String)
                           .alias("check_id")).rename({"check_id": "item"})


def _svg(chart: alt.Chart) -> str:
    try:
        import vl_convert as vlc
    except ImportError:
        return "<p class='note'>(chart not rendered: install vl-convert-python for charts in the report)</p>"
    # vl-convert measures text without the browser's fonts and may cut long axis labels: some room on the left
    return vlc.vegalite_to_svg(chart.properties(width=640, padding={"left": 40, "top": 5, "right": 5, "bottom": 5})
                               .to_dict())


def _table(df: pl.DataFrame, formats: Optional[dict[str, str]] = None) -> str:
    if df.is_empty():
        return "<p class='note'>No data.</p>"
    formats = formats or {}
    head = "".join(f"<th>{html.escape(c)}</th>" for c in df.columns)
    rows = []
    for r in df.iter_rows(named=True):
        cells = []
        for c, v in r.items():
            if v is None:
                text = "–"
            elif c in formats:
                text = format(v, formats[c])
            elif isinstance(v, float):
                text = f"{v:.2f}"
            elif isinstance(v, list):
                text = ", ".join(map(str, v))
            else:
                text = str(v)
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _kpis(trends: pl.DataFrame, monday: date) -> str:
    def overall(df: pl.DataFrame) -> Optional[dict]:
        n = df["calls"].sum()
        if not n:
            return None
        return {"Calls": (n, ",.0f"), "Average score": ((df["avg_score"] * df["calls"]).sum() / n, ".1f"),
                "Flagged": ((df["flagged_rate"] * df["calls"]).sum() / n, ".1%"),
                "Complaints": ((df["complaint_rate"] * df["calls"]).sum() / n, ".1%"),
                "Critical failures": (df["critical_fails"].sum(), ",.0f")}

    now = overall(trends.filter(pl.col("week") == monday))
    before = overall(trends.filter(pl.col("week") == monday - timedelta(weeks=1)))
    if now is None:
        return "<p class='note'>No scored calls in this week.</p>"
    cards = []
    for name, (value, fmt) in now.items():
        delta = ""
        if before:
            diff = value - before[name][0]
            delta = f"<div class='delta'>{format(diff, '+' + fmt.lstrip(','))} vs previous week</div>"
        cards.append(f"<div class='kpi'><div class='label'>{name}</div><div class='value'>{format(value, fmt)}</div>"
                     f"{delta}</div>")
    return f"<div class='kpis'>{''.join(cards)}</div>"


_CSS = """body{font-family:-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;margin:2em auto;
max-width:900px;color:#1f2937}h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #e5e7eb}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}td,th{border:1px solid #e5e7eb;padding:4px 8px;
text-align:left}th{background:#f3f4f6}.kpis{display:flex;gap:1em;flex-wrap:wrap}.kpi{border:1px solid #e5e7eb;
border-radius:6px;padding:.6em 1em;min-width:120px}.label{color:#6b7280;font-size:.85em}.value{font-size:1.5em;
font-weight:600}.delta{color:#6b7280;font-size:.8em}.note{color:#6b7280}svg{max-width:100%;height:auto}"""


def build_report(db: str | os.PathLike, week: str, viewer: Viewer = OWNER,
                 title_user: Optional[str] = None) -> str:
    """The report for ISO ``week`` over the calls ``viewer`` may see, as one HTML document."""
    monday = parse_week(week)
    sunday = monday + timedelta(days=6)
    this_week = CallFilter(date_from=monday, date_to=sunday)
    span = CallFilter(date_from=monday - timedelta(weeks=TREND_WEEKS - 1), date_to=sunday)
    teams = weekly_trends(db, viewer, span, "team")
    centre = weekly_trends(db, viewer, span, "centre")
    items = item_pass_by_team(db, viewer, this_week)
    agree = agreement(db, viewer, span)
    goals = targets(db, viewer, this_week)
    needs = training_needs(db, viewer, this_week)
    parts = [f"<h1>Call QA weekly report — {week}</h1>",
             f"<p class='note'>{monday:%d %b %Y} – {sunday:%d %b %Y} · generated "
             f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC" + (f" by {html.escape(title_user)}" if title_user else "")
             + "</p>", "<h2>This week</h2>", _kpis(centre, monday)]
    if not teams.is_empty():
        parts += [f"<h2>Trends over {TREND_WEEKS} weeks, by team</h2>"]
        parts += [_svg(c) for c in trend_charts(teams)]
        week_rows = teams.filter(pl.col("week") == monday).drop("week").rename(
            {"group": "team", "avg_score": "average score", "flagged_rate": "flagged", "complaint_rate": "complaints",
             "critical_fails": "critical failures"})
        parts += ["<h3>Teams this week</h3>", _table(week_rows, {"average score": ".1f", "flagged": ".1%",
                                                                  "complaints": ".1%"})]
    if not items.is_empty():
        parts += ["<h2>Pass rate per item and team</h2>", _svg(item_heatmap(items, pass_rate_target(goals)))]
    if not needs.is_empty():
        worst = needs.group_by("check_id").agg(pl.col("failed").sum(), pl.col("checked").sum()).with_columns(
            (pl.col("failed") / pl.col("checked")).alias("fail_rate")).sort("fail_rate", descending=True).head(5)
        parts += ["<h2>Items failing most this week</h2>",
                  _table(_labelled(worst).rename({"fail_rate": "fail rate"}), {"fail rate": ".1%"})]
    parts += ["<h2>Agreement between automatic and human review</h2>"]
    if agree.is_empty():
        parts.append("<p class='note'>No reviewed findings in this period.</p>")
    else:
        parts += [_svg(agreement_chart(agree)), _table(_labelled(agree).rename(
            {"missed": "missed (auto pass, human fail)", "false_alarms": "false alarms (auto fail, human pass)"}),
            {"agreement": ".0%"})]
    agents = filter_options(db, viewer)["agents"]
    names = dict(zip(agents["agent_id"].to_list(), agents["agent_name"].to_list()))
    parts += ["<h2>Quality targets</h2>", _table(readable_targets(goals, names))]
    body = "\n".join(parts)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Call QA weekly report {week}</title>"
            f"<style>{_CSS}</style></head><body>{body}</body></html>")


def write_report(db: str | os.PathLike, week: str, out: str | os.PathLike,
                 viewer: Viewer = OWNER) -> int:
    """Write :func:`build_report` to ``out``; returns the number of bytes written."""
    data = build_report(db, week, viewer).encode("utf-8")
    with open(out, "wb") as fh:
        fh.write(data)
    return len(data)
