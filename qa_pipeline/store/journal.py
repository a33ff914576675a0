"""Sharing the database file with a running batch: brief reads, writes that are never lost.

DuckDB lets one process at a time open a database file for writing, and (measured with
DuckDB 2.0) a read-only connection from another process conflicts with that writer too:
``qa run`` cannot write while the dashboard holds any connection, and the dashboard cannot
read while ``qa run`` writes a call. So the dashboard never keeps a connection open:

* :func:`read` opens the file read-only for one query and closes it (tens of ms), waiting
  with backoff while a batch writes its call (milliseconds).
* :func:`write` opens it read-write for one named action, retrying with backoff for
  ``wait_seconds``; if the file stays locked (a long re-score, a bulk import), the action
  is appended to the pending-writes journal next to the database
  (``qa.duckdb.pending.jsonl``, fsync'd; :mod:`qa_pipeline.store.pending`) and applied,
  once, on the next successful read-write open — by the dashboard or by
  :func:`qa_pipeline.store.database.connect`, i.e. by the batch itself.

The actions are their owner's: storage applies them by the name they were registered
under (:func:`qa_pipeline.store.pending.register_writes`).

Inside one process DuckDB refuses a read-write and a read-only connection to the same
file at once, so reads share and writes exclude each other through an in-process lock.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator, Optional, Sequence

import duckdb

from qa_pipeline.store import database as store
from qa_pipeline.store.pending import (
    append_pending,
    apply_write,
    journal_path,
    pending_count,  # noqa: F401  (the dashboard's "changes waiting" banner)
    registered_writes,
)

log = logging.getLogger(__name__)

READ_WAIT_SECONDS = 10.0
READ_MEMORY_LIMIT = "2GB"
"""DuckDB's memory for the reads of one process (its buffer cache of the blocks a query reads
and what its operators hold; past it DuckDB evicts cached blocks or spills): without a limit
DuckDB keeps up to 80 % of the machine's memory, and a words search over a long narrow period
(one agent's calls over a year, ten million calls stored) read 80 million turns' text into
10.5 GiB of the dashboard process (1.04 GiB held to 1 GB, no slower; the pages' own queries
need under 0.7 GiB)."""
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


@contextmanager
def read_connection(db_path: str | os.PathLike,
                    wait_seconds: Optional[float] = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one query, closed on exit; waits up to ``READ_WAIT_SECONDS``."""
    with _LOCK.reading():
        wait = READ_WAIT_SECONDS if wait_seconds is None else wait_seconds
        con = store.connect(db_path, read_only=True, wait_seconds=wait)
        try:
            con.execute("SET enable_progress_bar = false")  # no bar drawn on the server's terminal
            con.execute(f"SET memory_limit = '{READ_MEMORY_LIMIT}'")
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


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


def write(db_path: str | os.PathLike, op: str, kwargs: dict[str, Any],
          wait_seconds: Optional[float] = None) -> WriteReceipt:
    """Apply the registered write ``op(con, **kwargs)`` in one transaction, or journal it if
    the file stays locked.

    ``kwargs`` must be JSON-serialisable and should carry the action's time (``at``) and any
    ids it creates, so a journaled write replays exactly as it would have run now.
    """
    known = registered_writes()
    if op not in known:
        raise ValueError(f"unknown write {op!r}; known: {', '.join(sorted(known)) or 'none'}")
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
        try:  # store.connect has applied what was journaled before: this write comes after it
            _, result = apply_write(con, entry)
        finally:
            con.close()
    return WriteReceipt(write_id, op, saved=True, result=result)
