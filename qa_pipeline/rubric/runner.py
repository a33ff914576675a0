"""Re-score stored calls (``qa score``): load transcripts, score, save results in bulk.

No audio is touched: the stored turns are scored again, with a given rubric or the
standard rubric of each call's language. The customer sentiment stored with the call is
reused (it depends only on the transcript and is the slow part of the metrics).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Optional, Sequence

import duckdb

from .. import store
from ..progress import ProgressEvent, ProgressHook, no_progress
from ..records import Call, CallResult
from .engine import score_call
from .model import Rubric

log = logging.getLogger(__name__)

__all__ = ["RescoreSummary", "rescore"]

BATCH = 2000


@dataclass(frozen=True)
class RescoreSummary:
    calls: int
    flagged: int
    mean_score: Optional[float]
    rubrics: tuple[str, ...]  # "id vVERSION" of every rubric used
    seconds: float
    missing: tuple[str, ...] = ()  # requested call ids that are not stored

    @property
    def calls_per_second(self) -> float:
        return self.calls / self.seconds if self.seconds > 0 else 0.0


def _stored_sentiments(con: duckdb.DuckDBPyConnection, call_ids: Optional[Sequence[str]]) -> dict[str, float]:
    sql = "SELECT call_id, customer_sentiment FROM metric_store WHERE customer_sentiment IS NOT NULL"
    params: list = []
    if call_ids:
        sql += " AND call_id IN (SELECT unnest(?))"
        params.append(list(call_ids))
    return dict(con.execute(sql, params).fetchall())


def rescore(con: duckdb.DuckDBPyConnection, rubric: Optional[Rubric] = None,
            call_ids: Optional[Sequence[str]] = None, *, progress: ProgressHook = no_progress,
            batch: int = BATCH) -> RescoreSummary:
    """Score stored calls again and store the results (other rubric versions are kept)."""
    from . import standard_rubric

    started = time.perf_counter()
    sentiments = _stored_sentiments(con, call_ids)
    calls: list[Call] = list(store.load_calls(con, call_ids))
    missing = tuple(sorted(set(call_ids or ()) - {c.call_id for c in calls}))
    rubrics: dict[str, Rubric] = {}
    used: dict[str, None] = {}
    pending: list[CallResult] = []
    flagged, total_score, n = 0, 0.0, 0
    total = len(calls)
    progress(ProgressEvent("start", total=total))
    for call in calls:
        r = rubric
        if r is None:
            r = rubrics.get(call.language)
            if r is None:
                r = rubrics[call.language] = standard_rubric(call.language)
        used[f"{r.id} v{r.version}"] = None
        result = score_call(call, r, sentiment=sentiments.get(call.call_id))
        if call.roles_uncertain:
            result = _with_reason(result, "roles uncertain")
        pending.append(result)
        flagged += result.flagged
        total_score += result.score
        n += 1
        if len(pending) >= batch:
            store.save_results(con, pending)
            pending = []
            progress(ProgressEvent("score", call_id=call.call_id, completed=n, total=total))
    if pending:
        store.save_results(con, pending)
    progress(ProgressEvent("done", completed=n, total=total))
    return RescoreSummary(calls=n, flagged=flagged, mean_score=round(total_score / n, 1) if n else None,
                          rubrics=tuple(used), seconds=time.perf_counter() - started, missing=missing)


def _with_reason(result: CallResult, reason: str) -> CallResult:
    import dataclasses

    if reason in result.flag_reasons:
        return result
    return dataclasses.replace(result, flagged=True, flag_reasons=result.flag_reasons + (reason,))
