"""Scoring as the form says: weights, na out of the denominator, critical fail → 0, flags,
evidence; bad transcripts are scored, never a crash."""
from __future__ import annotations

import pytest

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import parse_rubric, score_call, standard_rubric

RUBRIC = {
    "id": "t", "version": "1", "languages": ["en"],
    "checks": [
        {"id": "trigger", "kind": "trigger", "rule": {"type": "complaint"}},
        {"id": "G", "weight": 10, "rule": {"type": "phrases", "phrases": ["hello"], "first_turns": 1}},
        {"id": "T", "weight": 30, "rule": {"type": "phrases", "phrases": ["thank you"]}},
        {"id": "R", "weight": 20, "rule": {"type": "metric", "metric": "ring_seconds", "max": 15}},
        {"id": "X", "critical": True, "rule": {"absence": {"type": "phrases", "phrases": ["not my problem"]}}},
        {"id": "D", "weight": 40, "applies_when": {"check": "trigger"},
         "rule": {"type": "phrases", "phrases": ["sorry"], "after": {"check": "trigger"}}},
    ],
    "flags": {"score_below": 80, "triggers": ["trigger"],
              "metrics": [{"metric": "longest_silence_seconds", "above": 10, "reason": "long silence"}]},
}


def call(*turns, ring=None, language="en", times=True):
    made = []
    t = 0.5
    for speaker, text in turns:
        made.append(Turn(speaker, t if times else None, t + 2 if times else None, text))
        t += 2.5
    meta = {"ring_seconds": ring} if ring is not None else {}
    return Call(CallInfo("c1", metadata=meta), language, tuple(made))


@pytest.fixture(scope="module")
def rubric():
    return parse_rubric(RUBRIC)


def outcomes(result):
    return {f.check_id: f.outcome for f in result.findings}


def test_weights_and_na_out_of_the_denominator(rubric):
    r = score_call(call(("agent", "Hello there."), ("customer", "Hi."), ("agent", "Bye.")), rubric, sentiment=0.0)
    assert outcomes(r) == {"trigger": "fail", "G": "pass", "T": "fail", "R": "na", "X": "pass", "D": "na"}
    assert r.score == pytest.approx(100 * 10 / 40)
    assert r.flagged and r.flag_reasons == ("score 25 below 80",)
    assert [f.check_id for f in r.findings] == ["trigger", "G", "T", "R", "X", "D"]  # rubric order


def test_critical_fail_sets_zero_with_evidence(rubric):
    r = score_call(call(("agent", "Hello, thank you."), ("customer", "My bill is wrong."),
                        ("agent", "That's not my problem.")), rubric, sentiment=0.0)
    x = next(f for f in r.findings if f.check_id == "X")
    assert x.outcome == "fail" and x.critical
    assert x.evidence.text == "That's not my problem." and x.evidence.speaker == "agent"
    assert (x.evidence.start, x.evidence.end) == (5.5, 7.5)
    assert "not my problem" in x.rule
    assert r.score == 0.0 and "critical fail: X" in r.flag_reasons


def test_complaint_trigger_turns_on_d_items_and_flags(rubric):
    r = score_call(call(("agent", "Hello."), ("customer", "This is unacceptable, I want to complain."),
                        ("agent", "I'm so sorry, thank you for telling me."), ring=4), rubric, sentiment=0.0)
    o = outcomes(r)
    assert o["trigger"] == "pass" and o["D"] == "pass" and o["R"] == "pass"
    assert r.complaint and "trigger call" not in r.flag_reasons and any("trigger" in x for x in r.flag_reasons)
    assert r.score == 100.0


def test_apology_before_the_complaint_does_not_count(rubric):
    r = score_call(call(("agent", "Hello, sorry for the wait."), ("customer", "This is terrible service.")),
                   rubric, sentiment=0.0)
    assert outcomes(r)["D"] == "fail"


def test_long_silence_flag(rubric):
    c = Call(CallInfo("c2"), "en", (Turn("agent", 0.5, 2.0, "Hello, thank you."), Turn("customer", 14.0, 15.0, "Hi.")))
    r = score_call(c, rubric, sentiment=0.0)
    assert "long silence (12)" in r.flag_reasons and r.metrics.longest_silence_seconds == 12.0


