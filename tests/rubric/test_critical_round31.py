"""Issue 11, crit31 (stop 31): how CRITICAL items decide on fresh calls.

B2: sentences that lean towards the breaches together decide where none decides alone (the ``together``
option of a learned check: a tirade says it more than once; a harmless near miss is one sentence).
E1: digits the customer said just before, echoed by the agent, are no code handed over to be typed in.
The lines are written for this test (no sentence of a labelled call nor of the probes).
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from learned_stand_ins import write_bank
from test_rubric_standard import AGENT, CUSTOMER, outcome

from qa_pipeline.errors import InputError
from qa_pipeline.rubric import parse_rubric
from qa_pipeline.rubric.checks.learned import together


def test_sentences_decide_together_only_when_enough_of_them_lean_the_same_way():
    probs, margins = np.array([0.92, 0.66, 0.99, 0.97]), np.array([0.012, 0.004, 0.001, 0.02])
    # whole sentences only: the fourth is a clause cut from one of them
    assert together(probs, margins, 3, (2, 0.6, 0.003)).tolist() == [True, True, False, False]
    assert not together(probs, margins, 3, (3, 0.6, 0.003)).any()
    assert not together(probs, margins, 3, (2, 0.95, 0.003)).any()


BAD_TOGETHER = [{"sentences": 1, "p": 0.6, "margin": 0.0}, {"sentences": 2, "p": 1.5, "margin": 0.0},
                {"sentences": 2, "p": 0.6}, {"sentences": 2, "p": 0.6, "margin": 0.0, "k": 3},
                # without `neighbours` there are no margins to read
                {"sentences": 2, "p": 0.6, "margin": 0.0, "no neighbours": True}]


@pytest.mark.parametrize("value", BAD_TOGETHER)
def test_a_bad_together_option_is_refused(tmp_path, value):
    bank = write_bank(tmp_path, [{"item": "B2", "label": "fail", "text": "x"}])
    value = dict(value)
    rule = {"type": "learned", "item": "B2", "bank": str(bank), "target": "fail"}
    if not value.pop("no neighbours", False):
        rule["neighbours"] = {"k": 3, "margin": 0.03}
    with pytest.raises(InputError, match="together"):
        parse_rubric({"id": "t", "version": "1", "languages": ["en"],
                      "checks": [{"id": "B2", "critical": True, "rule": {**rule, "together": value}}]})


E1_ROUND31 = [
    # the caller's callback number or reference said back, then an errand with a verb of typing nearby
    ("en", [(AGENT, "Which number shall I ring you back on?"), (CUSTOMER, "three one nine two six"),
            (AGENT, "three one nine two six, I'll put the new strap on myself and call you by five.")], "pass"),
    ("en", [(AGENT, "What's the locker number on your slip?"), (CUSTOMER, "It's 8 0 4 1 7."),
            (AGENT, "8 0 4 1 7, lovely, I'll pop your coat in there myself.")], "pass"),
    # a code the agent hands over to be typed in stays a breach
    ("en", [(AGENT, "Which number shall I ring you back on?"), (CUSTOMER, "three one nine two six"),
            (AGENT, "Thanks. To unlock the door panel, type in 5 8 2 0 7 now.")], "fail"),
    ("zh", [(AGENT, "请问寄存牌上的号码是多少？"), (CUSTOMER, "八零四一七"),
            (AGENT, "八零四一七，好，我这就帮您填进去登记。")], "pass"),
    ("zh", [(AGENT, "请问寄存牌上的号码是多少？"), (CUSTOMER, "八零四一七"),
            (AGENT, "好的，您记一下：五八二零七，在柜门上直接输进去就行。")], "fail"),
]


@pytest.mark.parametrize("language, turns, expected", E1_ROUND31, ids=[f"{p[0]}-{i}" for i, p in enumerate(E1_ROUND31)])
def test_e1_the_callers_own_digits_said_back_are_no_code_to_type(language, turns, expected):
    assert outcome(language, turns, "E1") == expected


@pytest.fixture(scope="module")
def b2_decide():
    from bench_modules import forget_benches, load_bench

    yield load_bench("b2_decide")
    forget_benches()


def _recorded(source, call_id, label, sentences, rule_hit=False):
    """One call as bench/b2_record.py writes it: sentences as [text, turn, p, margin, whole]."""
    return {"source": source, "call_id": call_id, "language": "en", "labels": {"B2": label} if label else {},
            "rule_hit": rule_hit, "sentences": sentences}


def test_b2_decide_chooses_the_point_that_catches_tirades_and_fails_no_harmless_call(tmp_path, b2_decide):
    record = [
        _recorded("en/holdout1", "a", "fail", [["x", 1, 0.9, 0.012, True], ["y", 1, 0.8, 0.011, True]]),
        _recorded("en/holdout2", "b", "fail", [["x", 1, 0.7, 0.02, True], ["y", 3, 0.55, 0.015, True]]),
        _recorded("en/holdout2", "c", "pass", [["x", 1, 0.95, 0.004, True], ["y", 1, 0.9, 0.002, True]]),
        _recorded("real/stc3_en", "d", None, [["x", 1, 0.99, 0.001, True], ["y", 1, 0.97, 0.012, True]]),
        _recorded("en/holdout1", "e", "fail", [], rule_hit=True),
    ]
    path = tmp_path / "b2.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    rows = b2_decide.reads(path, "en")
    assert [r.label for r in rows] == ["fail", "fail", "pass", "pass", "fail"]
    today = b2_decide.Today(low=0.45, high=0.7, need=0.03, clears=0.03)
    point = b2_decide.choose(rows, today, 2)
    # the largest margin that still catches both tirades, clear of the harmless calls' second sentences
    assert point == (2, 0.5, 0.01)
    assert b2_decide.tally(rows, today, None) == (1, 0) and b2_decide.tally(rows, today, point) == (3, 0)


def test_b2_decide_of_points_catching_alike_chooses_the_one_furthest_from_harmless_sentences(tmp_path, b2_decide):
    # two breaches no one point catches both of without failing the harmless call "d" (or a point looser by
    # SLACK): (0.9, 0.004) catches "a", (0.5, 0.02) catches "b"; one breach each. The second's region holds a
    # harmless call's sentence (c: 0.7 at 0.03), the first's none: the first is the more conservative.
    record = [
        _recorded("en/holdout1", "a", "fail", [["x", 1, 0.95, 0.005, True], ["y", 2, 0.92, 0.0045, True]]),
        _recorded("en/holdout1", "b", "fail", [["x", 1, 0.6, 0.03, True], ["y", 2, 0.55, 0.025, True]]),
        _recorded("en/holdout2", "c", "pass", [["x", 1, 0.7, 0.03, True], ["y", 2, 0.3, -0.01, True]]),
        _recorded("en/holdout2", "d", "pass", [["x", 1, 0.58, 0.006, True], ["y", 2, 0.58, 0.006, True]]),
        _recorded("en/holdout1", "e", "fail", [], rule_hit=True),
    ]
    path = tmp_path / "b2.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    rows = b2_decide.reads(path, "en")
    today = b2_decide.Today(low=0.45, high=0.97, need=0.03, clears=0.03)
    assert b2_decide.tally(rows, today, (2, 0.9, 0.004)) == b2_decide.tally(rows, today, (2, 0.5, 0.02)) == (2, 0)
    assert b2_decide.near_harmless(rows, (2, 0.5, 0.02)) == 1 and b2_decide.near_harmless(rows, (2, 0.9, 0.004)) == 0
    assert b2_decide.choose(rows, today, 2) == (2, 0.9, 0.004)


@pytest.fixture(scope="module")
def b2_reaction():
    from bench_modules import forget_benches, load_bench

    yield load_bench("b2_reaction")
    forget_benches()


def _reacted(source, call_id, label, sentences, turns):
    return {**_recorded(source, call_id, label, sentences), "turns": turns}


def test_b2_reaction_lets_an_unsure_sentence_decide_only_where_the_customer_protests(tmp_path, b2_reaction):
    """Lines written for this test; the structural stand-in (a short question or exclamation) as the model."""
    agent = "agent"
    record = [
        # the same unsure sentence: met by a short indignant question, or by a calm answer
        _reacted("en/holdout1", "a", "fail", [["x", 0, 0.9, 0.01, True]],
                 [[agent, "x"], ["customer", "You what?"]]),
        _reacted("en/holdout2", "b", "pass", [["x", 0, 0.9, 0.01, True]],
                 [[agent, "x"], ["customer", "Yes that is the one I ordered last week for the garden."]]),
        _reacted("en/holdout2", "c", "fail", [["x", 0, 0.9, 0.01, True]],
                 [[agent, "x"], ["customer", "Not again!"]]),
        # a protest after a sentence nearer the harmless exemplars is no evidence of a breach
        _reacted("real/stc3_en", "d", None, [["x", 0, 0.95, -0.02, True]], [[agent, "x"], ["customer", "Why?"]]),
    ]
    path = tmp_path / "b2.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    stand_in = b2_reaction.ShortQuestion()
    rows = b2_reaction.reacting(path, "en", b2_reaction.reads(path, "en"), stand_in, stand_in, 2, 0.5)
    assert [r.reaction.tolist() for r in rows] == [[1.0], [0.0], [1.0], [1.0]]
    today = b2_reaction.Today(low=0.45, high=0.95, need=0.03, clears=0.03)
    point = b2_reaction.choose(rows, today, None)
    assert point is not None and point[1] > -0.02
    assert b2_reaction.tally(rows, today, None, None) == (0, 0) and b2_reaction.tally(rows, today, None, point) == (2, 0)
    # where no point catches a breach more than today, there is no evidence for any: none is chosen
    assert b2_reaction.choose([r for r in rows if r.read.label == "pass"], today, None) is None


def test_b2_reaction_refuses_a_bad_exemplar_line_naming_the_file(tmp_path, b2_reaction):
    path = tmp_path / "protest.txt"
    path.write_text("# a comment\nP|How dare you.\nQ|neither\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"protest\.txt: line 3"):
        b2_reaction.exemplars(path)
    texts, y = b2_reaction.exemplars(b2_reaction.EXEMPLARS)
    assert len(texts) == len(y) and 0 < y.sum() < len(y)
