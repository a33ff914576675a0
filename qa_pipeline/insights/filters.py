"""Which calls a dashboard query looks at: the viewer's scope, the filter they set, and which
result of a call counts. Everything else in :mod:`qa_pipeline.insights` builds on these
clauses, so a team lead's list, chart and report all see the same calls.

    where, params = scope_clause(viewer)             # "team = ?", ["T1"]
    clauses, args = call_filter_clauses(CallFilter(languages=("zh",)))

User input only ever reaches SQL as a parameter; the SQL text here comes from fixed choices.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import date
from typing import Optional

from qa_pipeline.privacy.access import Viewer
from qa_pipeline.store.journal import read

__all__ = ["CallFilter", "among_ids", "call_filter_clauses", "latest_results", "scope_clause"]


@dataclass(frozen=True)
class CallFilter:
    """What the viewer narrowed the calls to; empty means everything in scope."""

    teams: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()  # agent ids
    date_from: Optional[date] = None
    date_to: Optional[date] = None  # inclusive
    languages: tuple[str, ...] = ()
    flag_reason: Optional[str] = None
    failed_item: Optional[str] = None  # a check_id that failed on the call


def scope_clause(viewer: Viewer) -> tuple[str, list]:
    """A SQL predicate over the ``team`` and ``agent_id`` columns, with its parameters,
    selecting the calls ``viewer`` may see. An unknown or incomplete scope sees nothing."""
    if viewer.scope == "all":
        return "TRUE", []
    if viewer.scope == "team" and viewer.team:
        return "team = ?", [viewer.team]
    if viewer.scope == "agent" and viewer.agent_id:
        return "agent_id = ?", [viewer.agent_id]
    return "FALSE", []


def call_filter_clauses(f: CallFilter, *, by_day: bool = False) -> tuple[list[str], list]:
    """The team, agent, language and date conditions of a filter, over call columns, with
    their parameters (shared by the queries over the database, the call facts and the day
    sums). ``by_day``: the dates compared with a ``day`` column (the day sums') instead of
    ``started_at``."""
    clauses: list[str] = []
    args: list = []
    for column, values in (("team", f.teams), ("agent_id", f.agents), ("language", f.languages)):
        if values:
            clauses.append(f"{column} IN (SELECT unnest(?))")
            args.append(list(values))
    if f.date_from:
        clauses.append("day >= ?::DATE" if by_day else "started_at >= ?::DATE")
        args.append(f.date_from)
    if f.date_to:
        clauses.append("day <= ?::DATE" if by_day else "started_at < ?::DATE + INTERVAL 1 DAY")
        args.append(f.date_to)
    return clauses, args


def among_ids(column: str, ids: list[str]) -> tuple[str, list]:
    """A condition: ``column`` is one of ``ids``, and its parameters. It also bounds the column
    by the least and greatest id, which each scan checks against its row groups' zone maps:
    the newest calls' ids lie in a few row groups, and a join on the list alone read every
    row group (the 50 calls of a page's findings: 0.30 s of CPU at 3 M calls against 7 ms)."""
    if not ids:
        return "FALSE", []
    return f"({column} BETWEEN ? AND ? AND {column} IN (SELECT unnest(?)))", [min(ids), max(ids), list(ids)]


_VERSIONS: dict[str, tuple[float, bool]] = {}


def latest_results(db: str | os.PathLike) -> str:
    """SQL for the latest result per call. With one rubric version in the database (the usual
    case) that is the result table itself, which spares a window over every result. Whether
    there is more than one is looked up once a minute, from the least and greatest id and
    version: no distinct over every result (at three million calls 2 ms of CPU against 62)."""
    seen = _VERSIONS.get(str(db))
    if seen is None or time.monotonic() - seen[0] > 60:
        many = read(db, "SELECT coalesce(min(rubric_id) <> max(rubric_id) OR min(rubric_version) <> "
                        "max(rubric_version), FALSE) AS many FROM result_store")["many"][0]
        seen = _VERSIONS[str(db)] = (time.monotonic(), bool(many))
    if not seen[1]:
        return "result_store"
    return ("(SELECT * FROM result_store QUALIFY row_number() OVER "
            "(PARTITION BY call_id ORDER BY scored_at DESC) = 1)")
