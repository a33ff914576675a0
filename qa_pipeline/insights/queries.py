"""Every query the dashboard and the weekly report run (with :mod:`qa_pipeline.insights.aggregates`,
re-exported at the bottom).

Each function takes the database path, the viewer's call scope (``access.call_scope(user)``:
a predicate over ``team``/``agent_id`` and its parameters) and plain filter values, runs
parameterised SQL on one brief read-only connection (:mod:`qa_pipeline.store.journal`) and
returns a polars DataFrame. Which calls match a filter is answered by the in-memory call
facts (:mod:`qa_pipeline.insights.facts`); the details of those calls come from the database; lists
are paginated, so a page stays fast with a million calls. User input only ever reaches SQL
as a parameter; the few pieces of SQL text built here come from fixed choices.
"""
from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Optional, Sequence, TypeVar

import polars as pl

from qa_pipeline.store.journal import read, session

__all__ = [
    "CallFilter", "PAGE_SIZE", "Scope", "review_queue", "flagged_unqueued", "call_header", "call_turns",
    "call_findings", "call_disputes", "call_acknowledgements", "specialists", "setting", "agent_calls_failing",
    "agent_reviews", "search_findings", "playlists", "playlist_clips", "agreement", "score_agreement",
    "agent_items", "agent_weekly", "failing_calls", "filter_options", "find_calls", "item_pass_by_team",
    "new_agents", "targets", "training_needs", "weekly_trends",
]

Scope = tuple[str, Sequence[Any]]
PAGE_SIZE = 50
_SORTS = {"newest": "c.started_at DESC NULLS LAST, c.call_id",
          "worst": "c.score ASC NULLS LAST, c.started_at DESC NULLS LAST, c.call_id"}


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


F = TypeVar("F", bound=Callable[..., Any])


def _one_connection(fn: F) -> F:
    """Run all of a query function's SQL on one brief read-only connection."""
    @functools.wraps(fn)
    def wrapper(db: str | os.PathLike, *args: Any, **kwargs: Any) -> Any:
        with session(db):
            return fn(db, *args, **kwargs)
    return wrapper  # type: ignore[return-value]


_VERSIONS: dict[str, tuple[float, bool]] = {}


def _results(db: str | os.PathLike) -> str:
    """The latest result per call. With one rubric version in the database (the usual case)
    that is the result table itself, which spares a window over every result. Whether there
    is more than one is looked up once a minute."""
    seen = _VERSIONS.get(str(db))
    if seen is None or time.monotonic() - seen[0] > 60:
        n = read(db, "SELECT count(*) AS n FROM (SELECT DISTINCT rubric_id, rubric_version FROM result_store)")["n"][0]
        seen = _VERSIONS[str(db)] = (time.monotonic(), n > 1)
    if not seen[1]:
        return "result_store"
    return ("(SELECT * FROM result_store QUALIFY row_number() OVER "
            "(PARTITION BY call_id ORDER BY scored_at DESC) = 1)")


def call_filter_clauses(f: CallFilter) -> tuple[list[str], list]:
    """The team, agent, language and date conditions of a filter, over call columns, with
    their parameters (shared by these queries and the aggregates over the call facts)."""
    clauses: list[str] = []
    args: list = []
    for column, values in (("team", f.teams), ("agent_id", f.agents), ("language", f.languages)):
        if values:
            clauses.append(f"{column} IN (SELECT unnest(?))")
            args.append(list(values))
    if f.date_from:
        clauses.append("started_at >= ?::DATE")
        args.append(f.date_from)
    if f.date_to:
        clauses.append("started_at < ?::DATE + INTERVAL 1 DAY")
        args.append(f.date_to)
    return clauses, args


