"""Issue 11, itemfit12 (round 12): kinds of miss of A1, C1, C2, C5 and D4 named on the holdout11
tuning sets, each fixed in general terms and probed here with sentences written for this test
(no sentence of a labelled call, none of the probes in tests/data/dev_items). Every kind has a
harmless twin.

- A1: the Islamic greeting as callers and speech recognition spell it; other languages' greetings
  opening an English call; Cantonese and other Mandarin registers' greetings (早晨, 侬好, 我系…); in a
  transcript without capitals, the company said between the greeting and the agent's roster name said
  bare ("afternoon um larkspur dental meg"), never words of holding or thanks.
- C1: a record touched said bare after looking ("let me see, yes I have it here"), the last order or
  the saved card read from the record, the delivery address changed (scope: C1 applies); the name on
  the record asked clipped or without its copula ("name on the booking?", "what name the account
  under"), the phone as "handphone" or "cell" (asked: C1 passes); 查到了 / 上次订的 (zh scope) and
  订单是谁的名字 (zh ask).
- C2: the need put back and closed by a question about the summary ("is that fair?", "have I got
  that?") or a Singaporean/Malaysian tag ("can?", "can or not?"); 是不是这个情况.
- C5: the work said to be finished ("it's all sorted", "we've replaced the seal", 订单下好了, 已经弄好了)
  before the need is confirmed fails the order; a condition ("once that's done") is no resolution.
- D4: a reply time as a day, its date, then "that day" and the end of the working day (下班前).
- D3: the number to call named by its last digits ("we'll ring the one ending 4 1 1"); D5: the case
  taken up with someone, with another English's auxiliary or none ("I go take it up with …").
"""
from __future__ import annotations

import pytest

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import score_call, standard_rubric

AGENT, CUSTOMER = "agent", "customer"
# Rule fixes: scored with the rules alone, so the classifier's own answer neither hides nor makes a case.
pytestmark = pytest.mark.usefixtures("rules_only")


def outcome(language: str, turns: list[tuple[str, str]], check: str, agent_name: str = "") -> str:
    made, t = [], 0.5
    for speaker, text in turns:
        made.append(Turn(speaker, t, t + 3.0, text))
        t += 3.5
    call = Call(CallInfo("probe", agent_name=agent_name or None), language, tuple(made))
    result = score_call(call, standard_rubric(language), sentiment=0.0)
    return next(f for f in result.findings if f.check_id == check).outcome


def _opening(first: str) -> list[tuple[str, str]]:
    return [(AGENT, first), (CUSTOMER, "Hi, quick question about opening times.")]


A1 = [
    ("en", _opening("Assalam o alaikum, Minaret Travel, Hamza speaking."), "", "pass"),
    ("en", _opening("asalamu alaikum this is farida at oasis dry cleaners"), "", "pass"),
    ("en", _opening("Hola, Sunset Tiles, Marisol speaking."), "", "pass"),
    ("en", _opening("afternoon um larkspur dental meg"), "Meg Rowe", "pass"),
    ("en", _opening("morning er quayside marine parts ollie how can i help"), "Ollie Grant", "pass"),
    # twins: words of holding or thanks are no company; a name said mid-sentence is no introduction
    ("en", _opening("hello thanks for waiting meg"), "Meg Rowe", "fail"),
    ("en", _opening("hi sorry about the wait ollie"), "Ollie Grant", "fail"),
    ("en", _opening("Salaam alaikum, Hamza speaking."), "", "fail"),
    ("zh", [(AGENT, "早晨 金豪海鲜酒家 我系阿强"), (CUSTOMER, "早晨 我想订台")], "", "pass"),
    ("zh", [(AGENT, "侬好 申城保洁 我是小陆"), (CUSTOMER, "侬好")], "", "pass"),
    ("zh", [(AGENT, "早晨 我系阿强"), (CUSTOMER, "早晨 我想订台")], "", "fail"),
]


@pytest.mark.parametrize(("language", "turns", "agent_name", "want"), A1)
def test_a1_greetings_and_bare_names(language, turns, agent_name, want):
    assert outcome(language, turns, "A1", agent_name) == want


