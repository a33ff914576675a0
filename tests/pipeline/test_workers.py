"""`qa run --workers N`: worker processes store what one process stores, each call once, even
when a worker is killed mid-call or the batch is stopped with Ctrl-C.

The workers are real processes; the speech model is the fake one (``QA_FAKE_ASR=1``, which the
workers inherit), everything after it is real."""
from __future__ import annotations

import logging
import multiprocessing
import os
from collections import Counter

import pytest
from click.testing import CliRunner
from fake_models import BATCH_OPTIONS
from stored_calls import WorkerKiller, snapshot, write_six_calls

from qa_pipeline.cli.main import cli
from qa_pipeline.pipeline import BatchInterrupted, CallJob, RunOptions, run_batch
from qa_pipeline.progress import ProgressEvent
from qa_pipeline.records import CallInfo
from qa_pipeline.speech.settings import speech_settings
from qa_pipeline.workers import IN_FLIGHT, THREAD_VARIABLES, CallQueue, LocalWorkers, default_workers

pytestmark = pytest.mark.usefixtures("fake_asr")


@pytest.fixture
def calls(tmp_path):
    return write_six_calls(tmp_path / "calls")


@pytest.fixture
def reference(calls, tmp_path):
    """What one process stores."""
    summary = run_batch(calls, tmp_path / "one.duckdb", options=BATCH_OPTIONS)
    assert summary.processed == 6 and len(summary.failed) == 1
    return snapshot(tmp_path / "one.duckdb")


def test_two_workers_store_what_one_process_stores_and_a_rerun_skips_it(calls, reference, tmp_path):
    db = tmp_path / "two.duckdb"
    events: list[ProgressEvent] = []
    summary = run_batch(calls, db, options=BATCH_OPTIONS, executor=LocalWorkers(2), progress=events.append)
    assert (summary.processed, len(summary.failed), summary.flagged) == (6, 1, 6)
    assert snapshot(db) == reference
    assert {c[0] for c in reference["calls"]} >= {"0001", "b/0001"}  # the clash resolved as in one process
    # each call ends once, counted in order; the steps inside the workers reach the hook
    ends = [e for e in events if e.step in ("done", "failed")]
    assert sorted(e.call_id for e in ends) == sorted(c[0] for c in reference["calls"])
    assert [e.completed for e in ends] == list(range(1, 8)) and {e.total for e in events} == {7}
    assert Counter(e.step for e in events)["transcribe"] == 6
    assert not multiprocessing.active_children()
    again = run_batch(calls, db, options=BATCH_OPTIONS, executor=LocalWorkers(2))
    assert (again.processed, again.skipped, len(again.failed)) == (0, 6, 1)  # the broken file is tried again
    assert snapshot(db) == reference


@pytest.mark.parametrize("in_flight", [1, 2])
def test_a_killed_worker_s_call_runs_again_and_is_stored_once(calls, reference, tmp_path, caplog, in_flight):
    """With two calls given to each worker, a killed worker's waiting call goes back too."""
    db = tmp_path / "killed.duckdb"
    killer = WorkerKiller(lambda: [p.pid for p in multiprocessing.active_children()])
    with caplog.at_level(logging.WARNING, logger="qa_pipeline.workers"):
        summary = run_batch(calls, db, options=BATCH_OPTIONS, executor=LocalWorkers(2, in_flight=in_flight),
                            progress=killer)
    assert len(killer.killed) == 2
    assert "runs again on another worker" in caplog.text
    assert (summary.processed, len(summary.failed)) == (6, 1)
    assert set(killer.ends().values()) == {1} and len(killer.ends()) == 7  # nothing lost, nothing stored twice
    assert snapshot(db) == reference
    assert not multiprocessing.active_children()


def test_a_call_whose_worker_keeps_dying_goes_back_first_then_fails_with_the_reason(tmp_path):
    jobs = [CallJob(tmp_path / f"{name}.wav", "ab" * 32, CallInfo(name)) for name in ("c1", "c2", "c3")]
    queue = CallQueue(jobs, max_attempts=2)
    first = queue.next()
    assert queue.lost(first, "exit code -9") is None  # back at the front of the queue
    assert queue.next() is first
    failure = queue.lost(first, "exit code -9")
    assert failure.call_id == "c1" and failure.sha256 == "ab" * 32
    assert "stopped 2 times (exit code -9)" in failure.reason
    assert [queue.next().info.call_id for _ in range(2)] == ["c2", "c3"] and not queue


