"""The managers' charts read at a glance: the heatmap's colours diverge at the target (70 % is
red when the target is 85 %), "by agent" draws the best and weakest agents, the score axis is
zoomed to the data, weekly points carry weekly labels, targets read as names and percentages."""
from __future__ import annotations

import re
from datetime import date, timedelta

import polars as pl
import pytest

from qa_pipeline.insights import report

vlc = pytest.importorskip("vl_convert")


def _fills(chart) -> dict[str, tuple[int, int, int]]:
    """Each rect's item label -> its fill colour, from the chart rendered to SVG."""
    svg = vlc.vegalite_to_svg(chart.to_dict())
    found = re.findall(r'aria-label="[^"]*item: ([^;"]+);[^"]*" role="graphics-symbol" '
                       r'aria-roledescription="rect mark" d="[^"]*" fill="rgb\((\d+), (\d+), (\d+)\)"', svg)
    return {label: (int(r), int(g), int(b)) for label, r, g, b in found}


def test_heatmap_colours_diverge_at_the_target():
    items = pl.DataFrame({"check_id": ["C1", "C2", "C3", "C4"], "team": ["T"] * 4, "checked": [10] * 4,
                          "pass_rate": [0.70, 0.85, 0.97, 0.80]})
    fills = _fills(report.item_heatmap(items, target=0.85))
    below, at, above, near = (fills["C1 Identity verification"], fills["C2 Confirm the need"],
                              fills["C3 Offer more help"], fills["C4 Closing"])
    assert below[0] > below[1] + 60  # 70 % against 85 %: red, not green
    assert near[0] > near[1]  # just under the target: still on the red side
    assert above[1] > above[0] + 40  # above the target: green
    assert min(at) > 225  # at the target: pale
    # a lower target moves the middle: 80 % is then no longer on the red side
    moved = _fills(report.item_heatmap(items, target=0.75))["C4 Closing"]
    assert moved[1] >= moved[0] and moved != near


def test_pass_rate_target_comes_from_the_centre_target():
    goals = pl.DataFrame({"scope": ["team", "centre"], "scope_id": ["T", ""], "metric": ["pass_rate", "pass_rate"],
                          "target": [0.7, 0.9], "calls": [1, 1], "actual": [0.8, 0.8], "ahead_by": [0.1, -0.1]})
    assert report.pass_rate_target(goals) == 0.9
    assert report.pass_rate_target(goals.head(1)) == report.DEFAULT_PASS_TARGET


def _weekly(groups: int, weeks: int = 4) -> pl.DataFrame:
    monday = date(2026, 11, 2)
    return pl.DataFrame([{"week": monday + timedelta(weeks=w), "group": f"agent {g:02d}", "calls": 5,
                          "avg_score": 60.0 + g + w / 10, "flagged_rate": 0.1, "complaint_rate": 0.1,
                          "critical_fails": 0} for g in range(groups) for w in range(weeks)])


def test_by_agent_shows_the_best_and_the_weakest():
    kept, note = report.top_and_bottom(_weekly(40))
    assert kept["group"].n_unique() == 2 * report.SHOWN_AGENTS
    best = set(kept.filter(pl.col("rank") == "best 5")["group"])
    weakest = set(kept.filter(pl.col("rank") == "weakest 5")["group"])
    assert best == {f"agent {g}" for g in range(35, 40)} and weakest == {f"agent {g:02d}" for g in range(5)}
    assert "of 40 agents" in note
    small, note = report.top_and_bottom(_weekly(6))
    assert small["group"].n_unique() == 6 and note == ""
    _, *lines = report.agent_charts(_weekly(40))
    assert len(lines) == 2  # one line chart for the best, one for the weakest: five lines each


def test_scores_are_zoomed_and_weeks_labelled_by_week():
    charts = report.trend_charts(_weekly(3))
    score = charts[0].to_dict()
    assert score["encoding"]["y"]["scale"]["zero"] is False
    assert score["encoding"]["x"]["field"] == "week_label"
    labels = report.with_week_labels(_weekly(1))["week_label"].to_list()
    assert labels == ["W45", "W46", "W47", "W48"]  # Mondays 2, 9, 16 and 23 Nov 2026
    svg = vlc.vegalite_to_svg(charts[0].to_dict())
    assert ">W46<" in svg and ">Nov 09<" not in svg


def test_targets_read_as_names_and_percentages():
    goals = pl.DataFrame({"scope": ["agent", "team", "centre"], "scope_id": ["E3102", "English Line", ""],
                          "metric": ["score", "pass_rate", "flagged_rate"], "target": [80.0, 0.9, 0.2],
                          "calls": [8, 90, 300], "actual": [88.4, 0.875, 0.25], "ahead_by": [8.4, -0.025, -0.05]})
    rows = report.readable_targets(goals, {"E3102": "Ethan Reid"}).to_dicts()
    assert rows[0]["status"] == "behind" and rows[-1]["status"] == "on target"  # behind first
    by_who = {r["for"]: r for r in rows}
    assert by_who["agent Ethan Reid"]["metric"] == "average score"
    assert by_who["agent Ethan Reid"]["target"] == "at least 80.0" and by_who["agent Ethan Reid"]["gap"] == "+8.4"
    assert by_who["team English Line"]["actual"] == "87.5 %" and by_who["team English Line"]["gap"] == "-2.5 %"
    assert by_who["whole centre"]["target"] == "at most 20.0 %" and by_who["whole centre"]["metric"] == "calls flagged"
