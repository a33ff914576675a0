"""Coaching clips of failed findings: the scorer's searched window plays and exports with its
audio and words; no empty clip is ever written, and a finding without audio says so."""
from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
import soundfile as sf

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.review import clips
from qa_pipeline.rubric import score_call, standard_rubric
from qa_pipeline.store import database as store

RATE = 8000
TURNS = (Turn("agent", 1.0, 4.0, "Hello, thank you for calling Northwind Energy, this is Sam."),
         Turn("customer", 4.5, 8.0, "Hi, my bill is too high this month."),
         Turn("agent", 8.5, 12.0, "I can see a tariff change on the first of November."),
         Turn("customer", 12.5, 14.0, "OK."),
         Turn("agent", 14.5, 16.0, "Right."))


@pytest.fixture
def scored(tmp_path, monkeypatch):
    """A 17 s recording, its call scored by the standard English form (no goodbye: C4 fails)."""
    monkeypatch.setenv("QA_RECORDINGS", str(tmp_path / "calls"))
    monkeypatch.setenv("QA_EXPORTS", str(tmp_path / "exports"))
    audio = tmp_path / "calls" / "c1.wav"
    audio.parent.mkdir()
    t = np.arange(17 * RATE) / RATE
    sf.write(audio, np.stack([0.1 * np.sin(2 * np.pi * 300 * t), 0.1 * np.sin(2 * np.pi * 500 * t)], axis=1), RATE)
    call = Call(CallInfo("c1", source_path=str(audio)), "en", TURNS, source="audio", duration=17.0, channels=2)
    imported = Call(CallInfo("chat-1"), "en", tuple(Turn(t.speaker, None, None, t.text) for t in TURNS),
                    source="import")
    db = tmp_path / "qa.duckdb"
    with store.opened(db) as con:
        for c in (call, imported):
            store.save_call(con, c, [score_call(c, standard_rubric("en"))])
    return db, audio


def _finding(db, call_id, check_id):
    with store.opened(db) as con:
        return con.execute("SELECT outcome, evidence_text, evidence_start, evidence_end FROM check_results "
                           "WHERE call_id = ? AND check_id = ?", [call_id, check_id]).fetchone()


def test_a_failed_finding_plays_its_searched_window(scored):
    db, audio = scored
    outcome, text, start, end = _finding(db, "c1", "C4")
    assert outcome == "fail" and (start, end) == (1.0, 16.0) and "Right." in text
    samples, rate = sf.read(io.BytesIO(clips.clip_audio(db, "c1", str(audio), start, end)))
    assert rate == RATE and abs(len(samples) / rate - 17.0) < 0.01  # 1–16 s, 2 s pad, cut at the recording's end
    assert clips.excerpt(clips.load_call(db, "c1"), start, end)[-1] == "[00:14] agent: Right."


def test_no_empty_clip_for_a_finding_without_time_or_past_the_recording(scored):
    db, audio = scored
    assert _finding(db, "c1", "B1")[2] is None  # "request form: not found", searched the whole call
    assert clips.clip_audio(db, "c1", str(audio), None, None, pad=0.0) is None
    assert "no moment" in clips.why_no_clip(db, str(audio), None)
    assert clips.clip_audio(db, "c1", str(audio), 30.0, 31.0, pad=0.0) is None
    assert "past the end" in clips.why_no_clip(db, str(audio), 30.0)
    assert "imported transcript" in clips.why_no_clip(db, None, None)
    audio.unlink()
    assert clips.clip_audio(db, "c1", str(audio), 1.0, 2.0) is None
    assert "not on this server" in clips.why_no_clip(db, str(audio), 1.0)


def test_export_of_failed_findings_writes_audio_and_words_and_says_where_there_is_none(scored):
    db, audio = scored
    specs = [clips.ClipSpec("c1", "C4", None, None, "no goodbye", str(audio)),  # saved without times
             clips.ClipSpec("c1", "C3", 1.0, 16.0, None, str(audio)),
             clips.ClipSpec("c1", "B1", None, None, None, str(audio)),
             clips.ClipSpec("chat-1", "C4", None, None, None, None)]
    folder = clips.export_playlist(db, "failures", specs)
    wavs = sorted(folder.glob("*.wav"))
    assert [p.name for p in wavs] == ["01_c1_C4.wav", "02_c1_C3.wav"]
    for wav in wavs:
        info = sf.info(str(wav))
        assert info.frames > RATE * 10 and wav.stat().st_size > 44, wav.name
    text = (folder / "transcript.txt").read_text(encoding="utf-8")
    blocks = text.split("== ")[1:]
    assert blocks[0].startswith("01_c1_C4 (00:01–00:16)\nnote: no goodbye\n[00:01] agent: Hello")
    assert "[00:14] agent: Right." in blocks[1]
    assert blocks[2].startswith("03_c1_B1 [no audio: the finding points at no moment")
    assert blocks[3].startswith("04_chat-1_C4 [no audio: the call is an imported transcript")
    assert "evidence: I can see a tariff change on the first of November. / Right." in blocks[3]  # window searched
    assert "(no transcript excerpt)" not in text
    archive = zipfile.ZipFile(io.BytesIO(clips.zip_folder(folder)))
    assert all(i.file_size > 44 for i in archive.infolist())
