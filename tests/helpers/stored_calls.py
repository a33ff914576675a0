"""What a batch stored, for comparing two runs over the same calls."""
from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path
from typing import Callable

import duckdb
from fake_models import write_call


def snapshot(db: Path | duckdb.DuckDBPyConnection) -> dict:
    """Everything stored about calls, minus processing times, in a stable order: of a database
    file, or of an open connection (an in-memory database)."""
    if isinstance(db, duckdb.DuckDBPyConnection):
        return _snapshot(db)
    with duckdb.connect(str(db), read_only=True) as con:
        return _snapshot(con)


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict:
    return {
        "calls": con.execute("SELECT call_id, source_path, sha256, duration, channels, language, status, error "
                             "FROM calls ORDER BY call_id").fetchall(),
        "turns": con.execute("SELECT * FROM turns ORDER BY call_id, turn").fetchall(),
        "words": con.execute("SELECT * FROM words ORDER BY call_id, turn, word").fetchall(),
        "checks": con.execute(
            "SELECT call_id, rubric_id, rubric_version, check_id, outcome, critical, weight, evidence_text, "
            "evidence_speaker, evidence_start, evidence_end, rule FROM check_store ORDER BY ALL").fetchall(),
        "results": con.execute(
            "SELECT call_id, rubric_id, rubric_version, score, flagged, flag_reasons, complaint, critical_fail "
            "FROM result_store ORDER BY ALL").fetchall(),
        "metrics": con.execute("SELECT * FROM metric_store ORDER BY call_id").fetchall(),
        "redacted": con.execute("SELECT count(*) FROM call_store WHERE NOT redacted").fetchone()[0],
    }


def write_six_calls(folder: Path) -> Path:
    """Six stereo calls in ``folder`` (two with one file name, in two folders) and a file that
    is not audio: a batch's clash of names and its bad input."""
    for n, name in enumerate(["a/0001.wav", "b/0001.wav", "c2.wav", "c3.wav", "c4.wav", "c5.wav"]):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        write_call(folder / name, seconds=8.0 + n)
    (folder / "broken.wav").write_text("not audio")
    return folder


class WorkerKiller:
    """A progress hook that kills every worker (``worker_pids()``) with SIGKILL when the first
    call comes back to be stored: the worker whose call it is has just been given its next one,
    so it dies mid-call. Keeps the events it heard and the pids it killed."""

    def __init__(self, worker_pids: Callable[[], list[int]]):
        self.worker_pids = worker_pids
        self.events: list = []
        self.killed: list[int] = []

    def __call__(self, event) -> None:
        self.events.append(event)
        if event.step == "store" and not self.killed:
            self.killed.extend(self.worker_pids())
            for pid in self.killed:
                os.kill(pid, signal.SIGKILL)

    def ends(self) -> Counter:
        """How many times each call was stored (done) or recorded as failed."""
        return Counter(e.call_id for e in self.events if e.step in ("done", "failed"))
