"""`qa run --ray`: a batch on a Ray cluster stores what one process stores, each call once, even
when a worker (an actor's process) is killed mid-batch; a worker that cannot read the
recordings is named before the batch starts; without Ray the error says how to install it.

One local cluster (2 CPUs) for the module: starting one takes seconds. Skipped when Ray is not
installed, failed under CI (``CI=true``), which installs the test extra."""
from __future__ import annotations

import logging
import os
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_models import write_call
from shared_data import under_ci
from stored_calls import WorkerKiller, snapshot

from qa_pipeline.cli.main import cli
from qa_pipeline.cluster import RayCluster, ray_module
from qa_pipeline.errors import QaError
from qa_pipeline.pipeline import CallJob, RunOptions, run_batch
from qa_pipeline.progress import ProgressEvent, no_progress
from qa_pipeline.records import CallInfo
from qa_pipeline.workers import THREAD_VARIABLES

OPTIONS = RunOptions(language="en", diarize=False)


@pytest.fixture(scope="module")
def ray_cluster():
    try:
        import ray
    except ImportError:
        reason = "ray is not installed: pip install 'qa-pipeline[cluster]'"
        if under_ci():
            pytest.fail(f"{reason}; CI=true installs the test extra, so a missing ray is a failure", pytrace=False)
        pytest.skip(reason)
    ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": {"QA_FAKE_ASR": "1"}},
             logging_level=logging.WARNING)
    yield ray
    ray.shutdown()


@pytest.fixture(autouse=True)
def fake_asr(monkeypatch):
    monkeypatch.setenv("QA_FAKE_ASR", "1")  # here; the cluster's workers have it from ray.init


@pytest.fixture(scope="module")
def calls(tmp_path_factory):
    """Eight stereo calls (two with one file name, in two folders) and a file that is not audio."""
    folder = tmp_path_factory.mktemp("calls")
    for n, name in enumerate(["a/0001.wav", "b/0001.wav", *(f"c{i}.wav" for i in range(2, 8))]):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        write_call(folder / name, seconds=8.0 + n)
    (folder / "broken.wav").write_text("not audio")
    return folder


@pytest.fixture(scope="module")
def reference(calls, tmp_path_factory):
    """What one process stores."""
    db = tmp_path_factory.mktemp("one") / "qa.duckdb"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("QA_FAKE_ASR", "1")
        summary = run_batch(calls, db, options=OPTIONS)
    assert summary.processed == 8 and len(summary.failed) == 1
    return snapshot(db)


def actor_pids() -> list[int]:
    """The processes of this test's cluster's call workers (Ray names them ray::CallWorker...)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes().startswith(b"ray::CallWorker"):
                if _descends_from_this_process(int(entry.name)):
                    pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _descends_from_this_process(pid: int) -> bool:
    while pid > 1:
        # the parent's pid is the field after the command's name, which ends with the last ")"
        pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        if pid == os.getpid():
            return True
    return False


@pytest.mark.slow
def test_the_cluster_stores_what_one_process_stores_even_when_its_workers_are_killed(
        ray_cluster, calls, reference, tmp_path, caplog):
    db = tmp_path / "ray.duckdb"
    killer = WorkerKiller(actor_pids)
    with caplog.at_level(logging.WARNING, logger="qa_pipeline.workers"):
        summary = run_batch(calls, db, options=OPTIONS, executor=RayCluster(), progress=killer)
    assert len(killer.killed) == 2
    assert "runs again on another worker" in caplog.text
    assert (summary.processed, len(summary.failed)) == (8, 1)
    assert set(killer.ends().values()) == {1} and len(killer.ends()) == 9  # nothing lost, nothing stored twice
    assert snapshot(db) == reference

    again = run_batch(calls, db, options=OPTIONS, executor=RayCluster())
    assert (again.processed, again.skipped) == (0, 8)
    assert snapshot(db) == reference


@pytest.mark.slow
def test_qa_run_with_ray_stores_what_one_process_stores(ray_cluster, calls, reference, tmp_path):
    db = tmp_path / "cli.duckdb"
    done = CliRunner().invoke(cli, ["run", str(calls), "--db", str(db), "--no-diarize", "--language", "en",
                                    "--ray", "auto", "--workers", "2"])
    assert done.exit_code == 1, done.output  # the file that is not audio
    assert "8 calls processed" in done.output
    assert snapshot(db) == reference


@pytest.mark.slow
def test_a_worker_that_cannot_read_the_recordings_is_named_before_the_batch(ray_cluster, tmp_path):
    elsewhere = tmp_path / "only-on-the-driver" / "0001.wav"
    job = CallJob(elsewhere, "ab" * 32, CallInfo("0001"))
    with pytest.raises(QaError, match=r"cannot read .*0001\.wav .*shared file system"):
        list(RayCluster(workers=1).run([job], OPTIONS, no_progress))


def test_without_ray_the_error_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails
    with pytest.raises(QaError, match=r"pip install 'qa-pipeline\[cluster\]'"):
        ray_module()
    (tmp_path / "calls").mkdir()
    done = CliRunner().invoke(cli, ["run", str(tmp_path / "calls"), "--db", str(tmp_path / "qa.duckdb"),
                                    "--ray", "auto"])
    assert done.exit_code == 2 and "--ray needs Ray" in done.output and "qa-pipeline[cluster]" in done.output


@pytest.mark.slow
def test_the_progress_bar_hears_each_call_s_steps_from_the_cluster_as_from_one_process(
        ray_cluster, calls, tmp_path):
    here: list[ProgressEvent] = []
    run_batch(calls, tmp_path / "one.duckdb", options=OPTIONS, progress=here.append)
    there: list[ProgressEvent] = []
    cluster = RayCluster(threads=1)
    run_batch(calls, tmp_path / "ray.duckdb", options=OPTIONS, executor=cluster, progress=there.append)
    steps = Counter((e.call_id, e.step) for e in there)
    assert steps == Counter((e.call_id, e.step) for e in here)
    assert sum(n for (_, step), n in steps.items() if step == "transcribe") == 8
    for call_id in {e.call_id for e in there if e.step == "done"}:  # in order, each call's own
        assert [e.step for e in there if e.call_id == call_id] == ["decode", "transcribe", "score", "store", "done"]
    # each worker's thread pools capped at the CPU it reserves, from its start
    assert len(cluster.worker_threads) == 2
    for report in cluster.worker_threads:
        assert {name: report[name] for name in THREAD_VARIABLES} == {name: "1" for name in THREAD_VARIABLES}
        assert {n for key, n in report.items() if key.startswith("blas:")} == {1}
