"""Issue 11, crit11 (round 11): CRITICAL recall on fresh wordings, without false critical fails.

``probe11.jsonl`` (tests/data/dev_critical) holds per language and per paraphrase family of B2
breaches and their harmless twins, and E1 shapes, written from the form before any change of this
round (bench/critical_probe.py scores them). The harmless twins must never get a critical fail.

The English B2 classifier decides again, only at the pair fitted by bench/critical_fit.py leaving
one folder out (band top 0.97, nearest-exemplar margin 0.03): far from every harmless call of the
tuning folders and of bench/critical_precision.py. Below it, it only flags, as before. The lines
below are written for this test (no sentence of a labelled call nor of the probes).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from test_rubric_standard import AGENT, finding, outcome

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "tests" / "data" / "dev_critical" / "probe11.jsonl"
sys.path.insert(0, str(ROOT / "bench"))

from critical_fit import choose, tally  # noqa: E402


def _twins(language: str) -> list[dict]:
    rows = [json.loads(line) for line in PROBE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["language"] == language and r["label"] == "pass"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_harmless_twins_of_probe11_get_no_critical_fail(language):
    twins = _twins(language)
    assert len(twins) >= 25
    failed = [(r["family"], r["turns"][-1][1]) for r in twins
              if outcome(language, [tuple(t) for t in r["turns"]], r["item"]) == "fail"]
    assert failed == []


def test_the_english_classifier_decides_a_breach_far_from_every_harmless_call():
    # the customer blamed in a counterfactual, no rule's wording: p 0.98, 0.031 nearer the breaches
    # (failed only by this round: the English classifier flagged before)
    breach = finding("en", [(AGENT, "Honestly, if you'd kept the box we wouldn't be arguing about this.")], "B2")
    assert breach.outcome == "fail" and "learned B2: breach" in breach.rule
    assert outcome("en", [(AGENT, "Honestly, if you kept the box that's a help, but we can collect it without one.")],
                   "B2") == "pass"
    # guard: high but not far enough from the harmless exemplars (margin under 0.03) only flags
    near = finding("en", [(AGENT, "You could have read the email we sent, it was all in there.")], "B2")
    assert near.outcome == "pass" and near.rule.startswith("unsure: learned B2")


def test_a_clause_supposing_the_customer_missed_something_is_judged_with_its_sentence():
    # cut off, 您可能没听到 read as "you weren't listening"
    assert outcome("zh", [(AGENT, "那会儿线路有杂音，您可能没听到，我把营业时间再报一遍。")], "B2") == "pass"


def test_a_disclaimer_followed_by_help_in_the_sentence_is_left_to_the_rules():
    # the brush-off exemplars of batch crit11 put "we can't control it" among breaches when cut off
    assert outcome("zh", [(AGENT, "天气原因我们也左右不了，但我马上给您改签到明天。")], "B2") == "pass"
    assert outcome("zh", [(AGENT, "这种事我们也没办法，您自己看着办。")], "B2") == "fail"


def _row(want, sentences, rule=False):
    return {"want": want, "rule": rule, "sentences": sentences, "folder": "f", "lang": "en", "id": "x"}


def test_the_fitted_pair_keeps_room_from_every_harmless_call():
    rows = [_row("fail", [["a", 0.99, 0.05]]), _row("fail", [["b", 0.9, 0.02]]),
            _row("pass", [["c", 0.87, 0.019]])]
    # (0.9, 0.02) would catch both breaches with no false fail, but a harmless call sits just under it
    top, margin = choose(rows)
    assert tally(rows, top, margin)[2] == 0
    assert (top, margin) != (0.9, 0.02) and tally(rows, top, margin) == (1, 2, 0, 1)
    # with the harmless call far away, the looser pair is chosen and catches both
    rows[2]["sentences"] = [["c", 0.5, 0.0]]
    assert tally(rows, *choose(rows))[0] == 2