def _calls_cte(db: str | os.PathLike, scope: Scope, f: CallFilter = CallFilter()) -> tuple[str, list]:
    """``WITH c AS (calls in scope and filter, with their latest result r)``; ``r`` columns
    are prefixed: r_score ... Returns SQL and parameters."""
    where, params = scope
    filter_clauses, filter_args = call_filter_clauses(f)
    clauses, args = ["status = 'done'", f"({where})", *filter_clauses], [*params, *filter_args]
    result_clauses = []
    if f.flag_reason:
        result_clauses.append("list_contains(r.flag_reasons, ?)")
        args.append(f.flag_reason)
    if f.failed_item:  # the facts know each call's final outcomes: far cheaper than the findings table
        result_clauses.append("r.call_id IN (SELECT unnest(?))")
        args.append(failing_calls(db, scope, f, f.failed_item))
    sql = f"""WITH c AS (
        SELECT s.call_id, s.source_path, s.source, s.language, s.agent_id, s.agent_name, s.team, s.started_at,
               s.duration, r.rubric_id, r.rubric_version, r.score, r.flagged, r.flag_reasons, r.complaint,
               r.critical_fail
        FROM (SELECT * FROM call_store WHERE {' AND '.join(clauses)}) s
        JOIN {_results(db)} r ON r.call_id = s.call_id
        {('WHERE ' + ' AND '.join(result_clauses)) if result_clauses else ''})"""
    return sql, args


def _queue_state(db: str | os.PathLike, assignee: Optional[str] = None) -> pl.DataFrame:
    """Every queued call with its latest review and open disputes (small tables, read fresh)."""
    return read(db, """SELECT q.call_id, q.assignee, q.reason AS queued_for, v.human_score, v.reviewer, v.reviewed_at,
            coalesce(d.open_disputes, 0) AS open_disputes
        FROM queue_store q
        LEFT JOIN (SELECT * FROM review_store QUALIFY row_number() OVER (PARTITION BY call_id
                   ORDER BY reviewed_at DESC) = 1) v ON v.call_id = q.call_id
        LEFT JOIN (SELECT call_id, count(*) AS open_disputes FROM dispute_store WHERE status = 'open'
                   GROUP BY call_id) d ON d.call_id = q.call_id
        WHERE ?::VARCHAR IS NULL OR q.assignee = ?""", [assignee, assignee])


@_one_connection
def review_queue(db: str | os.PathLike, scope: Scope, f: CallFilter, *, assignee: Optional[str] = None,
                 status: str = "open", order: str = "newest", page: int = 0) -> tuple[pl.DataFrame, int]:
    """Queued calls (flagged, sampled or disputed) — one page of them and the total.

    ``status``: 'open' (not reviewed yet, or an open dispute), 'reviewed' or 'all'.
    """
    from qa_pipeline.insights import facts
    from qa_pipeline.insights.aggregates import _where

    where, args = _where(db, scope, f)
    open_sql = "(q.reviewer IS NULL OR q.open_disputes > 0)"
    where += " AND " + {"open": open_sql, "reviewed": f"NOT {open_sql}", "all": "TRUE"}[status]
    queue = {"q": _queue_state(db, assignee)}
    body = f"""SELECT c.call_id, c.started_at, c.team, c.agent_id, c.agent_name, c.language, c.source,
               c.score AS auto_score, q.human_score, c.flagged, c.flag_reasons, c.critical_fail, c.complaint,
               q.queued_for, q.assignee, q.reviewer, q.reviewed_at, q.open_disputes
        FROM facts c JOIN q ON q.call_id = c.call_id WHERE {where}"""
    total = facts.query(db, f"SELECT count(*) AS n FROM ({body})", args, queue)["n"][0]
    rows = facts.query(db, f"{body} ORDER BY {_SORTS.get(order, _SORTS['newest'])} LIMIT ? OFFSET ?",
                       args + [PAGE_SIZE, max(page, 0) * PAGE_SIZE], queue)
    return rows, int(total)


