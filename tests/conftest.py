"""Shared fixtures: the real recordings in ../shared/data (read in place), an in-memory DuckDB."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

from shared_data import AUDIO, EXAMPLES, SHARED, shared_file  # noqa: F401


@pytest.fixture
def db():
    from qa_pipeline.store import database as store

    con = store.connect(":memory:")
    yield con
    con.close()


@pytest.fixture(scope="session")
def transcriber():
    """The default speech model, loaded once for the whole test session."""
    from qa_pipeline.model_packs import resolve_asr_model
    from qa_pipeline.speech.transcribe import Transcriber

    return Transcriber(resolve_asr_model(None))
