"""`qa run` at its edges: Ctrl-C, two recordings with one file name, the progress bar at 80 columns."""
from __future__ import annotations

import io
import re

import duckdb
import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner
from rich.console import Console

from qa_pipeline import pipeline
from qa_pipeline.cli.main import cli
from qa_pipeline.cli.progress_bar import RichProgress
from qa_pipeline.progress import ProgressEvent


@pytest.fixture(autouse=True)
def fake_asr(monkeypatch):
    monkeypatch.setenv("QA_FAKE_ASR", "1")


def _call(path, seed=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.random.default_rng(seed).normal(0, 0.1, (16000, 2)).astype(np.float32), 16000)


def _run(calls, db, *extra):
    return CliRunner().invoke(cli, ["run", str(calls), "--db", str(db), "--no-score", "--no-diarize", *extra])


def _rows(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_ctrl_c_says_how_many_calls_were_saved_and_that_a_rerun_continues(tmp_path, monkeypatch):
    calls = tmp_path / "calls"
    for i in range(5):
        _call(calls / f"c{i}.wav", seed=i)
    real, seen = pipeline.process_call, []

    def interrupted_at_the_fourth(path, *args, **kwargs):
        seen.append(path.name)
        if len(seen) == 4:
            raise KeyboardInterrupt
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "process_call", interrupted_at_the_fourth)
    db = tmp_path / "qa.duckdb"
    stopped = _run(calls, db, "--workers", "1")  # in this process, where the patch is
    assert stopped.exit_code == 130
    assert "Interrupted: 3 of 5 calls saved in this run (3 processed, 0 failed)" in stopped.output
    assert "Run the same command again to continue" in stopped.output
    assert "Aborted!" not in stopped.output
    assert sorted(r[0] for r in _rows(db, "SELECT call_id FROM calls")) == ["c0", "c1", "c2"]

    monkeypatch.setattr(pipeline, "process_call", real)
    again = _run(calls, db)
    assert again.exit_code == 0, again.output
    assert "2 calls processed, 3 unchanged and skipped" in again.output


@pytest.mark.parametrize("corrupt", ["first", "second"])
def test_same_file_name_in_two_folders_keeps_each_call_its_own_row(tmp_path, corrupt):
    calls = tmp_path / "calls"
    good, bad = (calls / "y" / "a.wav", calls / "x" / "a.wav") if corrupt == "first" else (
        calls / "x" / "a.wav", calls / "y" / "a.wav")
    _call(good)
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("not audio at all\n" * 20)
    db = tmp_path / "qa.duckdb"
    result = _run(calls, db)
    assert result.exit_code == 1
    stored = {r[0]: r[1:] for r in _rows(db, "SELECT call_id, source_path, status, error FROM calls")}
    assert set(stored) == {"a", "y/a"}  # the first in path order keeps the file name, the second its path
    assert stored[{"x/a.wav": "a", "y/a.wav": "y/a"}[good.relative_to(calls).as_posix()]] == (str(good), "done", None)
    bad_id = "a" if corrupt == "first" else "y/a"
    assert stored[bad_id][:2] == (str(bad), "failed") and "not a readable audio file" in stored[bad_id][2]


def test_a_new_recording_named_like_a_stored_one_gets_its_own_id(tmp_path):
    calls = tmp_path / "calls"
    _call(calls / "x" / "a.wav")
    db = tmp_path / "qa.duckdb"
    assert _run(calls, db).exit_code == 0
    (calls / "y").mkdir()
    (calls / "y" / "a.wav").write_bytes(b"")
    assert _run(calls, db).exit_code == 1
    stored = {r[0]: r[1:] for r in _rows(db, "SELECT call_id, status, error FROM calls")}
    assert stored["a"] == ("done", None)
    assert stored["y/a"][0] == "failed" and "empty" in stored["y/a"][1]


def test_a_moved_recording_keeps_its_id(tmp_path):
    calls = tmp_path / "calls"
    _call(calls / "x" / "a.wav")
    db = tmp_path / "qa.duckdb"
    assert _run(calls, db).exit_code == 0
    (calls / "y").mkdir()
    (calls / "x" / "a.wav").rename(calls / "y" / "a.wav")
    assert _run(calls, db).exit_code == 0
    assert _rows(db, "SELECT call_id, source_path FROM calls") == [("a", str(calls / "y" / "a.wav"))]


def test_a_call_id_the_metadata_gives_twice_fails_the_second_without_touching_the_first(tmp_path):
    calls = tmp_path / "calls"
    _call(calls / "one.wav", seed=1)
    _call(calls / "two.wav", seed=2)
    meta = tmp_path / "calls.csv"
    meta.write_text("file,call_id\none.wav,SAME\ntwo.wav,SAME\n", encoding="utf-8")
    db = tmp_path / "qa.duckdb"
    result = _run(calls, db, "--metadata", str(meta))
    assert result.exit_code == 1
    stored = {r[0]: r[1:] for r in _rows(db, "SELECT call_id, status, error FROM calls")}
    assert stored["SAME"] == ("done", None)
    assert stored["two"][0] == "failed" and "call id 'SAME' is already used by" in stored["two"][1]


