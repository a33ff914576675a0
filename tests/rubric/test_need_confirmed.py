"""The ``need_confirmed`` detector (C2 by the customer's answer): probes in my own words, other trades.

Each probe is a short exchange; the detector is asked about the agent turn marked, which must (or must not)
put the customer's words back and be confirmed by the customer's next turn. Fails against the old code:
there is no ``need_confirmed`` detector (the import fails, and the ``detect`` check refuses the name).
"""
import pytest

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric.engine import score_call
from qa_pipeline.rubric.loader import parse_rubric
from qa_pipeline.rubric.need_confirmed import confirms, need_confirmed
from qa_pipeline.rubric.view import CallView

A, C = "agent", "customer"


def _call(turns, language="en"):
    return Call(CallInfo("probe"), language,
                tuple(Turn(s, float(i), float(i) + 1, t) for i, (s, t) in enumerate(turns)))


def _at(turns, index):
    view = CallView(_call(turns))
    return need_confirmed(view.turns[index], view)


FOUND = [
    # an unpunctuated read-back with no check form at all, confirmed
    [(A, "morning riverside glazing"),
     (C, "hiya the new back door you fitted wont lock the key jams halfway and the seal is hanging off at the bottom"),
     (A, "right the back door key jams halfway and the seal hanging off at the bottom"),
     (C, "thats it yeah")],
    # a check in a form no list closes, then "that the one"
    [(A, "Good day, Lakeside Bakery."),
     (C, "I ordered a chocolate sponge for Saturday and you have piped the wrong greeting on the icing."),
     (A, "Okay. The chocolate sponge for Saturday and the icing has the wrong greeting, that what we talking?"),
     (C, "That the one.")],
    # the read-back running into a question of its own; a plain "yes" to no plan
    [(A, "Northgate Uniforms, how can I help?"),
     (C, "We need twenty navy fleeces with the club badge for the junior squad."),
     (A, "Lovely. Twenty navy fleeces with the club badge for the juniors. What sizes are they?"),
     (C, "Yes, mostly small and medium.")],
    # an identity check in between: the need is still the first turn's
    [(A, "Hillcrest Vets."),
     (C, "My dog's stitches have come open after the operation on his leg."),
     (A, "Can I take your surname?"), (C, "Okafor."),
     (A, "Thanks. So the stitches on his leg have come open since the operation."),
     (C, "Exactly, this morning.")],
]

NOT_FOUND = [
    # a read-back of the caller's identity (their words, confirmed), not the need: names do not count
    ([(A, "Hillcrest Vets."), (C, "Hi, it's Maria Okafor at 12 Birch Lane, my dog's stitches came open."),
      (A, "Is that Maria Okafor, 12 Birch Lane?"), (C, "That's right.")], 2),
    ([(A, "hillcrest vets"), (C, "hi its maria okafor my dogs stitches came open"),
      (A, "can i take your full name and address"), (C, "maria okafor twelve birch lane hollow end"),
      (A, "maria okafor twelve birch lane hollow end"), (C, "thats right")], 4),
    # a plan the customer agrees to with "yes": consent, not the need confirmed
    ([(A, "Brightwater Energy."), (C, "My gas meter reading on the bill is far too high."),
      (A, "I'll send someone to read the gas meter and redo the bill, would that be okay?"), (C, "Yes please.")], 2),
    # the customer's words put back, but no confirmation: a bare "right", a new question
    ([(A, "Lakeside Bakery."), (C, "The chocolate sponge for Saturday has the wrong name on the icing."),
      (A, "The chocolate sponge for Saturday, the icing has the wrong name."), (C, "Right. Can you fix it?")], 2),
    ([(A, "Lakeside Bakery."), (C, "The chocolate sponge for Saturday has the wrong name on the icing."),
      (A, "The chocolate sponge for Saturday, the icing has the wrong name."), (C, "How long will it take?")], 2),
    # confirmed, but only the topic repeated (two words)
    ([(A, "Parcelwise."), (C, "My parcel from the shoe shop never came."),
      (A, "The shoe shop one?"), (C, "Yes.")], 2),
    # the customer's turn, not the agent's
    ([(A, "Parcelwise."), (C, "My parcel from the shoe shop never came to the flat."),
      (A, "The parcel from the shoe shop never came to your flat."), (C, "That's right.")], 3),
]


@pytest.mark.parametrize("turns", FOUND)
def test_a_read_back_the_customer_confirms_is_found(turns):
    index = max(i for i, (s, _) in enumerate(turns) if s == A)
    assert _at(turns, index) is not None


@pytest.mark.parametrize(("turns", "index"), NOT_FOUND)
def test_no_read_back_of_the_need_confirmed_is_not_found(turns, index):
    assert _at(turns, index) is None


@pytest.mark.parametrize(("reply", "agent", "want"), [
    ("thats right we saw it on friday", "so the lid came off", True),
    ("Yes, exactly.", "I'll send a new one, okay?", True),  # a confirmation of what was said, whatever came before
    ("yeah", "so the lid came off and the fudge went hard", True),
    ("yeah", "shall I send a new tin?", False),
    ("Right.", "so the lid came off", False),
    ("okay", "so the lid came off", False),
])
def test_what_counts_as_a_confirmation(reply, agent, want):
    assert confirms(reply, agent) is want


def test_the_detect_check_uses_it():
    rubric = parse_rubric({"id": "probe", "version": "1", "languages": ["en"], "checks": [
        {"id": "C2", "section": "C", "title": "Confirm the need", "weight": 10,
         "rule": {"type": "detect", "detector": "need_confirmed", "speaker": "agent"}}]}, "probe.yaml")
    assert score_call(_call(FOUND[0]), rubric, sentiment=0.0).findings[0].outcome == "pass"
    assert score_call(_call(NOT_FOUND[1][0]), rubric, sentiment=0.0).findings[0].outcome == "fail"


ZH_CASES = [
    # a read-back in the customer's words, confirmed with 对/是的: found
    ([(A, "您好，青禾家政。"), (C, "上周约的保洁阿姨没来，厨房油烟机也没清洗，我白等了一上午。"),
      (A, "您是说上周约的保洁阿姨没来，油烟机也没清洗，白等了一上午"), (C, "对，就是这样。")], True),
    ([(A, "您好，顺风驾校。"), (C, "我想把周六的科目二练车改到周日下午。"),
      (A, "好的，周六的科目二练车改到周日下午"), (C, "是的。")], True),
    # a plan the customer agrees to; an identity read-back; no confirmation; the topic alone: not found
    ([(A, "您好，青禾家政。"), (C, "上周约的保洁阿姨没来，厨房油烟机也没清洗。"),
      (A, "我给您重新安排保洁阿姨上门清洗油烟机，可以吗？"), (C, "对，可以。")], False),
    ([(A, "您好，顺风驾校。"), (C, "我叫李明远，住在江城花园，想改练车时间。"),
      (A, "李明远，江城花园，这个地址对吗？"), (C, "对的。")], False),
    ([(A, "您好，顺风驾校。"), (C, "我想把周六的科目二练车改到周日下午。"),
      (A, "周六的科目二练车改到周日下午"), (C, "那要多久能改好？")], False),
    ([(A, "您好，顺风驾校。"), (C, "我想把周六的科目二练车改到周日下午。"),
      (A, "练车的事"), (C, "对。")], False),
]


@pytest.mark.parametrize(("turns", "found"), ZH_CASES)
def test_mandarin_read_backs_the_customer_confirms(turns, found):
    view = CallView(_call(turns, "zh"))
    assert (need_confirmed(view.turns[2], view) is not None) is found
