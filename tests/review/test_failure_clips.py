"""Coaching clips of failed findings: the scorer's searched window plays and exports with its
audio and words; no empty clip is ever written, and a finding without audio says so."""
from __future__ import annotations

import io
import re
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
    assert _finding(db, "c1", "complaint")[1:] == (None, None, None)  # a trigger that did not fire points nowhere
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
    assert [p.name for p in wavs] == ["01_c1_C4.wav", "02_c1_C3.wav", "03_c1_B1.wav"]  # B1: searched the whole call
    for wav in wavs:
        info = sf.info(str(wav))
        assert info.frames > RATE * 10 and wav.stat().st_size > 44, wav.name
    text = (folder / "transcript.txt").read_text(encoding="utf-8")
    blocks = text.split("== ")[1:]
    assert blocks[0].startswith("01_c1_C4 (00:01–00:16)\nnote: no goodbye\n[00:01] agent: Hello")
    assert "[00:14] agent: Right." in blocks[1]
    assert blocks[2].startswith("03_c1_B1 (00:04–00:16)\n[00:04] customer: Hi, my bill is too high this month.")
    assert blocks[3].startswith("04_chat-1_C4 [no audio: the call is an imported transcript")
    assert ("evidence: agent's last 2 turns: agent: I can see a tariff change on the first of November. / agent: Right."
            in blocks[3])  # the window searched, without times: the last two turns
    assert "(no transcript excerpt)" not in text
    archive = zipfile.ZipFile(io.BytesIO(clips.zip_folder(folder)))
    assert all(i.file_size > 44 for i in archive.infolist())


# --- every failed finding of the standard form has a clip --------------------------------

CARD = "4111 1111 1111 1111"
# Slow to answer (ring 20 s, first words at 6.5 s), no please or thank-you, the account read
# without any identity question, the need never restated, three talk-overs, no anything-else
# question and no goodbye; the customer reads a card number in the agent's first 30 s after the request.
FAILING = (Turn("customer", 1.0, 2.0, "Hello?"),
           Turn("agent", 6.5, 9.0, "Brightline Energy, Sam speaking."),
           Turn("customer", 9.5, 16.0, "I was charged twice for my bill this month and I want the money back."),
           Turn("agent", 14.0, 17.0, "Right, I can see your account here."),
           Turn("customer", 17.5, 24.0, f"The card was {CARD} and both payments came off it."),
           Turn("agent", 22.0, 26.0, "Yes, two payments went through on the card."),
           Turn("customer", 26.5, 32.0, "So what happens now with the second one?"),
           Turn("agent", 30.0, 36.0, "The second payment goes back in five working days."),
           Turn("customer", 36.5, 38.0, "Fine."),
           Turn("agent", 38.5, 40.0, "Done."))


def test_every_failed_finding_of_the_standard_form_plays_a_clip_with_the_card_number_redacted(tmp_path, monkeypatch):
    from qa_pipeline.privacy.redaction import redact_call

    monkeypatch.setenv("QA_RECORDINGS", str(tmp_path))
    audio = tmp_path / "fail.wav"
    t = np.arange(42 * RATE) / RATE
    sf.write(audio, 0.1 * np.sin(2 * np.pi * 300 * t), RATE)
    call = redact_call(Call(CallInfo("f1", source_path=str(audio), metadata={"ring_seconds": 20}), "en", FAILING,
                            source="audio", duration=42.0, channels=1))
    result = score_call(call, standard_rubric("en"), sentiment=0.0)
    db = tmp_path / "qa.duckdb"
    with store.opened(db) as con:
        store.save_call(con, call, [result])
    items = {c.id for c in standard_rubric("en").checks if c.kind == "item"}
    failed = {f.check_id: f for f in result.findings if f.check_id in items and (f.outcome == "fail" or f.unsure)}
    assert {"A2", "A3", "B1", "B3", "C1", "C2", "C3", "C4"} <= set(failed), sorted(failed)
    for check_id in failed:
        text, start, end = _finding(db, "f1", check_id)[1:]
        assert start is not None and end is not None and text, check_id
        assert re.search(r"\(\d\d:\d\d–\d\d:\d\d\): (?:agent|customer): ", text), (check_id, text)
        assert "4111" not in text and "1111 1111" not in text, (check_id, text)
        wav = clips.clip_audio(db, "f1", str(audio), start, end)
        assert wav is not None and sf.info(io.BytesIO(wav)).duration > 1.0, check_id
    assert failed["A3"].evidence.text.startswith("dead air: the recording's start to the agent's first words at 00:06")
    assert failed["A3"].evidence.start == 0.0 and failed["A3"].evidence.end == 9.0
    assert failed["B3"].evidence.text.startswith("the agent talking over the customer, 3 time(s)")
    c1 = failed["C1"].evidence  # the account read at 00:14 with no identity question before it
    assert "up to where the check applied at 00:14" in c1.text and (c1.start, c1.end) == (1.0, 17.0)
    b1 = failed["B1"].evidence
    assert b1.text.startswith("whole call searched, none found; quoted: the customer's request at 00:09")
    assert "[CARD ****1111]" in b1.text and (b1.start, b1.end) == (9.5, 40.0)
    # the card number is bleeped in the clip of the window that quotes it
    samples, rate = sf.read(io.BytesIO(clips.clip_audio(db, "f1", str(audio), b1.start, b1.end, pad=0.0)))
    card_turn = samples[int((17.5 - 9.5) * rate) + 10:int((24.0 - 9.5) * rate) - 10]
    assert np.max(np.abs(card_turn)) > 0.2  # the 1 kHz bleep at 0.25, louder than the 0.1 recording
    assert np.max(np.abs(samples[:int(7.0 * rate)])) < 0.11  # before it: the recording as it was
