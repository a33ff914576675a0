"""Two shared pieces the checks read calls through: :meth:`CallView.reply_to` (the customer's reply to an
agent's turn, and the agent's turns before it: read by the ``answered`` check and the ``need_confirmed``
detector) and the scope option ``mentions`` (only the turns that hold one of its phrases; any check's
scope). Every text here was written for these tests; none is a sentence of a call or thread."""
from __future__ import annotations

import textwrap

import pytest

from qa_pipeline.errors import InputError
from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import load_rubric, score_call
from qa_pipeline.rubric.view import CallView

AGENT, CUSTOMER = "agent", "customer"


def view(turns, lang="en"):
    made = [Turn(speaker, 1.0 + 4 * i, 4.0 + 4 * i, text) for i, (speaker, text) in enumerate(turns)]
    return CallView(Call(CallInfo("reply-probe"), lang, tuple(made)))


# --- reply_to -----------------------------------------------------------------------------------------

def test_the_reply_is_every_customer_message_up_to_the_agents_next_turn():
    v = view([(AGENT, "Which branch did you visit?"), (CUSTOMER, "The one on the high street."),
              (CUSTOMER, "Near the station."), (AGENT, "Thank you."), (CUSTOMER, "No problem")])
    reply = v.reply_to(v.turns[0])
    assert [t.index for t in reply.turns] == [1, 2] and reply.between == () and reply.first.index == 1
    assert [t.index for t in v.reply_to(v.turns[3]).turns] == [4]


def test_the_agents_turns_before_the_reply_are_kept_apart():
    v = view([(AGENT, "So the parcel went to your old flat."), (AGENT, "Shall I send a new one?"),
              (CUSTOMER, "Yes please."), (AGENT, "Done.")])
    reply = v.reply_to(v.turns[0])
    assert [t.index for t in reply.between] == [1] and [t.index for t in reply.turns] == [2]


def test_no_reply_when_the_customer_does_not_speak_again():
    v = view([(CUSTOMER, "My bill is wrong."), (AGENT, "Let me look."), (AGENT, "One moment please.")])
    reply = v.reply_to(v.turns[1])
    assert reply.turns == () and reply.first is None and [t.index for t in reply.between] == [2]


def test_captions_and_blank_turns_neither_start_nor_end_the_reply():
    v = view([(AGENT, "请问是哪一天出的问题？"), (CUSTOMER, "  "), ("system", "[客户发送了一张图片]"),
              (CUSTOMER, "上周五。"), ("system", "[等待中]"), (CUSTOMER, "晚上八点左右。"), (AGENT, "好的。")], "zh")
    reply = v.reply_to(v.turns[0])
    assert [t.index for t in reply.turns] == [3, 5] and reply.between == ()


# --- mentions -----------------------------------------------------------------------------------------

RUBRIC = """
id: probe
version: "1"
languages: [en]
checks:
  - id: Q
    title: {zh: 询问, en: Asked}
    weight: 10
    rule: {type: phrases, phrases: [can you, could you], MENTIONS}
"""


def rubric_file(tmp_path, mentions: str):
    path = tmp_path / "probe.yaml"
    path.write_text(textwrap.dedent(RUBRIC).replace("MENTIONS", mentions), encoding="utf-8")
    return path


def outcome(rubric, turns):
    made = [Turn(speaker, 1.0 + 4 * i, 4.0 + 4 * i, text) for i, (speaker, text) in enumerate(turns)]
    result = score_call(Call(CallInfo("mentions-probe"), "en", tuple(made)), rubric, sentiment=0.0)
    return next(f for f in result.findings if f.check_id == "Q")


def test_mentions_keeps_only_the_turns_that_hold_a_phrase(tmp_path):
    rubric = load_rubric(rubric_file(tmp_path, "mentions: [what happened, describe]"))
    opening = [(AGENT, "Hello, can you hear me?"), (CUSTOMER, "My heater broke.")]
    asked = opening + [(AGENT, "Sorry. Can you describe it?"), (CUSTOMER, "It clicks and stops.")]
    assert outcome(rubric, opening).outcome == "fail"
    hit = outcome(rubric, asked)
    assert hit.outcome == "pass" and "describe it" in hit.evidence.text
    assert "mention the topic" in outcome(rubric, opening).rule


def test_mentions_applies_after_the_position_options(tmp_path):
    # first_turns: 1 is the agent's first turn; mentions then keeps it only if it mentions the topic
    rubric = load_rubric(rubric_file(tmp_path, "first_turns: 1, mentions: [describe]"))
    assert outcome(rubric, [(AGENT, "Can you hear me?"), (CUSTOMER, "Hi."), (AGENT, "Can you describe it?")]).outcome == "fail"


@pytest.mark.parametrize("value, said", [
    ("[]", "got an empty list"),
    ("describe", "a list of text"),
    ("[describe, 3]", "a list of text"),
    ('["re:(unclosed"]', "re:(unclosed"),
])
def test_bad_mentions_are_refused_naming_the_file_and_the_option(tmp_path, value, said):
    with pytest.raises(InputError) as exc:
        load_rubric(rubric_file(tmp_path, f"mentions: {value}"))
    msg = str(exc.value)
    assert "probe.yaml" in msg and "check Q" in msg and said in msg


def test_answered_takes_mentions_not_a_topic_option_of_its_own(tmp_path):
    path = rubric_file(tmp_path, "")
    text = path.read_text(encoding="utf-8").replace("{type: phrases, phrases: [can you, could you], }",
                                                     "{type: answered, phrases: [monday], about: [describe]}")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="unknown option 'about'.*mentions"):
        load_rubric(path)
