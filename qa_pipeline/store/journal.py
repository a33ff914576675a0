"""Sharing the database file with a running batch: brief reads, writes that are never lost.

DuckDB lets one process at a time open a database file for writing, and (measured with
DuckDB 2.0) a read-only connection from another process conflicts with that writer too:
``qa run`` cannot write while the dashboard holds any connection, and the dashboard cannot
read while ``qa run`` writes a call. So the dashboard never keeps a connection open:

* :func:`read` opens the file read-only for one query and closes it (tens of ms), waiting
  with backoff while a batch writes its call (milliseconds).
* :func:`write` opens it read-write for one action, retrying with backoff for
  ``wait_seconds``; if the file stays locked (a long re-score, a bulk import), the action
  is appended to a journal next to the database (``qa.duckdb.pending.jsonl``, fsync'd)
  and applied, once, on the next successful read-write open — by the dashboard or by
  :func:`qa_pipeline.store.database.connect`, i.e. by the batch itself.

Inside one process DuckDB refuses a read-write and a read-only connection to the same
file at once, so reads share and writes exclude each other through an in-process lock.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional, Sequence

import duckdb

from qa_pipeline.store import database as store

log = logging.getLogger(__name__)

READ_WAIT_SECONDS = 10.0
WRITE_WAIT_SECONDS = 5.0


class _ReadWriteLock:
    """Many readers or one writer, within this process (threads of the Streamlit server)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._readers:
                self._cond.wait()
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


_LOCK = _ReadWriteLock()


def journal_path(db_path: str | os.PathLike) -> Path:
    return Path(f"{db_path}.pending.jsonl")


@contextmanager
def read_connection(db_path: str | os.PathLike,
                    wait_seconds: Optional[float] = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one query, closed on exit; waits up to ``READ_WAIT_SECONDS``."""
    with _LOCK.reading():
        wait = READ_WAIT_SECONDS if wait_seconds is None else wait_seconds
        con = store.connect(db_path, read_only=True, wait_seconds=wait)
        try:
            con.execute("SET enable_progress_bar = false")  # no bar drawn on the server's terminal
            yield con
        finally:
            con.close()


_session = threading.local()


@contextmanager
def session(db_path: str | os.PathLike) -> Iterator[None]:
    """Let the :func:`read` calls of this thread inside the block share one read-only
    connection (one open instead of one per query; still closed when the block ends)."""
    if getattr(_session, "path", None) == str(db_path):
        yield
        return
    with read_connection(db_path) as con:
        _session.con, _session.path = con, str(db_path)
        try:
            yield
        finally:
            _session.con = _session.path = None


def read(db_path: str | os.PathLike, sql: str, params: Sequence[Any] = ()):
    """Run one parameterised query read-only and return a polars DataFrame."""
    if getattr(_session, "path", None) == str(db_path):
        return _session.con.sql(sql, params=list(params)).pl()
    with read_connection(db_path) as con:
        return con.sql(sql, params=list(params)).pl()


@dataclass(frozen=True)
class WriteReceipt:
    write_id: str
    op: str
    saved: bool  # False: the database was busy, the write is in the journal and applies later
    result: Any = None


Op = Callable[..., Any]


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


def write(db_path: str | os.PathLike, ops: Mapping[str, Op], op: str, kwargs: dict[str, Any],
          wait_seconds: Optional[float] = None) -> WriteReceipt:
    """Apply ``ops[op](con, **kwargs)`` in one transaction, or journal it if the file stays locked.

    ``kwargs`` must be JSON-serialisable and should carry the action's time (``at``) and any
    ids it creates, so a journaled write replays exactly as it would have run now.
    """
    if op not in ops:
        raise ValueError(f"unknown write {op!r}; known: {', '.join(sorted(ops))}")
    write_id = uuid.uuid4().hex
    entry = {"write_id": write_id, "op": op, "kwargs": kwargs, "queued_at": _now_iso()}
    json.dumps(entry)  # refuse what could not be journaled, before touching the database
    with _LOCK.writing():
        try:
            con = store.connect(db_path, wait_seconds=WRITE_WAIT_SECONDS if wait_seconds is None else wait_seconds)
        except store.DatabaseBusy:
            append_pending(db_path, entry)
            log.warning("%s is busy; %s %s journaled in %s", db_path, op, write_id, journal_path(db_path))
            return WriteReceipt(write_id, op, saved=False)
        try:
            replay_pending(con, db_path, ops)
            _, result = _apply(con, ops, entry)
        finally:
            con.close()
    return WriteReceipt(write_id, op, saved=True, result=result)


def _apply(con: duckdb.DuckDBPyConnection, ops: Mapping[str, Op], entry: dict) -> tuple[bool, Any]:
    """``(applied, result)``; ``applied`` is False when this write was applied before."""
    with store.transaction(con):
        done = con.execute("SELECT 1 FROM applied_write WHERE write_id = ?", [entry["write_id"]]).fetchone()
        if done:
            return False, None
        result = ops[entry["op"]](con, **entry["kwargs"])
        con.execute("INSERT INTO applied_write (write_id, op) VALUES (?, ?)", [entry["write_id"], entry["op"]])
    return True, result


def append_pending(db_path: str | os.PathLike, entry: dict) -> None:
    """Append one write to the journal and fsync it (and the folder, when the file is new)."""
    path = journal_path(db_path)
    new = not path.exists()
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    with open(path, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    if new:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def pending_count(db_path: str | os.PathLike) -> int:
    path = journal_path(db_path)
    if not path.exists():
        return 0
    with open(path, encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())


def replay_pending(con: duckdb.DuckDBPyConnection, db_path: str | os.PathLike,
                   ops: Optional[Mapping[str, Op]] = None) -> int:
    """Apply journaled writes (each once: ``applied_write`` remembers them), then empty the journal.

    A write that fails on replay (e.g. its call was deleted meanwhile) is moved to
    ``<db>.rejected.jsonl`` with the reason, so nothing disappears silently.
    """
    path = journal_path(db_path)
    if str(db_path) == store.MEMORY or not path.exists():
        return 0
    if ops is None:
        from qa_pipeline.review.reviews import all_writes

        ops = all_writes()
    applied = 0
    with open(path, "r+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                    applied += _apply(con, ops, entry)[0]
                except Exception as exc:  # keep the write for a person to look at
                    log.error("%s line %d: journaled write not applied: %s", path, number, exc)
                    _reject(db_path, line, str(exc))
            fh.seek(0)
            fh.truncate()
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    if applied:
        log.info("applied %d journaled dashboard write(s) from %s", applied, path)
    return applied


def _reject(db_path: str | os.PathLike, line: str, reason: str) -> None:
    try:
        entry = json.loads(line)
    except ValueError:
        entry = {"raw": line.strip()}
    entry["rejected"] = reason
    with open(f"{db_path}.rejected.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())

