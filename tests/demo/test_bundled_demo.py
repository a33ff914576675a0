"""`qa demo` (small) as a library call: it renders and processes the calls, reports through the
progress hook, and prints nothing itself (the CLI draws the bar and prints the hints)."""
from __future__ import annotations

import shutil

import pytest

from qa_pipeline.demo.bundled import next_steps, run_demo

pytestmark = pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")),
                                reason="needs espeak-ng and sox")


def test_small_demo_reports_through_the_hook_and_prints_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QA_FAKE_ASR", "1")  # the speech model's boundary; the rest is real
    events = []
    summary = run_demo(tmp_path / "demo", tmp_path / "demo" / "qa.duckdb", progress=events.append)
    assert summary.processed == 4 and not summary.failed
    steps = [e.step for e in events]
    assert steps[:4] == ["render"] * 4 and steps[4] == "start" and steps.count("done") == 4
    assert events[0].message == "rendering demo-001.wav (1/4)"
    assert capsys.readouterr() == ("", "")
    assert any("qa dashboard --db" in line for line in next_steps(tmp_path / "demo", tmp_path / "demo" / "qa.duckdb"))
