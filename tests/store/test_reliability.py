"""Nothing lost: kill -9 mid-batch, two batches at once, reviews during a batch, migrations
with a backup, a full disk and an unwritable database.

The batches run `qa run` in a subprocess as a user runs it, with ``QA_FAKE_ASR=1`` (a
deterministic transcriber at the model boundary) so they are fast and repeatable.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from older_database import database_at
from shared_data import audio_file
from stored_calls import snapshot

from qa_pipeline.records import Call, CallInfo, CallMetrics, CallResult, Finding, Turn, Word
from qa_pipeline.store import database as store
from qa_pipeline.store import migrations

REPO = Path(__file__).resolve().parents[2]
N_CALLS = 24
QA = [sys.executable, "-c", "from qa_pipeline.cli.main import main; main()"]


def _env() -> dict:
    env = dict(os.environ, QA_FAKE_ASR="1", HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO))
    env.pop("QA_REDACTION", None)
    return env


def run_args(calls: Path, db: Path, score: bool = False) -> list[str]:
    return QA + ["run", str(calls), "--db", str(db), "--no-diarize"] + ([] if score else ["--no-score"])


def _copies(tmp_path_factory, name: str, prefix: str, n: int) -> Path:
    """A folder of ``n`` copies of one real stereo call."""
    d = tmp_path_factory.mktemp(name)
    for i in range(n):
        shutil.copy(audio_file("stereo_diarization.wav"), d / f"{prefix}{i:02d}.wav")
    return d


def _uninterrupted(calls: Path, tmp_path_factory, name: str, score: bool) -> dict:
    """What an uninterrupted batch over ``calls`` stores."""
    db = tmp_path_factory.mktemp(name) / "qa.duckdb"
    done = subprocess.run(run_args(calls, db, score=score), env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return snapshot(db)


@pytest.fixture(scope="module")
def calls_dir(tmp_path_factory) -> Path:
    return _copies(tmp_path_factory, "calls", "c", N_CALLS)


@pytest.fixture(scope="module")
def reference(calls_dir, tmp_path_factory) -> dict:
    """What an uninterrupted batch stores."""
    snap = _uninterrupted(calls_dir, tmp_path_factory, "ref", score=False)
    assert len(snap["calls"]) == N_CALLS and snap["words"]
    return snap


N_SCORED = 6


@pytest.fixture(scope="module")
def scored_calls_dir(tmp_path_factory) -> Path:
    return _copies(tmp_path_factory, "scored_calls", "s", N_SCORED)


@pytest.fixture(scope="module")
def scored_reference(scored_calls_dir, tmp_path_factory) -> dict:
    """What an uninterrupted batch stores, scored with the standard rubric."""
    pytest.importorskip("qa_pipeline.rubric")
    snap = _uninterrupted(scored_calls_dir, tmp_path_factory, "scored_ref", score=True)
    assert len(snap["results"]) == N_SCORED and snap["checks"]
    return snap


def assert_whole_calls_only(db: Path, reference: dict) -> int:
    """Every stored call is exactly as the uninterrupted run stored it; returns how many."""
    snap = snapshot(db)
    ref_calls = {c[0]: c for c in reference["calls"]}
    for row in snap["calls"]:
        assert row == ref_calls[row[0]], f"call {row[0]} differs from the uninterrupted run"
    ids = {c[0] for c in snap["calls"]}
    for part in ("turns", "words", "checks", "results", "metrics"):
        assert snap[part] == [r for r in reference[part] if r[0] in ids], f"half-stored {part}"
    return len(ids)


def _wait_for_batch(proc: subprocess.Popen, db: Path, timeout: float = 60) -> bool:
    """True once the batch holds its lock (it has started processing), False if it exited."""
    lock = Path(f"{db}.run.lock")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if lock.exists() and lock.read_text().strip() == f"pid {proc.pid}":
            return True
        time.sleep(0.02)
    raise AssertionError("the batch did not start within a minute")


def _wait_for_writes(proc: subprocess.Popen, db: Path, writes: int, timeout: float = 120) -> None:
    """Until the database file has changed ``writes`` times (or the process ended)."""
    def stamp():
        try:
            st = db.stat()
            return st.st_mtime_ns, st.st_size
        except FileNotFoundError:
            return None
    last, seen = stamp(), 0
    deadline = time.monotonic() + timeout
    while seen < writes and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
        now = stamp()
        if now != last:
            seen, last = seen + 1, now


@pytest.mark.slow
def test_kill_9_mid_batch_then_rerun_loses_and_duplicates_nothing(calls_dir, reference, tmp_path):
    db = tmp_path / "qa.duckdb"
    rng = random.Random(6)
    stored_after_kills = []
    for _ in range(15):
        proc = subprocess.Popen(run_args(calls_dir, db), env=_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        if _wait_for_batch(proc, db):
            # let it store a few calls (each one rewrites the file), then kill it at a random
            # moment of the next one: transcribing, scoring or writing
            _wait_for_writes(proc, db, rng.randint(2, 4))
            time.sleep(rng.uniform(0.0, 0.3))
        if proc.poll() is not None:
            break  # it finished before the kill
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stored_after_kills.append(assert_whole_calls_only(db, reference))
        if stored_after_kills[-1] == N_CALLS:
            break
    final = subprocess.run(run_args(calls_dir, db), env=_env(), capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert sum(0 < n < N_CALLS for n in stored_after_kills) >= 2, stored_after_kills  # killed mid-batch
    assert snapshot(db) == reference


_KILL_DURING_WRITE = """
import os, signal, sys
from qa_pipeline.store import database as store
real = store._bulk_insert
count = {"n": 0, "table": sys.argv[1], "kill_at": int(sys.argv[2])}
def dying_insert(con, table, rows, columns):
    if table == count["table"]:
        count["n"] += 1
        if count["n"] == count["kill_at"]:
            os.kill(os.getpid(), signal.SIGKILL)  # mid-transaction: earlier parts written, not committed
    return real(con, table, rows, columns)
