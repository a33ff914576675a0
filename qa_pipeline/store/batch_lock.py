"""One `qa run` per database at a time: a lock file beside the database.

flock is released by the kernel when the process dies, even by kill -9, so a crashed
batch never leaves a stale lock behind.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO

from qa_pipeline.errors import QaError


class BatchRunning(QaError):
    pass


class LockHeld(Exception):
    """The lock is held by another process; ``holder`` is what that process wrote in the file."""

    def __init__(self, holder: str):
        super().__init__(holder)
        self.holder = holder


@contextmanager
def exclusive_lock(lock_path: Path, purpose: str) -> Iterator[TextIO]:
    """Hold an flock on ``lock_path`` (created if missing) for the block; raises :class:`LockHeld`
    at once when another process holds it. ``purpose`` names the lock in errors ("batch")."""
    try:
        fh = open(lock_path, "a+")
    except OSError as exc:
        raise QaError(f"{lock_path}: cannot create the {purpose} lock file ({exc.strerror}); "
                      "choose a --db in a folder you can write to") from exc
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            raise LockHeld(fh.read().strip()) from None
        try:
            yield fh
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def batch_lock(db_path: str | os.PathLike) -> Iterator[None]:
    if str(db_path) == ":memory:":
        yield
        return
    lock_path = Path(f"{db_path}.run.lock")
    folder = lock_path.expanduser().resolve().parent
    if not folder.is_dir():  # say so, rather than blame the lock file the user never named
        raise QaError(f"{db_path}: the folder {folder} does not exist; create it or choose another --db path")
    try:
        with exclusive_lock(lock_path, "batch") as fh:
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()}")
            fh.flush()
            yield
    except LockHeld as held:
        raise BatchRunning(f"{db_path}: another `qa run` ({held.holder or 'another process'}) is already "
                           "processing this database; wait for it to finish, or use a different --db") from None
