"""The dashboard's review actions by name, applied durably to the database file.

:func:`write` applies one action (:data:`WRITES`) now, or, while a batch holds the database,
keeps it in the pending-writes journal (:mod:`qa_pipeline.store.journal`), applied once at
the next read-write open. Importing this module registers the actions with storage, which
knows them only by name::

    receipt = writes.write("qa.duckdb", "save_review", call_id="call-0042", reviewer="li.qa")
    receipt.saved  # False: journaled, applied when the batch lets go of the file
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any

from qa_pipeline.review import admin, reviews
from qa_pipeline.review.actions import new_id
from qa_pipeline.store import journal
from qa_pipeline.store.pending import register_writes

__all__ = ["WRITES", "write"]

WRITES = {**reviews.WRITES, **admin.ADMIN_WRITES}

# Every action that creates something, and the argument carrying its id (assigned before the
# write is journaled, so the caller knows it and a replay creates the same one).
_CREATED_IDS = {"open_dispute": "dispute_id", "create_playlist": "playlist_id", "add_clip": "clip_id"}

register_writes(WRITES)


def write(db_path: str | os.PathLike, op: str, **kwargs: Any) -> journal.WriteReceipt:
    """Durably apply one action by name (a key of :data:`WRITES`) to the database file.

    Stamps the time now and pre-assigns created ids, so a journaled write replays unchanged.
    Returns a :class:`qa_pipeline.store.journal.WriteReceipt` (``saved`` False: journaled).
    """
    kwargs.setdefault("at", datetime.now(timezone.utc).isoformat())
    created = _CREATED_IDS.get(op)
    if created:
        kwargs.setdefault(created, new_id(created.removesuffix("_id")))
    if kwargs.get("rubric") is not None:
        kwargs["rubric"] = list(kwargs["rubric"])  # a (rubric_id, version) pair, as JSON keeps it
    return journal.write(db_path, op, kwargs)
