"""Issue 11, c5ord30 (stop 30): C5's "offer more help before the closing" judged against where the
closing *began*. The closing is thanks and a goodbye; C3 after the closing's thanks and before its
goodbye ("thank you for calling" … "anything else?" … "bye") is out of order, as the form's specialists
read it, though the goodbye still comes last: C5 wants the closing's thanks (C4's) at or after the
offer. A thanks in the offer's own turn before it ("lovely, thanks — anything else?") and a thanks for
holding earlier on begin no closing. Probed with calls written for this test (no sentence of a labelled
call), both languages, each with its harmless twin.

Fails against the rubrics before it: C5 passes the out-of-order calls (the bench does not exist either).
"""
from __future__ import annotations

import copy

import pytest
from bench_modules import forget_benches, load_bench
from shared_data import REPO

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import score_call, standard_rubric
from qa_pipeline.rubric.loader import parse_rubric, read_rubric_yaml

AGENT, CUSTOMER = "agent", "customer"
pytestmark = pytest.mark.usefixtures("rules_only")


def findings(language: str, turns: list[tuple[str, str]]) -> dict[str, str]:
    made, t = [], 0.5
    for speaker, text in turns:
        made.append(Turn(speaker, t, t + 3.0, text))
        t += 3.5
    call = Call(CallInfo("probe"), language, tuple(made))
    return {f.check_id: f.outcome for f in score_call(call, standard_rubric(language), sentiment=0.0).findings}


def _en(ending: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(AGENT, "Good afternoon, Brightwater Pools, Dana speaking."),
            (CUSTOMER, "Hi, I'd like the pool cover replaced, it has torn."),
            (AGENT, "Could I take the account number?"), (CUSTOMER, "P 7 7 3."),
            (AGENT, "So you want the torn cover swapped for a new one, is that right?"), (CUSTOMER, "Yes, please."),
            (AGENT, "I have booked a fitter for Friday morning."), (CUSTOMER, "Great.")] + ending


def _zh(ending: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(AGENT, "您好，清泉净水，我是小韦。"), (CUSTOMER, "你好，我家净水器的滤芯该换了。"),
            (AGENT, "麻烦您报一下登记的手机号。"), (CUSTOMER, "一五八，二二六七，四四零三。"),
            (AGENT, "跟您确认一下，您是要上门更换滤芯，对吧？"), (CUSTOMER, "对。"),
            (AGENT, "已经为您约好周六上午的师傅。"), (CUSTOMER, "好的。")] + ending


CASES = [
    # the closing's thanks, then the offer of more help, then the goodbye: out of order
    ("en", _en([(AGENT, "Thank you for calling Brightwater."), (CUSTOMER, "No problem."),
                (AGENT, "Oh, was there anything else you needed?"), (CUSTOMER, "No, that's it."),
                (AGENT, "Okay, bye now.")]), "fail"),
    ("zh", _zh([(AGENT, "那就这样，感谢您的来电。"), (CUSTOMER, "嗯。"),
                (AGENT, "对了，您还有别的问题吗？"), (CUSTOMER, "没了。"), (AGENT, "好，再见。")]), "fail"),
    # twins: a thanks in the offer's own turn begins no closing; the usual order passes
    ("en", _en([(AGENT, "Lovely, thank you. Was there anything else you needed?"), (CUSTOMER, "No, that's it."),
                (AGENT, "Thanks for calling, bye now.")]), "pass"),
    ("en", _en([(AGENT, "Was there anything else you needed?"), (CUSTOMER, "No, that's it."),
                (AGENT, "Thank you for calling Brightwater, bye now.")]), "pass"),
    ("zh", _zh([(AGENT, "好嘞，谢谢您配合，您还有别的问题吗？"), (CUSTOMER, "没了。"), (AGENT, "感谢您的来电，再见。")]), "pass"),
    ("zh", _zh([(AGENT, "您还有别的问题吗？"), (CUSTOMER, "没了。"), (AGENT, "那就这样，感谢您的来电，再见。")]), "pass"),
    # a thanks in an earlier turn, then the offer, then the closing's thanks and goodbye: in order
    ("en", _en([(AGENT, "Cheers for that."), (CUSTOMER, "Sure."), (AGENT, "Was there anything else you needed?"),
                (CUSTOMER, "No."), (AGENT, "Thanks for calling, bye now.")]), "pass"),
    ("zh", _zh([(AGENT, "好的，谢谢。"), (CUSTOMER, "嗯。"), (AGENT, "您还有别的问题吗？"), (CUSTOMER, "没了。"),
                (AGENT, "感谢您的来电，再见。")]), "pass"),
]


@pytest.mark.parametrize(("language", "turns", "want"), CASES)
def test_offer_of_more_help_before_the_closing_began(language, turns, want):
    got = findings(language, turns)
    assert (got["C3"], got["C4"]) == ("pass", "pass")  # both there: C5 judges their order
    assert got["C5"] == want


@pytest.fixture(scope="module")
def bench():
    yield load_bench("fresh_patch")
    forget_benches()


def _c5(data: dict) -> list:
    return next(c for c in data["checks"] if c["id"] == "C5")["rule"]["all"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_bench_turns_the_kind_off_and_on_in_c5_alone(bench, lang):
    path = REPO / "rubrics" / f"standard-{lang}.yaml"
    data = read_rubric_yaml(path.read_text(encoding="utf-8"))
    original = copy.deepcopy(data)
    off, on = bench.closing_began(data, False), bench.closing_began(data, True)
    assert _c5(on) == _c5(data)  # the rubric's own condition, as the bench builds it from C4's thanks
    assert len(_c5(off)) == len(_c5(on)) - 1
    assert "'after': {'check': 'C3'}" not in str(_c5(off)) and "'after': {'check': 'C3'}" in str(_c5(on))
    assert bench.closing_began(off, True) == on  # put back from C4's thanks alone
    assert {c["id"]: c for c in off["checks"] if c["id"] != "C5"} == {c["id"]: c for c in on["checks"] if c["id"] != "C5"}
    assert data == original
    parse_rubric(on, str(path))
    parse_rubric(off, str(path))