@_one_connection
def flagged_unqueued(db: str | os.PathLike, scope: Scope) -> int:
    """Flagged calls not in any queue yet (waiting to be shared out)."""
    from qa_pipeline.insights import facts
    from qa_pipeline.insights.aggregates import _where

    where, args = _where(db, scope, CallFilter())
    queued = {"q": read(db, "SELECT call_id FROM queue_store")}
    return int(facts.query(db, f"SELECT count(*) AS n FROM facts c WHERE {where} AND flagged AND call_id NOT IN "
                               "(SELECT call_id FROM q)", args, queued)["n"][0])


def _findings_of(db: str | os.PathLike, ids: list[str], item: Optional[str] = None,
                 outcome: Optional[str] = None) -> pl.DataFrame:
    """The findings (of each call's latest result) of a few calls, with their final outcome."""
    latest = "" if _results(db) == "result_store" else (
        " AND (k.rubric_id, k.rubric_version) = (SELECT (r.rubric_id, r.rubric_version) FROM result_store r "
        "WHERE r.call_id = k.call_id ORDER BY r.scored_at DESC LIMIT 1)")
    conds, args = ["k.call_id IN (SELECT unnest(?))"], [ids]
    if item:
        conds.append("k.check_id = ?")
        args.append(item)
    if outcome:
        conds.append("coalesce(f.human_outcome, k.outcome) = ?")
        args.append(outcome)
    return read(db, f"""SELECT k.call_id, k.check_id, coalesce(f.human_outcome, k.outcome) AS outcome, k.evidence_text,
            k.evidence_speaker, k.evidence_start, k.evidence_end, k.rule, f.comment AS review_comment, f.reviewer
        FROM check_store k LEFT JOIN finding_review_store f ON f.call_id = k.call_id AND f.check_id = k.check_id
             AND f.rubric_id = k.rubric_id AND f.rubric_version = k.rubric_version
        WHERE {' AND '.join(conds)}{latest}""", args)


@_one_connection
def call_header(db: str | os.PathLike, scope: Scope, call_id: str) -> pl.DataFrame:
    """The call (if the viewer may see it) with its latest result and review; empty otherwise."""
    cte, args = _calls_cte(db, scope)
    return read(db, f"""{cte}
        SELECT c.*, k.metadata, v.human_score, v.reviewer, v.reviewed_at, v.comment AS review_comment,
               q.assignee, q.reason AS queued_for
        FROM c JOIN call_store k ON k.call_id = c.call_id
        LEFT JOIN review_store v ON v.call_id = c.call_id AND v.rubric_id = c.rubric_id
             AND v.rubric_version = c.rubric_version
        LEFT JOIN queue_store q ON q.call_id = c.call_id
        WHERE c.call_id = ?""", args + [call_id])


@_one_connection
def call_turns(db: str | os.PathLike, call_id: str) -> pl.DataFrame:
    """The transcript (ask :func:`call_header` first: it applies the viewer's scope)."""
    return read(db, 'SELECT turn, speaker, start_s AS "start", end_s AS "end", text FROM turn_store '
                    "WHERE call_id = ? ORDER BY turn", [call_id])


@_one_connection
def call_findings(db: str | os.PathLike, call_id: str, rubric_id: str, version: str) -> pl.DataFrame:
    """Each rubric item of the call with outcome, evidence and its review (if any)."""
    return read(db, """SELECT check_id, outcome, critical, weight, evidence_text, evidence_speaker,
            evidence_start, evidence_end, rule, verdict, human_outcome, final_outcome, reviewer, review_comment
        FROM final_check_results WHERE call_id = ? AND rubric_id = ? AND rubric_version = ?
        ORDER BY check_id""", [call_id, rubric_id, version])


@_one_connection
def call_disputes(db: str | os.PathLike, call_id: str) -> pl.DataFrame:
    return read(db, "SELECT dispute_id, check_id, opened_by, reason, opened_at, status, resolved_by, resolution, "
                    "resolved_outcome, resolved_at FROM dispute_store WHERE call_id = ? ORDER BY opened_at",
                [call_id])


@_one_connection
def call_acknowledgements(db: str | os.PathLike, call_id: str) -> pl.DataFrame:
    return read(db, "SELECT username, comment, acknowledged_at FROM acknowledgement_store WHERE call_id = ?",
                [call_id])


