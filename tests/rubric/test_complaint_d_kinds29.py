"""Issue 11, cmpl29 (stop 29): kinds of miss of the complaint items D3 and D5 named on the holdout12 and
holdout13 tuning sets, fixed in general terms and probed here with sentences written for this test (no
sentence of a labelled call). Every kind has a harmless twin.

- D3 (en): the number on file checked with the question turned round ("is it still the landline ending
  …?", "is that still your email?") or as "still the right one"; the number to call named by its last
  digits with "you" spelt as a dialect says it ("ring ya on the one ending …").
- D5 (zh): the agent asking which number to call the customer back on (我们回头联系您，打哪个号码？) is
  the contact item, never "contact them yourself".
"""
from __future__ import annotations

import pytest

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import score_call, standard_rubric

AGENT, CUSTOMER = "agent", "customer"
# Rule fixes: scored with the rules alone, so the classifier's own answer neither hides nor makes a case.
pytestmark = pytest.mark.usefixtures("rules_only")


def outcome(language: str, turns: list[tuple[str, str]], check: str) -> str:
    made, t = [], 0.5
    for speaker, text in turns:
        made.append(Turn(speaker, t, t + 3.0, text))
        t += 3.5
    call = Call(CallInfo("probe"), language, tuple(made))
    result = score_call(call, standard_rubric(language), sentiment=0.0)
    return next(f for f in result.findings if f.check_id == check).outcome


EN_COMPLAINT = [(AGENT, "Good morning, Alder Roofing, Priya speaking, how can I help?"),
                (CUSTOMER, "I want to make a complaint, the gutter you fitted last week is leaking again.")]
ZH_COMPLAINT = [(AGENT, "您好 顺安家政 我是小温 请问有什么可以帮您"),
                (CUSTOMER, "我要投诉 你们阿姨上周来打扫 把我家的花瓶打碎了 也没跟我说一声")]


@pytest.mark.parametrize("agent, expected", [
    ("I'm sorry. Is it still the landline ending four four one?", "pass"),
    ("I'm sorry. And is that still your email, the one at hillmail?", "pass"),
    ("I'm sorry. Is the mobile ending two zero nine still the right one?", "pass"),
    ("im sorry i will ring ya on the one ending five five two by monday", "pass"),
    # twins: a price, a plan or a part is no contact detail
    ("I'm sorry. Is that still the same price as the quote?", "fail"),
    ("I'm sorry. Is it still the right one, the grey bracket?", "fail"),
    ("I'm sorry. Is it still your plan to repaint in spring?", "fail"),
])
def test_en_d3_the_number_on_file_checked_other_ways(agent, expected):
    assert outcome("en", EN_COMPLAINT + [(AGENT, agent), (CUSTOMER, "Yes.")], "D3") == expected


@pytest.mark.parametrize("agent, expected", [
    # the agent files it and asks which number to call back on: ownership, not "call them yourself"
    ("非常抱歉 这个事情我来负责跟进 到时候联系您 打您哪个电话好？", "pass"),
    ("非常抱歉 这个事情我来负责跟进 处理完了回访您，拨打哪一个电话方便？", "pass"),
    # twin: sending the customer to the cleaner's agency still fails
    ("非常抱歉 这个事情我来负责跟进 您直接打中介那边的电话问一下", "fail"),
])
def test_zh_d5_asking_which_number_to_call_back_is_not_sending_the_customer_away(agent, expected):
    assert outcome("zh", ZH_COMPLAINT + [(AGENT, agent), (CUSTOMER, "好的")], "D5") == expected
