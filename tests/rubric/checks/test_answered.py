"""The ``answered`` check type (answered.py): its docstring's examples, scored by the real engine.

Its examples have an agent and a customer in one call, which the one-speaker docstring runner
(tests/helpers/check_examples.py) cannot write, so they are spelled out here with the docstring's
yaml block.
"""
from check_examples import yaml_block

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import parse_rubric, score_call
from qa_pipeline.rubric.checks import CHECK_TYPES

BLOCK = yaml_block(CHECK_TYPES["answered"].doc)
COMPLAINT = {"type": "phrases", "speaker": "customer", "phrases": ["complain", "投诉"]}


def outcome(*turns, rule=None):
    rule = rule or {**BLOCK, "after": {"check": "complaint"}}
    rubric = parse_rubric({"id": "answered-example", "version": "1", "languages": ["en"],
                           "checks": [{"id": "complaint", "rule": COMPLAINT}, {"id": "X", "rule": rule}]})
    made = tuple(Turn(who, 1.0 + 4 * i, 4.0 + 4 * i, text) for i, (who, text) in enumerate(turns))
    call = Call(info=CallInfo(call_id="example"), language="en", turns=made, source="import")
    return next(f for f in score_call(call, rubric, sentiment=0.0).findings if f.check_id == "X").outcome


def test_the_date_in_the_answer_passes_in_its_first_message_or_a_later_one():
    assert outcome(("customer", "I want to complain about my stay."),
                   ("agent", "Could you tell me a bit more about the trip?"),
                   ("customer", "The hotel had no room for us."), ("customer", "We flew out yesterday.")) == "pass"


def test_the_agents_own_date_is_not_the_answer():
    assert outcome(("customer", "I want to complain about my stay."), ("agent", "Could you tell me a bit more?"),
                   ("customer", "The room was dirty."), ("agent", "Sorry. It was yesterday, wasn't it?")) == "fail"


def test_a_date_volunteered_with_no_question_asked_fails():
    assert outcome(("customer", "I want to complain, it broke yesterday."), ("agent", "I'm sorry to hear that."),
                   ("customer", "Since last week really.")) == "fail"


def test_asks_makes_an_unpunctuated_turn_a_question_and_the_scopes_mentions_narrows_it():
    turns = (("customer", "i want to complain about the heating"), ("agent", "could you describe the problem"),
             ("customer", "it stopped yesterday"))
    assert outcome(*turns) == "pass"
    narrowed = {**BLOCK, "after": {"check": "complaint"}, "mentions": ["what happened"]}
    assert outcome(*turns, rule=narrowed) == "fail"


def test_before_the_trigger_a_question_is_out_of_scope():
    assert outcome(("agent", "Could you tell me what happened?"), ("customer", "It was yesterday."),
                   ("customer", "I want to complain.")) == "fail"
