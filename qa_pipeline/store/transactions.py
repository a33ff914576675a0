"""One write, all of it or none: :func:`transaction`, and the storage errors worded for the
person running the command.

The lowest module of :mod:`qa_pipeline.store`: the database (:mod:`~qa_pipeline.store.database`)
and the pending-writes journal (:mod:`~qa_pipeline.store.pending`) both write through it.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import duckdb

from qa_pipeline.errors import QaError


class StoreError(QaError):
    """A database problem, worded for the person running the command."""


class DatabaseBusy(StoreError):
    pass


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """``with transaction(con):`` — commit on exit, roll back on an exception; a disk-full,
    read-only or I/O failure comes out as one :class:`StoreError` saying nothing was kept."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException as exc:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass  # a failed write may have ended the transaction already
        error = _write_error(con, exc)
        if error is exc:
            raise
        raise error from exc
    else:
        try:
            con.execute("COMMIT")
        except duckdb.Error as exc:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass  # DuckDB usually ends a failed commit's transaction itself
            error = _write_error(con, exc)
            if error is exc:
                raise
            raise error from exc


_WRITE_FAILURES = ("no space left", "could not write", "read-only file system", "permission denied",
                   "disk quota", "input/output error")


def _write_error(con: duckdb.DuckDBPyConnection, exc: BaseException) -> BaseException:
    """Disk full / read-only / I/O failures as one clear line; other errors unchanged."""
    if not isinstance(exc, duckdb.Error) or not any(s in str(exc).lower() for s in _WRITE_FAILURES):
        return exc
    try:
        row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
        path = (row and row[0]) or "the database"
    except duckdb.Error:
        path = "the database"
    reason = str(exc).split(": ")[-1].strip() or type(exc).__name__
    return StoreError(f"{path}: could not write ({reason}); nothing of this write was kept and what was stored "
                      "before is intact. Free disk space or choose another --db, then run again")
