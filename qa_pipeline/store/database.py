"""DuckDB storage: open (migrating with a backup first), save calls whole or not at all, load.

DuckDB lets one process write a database file at a time. ``qa run`` therefore opens the
database only for the moment it writes a call, or the group of calls that came back together
(:func:`save_calls`), between seconds of transcription, so the dashboard and other writers get
their turn; :func:`connect` waits for the lock with a timeout instead of failing at once, and
retries for a few seconds an open that read the file short (see :func:`_is_short_read`).
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

import duckdb

from qa_pipeline.records import Call, CallFailure, CallResult
from qa_pipeline.store import call_facts
from qa_pipeline.store.calls import StoredCallRows, fetch_call_rows, load_calls  # the read side
from qa_pipeline.store.migrations import apply_migrations, current_version, latest_version, pending_versions
from qa_pipeline.store.pending import replay_pending

# The results side (rows of scoring results, writing them): re-exported.
from qa_pipeline.store.results import (WRITTEN_CHECKS, WRITTEN_RESULTS, ResultRows, result_rows, stored_metrics,
                                       write_result_rows)
from qa_pipeline.store.embeddings import stored_embeddings
from qa_pipeline.store.rows import COMPUTED_COLUMNS, EmbeddingRow, NormRow, call_rows, insert_rows
from qa_pipeline.store.transactions import DatabaseBusy, StoreError, transaction

log = logging.getLogger(__name__)

__all__ = ["connect", "opened", "migrate", "transaction", "StoreError", "DatabaseBusy", "MEMORY",
           "save_call", "save_calls", "save_failure", "save_results", "processed_hashes", "save_roster",
           "remember_recordings_folder", "recordings_folders", "load_calls", "fetch_call_rows", "StoredCallRows", "NormRow", "ResultRows", "result_rows",
           "write_result_rows", "stored_metrics", "EmbeddingRow", "stored_embeddings"]

MEMORY = ":memory:"
# How long an open that read the file short is retried (within ``wait_seconds``): a write in flight
# is over in well under a second; a file that stays short is damaged, and says so soon.
SHORT_READ_SECONDS = 5.0


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set lock" in text)


def _is_short_read(exc: Exception) -> bool:
    """DuckDB read fewer bytes than the file's header or WAL promised ("Could not read enough bytes"):
    seen once with another process writing the file at the moment it was opened (a test under load,
    stop 32). The open has changed nothing, so it is retried; one that stays short is a damaged file."""
    return "could not read enough bytes" in str(exc).lower()


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
    started = time.monotonic()
    deadline = started + wait_seconds
    short_deadline = min(deadline, started + SHORT_READ_SECONDS)
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(path, read_only=read_only)
            break
        except duckdb.IOException as exc:
            now = time.monotonic()
            if (_is_lock_error(exc) and now < deadline) or (_is_short_read(exc) and now < short_deadline):
                time.sleep(delay)
                delay = min(delay * 1.5, 1.0)
                continue
            if _is_short_read(exc):
                raise StoreError(
                    f"{path}: the database file still reads short after {now - started:.1f} s of retries ({exc}); "
                    "if no other process is writing it, it is damaged: move it aside and restore a backup "
                    "(its .bak copies) or let `qa run` build a new one") from exc
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
        if path != MEMORY:  # writes journaled while the file was busy (the dashboard's), once
            replay_pending(con, path)
    return con


def migrate(con: duckdb.DuckDBPyConnection, path: str = MEMORY) -> list[int]:
    version = current_version(con)
    if version > latest_version():
        raise StoreError(
            f"{path}: this database was written by a newer version of qa-pipeline (schema {version}, "
            f"this one knows {latest_version()}); upgrade qa-pipeline"
        )
    if version > 0 and pending_versions(con) and path != MEMORY:
        backup = f"{path}.v{version}.bak"
        con.execute("CHECKPOINT")
        try:
            copy_keeping_lock(path, backup)
        except OSError as exc:
            Path(backup).unlink(missing_ok=True)  # a partial copy is no backup
            raise StoreError(f"{path}: could not back it up to {backup} before migrating ({exc.strerror or exc}); "
                             "nothing was changed. Free disk space and try again") from exc
        log.info("backed up %s to %s before migrating from schema %d", path, backup, version)
    return apply_migrations(con)


def copy_keeping_lock(path: str, target: str) -> None:
    """Copy the open database file ``path`` to ``target`` without giving up its write lock.

    DuckDB holds a POSIX record lock (``fcntl``) on the file, and such a lock belongs to the
    process: closing *any* descriptor of the file in this process releases it. A plain
    ``shutil.copy2`` opens and closes the file here, so for the rest of the migration another
    ``qa`` process could open the database for writing too. The copy is made by a child
    process, whose descriptors are its own. (Windows locks belong to the handle: copied here.)"""
    if os.name != "posix":
        shutil.copy2(path, target)
        return
    done = subprocess.run([sys.executable, "-c", "import shutil, sys; shutil.copy2(sys.argv[1], sys.argv[2])",
                           path, target], capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise OSError(f"copying {path} to {target} failed: {last}")


@contextmanager
def opened(path: str | os.PathLike, *, read_only: bool = False, wait_seconds: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """``with opened(db) as con:`` — open briefly, close on exit (frees the write lock)."""
    con = connect(path, read_only=read_only, wait_seconds=wait_seconds)
    try:
        yield con
    finally:
        con.close()


def _now() -> datetime:
    return datetime.now(timezone.utc)


# Every table with rows of a call besides its call row (what replacing a call deletes first).
# A call stored again (a new transcript) starts a new history: results of its earlier
# transcript are not kept.
_CALL_TABLES = ("word_store", "turn_store", "turn_norm_store", "turn_embedding_store", "check_store", "result_store",
                "check_history_store", "result_history_store", "metric_store")


def save_call(con: duckdb.DuckDBPyConnection, call: Call, results: Sequence[CallResult] = (), *,
              norms: Optional[NormRow] = None, embeddings: Iterable[EmbeddingRow] = ()) -> None:
    """Store a call, its turns, words and (optionally) results in one transaction:
    the call is stored completely or not at all. Replaces an earlier version of the call.

    ``norms``: the call's turn texts normalised by the scorer for matching
    (:func:`qa_pipeline.rubric.text.norm_row`), kept so that re-scoring need not make them again.
    ``embeddings``: the vectors of the sentences its learned judgements read
    (:func:`qa_pipeline.rubric.encoder.embedding_rows`), kept for the same reason.
    """
    with transaction(con):
        _write_calls(con, [call], results, [norms] if norms is not None else (), embeddings)


def save_calls(con: duckdb.DuckDBPyConnection, items: Iterable[tuple[Call, Sequence[CallResult]]], *,
               norms: Iterable[NormRow] = (), embeddings: Iterable[EmbeddingRow] = (),
               failures: Sequence[CallFailure] = ()) -> int:
    """Store many calls with their results in one transaction (bulk imports, the demo centre, a
    batch's calls that came back together): all of them or none, their facts refreshed once for
    all of them. Replaces earlier versions of the same calls. Returns how many.
    ``norms``, ``embeddings``: normalised turn texts and sentence embeddings of any of the
    calls, as for :func:`save_call`; ``failures``: calls that failed, recorded in the same
    transaction as :func:`save_failure` records one."""
    items = list(items)
    if not items and not failures:
        return 0
    with transaction(con):
        for failure in failures:
            _write_failure(con, failure)
        if items:
            _write_calls(con, [call for call, _ in items], [r for _, results in items for r in results], norms,
                         embeddings)
    return len(items)


def _write_calls(con: duckdb.DuckDBPyConnection, calls: Sequence[Call], results: Sequence[CallResult],
                 norms: Iterable[NormRow], embeddings: Iterable[EmbeddingRow] = ()) -> None:
    """The one write path of calls (inside the caller's transaction): delete what is stored of
    them, insert their rows table by table (:func:`~qa_pipeline.store.rows.call_rows`), then
    their results; their facts are refreshed from the rows written (no look-up of the calls in
    the large tables: :class:`~qa_pipeline.store.call_facts.Stored`)."""
    ids = [call.call_id for call in calls]
    replaced = _delete_calls(con, ids)
    rows = call_rows(calls, norms, processed_at=_now(), embeddings=embeddings)
    try:
        for table in rows.TABLES:  # the call row first, the words after the turns (tests kill a write in between)
            columns, table_rows = rows.table(table)
            if table == "call_store":  # kept for the refresh, typed as stored
                con.execute(f"CREATE OR REPLACE TEMP TABLE {_WRITTEN_CALLS} AS SELECT * FROM call_store WHERE FALSE")
                _bulk_insert(con, _WRITTEN_CALLS, table_rows, columns)
                names = ", ".join(columns)
                con.execute(f"INSERT INTO call_store ({names}) SELECT {names} FROM {_WRITTEN_CALLS}")
            elif table_rows:
                _bulk_insert(con, table, table_rows, columns)
        if results:
            write_result_rows(con, [result_rows(results)], facts=False, keep=True, fresh=True)  # deleted above
        call_facts.refresh(con, ids, call_facts.Stored(  # once for the calls and their results
            _WRITTEN_CALLS, WRITTEN_RESULTS if results else None, WRITTEN_CHECKS if results else None,
            tuple(replaced)))
    finally:
        with contextlib.suppress(duckdb.Error):  # a failed write's own error is the one to report
            con.execute(f"DROP TABLE IF EXISTS temp.{_WRITTEN_CALLS}; DROP TABLE IF EXISTS temp.{WRITTEN_RESULTS}; "
                        f"DROP TABLE IF EXISTS temp.{WRITTEN_CHECKS}")


_WRITTEN_CALLS = "_written_calls"


def _delete_calls(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> list[str]:
    """Delete what is stored of the calls ``ids`` (inside the caller's transaction); returns
    those that were stored. Their call rows go first: a call has rows in the other tables only
    where it has a call row (every writer stores the call row with them, in one transaction), so
    a new call (the usual case) reads none of the large tables, where ids that do not follow
    the order calls are stored in would make each delete read all their row groups. A call
    stored again has its findings looked up by its results' times as well as its id (their
    row groups alone: :func:`~qa_pipeline.store.call_facts.results_at`)."""
    def which(some: Sequence[str]) -> tuple[str, list]:
        return ("call_id = ?", list(some)) if len(some) == 1 else ("call_id IN (SELECT unnest(?))", [list(some)])

    where, args = which(ids)
    deleted = con.execute(f"DELETE FROM call_store WHERE {where} RETURNING call_id, processed_at", args).fetchall()
    if not deleted:
        return []
    replaced = [call_id for call_id, _ in deleted]
    stored = list({at for _, at in deleted if at is not None})  # its turns' and words' time (migration 23)
    where, args = which(replaced)
    times = call_facts.results_at(con, where, args)
    for table in _CALL_TABLES:
        if table == "check_store":  # a result's findings carry its time; no result, no findings
            if times:
                con.execute(f"DELETE FROM check_store WHERE {where} AND scored_at = ANY(?::TIMESTAMPTZ[])",
                            [*args, times])
            continue
        if table in ("turn_store", "word_store"):  # stamped with the call row's time
            if stored:
                con.execute(f"DELETE FROM {table} WHERE {where} AND stored_at = ANY(?::TIMESTAMPTZ[])",
                            [*args, stored])
            continue
        con.execute(f"DELETE FROM {table} WHERE {where}", args)
    return replaced


def save_failure(con: duckdb.DuckDBPyConnection, failure: CallFailure) -> None:
    """Record a call that failed. A call stored earlier under the same id is kept as it was."""
    with transaction(con):
        _write_failure(con, failure)


def _write_failure(con: duckdb.DuckDBPyConnection, failure: CallFailure) -> None:
    """:func:`save_failure` inside the caller's transaction (a failed call has no facts)."""
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


def _bulk_insert(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Sequence], names: Sequence[str]) -> None:
    """Insert ``rows`` (tuples in the order of ``names``) into the named columns of ``table``."""
    if len(rows) == 1 and table not in ("turn_embedding_store", *COMPUTED_COLUMNS):
        # one row (a call's own row): a plain INSERT costs half a registered view (1.5 vs 3 ms); a
        # vector goes through the view, which takes NumPy arrays, and so do rows with computed
        # columns (a turn's lowered text)
        con.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", list(rows[0]))
        return
    insert_rows(con, table, rows, names)


def save_results(con: duckdb.DuckDBPyConnection, results: Sequence[CallResult]) -> None:
    """Store results of (re-)scoring in one transaction; results of other rubric versions are
    kept. Inside a transaction of your own, write rows with :func:`write_result_rows`."""
    with transaction(con):
        write_result_rows(con, [result_rows(results)])


def processed_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """source_path → sha256 of calls stored successfully (for skipping on re-runs)."""
    rows = con.execute(
        "SELECT source_path, sha256 FROM call_store WHERE status = 'done' AND source_path IS NOT NULL"
    ).fetchall()
    return {p: h for p, h in rows}


RECORDINGS_FOLDERS = "recordings_folders"  # setting_store key: the folders `qa run` read calls from


def remember_recordings_folder(con: duckdb.DuckDBPyConnection, folder: str | os.PathLike) -> None:
    """Record that calls were read from ``folder`` (resolved): the dashboard plays recordings
    inside these folders without being told (``qa dashboard --recordings`` overrides them)."""
    path = str(Path(folder).expanduser().resolve())
    with transaction(con):
        known = recordings_folders(con)
        if path not in known:
            con.execute("DELETE FROM setting_store WHERE key = ?", [RECORDINGS_FOLDERS])
            con.execute("INSERT INTO setting_store VALUES (?, ?)", [RECORDINGS_FOLDERS, json.dumps(known + [path])])


def recordings_folders(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The folders calls were read from, in the order first used (:func:`remember_recordings_folder`)."""
    row = con.execute("SELECT value FROM setting_store WHERE key = ?", [RECORDINGS_FOLDERS]).fetchone()
    value = json.loads(row[0]) if row and row[0] else []
    return [str(p) for p in value] if isinstance(value, list) else []


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
                "INSERT INTO agent_roster (agent_id, agent_name, team, team_lead, hire_date, centre) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [r["agent_id"], r.get("agent_name"), r.get("team"), r.get("team_lead"),
                 r.get("hire_date") or None, r.get("centre")],
            )
            n += 1
    return n
