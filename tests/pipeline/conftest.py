"""Fixtures of the batch tests in this folder."""
from __future__ import annotations

import pytest


@pytest.fixture
def fake_asr(monkeypatch):
    """QA_FAKE_ASR's fake recogniser at the model boundary, for this test and the worker processes it
    starts (they inherit the variable); everything after the recogniser is real."""
    monkeypatch.setenv("QA_FAKE_ASR", "1")
