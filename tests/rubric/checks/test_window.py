"""Searched windows quoted as a failed finding's evidence (checks/window.py): described in
words, timed, speaker-labelled, shortened without cutting a redaction placeholder."""
from __future__ import annotations

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import parse_rubric, score_call
from qa_pipeline.rubric.checks.window import quote, where_it_should_have_happened
from qa_pipeline.rubric.view import CallView

WHOLE_CALL = {"id": "w", "version": "1", "languages": ["en"],
              "conditions": {"account": {"type": "phrases", "phrases": ["your account"]}},
              "checks": [
                  {"id": "POLITE", "weight": 1, "rule": {"type": "phrases", "name": "please", "phrases": ["please"]}},
                  {"id": "ID", "weight": 1, "applies_when": {"use": "account"},
                   "rule": {"type": "phrases", "name": "identity question", "phrases": ["date of birth"]}},
                  {"id": "HELLO", "kind": "trigger", "rule": {"type": "phrases", "speaker": "customer",
                                                               "phrases": ["never said"]}}]}


def finding(call, check_id):
    return next(f for f in score_call(call, parse_rubric(WHOLE_CALL), sentiment=0.0).findings if f.check_id == check_id)


def test_a_whole_call_failure_quotes_the_customers_request_and_the_agents_answer():
    call = Call(CallInfo("a"), "en", (
        Turn("customer", 0.2, 1.0, "Hello?"),  # before the greeting: no request
        Turn("agent", 1.0, 3.0, "Acme, Jo speaking."),
        Turn("customer", 3.5, 8.0, "My parcel never arrived and I need it for Friday."),
        Turn("agent", 8.5, 12.0, "Right, I have your account open now."),
        Turn("customer", 12.5, 13.0, "Good."),
        Turn("agent", 75.0, 80.0, "It left the depot this morning.")))  # past a minute: not quoted
    polite = finding(call, "POLITE")
    assert polite.outcome == "fail" and polite.rule == "please: not found (agent)"
    assert polite.evidence.text == (
        "whole call searched, none found; quoted: the customer's request at 00:03 and the agent's next 30 s of "
        "speech (00:03–00:13): customer: My parcel never arrived and I need it for Friday. / agent: Right, I have "
        "your account open now. / customer: Good.")
    assert (polite.evidence.start, polite.evidence.end, polite.evidence.speaker) == (3.5, 13.0, None)
    # a check that applies once the account is touched: the agent's speech up to that turn
    ident = finding(call, "ID")
    assert ident.outcome == "fail" and (ident.evidence.start, ident.evidence.end) == (0.2, 12.0)
    assert ident.evidence.text.startswith("whole call searched, none found; quoted: the agent's last 30 s of speech "
                                          "up to where the check applied at 00:08")
    assert ident.evidence.text.endswith("agent: Right, I have your account open now.")
    # a trigger that did not fire is no failure to show
    assert finding(call, "HELLO").evidence is None


def test_without_times_the_window_is_quoted_by_turns():
    call = Call(CallInfo("b"), "en", (Turn("agent", None, None, "Hi."),
                                      Turn("customer", None, None, "I would like to cancel my plan today."),
                                      Turn("agent", None, None, "Sure.")))
    polite = finding(call, "POLITE")
    assert polite.evidence.text == ("whole call searched, none found; quoted: the customer's request and the agent's "
                                    "next 4 turns: customer: I would like to cancel my plan today. / agent: Sure.")
    assert polite.evidence.start is None


def test_a_call_without_agent_turns_quotes_nothing():
    view = CallView(Call(CallInfo("c"), "en", (Turn("customer", 0.0, 1.0, "Hello?"),)))
    assert where_it_should_have_happened(view) is None


def test_shortening_keeps_placeholders_whole_and_labels_every_turn():
    view = CallView(Call(CallInfo("d"), "en", (
        Turn("customer", 0.0, 9.0, "well " * 20 + "the card is [CARD ****1111] and " + "so on " * 20),
        Turn("agent", 9.0, 10.0, "OK."))))
    text = quote(view.turns)
    assert text.startswith("customer: well well") and text.endswith(" / agent: OK.")
    assert "[CARD" not in text or "[CARD ****1111]" in text
    for limit in range(60, 200, 7):  # wherever the cut falls, no placeholder is cut in two
        for from_end in (False, True):
            cut = quote(view.turns, limit=limit, from_end=from_end)
            assert cut.count("[") == cut.count("]"), (limit, from_end, cut)
            assert len(cut) <= limit + 2
