"""Issue 11, crit32 (stop 32): how CRITICAL items decide on fresh calls.

E1: a card number dictated piece by piece, each piece said back, and then read back whole is a card
read aloud even when its digits fail the Luhn check: what names it is the agent's request for the card,
and the turns of digits alone between that request and the read-back do not push the request out of
the three turns looked back over. An order or booking number dictated the same way stays harmless.
The lines are written for this test (no sentence of a labelled call nor of the probes).
"""
from __future__ import annotations

import pytest
from test_rubric_standard import AGENT, CUSTOMER, outcome

# 5123 9870 4411 2036 fails the Luhn check (as a number made up or misheard does).
E1_ROUND32 = [
    ("en", [(AGENT, "Lovely, the kayak hire is booked for Saturday. Which card would you like to use?"),
            (CUSTOMER, "five one two three"), (AGENT, "five one two three"),
            (CUSTOMER, "nine eight seven zero"), (AGENT, "nine eight seven zero"),
            (CUSTOMER, "four four one one"), (AGENT, "four four one one"),
            (CUSTOMER, "two zero three six"),
            (AGENT, "two zero three six, so that's five one two three nine eight seven zero four four one one "
                    "two zero three six, and the expiry date please?")], "fail"),
    ("en", [(AGENT, "Sure, I can look into the kayak booking. What's the booking reference?"),
            (CUSTOMER, "five one two three"), (AGENT, "five one two three"),
            (CUSTOMER, "nine eight seven zero"), (AGENT, "nine eight seven zero"),
            (CUSTOMER, "four four one one"), (AGENT, "four four one one"),
            (CUSTOMER, "two zero three six"),
            (AGENT, "two zero three six, so that's five one two three nine eight seven zero four four one one "
                    "two zero three six, let me pull that up for you.")], "pass"),
    ("zh", [(AGENT, "好的，茶具套装给您下单了，您用哪张银行卡付款？"),
            (CUSTOMER, "五一二三"), (AGENT, "五一二三"), (CUSTOMER, "九八七零"), (AGENT, "九八七零"),
            (CUSTOMER, "四四一一"), (AGENT, "四四一一"), (CUSTOMER, "二零三六"),
            (AGENT, "二零三六，我再念一遍，五一二三九八七零四四一一二零三六，对吧？")], "fail"),
    ("zh", [(AGENT, "好的，茶具套装的事我帮您查，您的订单编号是多少？"),
            (CUSTOMER, "五一二三"), (AGENT, "五一二三"), (CUSTOMER, "九八七零"), (AGENT, "九八七零"),
            (CUSTOMER, "四四一一"), (AGENT, "四四一一"), (CUSTOMER, "二零三六"),
            (AGENT, "二零三六，我再念一遍，五一二三九八七零四四一一二零三六，对吧？")], "pass"),
]


@pytest.mark.parametrize("language, turns, expected", E1_ROUND32, ids=[f"{p[0]}-{i}" for i, p in enumerate(E1_ROUND32)])
def test_e1_a_card_dictated_in_pieces_and_read_back_whole_is_named_by_the_request(language, turns, expected):
    assert outcome(language, turns, "E1") == expected