def _en_record(agent_says: str) -> list[tuple[str, str]]:
    return [(AGENT, "Hello, Copperleaf Cycles, Dan speaking."), (CUSTOMER, "Hi, it's about my repair."),
            (AGENT, agent_says), (CUSTOMER, "Great, thanks."), (AGENT, "Anything else?"), (CUSTOMER, "No, bye.")]


C1 = [
    # scope: the record touched with nothing asked fails C1 (it was not applicable before)
    ("en", _en_record("Bear with me. Okay, I have it here, a gear service booked for Monday."), "fail"),
    ("en", _en_record("Your last order was a chain and two tubes, same again?"), "fail"),
    ("en", _en_record("I'll charge the card we saved, ending six one."), "fail"),
    ("en", _en_record("I've put the new delivery address in, flat two."), "fail"),
    # no record: a general answer stays not applicable
    ("en", _en_record("We open at nine and close at half five."), "na"),
    ("en", _en_record("Here it is in the brochure, nine till five."), "na"),
    # asked clipped, without the copula, or as handphone / cell
    ("en", [(AGENT, "Hello, Copperleaf Cycles, Dan speaking."), (CUSTOMER, "It's about my repair."),
            (AGENT, "name on the job"), (CUSTOMER, "Tariq Bell."), (AGENT, "Thanks, I can see your repair.")], "pass"),
    ("en", [(AGENT, "Hello, Copperleaf Cycles, Dan speaking."), (CUSTOMER, "It's about my repair."),
            (AGENT, "okay which name the booking under"), (CUSTOMER, "Bell."), (AGENT, "Thanks, I can see your repair.")], "pass"),
    ("en", [(AGENT, "Hello, Copperleaf Cycles, Dan speaking."), (CUSTOMER, "It's about my repair."),
            (AGENT, "ok can i have your hp number first"), (CUSTOMER, "Ya, same one as before."),
            (AGENT, "Thanks, I can see your repair.")], "pass"),
    ("zh", [(AGENT, "您好，青松眼镜，我是小吴。"), (CUSTOMER, "你好，我配的眼镜好了吗？"), (AGENT, "我看一下，查到了，镜片昨天到了。"),
            (CUSTOMER, "好的。")], "fail"),
    ("zh", [(AGENT, "您好，青松眼镜，我是小吴。"), (CUSTOMER, "你好，我想再配一副。"), (AGENT, "上次订的是防蓝光的，这次一样吗？"),
            (CUSTOMER, "一样。")], "fail"),
    ("zh", [(AGENT, "您好，青松眼镜，我是小吴。"), (CUSTOMER, "你好，我配的眼镜好了吗？"), (AGENT, "配镜单是谁的名字？"),
            (CUSTOMER, "钱丽。"), (AGENT, "查到了，镜片昨天到了。")], "pass"),
    ("zh", [(AGENT, "您好，青松眼镜，我是小吴。"), (CUSTOMER, "你好，周末开门吗？"), (AGENT, "周末九点到六点都开。"),
            (CUSTOMER, "好的。")], "na"),
]


@pytest.mark.parametrize(("language", "turns", "want"), C1)
def test_c1_scope_and_asks(language, turns, want):
    assert outcome(language, turns, "C1") == want


C2 = [
    ("en", "Okay so the skylight leaks when it rains hard and you want a roofer out before the weekend, is that fair?", "pass"),
    ("en", "So the last two lessons move to the evening slot and the fee stays the same, is that the gist?", "pass"),
    # twin: the tag closing a price offered, not the need said back
    ("en", "That comes to four hundred for the whole roof, is that fair?", "fail"),
    ("zh", "就是楼上漏水把您家天花板泡了，想让物业出面协调，是不是这个情况？", "pass"),
    ("zh", "明天上午十点师傅上门，是不是？", "fail"),
]


@pytest.mark.parametrize(("language", "text", "want"), C2)
def test_c2_check_tags(language, text, want):
    hello = "Hello, Ridgeway Homes, Amy speaking." if language == "en" else "您好，安心物业，我是小许。"
    asks = "Hi, I need some help." if language == "en" else "你好，想咨询个事。"
    assert outcome(language, [(AGENT, hello), (CUSTOMER, asks), (AGENT, text)], "C2") == want


