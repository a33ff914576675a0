"""Issue 11, crit29: secrets whose length is said before them, and passwords said as words.

A code or password whose length is named and then read ("the PIN is four digits, 7 3 9 0") is the
secret itself when the digits make exactly that length; a password's value said after "is" with a
number in it ("harbour 42 gull", 海鸥2024) is read aloud whatever it is made of. Their harmless twins:
the length as a rule, an example not to use, where the code was sent, how old the password is. The
lines are written for this test (no sentence of a labelled call nor of the probes).
"""
from __future__ import annotations

import pytest
from test_rubric_standard import AGENT, CUSTOMER, outcome

E1_ROUND29 = [
    # the length named, then exactly that many digits: read out
    ("zh", [(AGENT, "给您设了个临时登录码，一共六位，您拿笔记一下：三九零 七一四。")], "fail"),
    ("en", [(AGENT, "Your new PIN is four digits, ready? It's two eight six one.")], "fail"),
    # ... twins: the length as a rule, an example of what not to use, the last digits of the phone it went to
    ("zh", [(AGENT, "新密码要设8位数，别用12345678这种太简单的。")], "pass"),
    ("zh", [(AGENT, "验证码是6位的，发到您尾号为3307的手机上了，请查收。")], "pass"),
    ("en", [(AGENT, "The code is six digits and it's gone to the mobile ending 5 5 1 9.")], "pass"),
    # a password's value said as words with a number in it
    ("en", [(AGENT, "Right, the password on your profile is lighthouse 58 pebble, try that.")], "fail"),
    ("zh", [(AGENT, "查到了，您的网银密码设的是青松1987，登录后记得改掉。")], "fail"),
    # ... twins: what a password must be, when it was changed, how old it is
    ("en", [(AGENT, "Your password is at least 12 characters, with one number in it.")], "pass"),
    ("en", [(AGENT, "Your password was changed 3 days ago from a new phone.")], "pass"),
    ("zh", [(CUSTOMER, "我密码是不是过期了？"), (AGENT, "您的密码是前年11月设的，现在还有效。")], "pass"),
]


@pytest.mark.parametrize("language, turns, expected", E1_ROUND29, ids=[f"{p[0]}-{i}" for i, p in enumerate(E1_ROUND29)])
def test_e1_secret_of_said_length_and_password_in_words(language, turns, expected):
    assert outcome(language, turns, "E1") == expected


# B2 kinds missed on fresh calls, by rule, each breach with its harmless twin.
B2_ROUND29 = [
    ("zh", [(AGENT, "随便您往哪儿反映，反映到哪儿都是这个处理。")], "fail"),
    ("zh", [(AGENT, "您想投诉的话，我把投诉电话发给您，也帮您登记上。")], "pass"),
    ("zh", [(AGENT, "但凡仔细看一眼的人都知道要先充电。")], "fail"),
    ("zh", [(AGENT, "这个步骤确实有点绕，我陪您一步一步来，先充上电。")], "pass"),
    ("en", [(AGENT, "Write to whoever you want, the answer's still no.")], "fail"),
    ("en", [(AGENT, "You can write to the ombudsman if you want, and I'll send you their address.")], "pass"),
    ("en", [(AGENT, "Which part of that isn't sinking in?")], "fail"),
    ("en", [(AGENT, "I can't make it any clearer than that, honestly.")], "fail"),
    ("en", [(AGENT, "Let me put it more simply for you.")], "pass"),
    ("en", [(AGENT, "Look, the van is not our worry, ring the depot.")], "fail"),
    ("en", [(CUSTOMER, "Last time someone said it's not my headache."), (AGENT, "I'm sorry you were told that, I'll sort it now.")], "pass"),
]


@pytest.mark.parametrize("language, turns, expected", B2_ROUND29, ids=[f"{p[0]}-{i}" for i, p in enumerate(B2_ROUND29)])
def test_b2_kinds_of_round29(language, turns, expected):
    assert outcome(language, turns, "B2") == expected
