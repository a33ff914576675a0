"""Fixtures shared by the rubric tests."""
from __future__ import annotations

import pytest
from learned_stand_ins import KeywordEncoder, use_encoder, write_bank

from qa_pipeline.rubric import encoder as encoders
from qa_pipeline.rubric import parse_rubric


@pytest.fixture
def rules_only(monkeypatch):
    """Score with the rules alone (``QA_LEARNED=off``), the encoder cache reset around the test."""
    monkeypatch.setenv("QA_LEARNED", "off")
    encoders.reset()
    yield
    encoders.reset()


@pytest.fixture
def keyword_encoder(monkeypatch, tmp_path):
    return use_encoder(monkeypatch, tmp_path, KeywordEncoder())


@pytest.fixture
def learned_rubric(tmp_path):
    rows = ([{"item": "C2", "label": "pass", "text": f"restate the {w} please"} for w in ("order", "bill", "flight", "car")]
            + [{"item": "C2", "label": "fail", "text": f"neutral the {w} please"} for w in ("order", "bill", "flight", "car")]
            + [{"item": "B2", "label": "fail", "text": f"restate {w}"} for w in ("you", "again", "now")]
            + [{"item": "B2", "label": "pass", "text": f"neutral {w}"} for w in ("you", "again", "now")])
    bank = write_bank(tmp_path, rows)
    return parse_rubric({
        "id": "t", "version": "1", "languages": ["en"],
        "checks": [
            {"id": "C2", "weight": 10, "rule": {"type": "learned", "item": "C2", "bank": str(bank), "band": [0.3, 0.7],
                                                "rule": {"type": "phrases", "phrases": ["just to confirm"]}}},
            {"id": "B2", "critical": True,
             "rule": {"type": "learned", "item": "B2", "bank": str(bank), "target": "fail", "band": [0.3, 0.7],
                      "rule": {"type": "phrases", "phrases": ["not my problem"]}}},
            {"id": "T", "weight": 10, "rule": {"type": "phrases", "phrases": ["thanks"]}},
        ]})