def test_calls_a_lost_worker_never_began_go_back_first_without_an_attempt_counted(tmp_path):
    jobs = [CallJob(tmp_path / f"{name}.wav", "ab" * 32, CallInfo(name)) for name in ("c1", "c2", "c3", "c4")]
    queue = CallQueue(jobs, max_attempts=2)
    given = [queue.next(), queue.next()]  # c1 in hand, c2 waiting behind it
    queue.put_back(given[1:])
    assert queue.lost(given[0], "exit code -9") is None  # the one in hand: an attempt counted
    assert [queue.next().info.call_id for _ in range(4)] == ["c1", "c2", "c3", "c4"]
    assert queue.lost(jobs[0], "exit code -9") is not None  # c1's second
    assert queue.lost(jobs[1], "exit code -9") is None  # c2's first: waiting behind c1 did not count


def test_ctrl_c_stops_the_workers_and_keeps_the_calls_stored(calls, tmp_path):
    db = tmp_path / "stopped.duckdb"
    stored = []

    def ctrl_c_after_three(event: ProgressEvent) -> None:
        if event.step in ("done", "failed"):
            stored.append(event.call_id)
            if len(stored) == 3:
                raise KeyboardInterrupt

    with pytest.raises(BatchInterrupted) as stop:
        run_batch(calls, db, options=BATCH_OPTIONS, executor=LocalWorkers(2), progress=ctrl_c_after_three)
    # the calls stored when it came: three, or more when the third came back with others and
    # they were stored together (at most 2 workers x IN_FLIGHT 2 in a group: up to the sixth)
    counted = stop.value.summary.processed + len(stop.value.summary.failed)
    assert 3 <= counted <= 2 + 2 * IN_FLIGHT and stop.value.to_process == 7
    assert not multiprocessing.active_children()
    assert len(snapshot(db)["calls"]) == counted
    rest = run_batch(calls, db, options=BATCH_OPTIONS, executor=LocalWorkers(2))
    assert rest.processed + rest.skipped == 6


def test_qa_run_with_workers_stores_what_one_process_stores(calls, reference, tmp_path):
    db = tmp_path / "cli.duckdb"
    done = CliRunner().invoke(cli, ["run", str(calls), "--db", str(db), "--no-diarize", "--language", "en",
                                    "--workers", "2"])
    assert done.exit_code == 1, done.output  # the file that is not audio
    assert "6 calls processed" in done.output
    assert snapshot(db) == reference


@pytest.mark.parametrize(("cores", "workers", "threads"), [(1, 1, 1), (2, 1, 2), (8, 2, 4), (16, 4, 4)])
def test_a_machine_runs_one_worker_per_four_cores_by_default(monkeypatch, cores, workers, threads):
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert default_workers() == workers
    assert speech_settings("cpu", workers=default_workers()).cpu_threads == threads


@pytest.mark.parametrize(("cores", "threads"), [(2, 1), (8, 4)])
def test_each_worker_caps_its_thread_pools_at_its_share_of_the_cores(calls, tmp_path, monkeypatch, cores, threads):
    real = len(os.sched_getaffinity(0))
    monkeypatch.setattr(os, "cpu_count", lambda: cores)  # the share is worked out in this process
    for name in THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    executor = LocalWorkers(2)
    run_batch(calls, tmp_path / "qa.duckdb", options=RunOptions(language="en", diarize=False), executor=executor)
    assert len(executor.worker_threads) == 2
    for report in executor.worker_threads:
        assert {name: report[name] for name in THREAD_VARIABLES} == {name: str(threads) for name in THREAD_VARIABLES}
        blas = [n for key, n in report.items() if key.startswith("blas:")]  # numpy's OpenBLAS, as loaded
        assert blas and set(blas) == {min(threads, real)}  # OpenBLAS never starts more than the cores
    assert not any(os.environ.get(name) for name in THREAD_VARIABLES)  # the writer's own stay as they were
