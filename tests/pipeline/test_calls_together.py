"""`qa run --calls-per-batch K`: K calls decoded, their speech transcribed together, each call
then finished on its own; what is stored is what one call at a time stores.

The speech model is the fake one (``QA_FAKE_ASR=1``); everything after it is real."""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf
from fake_models import BATCH_OPTIONS, write_call
from stored_calls import snapshot

from qa_pipeline.pipeline import run_batch
from qa_pipeline.progress import ProgressEvent
from qa_pipeline.speech.transcribe import FakeTranscriber

pytestmark = pytest.mark.usefixtures("fake_asr")


@pytest.fixture
def calls(tmp_path):
    """Stereo and mono calls, a silent one and a file that is not audio."""
    folder = tmp_path / "calls"
    folder.mkdir()
    for n in range(4):
        write_call(folder / f"stereo{n}.wav", seconds=8.0 + n)
    write_call(folder / "mono.wav", stereo=False, seconds=9.0)
    sf.write(str(folder / "silent.wav"), np.zeros((8000 * 5, 2), dtype=np.float32), 8000)
    (folder / "broken.wav").write_text("not audio")
    return folder


@pytest.fixture
def heard_together(monkeypatch):
    """The number of calls in each transcribe_calls request."""
    sizes: list[int] = []
    alone = FakeTranscriber.transcribe_calls

    def spy(self, calls):
        sizes.append(len(calls))
        return alone(self, calls)

    monkeypatch.setattr(FakeTranscriber, "transcribe_calls", spy)
    return sizes


def test_calls_transcribed_together_are_stored_as_one_at_a_time_stores_them(calls, tmp_path, heard_together):
    reference = run_batch(calls, tmp_path / "one.duckdb", options=BATCH_OPTIONS)
    assert heard_together == []
    events: list[ProgressEvent] = []
    summary = run_batch(calls, tmp_path / "three.duckdb", options=replace(BATCH_OPTIONS, calls_per_batch=3),
                        progress=events.append)

    assert (summary.processed, len(summary.failed)) == (reference.processed, len(reference.failed)) == (6, 1)
    assert snapshot(tmp_path / "three.duckdb") == snapshot(tmp_path / "one.duckdb")
    # 7 files in windows of 3: broken, mono, silent | stereo0-2 | stereo3; the silent and broken
    # ones need no transcription
    assert heard_together == [1, 3, 1]
    ends = [e for e in events if e.step in ("done", "failed")]
    assert [e.completed for e in ends] == list(range(1, 8))
    assert Counter(e.step for e in events)["transcribe"] == 5


def test_when_transcribing_together_fails_each_call_is_transcribed_alone(calls, tmp_path, monkeypatch, caplog):
    run_batch(calls, tmp_path / "one.duckdb", options=BATCH_OPTIONS)

    def broken(self, calls):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(FakeTranscriber, "transcribe_calls", broken)
    with caplog.at_level(logging.WARNING, logger="qa_pipeline.pipeline"):
        summary = run_batch(calls, tmp_path / "four.duckdb",
                            options=replace(BATCH_OPTIONS, calls_per_batch=4))
    assert "each is transcribed alone" in caplog.text
    assert (summary.processed, len(summary.failed)) == (6, 1)
    assert snapshot(tmp_path / "four.duckdb") == snapshot(tmp_path / "one.duckdb")
