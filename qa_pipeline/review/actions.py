"""What every review action shares (:mod:`~qa_pipeline.review.reviews`,
:mod:`~qa_pipeline.review.admin`): the error a reviewer reads, the action's time and the ids
it creates.

An action takes its time (``at``) and the ids it creates as arguments, so that a write
journaled while a batch held the database (:mod:`qa_pipeline.review.writes`) replays
exactly as it would have run when it was made.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Optional

from qa_pipeline.errors import QaError


class ReviewError(QaError):
    """A review action that cannot be applied, worded for the reviewer."""


def action_time(at: Optional[str]) -> datetime:
    """The time of an action: ``at`` (ISO 8601) when given, else now (UTC)."""
    return datetime.fromisoformat(at) if at else datetime.now(timezone.utc)


def new_id(prefix: str) -> str:
    """A fresh id for something an action creates, e.g. ``new_id("dispute")`` → ``dispute-1f3a…``."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