def _c5_en(done: str) -> list[tuple[str, str]]:
    return [(AGENT, "Hello, Fairway Appliances, Kim speaking."), (CUSTOMER, "My dishwasher door seal is leaking."),
            (AGENT, "Can I take your order number?"), (CUSTOMER, "F 4 4 1 9."), (AGENT, done),
            (AGENT, "So the door seal leaks and you wanted it replaced under warranty, is that right?"), (CUSTOMER, "Yes."),
            (AGENT, "Is there anything else I can help with?"), (CUSTOMER, "No."), (AGENT, "Thanks for calling, bye.")]


def _c5_zh(done: str) -> list[tuple[str, str]]:
    return [(AGENT, "您好，百味食材，我是小冯。"), (CUSTOMER, "你好，我们食堂要订二十箱土豆。"), (AGENT, "麻烦报一下客户编号。"),
            (CUSTOMER, "六六零二。"), (AGENT, done), (AGENT, "跟您确认一下，是二十箱土豆，周四送到食堂，对吧？"), (CUSTOMER, "对。"),
            (AGENT, "请问还有其他需要吗？"), (CUSTOMER, "没有了。"), (AGENT, "感谢来电，再见。")]


C5 = [
    ("en", _c5_en("Right, that's all sorted, an engineer is booked."), "fail"),
    ("en", _c5_en("We've replaced the seal on your account order already."), "fail"),
    ("en", _c5_en("Once that's done you'll get a text."), "pass"),
    ("zh", _c5_zh("好的，订单下好了。"), "fail"),
    ("zh", _c5_zh("都弄好了，明天一早送过去。"), "fail"),
    ("zh", _c5_zh("等弄好了再给您发短信。"), "pass"),
]


@pytest.mark.parametrize(("language", "turns", "want"), C5)
def test_c5_done_before_the_need_confirmed(language, turns, want):
    assert outcome(language, turns, "C5") == want


D4 = [
    ("后天是十二月十一号，那天下班前我给您回电话。", "pass"),
    ("我们下班前都很忙。", "fail"),
]


@pytest.mark.parametrize(("text", "want"), D4)
def test_d4_reply_time_named_by_that_day(text, want):
    turns = [(AGENT, "您好，畅行驾校，我是小孔。"), (CUSTOMER, "你们教练态度太差了，我非常不满意，要投诉。"),
             (AGENT, "非常抱歉，我记下来了。"), (AGENT, text)]
    assert outcome("zh", turns, "D4") == want


def _en_complaint(text: str) -> list[tuple[str, str]]:
    return [(AGENT, "Hello, Saltmarsh Ferries, Neil speaking."),
            (CUSTOMER, "I'm really unhappy, this is unacceptable, the crossing was cancelled and nobody told us."),
            (AGENT, "I'm sorry about that."), (CUSTOMER, "We sat at the port for three hours."), (AGENT, text)]


EN_D = [
    # D5: the case taken up with someone, with another English's auxiliary or none
    ("D5", "ok i go take it up with the port manager myself today", "pass"),
    ("D5", "I a take it up with the harbour office, don't fret.", "pass"),
    ("D5", "You could take it up with the port authority if you like.", "fail"),
    # D3: the number to call named by its last digits
    ("D3", "if anything changes we'll ring the one ending 5 0 3 yeah", "pass"),
    ("D3", "The refund went back to the card ending 5 0 3.", "fail"),
]


@pytest.mark.parametrize(("item", "text", "want"), EN_D)
def test_d3_d5_other_englishes(item, text, want):
    assert outcome("en", _en_complaint(text), item) == want


@pytest.mark.parametrize(("text", "want"), [
    ("okay so two trays of the pandan cake to your office on friday can", "pass"),
    ("okay so the aircon servicing moved to next week and same technician can or not", "pass"),
    ("You can pay by card or cash, whichever you can.", "fail"),
])
def test_c2_singapore_tags(text, want):
    turns = [(AGENT, "Hello, Orchid Bakes, Mei speaking."), (CUSTOMER, "Hi, I want to order again."), (AGENT, text)]
    assert outcome("en", turns, "C2") == want
