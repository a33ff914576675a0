"""One `qa run` per database at a time: a lock file beside the database.

flock is released by the kernel when the process dies, even by kill -9, so a crashed
batch never leaves a stale lock behind.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from qa_pipeline.errors import QaError


class BatchRunning(QaError):
    pass


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
        fh = open(lock_path, "a+")
    except OSError as exc:
        raise QaError(f"{lock_path}: cannot create the batch lock file ({exc.strerror}); "
                      "choose a --db in a folder you can write to") from exc
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise BatchRunning(f"{db_path}: another `qa run` ({holder}) is already processing this database; "
                               "wait for it to finish, or use a different --db") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
