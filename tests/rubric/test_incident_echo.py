"""The ``incident_echo`` detector (D2 by structure): the agent's check question in the customer's words with a
past time in the same turn. Probes in my own words (trades and registers no labelled call uses); the last turn is
the agent's. Fails against the old code: there is no ``incident_echo`` detector (the import fails)."""
import pytest

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric.detectors import DETECTORS
from qa_pipeline.rubric.incident_echo import incident_echo
from qa_pipeline.rubric.view import CallView

A, C = "agent", "customer"


def _last_agent(turns, language):
    call = Call(CallInfo("probe"), language,
                tuple(Turn(s, float(i), float(i) + 1, t) for i, (s, t) in enumerate(turns)))
    view = CallView(call)
    return incident_echo(view.turns[-1], view)


PROBES = [
    # read back in the customer's words with when it happened: found
    ("en", [(C, "The kayak I hired on Sunday had a split hull and it filled with water."),
            (A, "Sorry to hear that. So the hull was split and it filled up, that was Sunday, is that right?")], True),
    ("en", [(C, "my boiler service was yesterday and now the pilot light keeps going out"),
            (A, "okay so since the service yesterday the pilot light keeps going out is that what you are saying")],
     True),
    ("zh", [(C, "我前天在你们那儿配的眼镜，戴上就头晕，镜片好像装反了。"),
            (A, "我跟您核对一下：前天配的眼镜，戴上头晕，镜片可能装反了，是吧？")], True),
    ("zh", [(C, "上周三装的热水器，到现在一直漏水。"),
            (A, "您是上周三装的热水器，一直漏水，对吗？")], True),
    # the same read-back without a time: D2's "when" is missing
    ("en", [(C, "The kayak I hired had a split hull and it filled with water."),
            (A, "So the hull was split and it filled up, is that right?")], False),
    ("zh", [(C, "你们配的眼镜戴上就头晕，镜片好像装反了。"),
            (A, "戴上眼镜头晕，镜片可能装反了，是吧？")], False),
    # a time the agent promises, not when it happened
    ("en", [(C, "The kayak I hired had a split hull and it filled with water."),
            (A, "So the hull was split. I will have a new kayak ready for you on Saturday, is that right?")], False),
    ("zh", [(C, "你们配的眼镜戴上就头晕，镜片好像装反了。"),
            (A, "镜片装反了头晕是吧？明天上午十点给您重新配好。")], False),
    # a time without the customer's words: not a read-back
    ("en", [(C, "The kayak I hired had a split hull and it filled with water."),
            (A, "Were you out on the water on Sunday, is that right?")], False),
]


@pytest.mark.parametrize("lang, turns, found", PROBES)
def test_the_incident_read_back_with_its_time(lang, turns, found):
    got = _last_agent(turns, lang)
    assert (got is not None) == found, got
    if found:
        assert got[1].startswith("reads the incident back with its time: ")


def test_the_detector_is_named_for_the_detect_check():
    assert DETECTORS["incident_echo"] is incident_echo
