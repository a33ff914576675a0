"""Issue 11, crit7 (round 7): the CRITICAL items in fresh wording, and firm but courteous talk.

``harmless_probe7.jsonl`` (tests/data/dev_critical) holds single agent sentences written from the
form alone before any change of round 7: refusals per policy, referrals with a reason and a number,
a rule restated, 没关系 / 这个不归我们管但我帮您转, the last four digits, a code sent and not read. Each
is scored as a call of one agent turn with the standard rubric of its language (learned judgements
included where the encoder is installed): a false critical fail zeroes a harmless call.

The kinds below are each a breach with a harmless twin, written for this test (no sentence of a
labelled call): a one-time code handed over to be typed in, whatever it is called; letters spelled
before the digits make a reference, not a card; 不归我们 with help offered is a referral; the
customer's repeated question counted against them; an errand as the customer's obligation; a bare
不用 no longer spares a turn that hands an errand back; the customer's attention questioned in any
tense; "the Nth time I'm explaining"; "calm down" in other words; the customer left to it on their
own; the problem disowned as an aside; a question mocking the request; competitors offered as the
answer; 您至于…吗; 白说了.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_rubric_standard import AGENT, CUSTOMER, outcome

PROBE = Path(__file__).resolve().parents[1] / "data" / "dev_critical" / "harmless_probe7.jsonl"


def _sentences(language: str) -> list[str]:
    rows = [json.loads(line) for line in PROBE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows if r["language"] == language]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_courteous_sentences_fail_no_critical_item(language):
    sentences = _sentences(language)
    assert len(sentences) >= 30
    failed = [(text, item) for text in sentences for item in ("B2", "E1")
              if outcome(language, [(AGENT, text)], item) == "fail"]
    assert failed == []


CRITICAL_ROUND7 = [
    # E1: a code to be typed in, not named as a code (digits said one by one)
    ("en", [(AGENT, "Here's the one the screen's showing, just key it in: three eight, oh five, six two.")], "E1", "fail"),
    ("en", [(AGENT, "Just key in two thousand four hundred as the amount and press pay.")], "E1", "pass"),
    ("en", [(AGENT, "Type in one nine eight four as your year of birth.")], "E1", "pass"),
    ("en", [(AGENT, "Enter the last four digits of your mobile, so six one one two.")], "E1", "pass"),
    ("zh", [(AGENT, "后台这边能看到，是五幺九，三零七，您在页面上填进去就好了。")], "E1", "fail"),
    ("zh", [(AGENT, "金额那一栏输入一千二百就行。")], "E1", "pass"),
    ("zh", [(AGENT, "您在页面上输入手机尾号七七零八就能查到。")], "E1", "pass"),
    ("zh", [(AGENT, "转人工的话，分机号输入六零三二。")], "E1", "pass"),
    # E1: letters spelled before the digits: a reference, not a card
    ("en", [(AGENT, "It's printed on the tag as K T W four four one nine zero two eight three six one five seven two.")],
     "E1", "pass"),
    ("en", [(AGENT, "So the card I have is four four one nine oh two eight three six one five five two seven one two.")], "E1",
     "fail"),
    # B2 (zh)
    ("zh", [(AGENT, "路灯不归我们物业管，是市政负责的，不过我帮您把报修电话发过去。")], "B2", "pass"),
    ("zh", [(AGENT, "路灯不归我们物业管，您打市政热线去。")], "B2", "fail"),
    ("zh", [(AGENT, "这个您都问了第四遍了，价格就是这样。")], "B2", "fail"),
    ("zh", [(AGENT, "您已经问了两遍了，可能是我没讲清楚，我换个说法。")], "B2", "pass"),
    ("zh", [(AGENT, "不用，退货进度您自己翻翻订单页面。")], "B2", "fail"),
    ("zh", [(AGENT, "不用再跑一趟了，我这边直接帮您办好。")], "B2", "pass"),
    ("zh", [(AGENT, "这个只能您自己跟房东去谈。")], "B2", "fail"),
    ("zh", [(AGENT, "首次登录需要您自己设置一个密码。")], "B2", "pass"),
    ("zh", [(AGENT, "不就是晚了半小时嘛，您至于发这么大火吗？")], "B2", "fail"),
    ("zh", [(AGENT, "至于运费吗，这次由我们承担。")], "B2", "pass"),
    ("zh", [(AGENT, "我前面讲了那么多都白讲了是吧？")], "B2", "fail"),
    ("zh", [(AGENT, "您放心，这次上门不会让您白等的。")], "B2", "pass"),
    # B2 (en)
    ("en", [(AGENT, "Are you even paying attention to what I've said?")], "B2", "fail"),
    ("en", [(AGENT, "Sorry, were you listening to the hold message the whole time?")], "B2", "pass"),
    ("en", [(AGENT, "Did you not hear me? The shuttle leaves at six.")], "B2", "fail"),
    ("en", [(AGENT, "Sorry, did you hear me there? The line keeps cutting out.")], "B2", "pass"),
    ("en", [(AGENT, "That's the fourth time I've explained the returns window now.")], "B2", "fail"),
    ("en", [(AGENT, "That's the fourth time you've had to chase us, and I'm really sorry.")], "B2", "pass"),
    ("en", [(AGENT, "There's no need to get all het up about a parking space.")], "B2", "fail"),
    ("en", [(AGENT, "There's no need to get worried, the insurance covers it.")], "B2", "pass"),
    ("en", [(AGENT, "You'll just have to sort that out on your own, I'm afraid.")], "B2", "fail"),
    ("en", [(AGENT, "You'll need to sort the settings on your own laptop, but I can stay on the line.")], "B2", "pass"),
    ("en", [(AGENT, "Well, a blocked drain on your side is hardly our problem.")], "B2", "fail"),
    ("en", [(AGENT, "The delay was hardly our fault, but I've still added a discount for you.")], "B2", "pass"),
    ("en", [(AGENT, "Do you seriously expect we can rebuild the kitchen by Monday?")], "B2", "fail"),
    ("en", [(AGENT, "There's loads of other garages in town if you don't like our price.")], "B2", "fail"),
    ("en", [(AGENT, "There are lots of other stores that stock it, but I can order one in for you today.")], "B2", "pass"),
    ("en", [(AGENT, "We have plenty of other sizes in the warehouse.")], "B2", "pass"),
    ("en", [(CUSTOMER, "What could possibly go wrong, eh?"), (AGENT, "Ha, let's hope nothing.")], "B2", "pass"),
]


@pytest.mark.parametrize("language, turns, check, expected", CRITICAL_ROUND7,
                         ids=[f"{p[0]}-{p[2]}-{i}" for i, p in enumerate(CRITICAL_ROUND7)])
def test_critical_kinds_of_round_7(language, turns, check, expected):
    assert outcome(language, turns, check) == expected
