"""Recordings play by default from the folders `qa run` read the calls from; a path outside
every allowed folder is still refused, and the refusal names `--recordings`."""
from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from qa_pipeline.pipeline import run_batch
from qa_pipeline.privacy import access
from qa_pipeline.review import clips
from qa_pipeline.store import database as store


def _tone_call(path, seconds: float = 2.0, rate: int = 8000):
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.stack([tone, tone * 0.5], axis=1), rate)
    return path


@pytest.fixture
def run_elsewhere(tmp_path, monkeypatch):
    """A database in one folder, calls read by `qa run` from another, and a third folder never run."""
    monkeypatch.setenv("QA_FAKE_ASR", "1")
    monkeypatch.delenv("QA_RECORDINGS", raising=False)
    db = tmp_path / "db" / "qa.duckdb"
    db.parent.mkdir()
    call = _tone_call(tmp_path / "calls" / "monday" / "c1.wav")
    stranger = _tone_call(tmp_path / "elsewhere" / "c2.wav")
    summary = run_batch(tmp_path / "calls", db)
    assert summary.processed == 1 and not summary.failed
    return db, call, stranger


def test_the_folder_qa_run_read_is_remembered_once(run_elsewhere, tmp_path):
    db, _, _ = run_elsewhere
    run_batch(tmp_path / "calls", db)  # a second run of the same folder adds nothing
    with store.opened(db) as con:
        assert store.recordings_folders(con) == [str((tmp_path / "calls").resolve())]
    assert clips.recording_roots(db) == [db.parent.resolve(), (tmp_path / "calls").resolve()]


def test_recordings_of_a_run_play_without_recordings_option(run_elsewhere):
    db, call, _ = run_elsewhere
    with store.opened(db) as con:
        call_id, source_path = con.execute("SELECT call_id, source_path FROM calls").fetchone()
    assert clips.resolve_recording(db, source_path) == call.resolve()
    samples, rate = sf.read(io.BytesIO(clips.call_audio(db, call_id, source_path)))
    assert rate == 8000 and len(samples) == 16000


def test_a_path_outside_every_allowed_folder_is_refused_naming_the_option(run_elsewhere, tmp_path):
    db, call, stranger = run_elsewhere
    for hostile in [str(stranger), str(tmp_path / "calls" / ".." / "elsewhere" / "c2.wav"), "/etc/passwd"]:
        with pytest.raises(access.PathNotAllowed) as refused:
            clips.resolve_recording(db, hostile)
        message = clips.not_allowed_message(refused.value)
        assert "--recordings" in message and "qa dashboard" in message
    link = tmp_path / "calls" / "sneaky.wav"
    link.symlink_to(stranger)
    with pytest.raises(access.PathNotAllowed):
        clips.resolve_recording(db, str(link))


def test_recordings_option_replaces_the_remembered_folders(run_elsewhere, tmp_path, monkeypatch):
    db, call, stranger = run_elsewhere
    monkeypatch.setenv("QA_RECORDINGS", str(stranger.parent))
    assert clips.resolve_recording(db, str(stranger)) == stranger.resolve()
    with pytest.raises(access.PathNotAllowed):
        clips.resolve_recording(db, str(call))
