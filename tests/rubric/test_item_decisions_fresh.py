"""Issue 11, itemfresh (stop 28): the English item decision fitted on the fresh view
(bench/item_decision_fit.py --fresh) — D5 decides where its best sentence reaches 0.5 and its 3 nearest
exemplars are 0.02 nearer the target than the others, instead of flagging under a band raised to ~0.7 by
cross-validation. With the real e5 pack where it is installed. (D2's fitted decision was taken out at
merge: it passed a restatement as D2, tests/rubric/test_en_round10.py; its harmless twins stay here.)

Probes written for this test (no sentence from a labelled call) before their results were read, on a
complaint call whose rules miss the act; each found here is unsure or failed with the rubric before.
Of the 6 D2 probes of the first batch the rules caught 3; of the 3 they missed, 1 was found (and 1 of
the second batch of 2). The rules caught all 4 D5 probes of the first batch and 3 of the second's 4;
the fourth is found now. No harmless twin was found.
"""
from __future__ import annotations

import pytest

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import encoder as encoders
from qa_pipeline.rubric import score_call, standard_rubric

OPENING = [("agent", "Good morning, Harbourline Energy, this is Priya."),
           ("customer", "I'm really fed up, this is the third time my meter reading has been wrong and I've been "
                        "overcharged again."),
           ("agent", "I'm sorry to hear that, that's frustrating.")]


def finding(item: str, said: str):
    if encoders.sentence_encoder() is None:
        pytest.skip(encoders.encoder_status())
    turns, t = [], 0.5
    for speaker, text in OPENING + [("agent", said), ("customer", "OK.")]:
        turns.append(Turn(speaker, t, t + 3.0, text))
        t += 3.5
    result = score_call(Call(CallInfo("probe"), "en", tuple(turns)), standard_rubric("en"), sentiment=0.0)
    assert next(f for f in result.findings if f.check_id == "complaint").outcome == "pass"
    return next(f for f in result.findings if f.check_id == item)


@pytest.mark.parametrize("item, said", [
    # D5: the case kept by the agent, in words no ownership phrase has
    ("D5", "Nobody else needs to get involved, I'm handling your account personally from here."),
])
def test_the_classifier_decides_the_act_the_rules_miss(item, said):
    found = finding(item, said)
    assert found.outcome == "pass" and not found.unsure, found.rule


@pytest.mark.parametrize("item, said", [
    ("D2", "Our meters are read every quarter across the whole region."),
    ("D2", "The new tariff comes in next spring for everyone."),
    ("D2", "Statements go out on the first working day of each month."),
    ("D5", "You'd have to take that up with the metering company, not us."),
    ("D5", "There's not much I can do from here, I'm afraid."),
    ("D5", "Billing queries usually take a while to go through."),
])
def test_a_harmless_twin_is_not_found(item, said):
    found = finding(item, said)
    assert found.outcome == "fail", found.rule
