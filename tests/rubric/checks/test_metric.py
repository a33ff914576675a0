"""The ``metric`` check type: the PASS/FAIL examples in its docstring (metric.py) hold."""
from check_examples import assert_docstring_examples_hold


def test_docstring_examples():
    assert_docstring_examples_hold("metric")


def test_a_failed_metric_quotes_the_moment_it_measured():
    from qa_pipeline.records import Call, CallInfo, Turn
    from qa_pipeline.rubric import parse_rubric, score_call

    rubric = parse_rubric({"id": "m", "version": "1", "languages": ["en"], "checks": [
        {"id": "SILENCE", "weight": 1, "rule": {"type": "metric", "metric": "longest_silence_seconds", "max": 5}},
        {"id": "GAPS", "weight": 1, "rule": {"type": "metric", "metric": "silences_over_5s", "max": 0}},
        {"id": "RATIO", "weight": 1, "rule": {"type": "metric", "metric": "talk_ratio", "max": 0.1}}]})
    call = Call(CallInfo("s"), "en", (Turn("agent", 0.0, 2.0, "Hello, Acme."),
                                      Turn("customer", 2.5, 6.0, "Hi, can you check my last order for me?"),
                                      Turn("agent", 12.0, 14.0, "One moment."),
                                      Turn("agent", 30.0, 33.0, "Thanks for waiting.")))
    found = {f.check_id: f for f in score_call(call, rubric, sentiment=0.0).findings}
    longest = found["SILENCE"].evidence
    assert longest.text == ("the longest silence, 16.0 s from 00:14 to 00:30 (00:12–00:33): "
                            "agent: One moment. / agent: Thanks for waiting.") and (longest.start, longest.end) == (12.0, 33.0)
    assert found["GAPS"].evidence.text.startswith("a silence, 6.0 s from 00:06 to 00:12 (00:02–00:14): customer: Hi,")
    # a metric of the whole call quotes the customer's request and the agent's answer
    assert found["RATIO"].outcome == "fail"
    assert found["RATIO"].evidence.text.startswith("measured over the whole call; quoted: the customer's request at 00:02")
