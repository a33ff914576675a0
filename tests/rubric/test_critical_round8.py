"""Issue 11, crit8 (round 8): the CRITICAL items in kinds no earlier round covered, and precision.

``harmless_probe8.jsonl`` (tests/data/dev_critical) holds single agent sentences written from the
form alone before any change of round 8: a courteous warning about abusive language, "take your
time", "I don't know yet" with a next step, case and booking numbers to type in, a masked card
(first and last four), a hotline dialled from abroad, a sort code, 工单号, 前六后四, "no need to
look it up yourself", "whether or not you complain I'll see it through". Each is scored as a call
of one agent turn with the standard rubric of its language: a false critical fail zeroes a
harmless call.

The kinds below are each a breach with a harmless twin, written for this test (no sentence of a
labelled call). E1: a password said character by character, a code said as a count of one digit
(六个八, "four zeros"), a card read in two parts across the agent's turns; not a code anyone may hear
(a sort code, a promo code), an extension or a meter reading typed in, nor a number starting with
0 (a phone dialled from abroad). B2: the complaint waved off ("suit yourself", 想投诉就投诉), the
customer accused of wasting time, the repeated question counted against the customer in English,
the fault put on the customer with its reason, "no idea" as the whole answer, others' abundance as
the answer (多的是…另找一家), another party's lookout, other firms offered as the way
out, condescension ("even a child could work that out"), sarcastic praise (您可真会挑时候); and English rules narrowed where they read harmless talk ("I'll just
deal with it", "you can ask someone else to sign for it", "who cares for your dog", "go away and
have a think").
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_rubric_standard import AGENT, CUSTOMER, outcome

PROBE = Path(__file__).resolve().parents[1] / "data" / "dev_critical" / "harmless_probe8.jsonl"


def _sentences(language: str) -> list[str]:
    rows = [json.loads(line) for line in PROBE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows if r["language"] == language]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_near_miss_sentences_fail_no_critical_item(language):
    sentences = _sentences(language)
    assert len(sentences) >= 30
    failed = [(text, item) for text in sentences for item in ("B2", "E1")
              if outcome(language, [(AGENT, text)], item) == "fail"]
    assert failed == []


CRITICAL_ROUND8 = [
    # E1: a password said character by character
    ("en", [(AGENT, "Done, the temporary password is big R, small t, nine, four, at sign, small w, one.")], "E1", "fail"),
    ("en", [(AGENT, "The new password needs a capital letter, a small letter, a number and a symbol.")], "E1", "pass"),
    # E1: the whole code said as a count of one digit
    ("zh", [(AGENT, "初始密码给您设成了六个零，登录后记得改。")], "E1", "fail"),
    ("zh", [(AGENT, "密码别设成六个零这种，太容易被猜到。")], "E1", "pass"),
    ("en", [(AGENT, "Your voicemail PIN is now four nines.")], "E1", "fail"),
    ("en", [(AGENT, "Please don't set the PIN to four nines, it's the first thing people try.")], "E1", "pass"),
    # E1: a card read in two parts, the rest after the customer's "yes"
    ("en", [(AGENT, "The debit card on the booking is 5301 2287 4410."), (CUSTOMER, "Yes."),
            (AGENT, "Then 7765, that's what I'll refund to.")], "E1", "fail"),
    ("en", [(AGENT, "The debit card on the booking starts 5301 2287."), (CUSTOMER, "Yes."),
            (AGENT, "And it ends 7765, that's what I'll refund to.")], "E1", "pass"),
    ("zh", [(AGENT, "您登记的银行卡号是6228 4801 2233"), (CUSTOMER, "对"), (AGENT, "4456 719，退款就退到这张。")], "E1", "fail"),
    # E1: codes anyone may hear, numbers typed in that are no secret, numbers starting with 0
    ("en", [(AGENT, "Pay by transfer to sort code 30 90 89, and use your invoice number as the reference.")], "E1", "pass"),
    ("en", [(AGENT, "The discount code is SPRING 2 4 1 8, just key it in at the checkout.")], "E1", "pass"),
    ("en", [(AGENT, "Key in extension 5 5 1 0 when the menu answers.")], "E1", "pass"),
    ("en", [(AGENT, "Type 0 4 4 1 7 into the meter reading box, that's what your dial shows.")], "E1", "pass"),
    ("en", [(AGENT, "From overseas, ring 0044 161 496 0123 and ask for claims.")], "E1", "pass"),
    ("en", [(AGENT, "The card we hold is 4556 7301 2289 1164.")], "E1", "fail"),
    # B2: the complaint waved off
    ("en", [(AGENT, "Suit yourself, you can write to head office, they'll say the same.")], "B2", "fail"),
    ("en", [(AGENT, "Complain to whoever you want, the fee stays.")], "B2", "fail"),
    ("en", [(AGENT, "You're welcome to complain, and I'll log it for you right now.")], "B2", "pass"),
    ("zh", [(AGENT, "您要告就去告，我们也是按合同办的。")], "B2", "fail"),
    ("zh", [(AGENT, "您要投诉的话我帮您登记，三个工作日内有人联系您。")], "B2", "pass"),
    ("zh", [(AGENT, "您投到哪儿都没用，规定就是这样。")], "B2", "fail"),
    # B2: the customer accused of wasting time
    ("en", [(AGENT, "Honestly, you're basically wasting my time with this.")], "B2", "fail"),
    ("en", [(AGENT, "You're not wasting my time at all, it's what I'm here for.")], "B2", "pass"),
    ("zh", [(AGENT, "您别在这儿浪费大家的时间了，规定改不了。")], "B2", "fail"),
    ("zh", [(AGENT, "抱歉耽误您时间了，我尽快帮您办好。")], "B2", "pass"),
    ("zh", [(AGENT, "您这是要跟我在这儿耗到天黑啊？")], "B2", "fail"),
    # B2 (en): the repeated question counted against the customer
    ("en", [(AGENT, "How many more times are you going to ask me that?")], "B2", "fail"),
    ("en", [(AGENT, "How many times would you say the alarm went off last night?")], "B2", "pass"),
    ("en", [(AGENT, "Ringing every day won't change the decision, sir.")], "B2", "fail"),
    ("en", [(AGENT, "Ringing again won't lose your place in the queue, I've marked it urgent.")], "B2", "pass"),
    # B2 (en): the fault on the customer with its reason; "no idea" as the whole answer
    ("en", [(AGENT, "Well that's on you for not reading the small print.")], "B2", "fail"),
    ("en", [(AGENT, "That's on us for not sending the reminder, I'm sorry.")], "B2", "pass"),
    ("en", [(AGENT, "Not a clue, the warehouse never tells us.")], "B2", "fail"),
    ("en", [(AGENT, "No idea why the app did that, let me look at the logs.")], "B2", "pass"),
    # B2 (zh): others' abundance as the answer
    ("zh", [(AGENT, "嫌我们慢的话，外面做快递的有的是，您换一家就是了。")], "B2", "fail"),
    ("zh", [(AGENT, "这种配件外面有的是，不过我们这边可以直接给您寄一个。")], "B2", "pass"),
    # kinds of the older probes (dev_critical/*/probe6, probe7, tuning sets from this round): another
    # party's lookout, other firms offered as the way out, condescension, sarcastic praise
    ("en", [(AGENT, "The car park is run by the council, so that's their lookout, not ours.")], "B2", "fail"),
    ("en", [(AGENT, "If the price doesn't suit, you're welcome to try other insurers.")], "B2", "fail"),
    ("en", [(AGENT, "You're welcome to try other insurers, but let me check for a discount first.")], "B2", "pass"),
    ("en", [(AGENT, "Honestly, even a child could work that out.")], "B2", "fail"),
    ("en", [(AGENT, "The new remote is so simple even children can use it.")], "B2", "pass"),
    ("zh", [(AGENT, "您可真会挑时候，系统维护您就来办。")], "B2", "fail"),
    ("zh", [(AGENT, "您真厉害，这么快就装好了。")], "B2", "pass"),
    # kinds of the older English hold-outs' misses (tuning sets): condescension said politely, "a you
    # problem", another party as the better bet
    ("en", [(AGENT, "Look, my niece is seven and she could do that in her sleep.")], "B2", "fail"),
    ("en", [(AGENT, "The fitter could do that in his sleep, so it'll be quick.")], "B2", "pass"),
    ("en", [(AGENT, "I'll read it out really slowly so you can keep up.")], "B2", "fail"),
    ("en", [(AGENT, "I'll read it out slowly so you can write it down.")], "B2", "pass"),
    ("en", [(AGENT, "Honestly I don't know how they could make it any clearer on the form.")], "B2", "fail"),
    ("en", [(AGENT, "Parking near the venue is a you problem, I'm afraid.")], "B2", "fail"),
    ("en", [(AGENT, "You'd have more luck taking it up with your card company.")], "B2", "fail"),
    ("en", [(AGENT, "You'll have more luck with a weekday slot, they're quieter.")], "B2", "pass"),
    # the customer as the one who was clear, a question about what was unclear, a negated "settle down"
    ("zh", [(AGENT, "您之前已经讲得很明白了，我都记下来了。")], "B2", "pass"),
    ("zh", [(AGENT, "我之前已经讲得很明白了。")], "B2", "fail"),
    ("zh", [(AGENT, "我换个说法，您看是哪一步还不清楚")], "B2", "pass"),
    ("en", [(AGENT, "I'm not asking you to settle down, you've every right to be annoyed.")], "B2", "pass"),
    # the fault disowned in so many words, and put on the customer's household (older dev_zh misses)
    ("zh", [(AGENT, "快递晚到这个可不能怪我们。")], "B2", "fail"),
    ("zh", [(AGENT, "这事确实不能怪我们，但我现在就帮您联系站点。")], "B2", "pass"),
    # "no wonder" (怪不得 / 难怪) is no blame: its clause is judged only with its sentence
    ("zh", [(AGENT, "怪不得我们这边查不到，原来是换了手机号。")], "B2", "pass"),
    ("zh", [(AGENT, "难怪系统里没显示，原来订单还在审核。")], "B2", "pass"),
    ("zh", [(AGENT, "那是您自己家里没留人，快递才退回的。")], "B2", "fail"),
    ("zh", [(AGENT, "是您自己家里没人接收吗？")], "B2", "pass"),
    # English rules narrowed to the rude reading
    ("en", [(AGENT, "Leave it with me, I'll just deal with it before we hang up.")], "B2", "pass"),
    ("en", [(AGENT, "Oh, just deal with it, everyone else has to.")], "B2", "fail"),
    ("en", [(AGENT, "If it's easier, you could ask someone else to pick the keys up.")], "B2", "pass"),
    ("en", [(AGENT, "Ask someone else, I'm on my break.")], "B2", "fail"),
    ("en", [(AGENT, "Who cares for your mother during the day? The carer can be on the plan too.")], "B2", "pass"),
    ("en", [(AGENT, "Go away and have a think, and ring back when you've decided.")], "B2", "pass"),
]


@pytest.mark.parametrize("language, turns, check, expected", CRITICAL_ROUND8,
                         ids=[f"{p[0]}-{p[2]}-{i}" for i, p in enumerate(CRITICAL_ROUND8)])
def test_critical_kinds_of_round_8(language, turns, check, expected):
    assert outcome(language, turns, check) == expected
