"""``call: from_first_turn`` on a check reference (zhgen32, stop 32): the complaint placed, in a call, at the
customer's first turn, so that the agent's handling counts from where the caller said why they called even when
the trigger's words come in a later, plainer sentence. Fails against the code before: the option is refused."""
import pytest

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric.engine import score_call
from qa_pipeline.errors import InputError
from qa_pipeline.rubric.loader import parse_rubric


def _rubric(ref: dict) -> object:
    return parse_rubric({"id": "probe", "version": "1", "languages": ["en"], "checks": [
        {"id": "complaint", "section": "D", "kind": "trigger", "title": "Complaint",
         "rule": {"type": "phrases", "speaker": "customer", "phrases": ["not good enough"]}},
        {"id": "D2", "section": "D", "title": "Record the details", "weight": 5, "applies_when": {"check": "complaint"},
         "rule": {"type": "phrases", "speaker": "agent", "phrases": ["when did"], "after": ref}}]}, "probe.yaml")


# the grievance opens the call; the agent asks when it happened; the trigger's words come only after that
CALL = Call(CallInfo("probe"), "en", tuple(Turn(s, float(i), float(i) + 1, t) for i, (s, t) in enumerate([
    ("agent", "Harbour Kitchens, how can I help?"),
    ("customer", "The worktop you fitted has a crack right across the sink end."),
    ("agent", "Oh dear. When did you first notice the crack?"),
    ("customer", "Tuesday. Honestly it's not good enough for what we paid."),
    ("agent", "I understand, I'll book a fitter to look at it."),
])))


def _d2(ref: dict) -> str:
    findings = {f.check_id: f for f in score_call(CALL, _rubric(ref), sentiment=0.0).findings}
    assert findings["complaint"].outcome == "pass"
    return findings["D2"].outcome


def test_the_handling_counts_from_where_the_trigger_was_found_by_default():
    assert _d2({"check": "complaint"}) == "fail"


def test_in_a_call_from_first_turn_counts_it_from_the_customers_first_turn():
    assert _d2({"check": "complaint", "call": "from_first_turn"}) == "pass"


def test_an_unknown_placement_is_refused_naming_the_choice():
    with pytest.raises(InputError, match="from_first_turn"):
        _rubric({"check": "complaint", "call": "from_the_start"})


def test_the_complaint_handling_acts_keep_their_own_start():
    # the acts' trial holds the trigger where `acts: start` puts it; the reference's placement does not move it
    from qa_pipeline.rubric.checks.acts import Trial
    from qa_pipeline.rubric.checks.base import Context, Verdict
    from qa_pipeline.rubric.checks.logic import CheckRef
    from qa_pipeline.rubric.view import CallView

    view = CallView(CALL)
    state = {"verdicts": {"complaint": Verdict(True, None, "found", (3, 0))}, "outcomes": {"complaint": "pass"}}
    ref = CheckRef("complaint", ("pass",), from_first_turn=True)
    assert ref.evaluate(Context(view=view, **state)).at == (1, 0)
    assert ref.evaluate(Trial(view=view, **state)).at == (3, 0)