def test_progress_bar_is_readable_at_80_columns():
    out = io.StringIO()
    console = Console(width=80, file=out, force_terminal=False, color_system=None)
    with RichProgress("Processing calls", console=console) as bar:
        bar(ProgressEvent("start", total=1234, audio_seconds_total=123.4 * 3600))
        bar(ProgressEvent("done", call_id="2026-10-03_hotline-1_agent-A7_000123", completed=120, total=1234,
                          audio_seconds_done=12.3 * 3600, audio_seconds_total=123.4 * 3600))
    line = out.getvalue().rstrip("\n").splitlines()[-1]
    assert len(line) <= 80
    assert line.startswith("Processing calls ")
    assert " 120/1234 calls 12.30/123.40 h " in line
    assert re.search(r" \d:\d\d:\d\d ETA (-:--:--|\d+:\d\d:\d\d) ", line), line


def test_ctrl_c_inside_a_database_write_is_an_interruption_too(tmp_path, monkeypatch):
    """DuckDB takes the SIGINT that arrives during a query and raises its own error: the batch
    must still stop as for Ctrl-C, with the call being written rolled back."""
    calls = tmp_path / "calls"
    for i in range(3):
        _call(calls / f"c{i}.wav", seed=i)
    real, saves = pipeline.store.save_calls, []

    def save_then_interrupted(con, items, **kwargs):
        items = list(items)
        saves.extend(call.call_id for call, _ in items)
        if len(saves) >= 2:  # one worker hands the writer one call at a time: the second is c1
            raise RuntimeError("Query interrupted")  # exactly what DuckDB raises, see the test below
        return real(con, items, **kwargs)

    monkeypatch.setattr(pipeline.store, "save_calls", save_then_interrupted)
    db = tmp_path / "qa.duckdb"
    stopped = _run(calls, db, "--workers", "1")  # one worker: the calls come back in order
    assert stopped.exit_code == 130, stopped.output
    assert "Interrupted: 1 of 3 calls saved in this run" in stopped.output
    assert _rows(db, "SELECT call_id FROM calls") == [("c0",)]


def test_what_duckdb_raises_on_sigint_is_recognised():
    import os
    import signal
    import threading

    from qa_pipeline.store import database as store

    con = duckdb.connect(":memory:")
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(BaseException) as caught:  # noqa: PT011 - the type is what this test is about
        con.execute("SELECT count(*) FROM range(1000000000000)").fetchall()
    timer.join()
    assert store.is_interrupted(caught.value), repr(caught.value)
    assert not store.is_interrupted(RuntimeError("something else"))


def test_each_days_folder_run_on_its_own_keeps_every_call(tmp_path):
    """Recorders reuse names (0001.wav every day); each day's folder is run separately."""
    for day, seed in (("2026-12-01", 1), ("2026-12-02", 2)):
        _call(tmp_path / "calls" / day / "0001.wav", seed=seed)
    db = tmp_path / "qa.duckdb"
    for day in ("2026-12-01", "2026-12-02", "2026-12-02"):
        assert _run(tmp_path / "calls" / day, db, "--force").exit_code == 0
    assert sorted(_rows(db, "SELECT call_id, source_path FROM calls")) == [
        ("0001", str(tmp_path / "calls" / "2026-12-01" / "0001.wav")),
        ("2026-12-02/0001", str(tmp_path / "calls" / "2026-12-02" / "0001.wav"))]


def test_a_copied_folder_or_metadata_ids_keep_their_calls_across_runs(tmp_path):
    """The same recordings copied to a new folder, or ids from the phone system in the metadata:
    the same calls, replaced in place on a second run, not stored twice."""
    _call(tmp_path / "old" / "a.wav")
    db = tmp_path / "qa.duckdb"
    assert _run(tmp_path / "old", db).exit_code == 0
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "a.wav").write_bytes((tmp_path / "old" / "a.wav").read_bytes())
    assert _run(tmp_path / "new", db).exit_code == 0
    assert _rows(db, "SELECT call_id, source_path FROM calls") == [("a", str(tmp_path / "new" / "a.wav"))]

    _call(tmp_path / "other" / "b.wav", seed=5)
    meta = tmp_path / "calls.csv"
    meta.write_text("file,call_id\nb.wav,a\n", encoding="utf-8")
    assert _run(tmp_path / "other", db, "--metadata", str(meta)).exit_code == 0
    assert _rows(db, "SELECT call_id, source_path FROM calls") == [("a", str(tmp_path / "other" / "b.wav"))]


@pytest.mark.parametrize(("value", "error"), [("0", "0 is not in the range x>=1"), ("two", "'two' is not a valid integer")])
def test_a_bad_beam_size_is_refused_before_any_work(tmp_path, value, error):
    calls = tmp_path / "calls"
    _call(calls / "a.wav")
    result = _run(calls, tmp_path / "qa.duckdb", "--beam-size", value)
    assert result.exit_code == 2
    assert "Invalid value for '--beam-size'" in result.output and error in result.output
    assert not (tmp_path / "qa.duckdb").exists()


def test_the_beam_size_and_calls_per_batch_reach_the_speech_settings(tmp_path, monkeypatch):
    calls = tmp_path / "calls"
    _call(calls / "a.wav")
    seen = []
    real = pipeline.run_batch

    def spy(*args, options, **kwargs):
        seen.append(options)
        return real(*args, options=options, **kwargs)

    monkeypatch.setattr(pipeline, "run_batch", spy)
    result = _run(calls, tmp_path / "qa.duckdb", "--beam-size", "3", "--calls-per-batch", "2", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert (seen[0].beam_size, seen[0].calls_per_batch) == (3, 2)
    assert pipeline.Models(seen[0]).speech_settings.beam_size == 3
    assert "--beam-size" in CliRunner().invoke(cli, ["run", "--help"]).output
