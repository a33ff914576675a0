"""Fixtures shared by the rubric tests."""
from __future__ import annotations

import pytest

from qa_pipeline.rubric import encoder as encoders


@pytest.fixture
def rules_only(monkeypatch):
    """Score with the rules alone (``QA_LEARNED=off``), the encoder cache reset around the test."""
    monkeypatch.setenv("QA_LEARNED", "off")
    encoders.reset()
    yield
    encoders.reset()
