"""A file's content hash: how a recording is known again (skip it when unchanged) and how a
model pack's files are verified."""
from __future__ import annotations

import hashlib
import os

__all__ = ["file_sha256"]


def file_sha256(path: str | os.PathLike) -> str:
    """The hex sha256 of a file's bytes, read a megabyte at a time (recordings can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
