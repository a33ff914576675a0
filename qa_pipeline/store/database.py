"""DuckDB storage: open (migrating with a backup first), save calls whole or not at all, load.

DuckDB lets one process write a database file at a time. ``qa run`` therefore opens the
database only for the moment it writes a call (milliseconds, between seconds of
transcription), so the dashboard and other writers get their turn; :func:`open_db` waits
for the lock with a timeout instead of failing at once.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import duckdb

from qa_pipeline.errors import QaError
from qa_pipeline.records import Call, CallFailure, CallResult
from qa_pipeline.store.calls import StoredCallRows, fetch_call_rows, load_calls  # noqa: F401  (the read side)
from qa_pipeline.store.migrations import apply_migrations, current_version, latest_version

# The results side (rows of scoring results, writing them): re-exported.
from qa_pipeline.store.results import ResultRows, columns_of, result_rows, stored_metrics, write_result_rows  # noqa: F401

log = logging.getLogger(__name__)

MEMORY = ":memory:"


class StoreError(QaError):
    """A database problem, worded for the person running the command."""


class DatabaseBusy(StoreError):
    pass


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set lock" in text)


def connect(path: str | os.PathLike, *, read_only: bool = False, wait_seconds: float = 30.0) -> duckdb.DuckDBPyConnection:
    """Open the database, waiting up to ``wait_seconds`` while another process holds it,
    and migrate it (backing the file up first) unless ``read_only``."""
    path = str(path)
    if path != MEMORY:
        parent = Path(path).expanduser().resolve().parent
        if not parent.exists():
            raise StoreError(f"{path}: the folder {parent} does not exist; create it or choose another --db path")
        if not read_only and not os.access(parent, os.W_OK):
            raise StoreError(f"{path}: the folder {parent} is not writable; choose a --db path you can write to")
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(path, read_only=read_only)
            break
        except duckdb.IOException as exc:
            if _is_lock_error(exc) and time.monotonic() < deadline:
                time.sleep(delay)
                delay = min(delay * 1.5, 1.0)
                continue
            if _is_lock_error(exc):
                raise DatabaseBusy(
                    f"{path}: another process is writing to this database (probably another `qa run`); "
                    "wait for it to finish or use a different --db"
                ) from exc
            raise StoreError(f"{path}: cannot open the database: {exc}") from exc
        except duckdb.Error as exc:
            raise StoreError(f"{path}: not a usable DuckDB database ({exc}); move it aside or choose another --db") from exc
    if not read_only:
        try:
            migrate(con, path)
        except BaseException:
            con.close()  # free the file for whoever fixes the problem
            raise
        from qa_pipeline.store.journal import replay_pending  # dashboard writes journaled while the file was busy

        replay_pending(con, path)
    return con


def migrate(con: duckdb.DuckDBPyConnection, path: str = MEMORY) -> list[int]:
    version = current_version(con)
    if version > latest_version():
        raise StoreError(
            f"{path}: this database was written by a newer version of qa-pipeline (schema {version}, "
            f"this one knows {latest_version()}); upgrade qa-pipeline"
        )
    if 0 < version < latest_version() and path != MEMORY:
        backup = f"{path}.v{version}.bak"
        con.execute("CHECKPOINT")
        try:
            shutil.copy2(path, backup)
        except OSError as exc:
            Path(backup).unlink(missing_ok=True)  # a partial copy is no backup
            raise StoreError(f"{path}: could not back it up to {backup} before migrating ({exc.strerror or exc}); "
                             "nothing was changed. Free disk space and try again") from exc
        log.info("backed up %s to %s before migrating from schema %d", path, backup, version)
    return apply_migrations(con)


@contextmanager
def opened(path: str | os.PathLike, *, read_only: bool = False, wait_seconds: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """``with opened(db) as con:`` — open briefly, close on exit (frees the write lock)."""
    con = connect(path, read_only=read_only, wait_seconds=wait_seconds)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
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


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _call_row(call: Call) -> list:
    info = call.info
    return [
        info.call_id, info.source_path, call.sha256, call.duration, call.channels, call.sample_rate,
        call.language, info.agent_id, info.agent_name, info.team, info.started_at, info.ring_seconds,
        _json(info.metadata), call.source, "done", None, call.asr_model, call.role_confidence,
        call.role_note, call.roles_uncertain, call.redacted, _now(),
    ]


# Every table with rows of a call (what replacing a call deletes first).
_CALL_TABLES = ("word_store", "turn_store", "turn_norm_store", "check_store", "result_store", "metric_store",
                "call_store")


def norm_row(call: Call) -> list:
    """The turn_norm_store row of a call: its turns' texts normalised for rubric matching
    (:func:`result_rows` takes these too, for calls whose rows were made while scoring)."""
    from qa_pipeline.rubric.text import NORMALIZER_VERSION, normalize_many

    return [call.call_id, NORMALIZER_VERSION, normalize_many([t.text or "" for t in call.turns])]


def _delete_call(con: duckdb.DuckDBPyConnection, call_id: str) -> None:
    for table in _CALL_TABLES:
        con.execute(f"DELETE FROM {table} WHERE call_id = ?", [call_id])


def save_call(con: duckdb.DuckDBPyConnection, call: Call, results: Sequence[CallResult] = ()) -> None:
    """Store a call, its turns, words and (optionally) results in one transaction:
    the call is stored completely or not at all. Replaces an earlier version of the call."""
    with transaction(con):
        _delete_call(con, call.call_id)
        con.execute(f"INSERT INTO call_store VALUES ({', '.join('?' * 22)})", _call_row(call))
        turn_rows = [[call.call_id, i, t.speaker, t.start, t.end, t.text] for i, t in enumerate(call.turns)]
        if turn_rows:
            con.executemany("INSERT INTO turn_store VALUES (?, ?, ?, ?, ?, ?)", turn_rows)
            con.execute("INSERT INTO turn_norm_store (call_id, normalizer, texts) VALUES (?, ?, ?)", norm_row(call))
        word_rows = [
            [call.call_id, i, j, w.speaker, w.start, w.end, w.text, w.probability]
            for i, t in enumerate(call.turns)
            for j, w in enumerate(t.words)
        ]
        if word_rows:
            _bulk_insert(con, "word_store", word_rows,
                         ["call_id", "turn", "word", "speaker", "start_s", "end_s", "text", "probability"])
        _insert_results(con, results)


def save_calls(con: duckdb.DuckDBPyConnection, items: Iterable[tuple[Call, Sequence[CallResult]]]) -> int:
    """Store many calls with their results in one transaction (bulk imports, the demo centre):
    all of them or none. Replaces earlier versions of the same calls. Returns how many."""
    items = list(items)
    if not items:
        return 0
    ids = [call.call_id for call, _ in items]
    with transaction(con):
        for table in _CALL_TABLES:
            con.execute(f"DELETE FROM {table} WHERE call_id IN (SELECT unnest(?))", [ids])
        # _call_row follows the table's column order (save_call inserts it positionally).
        columns = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'call_store' "
            "ORDER BY ordinal_position").fetchall()]
        _bulk_insert(con, "call_store", [_call_row(call) for call, _ in items], columns)
        turn_rows = [[call.call_id, i, t.speaker, t.start, t.end, t.text]
                     for call, _ in items for i, t in enumerate(call.turns)]
        if turn_rows:
            _bulk_insert(con, "turn_store", turn_rows, ["call_id", "turn", "speaker", "start_s", "end_s", "text"])
            _bulk_insert(con, "turn_norm_store", [norm_row(call) for call, _ in items if call.turns],
                         ["call_id", "normalizer", "texts"])
        word_rows = [[call.call_id, i, j, w.speaker, w.start, w.end, w.text, w.probability]
                     for call, _ in items for i, t in enumerate(call.turns) for j, w in enumerate(t.words)]
        if word_rows:
            _bulk_insert(con, "word_store", word_rows,
                         ["call_id", "turn", "word", "speaker", "start_s", "end_s", "text", "probability"])
        _insert_results(con, [r for _, results in items for r in results])
    return len(items)


def save_failure(con: duckdb.DuckDBPyConnection, failure: CallFailure) -> None:
    """Record a call that failed. A call stored earlier under the same id is kept as it was."""
    with transaction(con):
        row = con.execute("SELECT status FROM call_store WHERE call_id = ?", [failure.call_id]).fetchone()
        if row and row[0] == "done":
            log.warning("%s: kept the earlier stored version; this run failed: %s", failure.call_id, failure.reason)
            con.execute("UPDATE call_store SET error = ? WHERE call_id = ?", [failure.reason, failure.call_id])
            return
        con.execute("DELETE FROM call_store WHERE call_id = ?", [failure.call_id])
        con.execute(
            "INSERT INTO call_store (call_id, source_path, sha256, status, error, source, processed_at) "
            "VALUES (?, ?, ?, 'failed', ?, 'audio', ?)",
            [failure.call_id, failure.source_path, failure.sha256, failure.reason, _now()],
        )


def _bulk_insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[list], names: list[str]) -> None:
    con.register("_bulk_rows", columns_of(rows, names))
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} FROM _bulk_rows")
    finally:
        con.unregister("_bulk_rows")


def _insert_results(con: duckdb.DuckDBPyConnection, results: Sequence[CallResult]) -> None:
    if results:
        _insert_result_rows(con, [result_rows(results)])


def _insert_result_rows(con: duckdb.DuckDBPyConnection, parts: Sequence[ResultRows]) -> None:
    """Replace the stored results of the same calls and rubric versions; keep the others."""
    write_result_rows(con, parts, scored_at=_now().isoformat())


def save_results(con: duckdb.DuckDBPyConnection, results: Sequence[CallResult]) -> None:
    """Store results of (re-)scoring; results of other rubric versions are kept."""
    with transaction(con):
        _insert_results(con, results)


def save_result_rows(con: duckdb.DuckDBPyConnection, parts: Sequence[ResultRows]) -> None:
    """Store results already turned into rows (:func:`result_rows`), in one transaction."""
    with transaction(con):
        _insert_result_rows(con, parts)


def insert_result_rows(con: duckdb.DuckDBPyConnection, parts: Sequence[ResultRows]) -> None:
    """:func:`save_result_rows` inside a transaction the caller holds (``with transaction(con):``),
    so a long re-scoring writes as it goes and commits once."""
    _insert_result_rows(con, parts)


def processed_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """source_path → sha256 of calls stored successfully (for skipping on re-runs)."""
    rows = con.execute(
        "SELECT source_path, sha256 FROM call_store WHERE status = 'done' AND source_path IS NOT NULL"
    ).fetchall()
    return {p: h for p, h in rows}


def is_interrupted(exc: BaseException) -> bool:
    """Ctrl-C that arrived while DuckDB ran a query: DuckDB takes the signal and raises its own
    error ("Query interrupted") instead of KeyboardInterrupt. The query's transaction is rolled back."""
    return isinstance(exc, duckdb.InterruptException) or (
        type(exc) is RuntimeError and str(exc) == "Query interrupted")


def call_owners(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, Optional[str]]]:
    """call_id → (source_path, sha256) of every stored call, done or failed (so a batch can give
    a different recording with the same file name an id of its own)."""
    rows = con.execute("SELECT call_id, source_path, sha256 FROM call_store WHERE source_path IS NOT NULL").fetchall()
    return {c: (p, h) for c, p, h in rows}


def save_roster(con: duckdb.DuckDBPyConnection, rows: Iterable[dict]) -> int:
    n = 0
    with transaction(con):
        for r in rows:
            con.execute("DELETE FROM agent_roster WHERE agent_id = ?", [r["agent_id"]])
            con.execute(
                "INSERT INTO agent_roster VALUES (?, ?, ?, ?, ?, ?)",
                [r["agent_id"], r.get("agent_name"), r.get("team"), r.get("team_lead"),
                 r.get("hire_date") or None, r.get("centre")],
            )
            n += 1
    return n
