"""The `qa run` bar says which step of which call is running."""
from __future__ import annotations

from qa_pipeline.cli.progress_bar import RichProgress
from qa_pipeline.progress import ProgressEvent


def test_the_bar_names_the_step_and_the_call():
    seen = []
    with RichProgress("Processing calls") as bar:
        for event in (ProgressEvent("start", total=40, audio_seconds_total=3600.0, message="40 to process"),
                      ProgressEvent("transcribe", call_id="c12", completed=11, total=40),
                      ProgressEvent("diarize", call_id="c12", completed=11, total=40),
                      ProgressEvent("done", call_id="c12", completed=12, total=40)):
            bar(event)
            seen.append(bar.last)
    assert seen == ["40 to process", "transcribing call 12/40 (c12)", "separating speakers of call 12/40 (c12)",
                    "c12 done"]