@_one_connection
def specialists(db: str | os.PathLike) -> list[str]:
    return read(db, "SELECT username FROM app_user WHERE role = 'qa' AND coalesce(active, TRUE) "
                    "ORDER BY username")["username"].to_list()


@_one_connection
def setting(db: str | os.PathLike, key: str) -> Optional[str]:
    rows = read(db, "SELECT value FROM setting_store WHERE key = ?", [key])
    return rows["value"][0] if rows.height else None


# ---- agent feedback -------------------------------------------------------------------

@_one_connection
def agent_calls_failing(db: str | os.PathLike, scope: Scope, agent_id: str, check_id: str, f: CallFilter,
                        limit: int = 20) -> pl.DataFrame:
    """The agent's calls where ``check_id`` failed, newest first, with the evidence."""
    from qa_pipeline.insights import facts

    ids = failing_calls(db, scope, CallFilter(agents=(agent_id,), date_from=f.date_from, date_to=f.date_to),
                        check_id, limit=limit)
    calls = facts.query(db, "SELECT call_id, started_at, score FROM facts WHERE call_id IN (SELECT unnest(?))", [ids])
    found = _findings_of(db, ids, check_id, "fail").drop("check_id", "outcome", "evidence_speaker", "evidence_end")
    return calls.join(found, on="call_id").sort("started_at", descending=True)


@_one_connection
def agent_reviews(db: str | os.PathLike, scope: Scope, agent_id: str, f: CallFilter) -> pl.DataFrame:
    """Reviewed calls of the agent with the reviewer's comment, acknowledgement and disputes."""
    cte, args = _calls_cte(db, scope, CallFilter(agents=(agent_id,), date_from=f.date_from, date_to=f.date_to))
    return read(db, f"""{cte}
        SELECT c.call_id, c.started_at, v.auto_score, v.human_score, v.reviewer, v.reviewed_at,
               v.comment, a.acknowledged_at, coalesce(d.open_disputes, 0) AS open_disputes
        FROM c JOIN review_store v ON v.call_id = c.call_id AND v.rubric_id = c.rubric_id
             AND v.rubric_version = c.rubric_version
        LEFT JOIN (SELECT call_id, max(acknowledged_at) AS acknowledged_at FROM acknowledgement_store
                   GROUP BY call_id) a ON a.call_id = c.call_id
        LEFT JOIN (SELECT call_id, count(*) AS open_disputes FROM dispute_store WHERE status = 'open'
                   GROUP BY call_id) d ON d.call_id = c.call_id
        ORDER BY v.reviewed_at DESC LIMIT 200""", args)


# ---- coaching clips --------------------------------------------------------------------

@_one_connection
def search_findings(db: str | os.PathLike, scope: Scope, f: CallFilter, *, item: Optional[str] = None,
                    outcome: Optional[str] = None, words: Optional[str] = None,
                    page: int = 0) -> tuple[pl.DataFrame, int]:
    """Findings with their evidence, for clips: by item, outcome and words said in the call.

    One page holds the findings of up to :data:`PAGE_SIZE` calls, newest first; the total
    counts matching findings."""
    from qa_pipeline.insights import facts

    said = None
    if words and words.strip():
        words = words.strip()[:200]
        # case-insensitive only where case exists: lower() over every turn triples the time
        match = "contains(text, ?)" if words.lower() == words.upper() else "contains(lower(text), lower(?))"
        said = read(db, f"SELECT DISTINCT call_id FROM turn_store WHERE {match}", [words])["call_id"].to_list()
    ids, total = find_calls(db, scope, f, item=item, outcome=outcome, among=said, page=page)
    calls = facts.query(db, "SELECT call_id, started_at, team, agent_name, language, source FROM facts "
                            "WHERE call_id IN (SELECT unnest(?))", [ids])
    found = _findings_of(db, ids, item, outcome).select(
        "call_id", "check_id", "outcome", "evidence_text", "evidence_speaker", "evidence_start", "evidence_end")
    rows = calls.join(found, on="call_id").sort(["started_at", "call_id", "check_id"], descending=[True, False, False])
    return rows, total


