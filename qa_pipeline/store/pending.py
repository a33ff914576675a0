"""The pending-writes journal: named writes that waited while a batch held the database,
applied exactly once at the next read-write open.

The journal is a file next to the database (``qa.duckdb.pending.jsonl``), one JSON line per
write: ``{"write_id", "op", "kwargs", "queued_at"}``, fsync'd before the writer is told it is
kept. Storage does not know what the writes do: their owner registers them by name
(:func:`register_writes`; the dashboard's review actions register in
:mod:`qa_pipeline.review.writes`), and :func:`replay_pending` applies those it knows, each
in its own transaction, once (``applied_write`` remembers the ids). A journaled write whose
operation no one here has registered stays in the journal for a process that knows it.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
from pathlib import Path
from typing import Any, Callable, Mapping

import duckdb

from qa_pipeline.store.transactions import transaction

log = logging.getLogger(__name__)

Op = Callable[..., Any]  # op(con, **kwargs): changes the database, starts no transaction

_WRITES: dict[str, Op] = {}


def register_writes(ops: Mapping[str, Op]) -> None:
    """Make write operations known by name, to :func:`qa_pipeline.store.journal.write` and to
    the replay at every read-write open. Each is called ``op(con, **kwargs)`` inside a
    transaction, with the JSON-serialisable ``kwargs`` it was journaled with."""
    for name, op in ops.items():
        known = _WRITES.get(name)
        if known is not None and known is not op:
            raise ValueError(f"a write named {name!r} is registered already ({known.__module__}.{known.__qualname__})")
        _WRITES[name] = op


def registered_writes() -> Mapping[str, Op]:
    """The registered write operations by name (read-only view)."""
    return dict(_WRITES)


def journal_path(db_path: str | os.PathLike) -> Path:
    return Path(f"{db_path}.pending.jsonl")


def apply_write(con: duckdb.DuckDBPyConnection, entry: dict) -> tuple[bool, Any]:
    """Apply one write (a journal entry) in its own transaction: ``(applied, result)``;
    ``applied`` is False when this write id was applied before."""
    op = _WRITES.get(entry["op"])
    if op is None:
        raise KeyError(f"unknown write {entry['op']!r}; known: {', '.join(sorted(_WRITES)) or 'none'}")
    with transaction(con):
        if con.execute("SELECT 1 FROM applied_write WHERE write_id = ?", [entry["write_id"]]).fetchone():
            return False, None
        result = op(con, **entry["kwargs"])
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
        _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
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


def replay_pending(con: duckdb.DuckDBPyConnection, db_path: str | os.PathLike) -> int:
    """Apply the journaled writes whose operation is registered (each once), and keep in the
    journal only those whose operation is not. Returns how many were applied.

    A write that fails on replay (e.g. its call was deleted meanwhile) is moved to
    ``<db>.rejected.jsonl`` with the reason, so nothing disappears silently.
    """
    path = journal_path(db_path)
    if not path.exists():
        return 0
    applied, kept = 0, []
    with open(path, "r+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                    if isinstance(entry, dict) and isinstance(entry.get("op"), str) and entry["op"] not in _WRITES:
                        kept.append(line if line.endswith("\n") else line + "\n")  # its owner applies it
                        continue
                    applied += apply_write(con, entry)[0]  # a malformed entry fails here: rejected
                except Exception as exc:  # keep the write for a person to look at
                    log.error("%s line %d: journaled write not applied: %s", path, number, exc)
                    _reject(db_path, line, str(exc))
            fh.seek(0)
            fh.truncate()
            fh.writelines(kept)
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    if applied:
        log.info("applied %d journaled write(s) from %s", applied, path)
    if kept:
        log.warning("%s: %d journaled write(s) of operations this process does not know are kept for later",
                    path, len(kept))
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
