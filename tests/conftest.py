"""Shared fixtures: the real recordings in ../shared/data (read in place; see helpers/shared_data.py),
an in-memory DuckDB."""
from __future__ import annotations

import os
import sys

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

from shared_data import check_marker


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "shared_data(*parts): reads ../shared/<parts> (or QA_SHARED_DIR); skipped when absent, "
        "failed when absent under CI=true")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # before any fixture: a missing folder must not first load a speech model or build a database
    for mark in item.iter_markers("shared_data"):
        check_marker(*mark.args)


_MAIN = sys.modules["__main__"]


@pytest.fixture(autouse=True)
def _pytest_stays_main():
    """Streamlit's AppTest leaves the dashboard script in ``sys.modules["__main__"]``; worker
    processes started later (``qa run --workers``, spawn) would re-run it and die. Put back
    pytest's own main module after every test."""
    yield
    sys.modules["__main__"] = _MAIN


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
