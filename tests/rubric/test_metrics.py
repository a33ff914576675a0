"""Conversation metrics from turn times, and customer sentiment / complaint detection."""
from __future__ import annotations

import pytest

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric.metrics import compute_metrics, silences, talkovers
from qa_pipeline.rubric.sentiment import customer_sentiment, text_sentiment


def call(*turns, language="en"):
    return Call(CallInfo("m1"), language, tuple(Turn(*t) for t in turns))


def test_talk_time_ratio_silence_and_first_words():
    c = call(("agent", 2.0, 6.0, "Hello there, how can I help you today?"),
             ("customer", 6.5, 9.5, "My router is broken."),
             ("agent", 16.5, 20.5, "Okay, let me check that for you now."))
    m = compute_metrics(c, sentiment=0.0)
    assert m.agent_talk_seconds == 8.0 and m.customer_talk_seconds == 3.0
    assert m.talk_ratio == pytest.approx(8 / 11, abs=1e-3)
    assert m.longest_silence_seconds == 7.0 and m.silences_over_5s == 1
    assert m.first_agent_words_seconds == 2.0
    assert m.speech_rate_unit == "words/min" and m.speech_rate == pytest.approx(16 / (8 / 60), abs=0.1)
    assert m.agent_talkovers == 0


def test_chinese_speech_rate_counts_characters():
    c = call(("agent", 0.0, 6.0, "您好，请问有什么可以帮您？"), language="zh")
    m = compute_metrics(c, sentiment=0.0)
    assert m.speech_rate_unit == "chars/min" and m.speech_rate == pytest.approx(11 / 0.1, abs=0.1)


def test_talkovers_count_only_the_agent_starting_more_than_the_threshold_early():
    c = call(("customer", 0.0, 5.0, "a"), ("agent", 3.5, 6.0, "b"),   # 1.5 s over → counts
             ("customer", 6.0, 9.0, "c"), ("agent", 8.4, 10.0, "d"),   # 0.6 s over → not
             ("agent", 11.0, 14.0, "e"), ("customer", 12.0, 15.0, "f"))  # customer over agent → not
    assert talkovers(c, 1.0) == 1
    assert talkovers(c, 0.5) == 2
    assert compute_metrics(c, sentiment=0.0).agent_talkovers == 1


def test_overlapping_turns_make_no_silence():
    c = call(("agent", 0.0, 10.0, "a"), ("customer", 2.0, 4.0, "b"), ("agent", 11.0, 12.0, "c"))
    assert silences(c) == [1.0]


def test_no_times_or_no_roles():
    untimed = compute_metrics(call(("agent", None, None, "hi")), sentiment=0.2)
    assert untimed.first_agent_words_seconds is None and untimed.talk_ratio is None
    assert untimed.customer_sentiment == 0.2
    mono = compute_metrics(call(("unknown", 0.0, 3.0, "hi"), ("unknown", 4.0, 5.0, "yes")), sentiment=0.0)
    assert mono.agent_talk_seconds is None and mono.first_agent_words_seconds is None
    assert mono.agent_talkovers is None and mono.longest_silence_seconds == 1.0
    assert compute_metrics(call(), sentiment=None, compute_sentiment=False) is not None


def test_english_sentiment_is_lexical_and_signed():
    assert text_sentiment("This is terrible, I'm furious and really disappointed.") < -0.5
    assert text_sentiment("Thanks so much, that's wonderful, great help!") > 0.5
    assert text_sentiment("   ") is None


def test_chinese_sentiment():
    assert text_sentiment("你们这服务太差了，我非常生气，要投诉！") < 0
    assert text_sentiment("太好了，非常感谢，服务很满意！") > 0


def test_customer_sentiment_ignores_the_agent():
    c = call(("agent", 0, 1, "This is awful and terrible."), ("customer", 1, 2, "Thank you, that's great!"))
    assert customer_sentiment(c) > 0
    assert customer_sentiment(call(("agent", 0, 1, "Hello"))) is None


def test_metrics_output_is_what_their_version_says():
    """Re-scoring reuses metrics stored with METRICS_VERSION unchanged. If this fails,
    compute_metrics now gives other values: raise METRICS_VERSION in qa_pipeline/metrics.py
    and put the new fingerprint here."""
    import hashlib
    import json
    from dataclasses import astuple

    from shared_data import EXAMPLES, shared_file

    from qa_pipeline.rubric.metrics import METRICS_VERSION
    from qa_pipeline.transcript_io import call_from_json

    shared_file("qa-examples")
    calls = [call_from_json(json.loads(p.read_text(encoding="utf-8")), p) for p in sorted(EXAMPLES.glob("*.json"))]
    calls += [
        call(("customer", 0.0, 5.0, "a b"), ("agent", 3.5, 6.0, "c d e"), ("customer", 6.0, 9.0, "f"),
             ("agent", 8.4, 10.0, "g"), ("agent", 21.0, 24.0, "h"), ("customer", 22.0, 30.0, "i")),
        call(("agent", 0.0, 6.0, "您好，请问有什么可以帮您？"), ("customer", 12.5, 14.0, "我要投诉"), language="zh"),
        call(("agent", None, None, "hello"), ("customer", None, None, "hi")),
        call(("S0", 1.0, 2.0, "who is this")),
    ]
    values = [astuple(compute_metrics(c, sentiment=0.25)) for c in calls]
    digest = hashlib.sha256(repr(values).encode("utf-8")).hexdigest()[:16]
    fingerprints = {1: "26e0a5bd2cfad77f"}
    assert fingerprints.get(METRICS_VERSION) == digest, (
        f"compute_metrics output changed (fingerprint {digest}): raise METRICS_VERSION and record it here")


def test_rescoring_reuses_stored_metrics_of_this_version_only():
    from qa_pipeline.rescoring import rescore
    from qa_pipeline.rubric import score_call, standard_rubric
    from qa_pipeline.rubric.metrics import METRICS_VERSION
    from qa_pipeline.store import database as store

    c = call(("agent", 2.0, 6.0, "Thank you for calling Harbor Bank, this is Sam, how can I help?"),
             ("customer", 6.5, 9.5, "My card was charged twice."),
             ("agent", 10.0, 14.0, "Sorry about that, let me check."))
    con = store.connect(":memory:")
    store.save_call(con, c, [score_call(c, standard_rubric("en"))])
    stored = "SELECT longest_silence_seconds, metrics_version FROM metric_store"
    assert con.execute(stored).fetchone() == (0.5, METRICS_VERSION)
    # A stored value of this version is taken as it is (here planted, to see it reused) ...
    con.execute("UPDATE metric_store SET longest_silence_seconds = 99")
    rescore(con)
    assert con.execute("SELECT longest_silence_seconds FROM metric_store").fetchone()[0] == 99
    # ... one without a version (stored before versions were kept) is computed again.
    con.execute("UPDATE metric_store SET longest_silence_seconds = 99, metrics_version = NULL")
    rescore(con)
    assert con.execute(stored).fetchone() == (0.5, METRICS_VERSION)
