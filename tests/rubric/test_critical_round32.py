"""Issue 11, crit32 (stop 32): how CRITICAL items decide on fresh calls.

E1: a card number dictated piece by piece, each piece said back, and then read back whole is a card
read aloud even when its digits fail the Luhn check: what names it is the agent's request for the card,
and the turns of digits alone between that request and the read-back do not push the request out of
the three turns looked back over. An order or booking number dictated the same way stays harmless.
B2: a long run of speech without commas (speech-recognition text) is also judged in word windows, which
decide alone as clauses do and count for their sentence where sentences decide together.
The lines are written for this test (no sentence of a labelled call nor of the probes).
"""
from __future__ import annotations

import numpy as np
import pytest
from learned_stand_ins import write_bank
from test_rubric_standard import AGENT, CUSTOMER, finding, outcome

from qa_pipeline.errors import InputError
from qa_pipeline.rubric import parse_rubric

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


# B2: word windows of a long run of speech without commas (the `windows` option of a learned check).

def test_a_long_comma_free_sentence_is_cut_into_overlapping_word_windows():
    from qa_pipeline.rubric.learned import split_windows

    run = " ".join(f"w{i}" for i in range(16))
    assert split_windows(run, 10, 14) == [" ".join(f"w{i}" for i in range(0, 10)),
                                          " ".join(f"w{i}" for i in range(5, 15)),
                                          " ".join(f"w{i}" for i in range(10, 16))]
    assert split_windows(" ".join(f"w{i}" for i in range(13)), 10, 14) == []  # too short to dilute
    assert split_windows(run.replace("w7 ", "w7, "), 10, 14) == []  # punctuated: clauses are its parts


def test_windows_count_once_for_their_sentence_when_sentences_decide_together():
    from qa_pipeline.rubric.checks.learned import together, window_parents

    run = " ".join(f"w{i}" for i in range(16))
    sentences = [run, "Fine.", *(" ".join(run.split()[i:i + 10]) for i in (0, 5, 10))]
    parents = window_parents(sentences, 2, (10, 14))
    assert parents.tolist() == [-1, -1, 0, 0, 0]
    probs, margins = np.array([0.2, 0.9, 0.8, 0.9, 0.1]), np.array([-1.0, 0.02, 0.02, 0.03, -1.0])
    # two windows of one sentence are one sentence: with "Fine." that makes two
    assert together(probs, margins, 2, (2, 0.5, 0.01), parents).tolist() == [False, True, True, True, False]
    assert not together(probs, margins, 2, (3, 0.5, 0.01), parents).any()
    # without windows only whole sentences count
    assert not together(probs, margins, 2, (2, 0.5, 0.01)).any()


@pytest.mark.parametrize("value", [{"words": 10}, {"words": 14, "min_words": 10}, {"words": 1, "min_words": 4},
                                   {"words": 10, "min_words": 14, "step": 5}, {"words": 10.0, "min_words": 14}])
def test_a_bad_windows_option_is_refused(tmp_path, value):
    bank = write_bank(tmp_path, [{"item": "B2", "label": "fail", "text": "x"}])
    rule = {"type": "learned", "item": "B2", "bank": str(bank), "target": "fail", "windows": value}
    with pytest.raises(InputError, match="windows"):
        parse_rubric({"id": "t", "version": "1", "languages": ["en"],
                      "checks": [{"id": "B2", "critical": True, "rule": rule}]})


def test_english_b2_reads_a_long_unpunctuated_turn_in_windows():
    # speech-recognition text: one turn, no commas; the classifier's evidence is a window of it
    run = ("so the ferry times are up on the board at the pier like they have been for ten years and if you "
           "never bother looking at it thats hardly something i can fix from this desk")
    got = finding("en", [(AGENT, "morning island ferries this is sam"), (CUSTOMER, "i missed the last boat"),
                         (AGENT, run)], "B2")
    quoted = got.rule.split("learned B2 '", 1)[1].split("'", 1)[0]
    assert quoted.rstrip("…") in run and len(quoted.rstrip("…").split()) <= 10


@pytest.fixture(scope="module")
def b2_windows():
    from bench_modules import forget_benches, load_bench

    yield load_bench("b2_windows")
    forget_benches()


def test_b2_windows_replays_windows_deciding_alone_and_for_their_sentence(b2_windows):
    unit = b2_windows.Unit
    # a run whose whole reads low, one window of it at the band's top and near the breaches
    alone = b2_windows.Call("en/h1", "a", "fail", False, [unit(np.array([[0.33, -1.0], [0.8, 0.04], [0.2, -1.0]]))],
                            np.zeros((0, 2)))
    # two windows of one run lean towards the breaches: one sentence, not two; with a second sentence, two
    one = b2_windows.Call("en/h1", "b", "pass", False, [unit(np.array([[0.4, -1.0], [0.6, 0.01], [0.6, 0.01]]))],
                          np.zeros((0, 2)))
    two = b2_windows.Call("en/h1", "c", "fail", False, [*one.units, unit(np.array([[0.55, 0.012]]))], np.zeros((0, 2)))
    point = (2, 0.5, 0.008)
    assert [b2_windows.failed(c, 0.7, 0.03, point, False) for c in (alone, one, two)] == [False, False, False]
    assert [b2_windows.failed(c, 0.7, 0.03, point, True) for c in (alone, one, two)] == [True, False, True]
