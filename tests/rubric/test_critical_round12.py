"""Issue 11, crit12 (round 12): E1 numbers decided by their structure, secrets read in pieces, data before verification.

A long number is a card when it passes the Luhn check, an 18-character ID when it passes the
GB 11643 check character, and otherwise only when the words of its turn or the three before call
it a card, a bank account or an ID (the written calls' card numbers rarely pass Luhn; real ones do).
A number read in pieces across the agent's turns is joined, however many turns of the customer
and digit-free words of the agent stand between. The lines are written for this test (no sentence
of a labelled call nor of the probes).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_rubric_standard import AGENT, CUSTOMER, outcome

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "tests" / "data" / "dev_critical" / "probe12.jsonl"

E1_ROUND12 = [
    # a 16-digit number that fails Luhn, no card or ID word near: a batch, not a card
    ("en", [(AGENT, "Got it, batch 7719 2203 5561 0488 left the depot on Tuesday.")], "pass"),
    ("zh", [(AGENT, "好的，设备出厂码2025113084726519已经录进去了，下周一生效。")], "pass"),
    ("zh", [(CUSTOMER, "我那个登记的号是多少？"), (AGENT, "查到了，登记的是350203197511064，状态正常。")], "pass"),
    # ... the same shape called a card, or a number that passes Luhn, stays a card
    ("en", [(AGENT, "The card you gave me was 4111 2222 3333 4445, I'll put the refund there.")], "fail"),
    ("en", [(AGENT, "Right, 4532 0151 1283 0366, I'll use that one then.")], "fail"),
    ("zh", [(CUSTOMER, "身份证号我刚报过了"), (AGENT, "我重复一下：350203197511064017，对吗？")], "fail"),
    # a card read in two halves with the customer fetching a wallet and the agent waiting between
    ("en", [(AGENT, "The card we keep on file is 4532 0151"), (CUSTOMER, "Hang on, let me find my purse."),
            (AGENT, "Sure, take your time."), (CUSTOMER, "Right, carry on."), (AGENT, "1283 0366.")], "fail"),
    # a code begun in one turn and finished in the next
    ("en", [(AGENT, "The login code begins 4 0 9."), (CUSTOMER, "Yes?"), (AGENT, "Then 2 2 6, and it lasts ten minutes.")], "fail"),
    ("zh", [(AGENT, "登录验证码前三位是八零二"), (CUSTOMER, "嗯"), (AGENT, "后三位是六六一，十分钟内有效。")], "fail"),
    # an ID read across two turns
    ("zh", [(AGENT, "跟您对一下证件，前面是三五零二零三一九七五"), (CUSTOMER, "对的"), (AGENT, "后面是一一零六四零一七。")], "fail"),
    # the holder's address or date of birth stated before any identifier was asked; twins: the company's own
    # address, and the same address once the account number was asked
    ("en", [(CUSTOMER, "I'd like to check my car insurance."), (AGENT, "No problem, it's registered to 9 Birch Lane and renews next month.")], "fail"),
    ("en", [(CUSTOMER, "What do you have on my account?"), (AGENT, "You were born on the 3rd of May, and we bill you every quarter.")], "fail"),
    ("en", [(CUSTOMER, "Where do I send it back?"), (AGENT, "Our returns address is 22 Mill Road, it's on the label too.")], "pass"),
    ("zh", [(CUSTOMER, "我想查一下我的燃气账户。"), (AGENT, "好的，您家登记的住址是幸福路16号，上月用气42方。")], "fail"),
    ("zh", [(CUSTOMER, "我想查一下我的燃气账户。"), (AGENT, "好的，麻烦先报一下户号。"), (CUSTOMER, "8812034"),
            (AGENT, "您家登记的住址是幸福路16号，上月用气42方。")], "pass"),
    # twins: a mobile number read in two pieces; the last four said after a card's name; another number between
    ("en", [(AGENT, "The mobile starts 0 7 7 0 0."), (CUSTOMER, "Okay."), (AGENT, "And then 9 0 0 4 1 8.")], "pass"),
    ("en", [(AGENT, "The card we keep on file is the Visa"), (CUSTOMER, "Which one?"), (AGENT, "Ending 0366.")], "pass"),
    ("zh", [(AGENT, "验证码是六位数"), (CUSTOMER, "嗯"), (AGENT, "您收到以后直接输入，不用告诉我。")], "pass"),
]


@pytest.mark.parametrize("language, turns, expected", E1_ROUND12, ids=[f"{p[0]}-{i}" for i, p in enumerate(E1_ROUND12)])
def test_e1_numbers_by_structure_and_in_pieces(language, turns, expected):
    assert outcome(language, turns, "E1") == expected


@pytest.mark.parametrize("language", ["en", "zh"])
def test_harmless_twins_of_probe12_get_no_critical_fail(language):
    rows = [json.loads(line) for line in PROBE.read_text(encoding="utf-8").splitlines() if line.strip()]
    twins = [r for r in rows if r["language"] == language and r["label"] == "pass"]
    assert len(twins) >= 20
    failed = [(r["family"], r["turns"][-1][1]) for r in twins
              if outcome(language, [tuple(t) for t in r["turns"]], r["item"]) == "fail"]
    assert failed == []


B2_ROUND12 = [
    # Mandarin: a limit with an alternative offered in the turn, an honest "don't know" with the agent going to
    # find out — the classifier read the limit or the "don't know" cut off as a brush-off
    ("zh", [(AGENT, "退票要航空公司审批，这个不是我们能决定的。我可以帮您先提交申请，或者改签到后天，您看行吗？")], "pass"),
    ("zh", [(AGENT, "这一项我的确不知道，您稍等我查查。")], "pass"),
    ("zh", [(AGENT, "这款滤芯的型号我确实不知道，我去跟仓库同事核实一下，十分钟后给您回电话。")], "pass"),
    # ... the same limit or "don't know" with the customer sent off stays a breach (the rules)
    ("zh", [(AGENT, "我也不知道，您自己去网上查吧。")], "fail"),
    # English: impatience as futility
    ("en", [(AGENT, "You can argue with me till closing time, the answer is still going to be the same.")], "fail"),
    ("en", [(AGENT, "We could go back and forth on this for an hour and nothing's going to change.")], "fail"),
    ("en", [(AGENT, "I can go over the charges as many times as you need, it's no bother at all.")], "pass"),
    ("en", [(AGENT, "We can go round the options again if you like, the price for each one stays as quoted.")], "pass"),
]


@pytest.mark.parametrize("language, turns, expected", B2_ROUND12, ids=[f"{p[0]}-{i}" for i, p in enumerate(B2_ROUND12)])
def test_b2_limits_not_knowing_and_futility(language, turns, expected):
    assert outcome(language, turns, "B2") == expected