def test_unknown_speakers_are_na_and_flagged(rubric):
    r = score_call(call(("unknown", "Hello, thank you."), ("unknown", "That's not my problem."), ring=20),
                   rubric, sentiment=0.0)
    o = outcomes(r)
    assert o["G"] == o["T"] == o["X"] == "na" and o["R"] == "fail"
    assert any("speakers unknown" in x for x in r.flag_reasons)


@pytest.mark.parametrize("turns", [(), (("customer", ""),), (("agent", ""), ("customer", "   "))])
def test_empty_calls_never_crash(rubric, turns):
    r = score_call(call(*turns), rubric, sentiment=None)
    assert r.call_id == "c1" and len(r.findings) == 6


def test_standard_rubric_on_a_chat_log_without_times():
    c = call(("agent", "您好，和美电器客服中心，工号2231，请问有什么可以帮您？"), ("customer", "查一下订单"),
             language="zh", times=False)
    r = score_call(c, standard_rubric("zh"), sentiment=0.0)
    o = outcomes(r)
    assert o["A1"] == "pass" and o["A3"] == "na" and o["B3"] == "na" and o["A2"] == "na"


def test_standard_rubric_with_no_agent_turns():
    r = score_call(call(("customer", "Hello? Anyone?"), ring=5), standard_rubric("en"), sentiment=0.0)
    o = outcomes(r)
    assert o["A1"] == "fail" and o["A2"] == "pass" and o["A3"] == "na"
    assert "no agent turns" in r.flag_reasons


def test_other_agent_counts_as_agent():
    r = score_call(call(("other_agent", "That's not my job."),), standard_rubric("en"), sentiment=0.0)
    assert outcomes(r)["B2"] == "fail"


def test_standard_rubric_for_other_languages_is_the_english_form():
    assert standard_rubric("fr").id == "standard-en" and standard_rubric("zh-CN").id == "standard-zh"


def test_rescoring_with_a_new_version_keeps_old_results(db):
    from qa_pipeline.store import database as store

    c = call(("agent", "Hello, thank you."), ring=3)
    store.save_call(db, c)
    r1 = parse_rubric(RUBRIC)
    r2 = parse_rubric({**RUBRIC, "version": "2"})
    store.save_results(db, [score_call(c, r1, sentiment=0.0)])
    store.save_results(db, [score_call(c, r2, sentiment=0.0)])
    store.save_results(db, [score_call(c, r2, sentiment=0.0)])  # same version again: replaced
    rows = db.execute("SELECT rubric_version, count(*) FROM check_results GROUP BY 1 ORDER BY 1").fetchall()
    assert rows == [("1", 6), ("2", 6)]
    assert db.execute("SELECT count(*) FROM call_results").fetchone()[0] == 2


def test_unknown_language_gets_the_form_of_its_script():
    from qa_pipeline.rubric import standard_rubric_for

    zh = call(("agent", "您好，请问有什么可以帮您？"), language="unknown")
    en = call(("agent", "Hello, how can I help?"), language="unknown")
    assert standard_rubric_for(zh).id == "standard-zh" and standard_rubric_for(en).id == "standard-en"
    assert standard_rubric_for(call(("agent", "Hi"), language="zh")).id == "standard-zh"


def test_a1_accepts_a_first_turn_split_in_two_but_not_a_later_turn():
    rubric = standard_rubric("zh")
    split = Call(CallInfo("s"), "zh", (Turn("agent", 0.5, 2.0, "您好，和美电器售后中心，"),
                                      Turn("agent", 2.3, 4.0, "我是小周，工号3321。"),
                                      Turn("customer", 4.5, 6.0, "你好。")))
    later = Call(CallInfo("l"), "zh", (Turn("agent", 0.5, 2.0, "您好，和美电器售后中心，"),
                                      Turn("customer", 2.3, 3.0, "喂？"),
                                      Turn("agent", 3.3, 5.0, "我是小周，工号3321。")))
    assert outcomes(score_call(split, rubric, sentiment=0.0))["A1"] == "pass"
    a1 = next(f for f in score_call(later, rubric, sentiment=0.0).findings if f.check_id == "A1")
    assert a1.outcome == "fail" and (a1.evidence.start, a1.evidence.end) == (0.5, 2.0)
    assert a1.evidence.text == "agent's first turn, within 15 s of their first words (00:00–00:02): agent: 您好，和美电器售后中心，"
