"""Where the dashboard's figures come from: the call facts and day sums the store keeps current
as calls are stored (:mod:`qa_pipeline.store.call_facts`), with the viewer's scope and the
filter applied. Nothing is held in memory between queries: a page at ten million calls reads a
fraction of the day sums (about a million rows in all) or a limited slice of the per-call facts.

* :func:`call_sums` and :func:`item_sums`: SQL of the day sums (calls, scores, flags; passed,
  failed and n/a per item) of the calls a viewer may see that match a filter. A filter on a
  failed item is not a dimension of the sums: those are then summed from the per-call facts.
* :func:`call_where`: conditions over ``call_fact_store`` for the per-call lists.
* :func:`newest`: a page of per-call facts, newest first, reading only the most recent days
  that hold enough matching calls (the day sums say which).
"""
from __future__ import annotations

import os
from datetime import date
from typing import Optional, Sequence

import polars as pl

from qa_pipeline.insights.filters import CallFilter, call_filter_clauses, scope_clause
from qa_pipeline.privacy.access import Viewer
from qa_pipeline.store.call_facts import DIMENSIONS, ITEM_DIMENSIONS
from qa_pipeline.store.journal import read

__all__ = ["OUTCOME_LISTS", "WHERE_COLUMNS", "call_sums", "call_where", "item_ids", "item_sums", "newest"]

OUTCOME_LISTS = {"pass": "passed", "fail": "failed", "na": "na"}
"""Final outcome -> the column of ``call_fact_store`` listing the items that ended so."""

WHERE_COLUMNS = "call_id, started_at, day, team, agent_id, language, flag_reasons, passed, failed, na"
"""The columns of ``call_fact_store`` that :func:`call_where`'s conditions, a finding's
(:data:`OUTCOME_LISTS`) and the newest-first order read."""

_DIMS = ", ".join(DIMENSIONS)
_ITEM_DIMS = ", ".join(ITEM_DIMENSIONS)
_WEEK = "date_trunc('week', day)::DATE AS week"
_INFORMATIONAL = ("(SELECT check_id FROM rubric_item_store GROUP BY check_id HAVING NOT bool_or(scored))")


def item_ids(db: str | os.PathLike) -> list[str]:
    """Every rubric item scored so far, for the filter widgets."""
    return read(db, "SELECT DISTINCT check_id FROM rubric_item_store ORDER BY check_id")["check_id"].to_list()


def _where(viewer: Viewer, f: CallFilter, *, by_day: bool, flag_reason: bool = True) -> tuple[list[str], list]:
    """The scope, team, agent, language, date and flag-reason conditions (the same columns in
    facts and sums; ``by_day``: dates by the ``day`` column, as the sums have no start time)."""
    scope, params = scope_clause(viewer)
    f_clauses, f_args = call_filter_clauses(CallFilter(teams=f.teams, agents=f.agents, languages=f.languages,
                                                       date_from=f.date_from, date_to=f.date_to), by_day=by_day)
    clauses, args = [f"({scope})", *f_clauses], [*params, *f_args]
    if f.flag_reason and flag_reason:
        clauses.append("list_contains(flag_reasons, ?)")
        args.append(f.flag_reason)
    return clauses, args


def call_where(viewer: Viewer, f: CallFilter) -> tuple[str, list]:
    """Conditions over ``call_fact_store`` (alias-free column names) selecting the calls in
    ``viewer``'s scope that match ``f``, with their parameters."""
    clauses, args = _where(viewer, f, by_day=False)
    if f.failed_item:
        clauses.append("list_contains(failed, ?)")
        args.append(f.failed_item)
    return " AND ".join(clauses), args


def _day_where(viewer: Viewer, f: CallFilter, flag_reason: bool = True) -> tuple[str, list]:
    """The same over the day sums (no failed item: the sums are not split by it)."""
    clauses, args = _where(viewer, f, by_day=True, flag_reason=flag_reason)
    return " AND ".join(clauses), args


