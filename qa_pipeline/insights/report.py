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
from qa_pipeline.insights.aggregates import item_pass_by_team, targets, training_needs, weekly_trends
from qa_pipeline.insights.filters import CallFilter
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


def trend_charts(trends: pl.DataFrame) -> list[alt.Chart]:
    """Average score, flagged rate, complaint rate and critical failures per week and group."""
    base = alt.Chart(trends).encode(x=alt.X("week:T", title=None), color=alt.Color("group:N", title=None))
    specs = [("avg_score", "Average score", None), ("flagged_rate", "Flagged", "%"),
             ("complaint_rate", "Complaints", "%"), ("critical_fails", "Critical failures", "d")]
    charts = []
    for field, title, fmt in specs:
        y = alt.Y(f"{field}:Q", title=None, axis=alt.Axis(format=fmt) if fmt else alt.Axis())
        charts.append(base.mark_line(point=True).encode(
            y=y, tooltip=["week:T", "group:N", alt.Tooltip(f"{field}:Q", format=".2f"), "calls:Q"])
            .properties(title=title, height=220))
    return charts


def item_heatmap(items: pl.DataFrame) -> alt.Chart:
    return alt.Chart(items).mark_rect().encode(
        x=alt.X("check_id:N", title="item", axis=alt.Axis(labelAngle=0)), y=alt.Y("team:N", title=None),
        color=alt.Color("pass_rate:Q", title="pass rate", scale=alt.Scale(scheme="redyellowgreen", domain=[0, 1]),
                        legend=alt.Legend(format="%")),
        tooltip=["check_id", "team", alt.Tooltip("pass_rate:Q", format=".0%"), "checked"],
    ).properties(height=90 + 44 * items["team"].n_unique())  # the height includes the axes in Streamlit


def agreement_chart(agree: pl.DataFrame) -> alt.Chart:
    return alt.Chart(agree).mark_bar().encode(
        x=alt.X("check_id:N", title="item", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("agreement:Q", title="human agrees with automation", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.condition(alt.datum.agreement < 0.8, alt.value("#c2570c"), alt.value("#1f6fb2")),
        tooltip=["check_id", "reviewed", alt.Tooltip("agreement:Q", format=".0%"), "missed", "false_alarms"],
    ).properties(height=220)


def _svg(chart: alt.Chart) -> str:
    try:
        import vl_convert as vlc
    except ImportError:
        return "<p class='note'>(chart not rendered: install vl-convert-python for charts in the report)</p>"
    return vlc.vegalite_to_svg(chart.properties(width=640).to_dict())


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
        week_rows = teams.filter(pl.col("week") == monday).drop("week").rename({"group": "team"})
        parts += ["<h3>Teams this week</h3>", _table(week_rows, {"avg_score": ".1f", "flagged_rate": ".1%",
                                                                  "complaint_rate": ".1%"})]
    if not items.is_empty():
        parts += ["<h2>Pass rate per item and team</h2>", _svg(item_heatmap(items))]
    if not needs.is_empty():
        worst = needs.group_by("check_id").agg(pl.col("failed").sum(), pl.col("checked").sum()).with_columns(
            (pl.col("failed") / pl.col("checked")).alias("fail_rate")).sort("fail_rate", descending=True).head(5)
        parts += ["<h2>Items failing most this week</h2>", _table(worst, {"fail_rate": ".1%"})]
    parts += ["<h2>Agreement between automatic and human review</h2>"]
    if agree.is_empty():
        parts.append("<p class='note'>No reviewed findings in this period.</p>")
    else:
        parts += [_svg(agreement_chart(agree)), _table(agree, {"agreement": ".0%"})]
    parts += ["<h2>Quality targets</h2>", _table(goals, {"actual": ".3f", "ahead_by": "+.3f"})]
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
