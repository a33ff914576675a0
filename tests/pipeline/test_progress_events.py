"""The progress protocol as the pipeline sends it: every step of every call, in order."""
from __future__ import annotations

from fake_models import FakeDiarizer, ScriptedTranscriber, script_segments, write_call

from qa_pipeline.pipeline import Models, RunOptions, process_call, run_batch
from qa_pipeline.progress import ProgressEvent
from qa_pipeline.records import CallInfo
from qa_pipeline.speakers.separation import SpeakerSeparator

OPTIONS = RunOptions(language="en")


def mono_models() -> Models:
    return Models(OPTIONS, transcriber=ScriptedTranscriber(),
                  separator=SpeakerSeparator(diarizer=FakeDiarizer(script_segments())))


def test_a_batch_sends_every_step_of_each_call_in_order(tmp_path):
    calls = tmp_path / "calls"
    calls.mkdir()
    write_call(calls / "a_mono.wav", stereo=False)
    write_call(calls / "b_stereo.wav", stereo=True)
    events: list[ProgressEvent] = []
    summary = run_batch(calls, tmp_path / "qa.duckdb", options=OPTIONS, progress=events.append, models=mono_models())
    assert summary.processed == 2 and not summary.failed
    assert [(e.step, e.call_id) for e in events] == [
        ("start", None),
        ("decode", "a_mono"), ("transcribe", "a_mono"), ("diarize", "a_mono"), ("roles", "a_mono"),
        ("score", "a_mono"), ("store", "a_mono"), ("done", "a_mono"),
        ("decode", "b_stereo"), ("transcribe", "b_stereo"), ("score", "b_stereo"), ("store", "b_stereo"),
        ("done", "b_stereo"),
    ]
    # Step events say where the batch is: the second call is call 2 of 2 while it runs.
    steps = [e for e in events if e.call_id == "b_stereo" and e.step not in ("done", "failed")]
    assert {(e.completed, e.total) for e in steps} == {(1, 2)}
    assert steps[1].describe() == "transcribing call 2/2"
    assert events[-1].describe() == "call 2/2 done"
    assert all(e.audio_seconds_total == events[0].audio_seconds_total > 0 for e in events)


def test_a_failed_call_stops_at_its_step_and_says_why(tmp_path):
    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / "broken.wav").write_text("not audio")
    events: list[ProgressEvent] = []
    run_batch(calls, tmp_path / "qa.duckdb", options=OPTIONS, progress=events.append, models=mono_models())
    assert [e.step for e in events] == ["start", "decode", "failed"]
    assert events[-1].message


def test_process_call_alone_sends_its_steps_without_a_batch(tmp_path):
    write_call(tmp_path / "call.wav", stereo=False)
    events: list[ProgressEvent] = []
    call = process_call(tmp_path / "call.wav", CallInfo("c1"), mono_models(), OPTIONS, progress=events.append)
    assert [e.step for e in events] == ["decode", "transcribe", "diarize", "roles"]
    assert {t.speaker for t in call.turns} == {"agent", "customer"}
    assert events[1].describe() == "transcribing call"