def call_sums(viewer: Viewer, f: CallFilter, extra: str = "TRUE", extra_args: Sequence = ()) -> tuple[str, list]:
    """SQL of a relation with the day-sum columns (day, week, team, agent_id, agent_name,
    language, flag_reasons; calls, scored, score_sum, flagged, complaints, critical_fails) over
    the calls ``viewer`` may see matching ``f`` and the condition ``extra``, and its parameters."""
    if f.failed_item:
        where, args = call_where(viewer, f)
        return (f"""SELECT {_DIMS}, {_WEEK}, 1 AS calls, (score IS NOT NULL)::INT AS scored,
                coalesce(score, 0) AS score_sum, coalesce(flagged, FALSE)::INT AS flagged,
                coalesce(complaint, FALSE)::INT AS complaints, coalesce(critical_fail, FALSE)::INT AS critical_fails
            FROM call_fact_store WHERE {where} AND ({extra})""", [*args, *extra_args])
    where, args = _day_where(viewer, f)
    return f"SELECT *, {_WEEK} FROM daily_call_store WHERE {where} AND ({extra})", [*args, *extra_args]


def item_sums(viewer: Viewer, f: CallFilter, extra: str = "TRUE", extra_args: Sequence = (), *,
              scored_only: bool = True) -> tuple[str, list]:
    """As :func:`call_sums` per rubric item (without flag_reasons): check_id, passed, failed,
    na. ``scored_only``: leave out informational checks (no weight, not critical: e.g.
    complaint detection). The item sums are not split by flag reason: with a flag reason (or
    a failed item) in ``f`` they are summed from the per-call facts."""
    informational = f"check_id NOT IN {_INFORMATIONAL}" if scored_only else "TRUE"
    if f.failed_item or f.flag_reason:  # not dimensions of the item sums: from the calls' facts
        where, args = call_where(viewer, f)
        lists = " UNION ALL ".join(
            f"SELECT {_ITEM_DIMS}, unnest({name}) AS check_id, {int(name == 'passed')} AS passed, "
            f"{int(name == 'failed')} AS failed, {int(name == 'na')} AS na "
            f"FROM call_fact_store WHERE {where} AND ({extra})" for name in OUTCOME_LISTS.values())
        return (f"SELECT *, {_WEEK} FROM ({lists}) WHERE {informational}",
                [*args, *extra_args] * len(OUTCOME_LISTS))
    where, args = _day_where(viewer, f, flag_reason=False)
    return (f"SELECT *, {_WEEK} FROM daily_item_store WHERE {where} AND ({extra}) AND {informational}",
            [*args, *extra_args])


def newest(db: str | os.PathLike, columns: str, where: str, args: Sequence, *, limit: int, offset: int = 0,
           per_day: Optional[tuple[str, list]] = None, order: str = "started_at DESC NULLS LAST, call_id",
           source: str = "call_fact_store", exact: bool = True) -> pl.DataFrame:
    """``columns`` of the rows of ``source`` (``call_fact_store``, or it joined to more) matching
    ``where``, ``order``-ed (newest first), ``limit`` from ``offset``.

    ``per_day``: SQL (and parameters) of ``(day, n)`` rows counting, per day, the matching
    calls (``exact``: at least; else an estimate). Then only the newest days holding
    ``offset + limit`` of them are read (the facts are stored in time order, so whole row
    groups are skipped); should those days hold fewer, an estimate's window is widened
    (8 and 64 times), then every day is read."""
    page = f"SELECT {columns} FROM {source} WHERE {where}"
    tail = f" ORDER BY {order} LIMIT {int(limit):d} OFFSET {int(max(offset, 0)):d}"
    if per_day is not None:
        for widen in (1,) if exact else (1, 8, 64):
            since = _first_day_needed(db, per_day, (limit + max(offset, 0)) * widen)
            if since is None:
                break
            rows = read(db, f"{page} AND day >= ?::DATE{tail}", [*args, since])
            if rows.height == limit:
                return rows
    return read(db, page + tail, list(args))


def _first_day_needed(db: str | os.PathLike, per_day: tuple[str, list], needed: int) -> Optional[date]:
    """The latest day from which on the counts of ``per_day`` add up to ``needed``; None when
    they never do (every day is needed)."""
    sql, args = per_day
    found = read(db, f"""SELECT day FROM (SELECT day, sum(n) OVER (ORDER BY day DESC) AS upto
            FROM (SELECT day, sum(n) AS n FROM ({sql}) WHERE day IS NOT NULL GROUP BY day))
        WHERE upto >= ? ORDER BY day DESC LIMIT 1""", [*args, needed])
    return found["day"][0] if found.height else None