store._bulk_insert = dying_insert
real_results = store.write_result_rows
def dying_results(con, parts, **kwargs):
    # rubric results are written by their own bulk writer, inside the call's transaction
    if count["table"] == "result_rows":
        count["n"] += 1
        if count["n"] == count["kill_at"]:
            os.kill(os.getpid(), signal.SIGKILL)
    return real_results(con, parts, **kwargs)
store.write_result_rows = dying_results
sys.argv = ["qa"] + sys.argv[3:]
from qa_pipeline.cli.main import main
main()
"""


def _kill_during(table: str, kill_at: int, calls: Path, db: Path, score: bool) -> subprocess.CompletedProcess:
    args = [sys.executable, "-c", _KILL_DURING_WRITE, table, str(kill_at)] + run_args(calls, db, score)[3:]
    return subprocess.run(args, env=_env(), capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", [1, 7])
def test_kill_9_inside_a_database_write(calls_dir, reference, tmp_path, kill_at):
    db = tmp_path / "qa.duckdb"
    died = _kill_during("word_store", kill_at, calls_dir, db, score=False)  # after the call row and turns
    assert died.returncode == -signal.SIGKILL, died.stderr
    assert assert_whole_calls_only(db, reference) == kill_at - 1  # the call being written is not there at all
    again = subprocess.run(run_args(calls_dir, db), env=_env(), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{N_CALLS - kill_at + 1} calls processed, {kill_at - 1} unchanged" in again.stdout
    assert snapshot(db) == reference


@pytest.mark.slow
def test_kill_9_while_writing_rubric_results(scored_calls_dir, scored_reference, tmp_path):
    db = tmp_path / "qa.duckdb"
    died = _kill_during("result_rows", 3, scored_calls_dir, db, score=True)  # call, turns and words written
    assert died.returncode == -signal.SIGKILL, died.stderr
    assert assert_whole_calls_only(db, scored_reference) == 2
    again = subprocess.run(run_args(scored_calls_dir, db, score=True), env=_env(), capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    assert snapshot(db) == scored_reference


@pytest.mark.slow
def test_second_batch_on_the_same_database_refuses_clearly(calls_dir, reference, tmp_path):
    db = tmp_path / "qa.duckdb"
    first = subprocess.Popen(run_args(calls_dir, db), env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    assert _wait_for_batch(first, db)
    second = subprocess.run(run_args(calls_dir, db), env=_env(), capture_output=True, text=True, timeout=120)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert second.returncode == 2
    assert "another `qa run`" in second.stderr and f"pid {first.pid}" in second.stderr
    assert "Traceback" not in second.stderr
    assert snapshot(db) == reference


def _scored_call(call_id: str) -> tuple[Call, CallResult]:
    words = (Word(0.0, 0.5, "您好", 0.9, "agent"),)
    call = Call(CallInfo(call_id, agent_id="A1", team="T1"), "zh", (Turn("agent", 0.0, 0.5, "您好", words),),
                redacted=True)
    result = CallResult(call_id, "standard", "1", 90.0, False, (),
                        (Finding("A1", "pass", weight=10.0),), metrics=CallMetrics())
    return call, result


@pytest.mark.slow
def test_reviews_and_disputes_saved_while_a_batch_writes_are_all_kept(calls_dir, reference, tmp_path):
    writes = pytest.importorskip("qa_pipeline.review.writes")
    db = tmp_path / "qa.duckdb"
    reviewed = [f"old{i}" for i in range(12)]
    with store.opened(db) as con:
        for cid in reviewed:
            call, result = _scored_call(cid)
            store.save_call(con, call, [result])
    batch = subprocess.Popen(run_args(calls_dir, db), env=_env(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    assert _wait_for_batch(batch, db)
    during = 0
    for cid in reviewed:
        writes.write(db, "save_review", call_id=cid, reviewer="qa1", score=80.0, comment=f"批注 {cid}")
        writes.write(db, "open_dispute", call_id=cid, opened_by="a1", reason=f"我不同意 {cid}")
        during += batch.poll() is None
    _, err = batch.communicate(timeout=300)
    assert batch.returncode == 0, err
    assert during >= 3  # the reviews really overlapped the batch
    store.connect(db).close()  # the next open applies anything journaled while the file was busy
    with duckdb.connect(str(db), read_only=True) as con:
        saved = con.execute("SELECT call_id, reviewer, human_score FROM reviews ORDER BY call_id").fetchall()
        logged = con.execute("SELECT count(*) FROM audit_log WHERE action = 'review.save'").fetchone()[0]
        disputes = con.execute("SELECT call_id, opened_by, reason, status FROM dispute_store ORDER BY call_id").fetchall()
        logged_disputes = con.execute("SELECT count(*) FROM audit_log WHERE action = 'dispute.open'").fetchone()[0]
    assert saved == sorted((cid, "qa1", 80.0) for cid in reviewed)
    assert logged == len(reviewed)
    assert disputes == sorted((cid, "a1", f"我不同意 {cid}", "open") for cid in reviewed)
    assert logged_disputes == len(reviewed)
    snap = snapshot(db)
    assert [c for c in snap["calls"] if not c[0].startswith("old")] == reference["calls"]


@pytest.mark.parametrize("version", [1, 2, 5])
def test_older_database_is_backed_up_then_migrated(tmp_path, version):
    db = tmp_path / "qa.duckdb"
    con = database_at(db, version)
    con.execute("INSERT INTO call_store (call_id, status) VALUES ('kept', 'done')")
    con.close()
    before = db.read_bytes()

    con = store.connect(db)
    assert migrations.current_version(con) == migrations.latest_version()
    assert con.execute("SELECT call_id FROM calls").fetchall() == [("kept",)]
    con.close()
    backup = tmp_path / f"qa.duckdb.v{version}.bak"
    assert backup.exists() and backup.read_bytes() == before
    with duckdb.connect(str(backup), read_only=True) as old:
        assert old.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == version
        assert old.execute("SELECT call_id FROM call_store").fetchall() == [("kept",)]
    store.connect(db).close()  # already current: no second backup
    assert sorted(p.name for p in tmp_path.glob("*.bak")) == [f"qa.duckdb.v{version}.bak"]


def test_the_backup_before_a_migration_keeps_the_write_lock(tmp_path):
    """DuckDB's lock on the file is a POSIX record lock, which closing any descriptor of the file in the
    process releases: the backup copy must not open the file in this process, or a second writer gets in."""
    db = tmp_path / "qa.duckdb"
    database_at(db, 2).close()
    con = store.connect(db)  # backed up, then migrated; still open
    try:
        assert (tmp_path / "qa.duckdb.v2.bak").exists()
        other = subprocess.run([sys.executable, "-c", f"import duckdb; duckdb.connect({str(db)!r})"],
                               capture_output=True, text=True)
        assert other.returncode != 0 and "lock" in other.stderr, other.stderr
    finally:
        con.close()


def test_newer_database_is_refused_untouched(tmp_path):
    db = tmp_path / "qa.duckdb"
    store.connect(db).close()
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO schema_migrations (version, description) VALUES (999, 'from the future')")
    before = db.read_bytes()
    with pytest.raises(store.StoreError, match="newer version"):
        store.connect(db)
    assert db.read_bytes() == before


@pytest.mark.parametrize("content", [b"", b"not a database at all\n" * 100, os.urandom(64 * 1024)])
def test_a_file_that_is_not_a_database(tmp_path, content):
    db = tmp_path / "qa.duckdb"
    db.write_bytes(content)
    with pytest.raises(store.StoreError, match="not a (usable|valid) DuckDB database"):
        store.connect(db)
    assert db.read_bytes() == content


def test_database_in_a_missing_folder(tmp_path):
    with pytest.raises(store.StoreError, match="does not exist"):
        store.connect(tmp_path / "nope" / "qa.duckdb")


class _FullDisk:
    """A connection whose COMMIT fails the way DuckDB reports a full disk."""

    def __init__(self, con):
        self.con = con

    def execute(self, sql, *args):
        if sql == "COMMIT":
            raise duckdb.IOException('Could not write file "qa.duckdb.wal": No space left on device')
        return self.con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.con, name)


def test_write_failure_is_one_clear_error_and_stores_nothing(db):
    call, result = _scored_call("kept")
    store.save_call(db, call, [result])
    changed = Call(call.info, "zh", (Turn("agent", 0.0, 1.0, "改过的"),), redacted=True)
    with pytest.raises(store.StoreError, match="No space left on device.*Free disk space"):
        store.save_call(_FullDisk(db), changed, [result])
    kept = next(store.load_calls(db))
    assert kept.turns == call.turns


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.fixture
def tiny_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if not _can_mount() or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mnt)],
                                          capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.mark.slow
def test_real_full_disk_mid_batch(calls_dir, reference, tmp_path, tiny_disk):
    db = tiny_disk / "qa.duckdb"
    few = tmp_path / "batch"
    few.mkdir()
    for name in sorted(os.listdir(calls_dir))[:5]:
        os.symlink(calls_dir / name, few / name)
    assert subprocess.run(run_args(few, db), env=_env(), capture_output=True, timeout=300).returncode == 0
    filler = tiny_disk / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], capture_output=True)  # until the disk is full
    for name in sorted(os.listdir(calls_dir))[5:]:
        os.symlink(calls_dir / name, few / name)
    full = subprocess.run(run_args(few, db), env=_env(), capture_output=True, text=True, timeout=300)
    assert full.returncode == 2
    assert "No space left on device" in full.stderr and "Free disk space" in full.stderr
    assert "Traceback" not in full.stderr
    filler.unlink()
    stored = snapshot(db)
    assert len(stored["calls"]) == 5 and all(c[6] == "done" for c in stored["calls"])
    again = subprocess.run(run_args(few, db), env=_env(), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    # same calls as the reference run, seen through symlinks (so source paths differ)
    snap = snapshot(db)
    assert [c[0] for c in snap["calls"]] == [c[0] for c in reference["calls"]]
    assert snap["words"] == reference["words"]


def test_read_only_filesystem_is_a_clear_error(tmp_path, tiny_disk):
    db = tiny_disk / "qa.duckdb"
    store.connect(db).close()
    before = db.read_bytes()
    assert subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)]).returncode == 0
    with pytest.raises(store.StoreError, match="not writable"):
        store.connect(db)
    with store.opened(db, read_only=True) as con:  # reading still works
        assert con.execute("SELECT count(*) FROM calls").fetchone() == (0,)
    assert db.read_bytes() == before


def test_migration_backup_on_a_full_disk_changes_nothing(tiny_disk):
    db = tiny_disk / "qa.duckdb"
    database_at(db, 2).close()
    before = db.read_bytes()
    filler = tiny_disk / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], capture_output=True)
    with pytest.raises(store.StoreError, match="could not back it up .*nothing was changed"):
        store.connect(db)
    assert not (tiny_disk / "qa.duckdb.v2.bak").exists()
    assert db.read_bytes() == before
    filler.unlink()
    store.connect(db).close()  # with space again: backed up, then migrated
    assert (tiny_disk / "qa.duckdb.v2.bak").read_bytes() == before


def test_batch_into_a_missing_folder_names_the_folder(tmp_path):
    """`qa run --db` in a folder that does not exist: the folder is named, not the internal lock file."""
    from click.testing import CliRunner

    from qa_pipeline.cli.main import cli

    (tmp_path / "calls").mkdir()
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "calls"), "--db", str(tmp_path / "nope" / "qa.duckdb")])
    assert result.exit_code == 2
    assert f"the folder {tmp_path / 'nope'} does not exist" in result.output
    assert "lock" not in result.output