@_one_connection
def playlists(db: str | os.PathLike) -> pl.DataFrame:
    return read(db, """SELECT p.playlist_id, p.name, p.owner, p.description, p.created_at, count(k.clip_id) AS clips
        FROM playlist_store p LEFT JOIN playlist_clip_store k USING (playlist_id)
        GROUP BY ALL ORDER BY p.created_at DESC""")


@_one_connection
def playlist_clips(db: str | os.PathLike, scope: Scope, playlist_id: str) -> pl.DataFrame:
    """The clips of a playlist whose calls the viewer may see, in the order they were added."""
    where, params = scope
    return read(db, f"""SELECT k.clip_id, k.call_id, k.check_id, k.start_s, k.end_s, k.note, k.added_by, k.added_at,
               c.source, c.language, c.team, c.agent_name
        FROM playlist_clip_store k JOIN (SELECT * FROM call_store WHERE ({where})) c ON c.call_id = k.call_id
        WHERE k.playlist_id = ? ORDER BY k.added_at, k.clip_id""", list(params) + [playlist_id])


# ---- team trends -----------------------------------------------------------------------

@_one_connection
def agreement(db: str | os.PathLike, scope: Scope, f: CallFilter) -> pl.DataFrame:
    """How far the automation can be trusted, per item: of the findings a person reviewed,
    the share they confirmed, the misses (automation passed, person failed) and false alarms."""
    from qa_pipeline.insights import facts
    from qa_pipeline.insights.aggregates import _where

    where, args = _where(db, scope, f)
    reviewed = {"x": read(db, "SELECT call_id, check_id, auto_outcome, human_outcome FROM finding_review_store")}
    return facts.query(db, f"""SELECT x.check_id, count(*) AS reviewed,
               avg((x.human_outcome = x.auto_outcome)::INT) AS agreement,
               count(*) FILTER (WHERE x.auto_outcome = 'pass' AND x.human_outcome = 'fail') AS missed,
               count(*) FILTER (WHERE x.auto_outcome = 'fail' AND x.human_outcome = 'pass') AS false_alarms
        FROM facts c JOIN x ON x.call_id = c.call_id WHERE {where}
        GROUP BY x.check_id ORDER BY x.check_id""", args, reviewed)


@_one_connection
def score_agreement(db: str | os.PathLike, scope: Scope, f: CallFilter) -> pl.DataFrame:
    """Reviewed calls by why they were queued: how many, the mean gap between automatic and
    human score, and how many the automation passed but the person flagged (score down 10+)."""
    from qa_pipeline.insights import facts
    from qa_pipeline.insights.aggregates import _where

    where, args = _where(db, scope, f)
    reviewed = {"v": read(db, """SELECT v.call_id, v.auto_score, v.human_score, q.reason
        FROM (SELECT * FROM review_store QUALIFY row_number() OVER (PARTITION BY call_id ORDER BY reviewed_at DESC) = 1) v
        LEFT JOIN queue_store q ON q.call_id = v.call_id""")}
    return facts.query(db, f"""SELECT coalesce(v.reason, 'not queued') AS queued_for, count(*) AS reviewed,
               avg(abs(v.human_score - v.auto_score)) AS mean_gap,
               count(*) FILTER (WHERE NOT c.flagged AND v.human_score < v.auto_score - 10) AS passed_wrongly
        FROM facts c JOIN v ON v.call_id = c.call_id WHERE {where} GROUP BY ALL ORDER BY queued_for""", args, reviewed)


# The aggregates read the in-memory call facts; they are part of this module's interface.
from qa_pipeline.insights.aggregates import (
    agent_items,
    agent_weekly,
    failing_calls,
    filter_options,
    find_calls,
    item_pass_by_team,
    new_agents,
    targets,
    training_needs,
    weekly_trends,
)
