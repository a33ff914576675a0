"""Every query the dashboard and the weekly report run, in one place.

Each function takes the database path, the viewer's call scope (``access.call_scope(user)``:
a predicate over ``team``/``agent_id`` and its parameters) and plain filter values, runs
parameterised SQL on a brief read-only connection (:mod:`qa_pipeline.shared_db`) and
returns a polars DataFrame. Aggregation happens in DuckDB, lists are paginated, so a page
stays fast with a million calls. User input only ever reaches SQL as a parameter; the few
pieces of SQL text built here come from fixed choices (column names, sort orders).
"""
from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Optional, Sequence, TypeVar

import polars as pl

from .shared_db import read, session

Scope = tuple[str, Sequence[Any]]
PAGE_SIZE = 50
_SORTS = {"newest": "c.started_at DESC NULLS LAST, c.call_id",
          "worst": "c.score ASC NULLS LAST, c.started_at DESC, c.call_id"}
_LEVELS = {"centre": "'Centre'", "team": "coalesce(c.team, '(no team)')",
           "agent": "coalesce(c.agent_name, c.agent_id, '(unknown)')"}


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


def _findings_join(db: str | os.PathLike, left: str = "c") -> str:
    """``JOIN <each finding with its final outcome> x ON <the finding belongs to left's result>``.

    With one rubric version the findings join on the call id alone and the (small) finding
    reviews on call and item, which is several times faster than the general view."""
    if _results(db) == "result_store":
        return (f"JOIN (SELECT k.*, f.verdict, f.human_outcome, coalesce(f.human_outcome, k.outcome) AS final_outcome, "
                f"f.reviewer, f.comment AS review_comment FROM check_store k LEFT JOIN finding_review_store f "
                f"ON f.call_id = k.call_id AND f.check_id = k.check_id) x ON x.call_id = {left}.call_id")
    return (f"JOIN final_check_results x ON x.call_id = {left}.call_id AND x.rubric_id = {left}.rubric_id "
            f"AND x.rubric_version = {left}.rubric_version")


def _calls_cte(db: str | os.PathLike, scope: Scope, f: CallFilter = CallFilter()) -> tuple[str, list]:
    """``WITH c AS (calls in scope and filter, with their latest result r)``; ``r`` columns
    are prefixed: r_score ... Returns SQL and parameters."""
    where, params = scope
    clauses, args = ["status = 'done'", f"({where})"], list(params)
    if f.teams:
        clauses.append("team IN (SELECT unnest(?))")
        args.append(list(f.teams))
    if f.agents:
        clauses.append("agent_id IN (SELECT unnest(?))")
        args.append(list(f.agents))
    if f.languages:
        clauses.append("language IN (SELECT unnest(?))")
        args.append(list(f.languages))
    if f.date_from:
        clauses.append("started_at >= ?::DATE")
        args.append(f.date_from)
    if f.date_to:
        clauses.append("started_at < ?::DATE + INTERVAL 1 DAY")
        args.append(f.date_to)
    result_clauses = []
    if f.flag_reason:
        result_clauses.append("list_contains(r.flag_reasons, ?)")
        args.append(f.flag_reason)
    if f.failed_item:
        result_clauses.append("EXISTS (SELECT 1 FROM check_store k WHERE k.call_id = r.call_id AND "
                              "k.rubric_id = r.rubric_id AND k.rubric_version = r.rubric_version AND "
                              "k.check_id = ? AND k.outcome = 'fail')")
        args.append(f.failed_item)
    sql = f"""WITH c AS (
        SELECT s.call_id, s.source_path, s.source, s.language, s.agent_id, s.agent_name, s.team, s.started_at,
               s.duration, r.rubric_id, r.rubric_version, r.score, r.flagged, r.flag_reasons, r.complaint,
               r.critical_fail
        FROM (SELECT * FROM call_store WHERE {' AND '.join(clauses)}) s
        JOIN {_results(db)} r ON r.call_id = s.call_id
        {('WHERE ' + ' AND '.join(result_clauses)) if result_clauses else ''})"""
    return sql, args


@_one_connection
def filter_options(db: str | os.PathLike, scope: Scope) -> dict[str, list]:
    """Values for the filter widgets: teams, agents (id, name), languages, flag reasons, items, dates."""
    where, params = scope
    base = f"FROM call_store WHERE status = 'done' AND ({where})"
    agents = read(db, f"SELECT agent_id, any_value(agent_name) AS agent_name, any_value(team) AS team {base} "
                      "AND agent_id IS NOT NULL GROUP BY agent_id ORDER BY agent_id", params)
    teams = read(db, f"SELECT DISTINCT team {base} AND team IS NOT NULL ORDER BY team", params)
    languages = read(db, f"SELECT DISTINCT language {base} AND language IS NOT NULL ORDER BY language", params)
    dates = read(db, f"SELECT min(started_at)::DATE AS first, max(started_at)::DATE AS last {base}", params)
    reasons = read(db, "SELECT DISTINCT unnest(flag_reasons) AS reason FROM result_store ORDER BY reason")
    items = read(db, "SELECT DISTINCT check_id FROM check_store ORDER BY check_id")
    return {"teams": teams["team"].to_list(), "agents": agents, "languages": languages["language"].to_list(),
            "flag_reasons": reasons["reason"].to_list(), "items": items["check_id"].to_list(),
            "first": dates["first"][0], "last": dates["last"][0]}


@_one_connection
def review_queue(db: str | os.PathLike, scope: Scope, f: CallFilter, *, assignee: Optional[str] = None,
                 status: str = "open", order: str = "newest", page: int = 0) -> tuple[pl.DataFrame, int]:
    """Queued calls (flagged, sampled or disputed) — one page of them and the total.

    ``status``: 'open' (not reviewed yet, or an open dispute), 'reviewed' or 'all'.
    """
    cte, args = _calls_cte(db, scope, f)
    conds = ["TRUE"]
    if assignee:
        conds.append("q.assignee = ?")
        args.append(assignee)
    open_sql = "(v.call_id IS NULL OR d.open_disputes > 0)"
    conds.append({"open": open_sql, "reviewed": f"NOT {open_sql}", "all": "TRUE"}[status])
    body = f"""{cte}
        SELECT c.call_id, c.started_at, c.team, c.agent_id, c.agent_name, c.language, c.source,
               c.score AS auto_score, v.human_score, c.flagged, c.flag_reasons, c.critical_fail, c.complaint,
               q.reason AS queued_for, q.assignee, v.reviewer, v.reviewed_at, coalesce(d.open_disputes, 0) AS open_disputes
        FROM c JOIN queue_store q ON q.call_id = c.call_id
        LEFT JOIN review_store v ON v.call_id = c.call_id AND v.rubric_id = c.rubric_id
             AND v.rubric_version = c.rubric_version
        LEFT JOIN (SELECT call_id, count(*) AS open_disputes FROM dispute_store WHERE status = 'open'
                   GROUP BY call_id) d ON d.call_id = c.call_id
        WHERE {' AND '.join(conds)}"""
    total = read(db, f"SELECT count(*) AS n FROM ({body})", args)["n"][0]
    rows = read(db, f"{body} ORDER BY {_SORTS.get(order, _SORTS['newest'])} LIMIT ? OFFSET ?",
                args + [PAGE_SIZE, max(page, 0) * PAGE_SIZE])
    return rows, int(total)


@_one_connection
def flagged_unqueued(db: str | os.PathLike, scope: Scope) -> int:
    """Flagged calls not in any queue yet (waiting to be shared out)."""
    cte, args = _calls_cte(db, scope)
    return int(read(db, f"{cte} SELECT count(*) AS n FROM c WHERE c.flagged AND c.call_id NOT IN "
                        "(SELECT call_id FROM queue_store)", args)["n"][0])


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
def agent_weekly(db: str | os.PathLike, scope: Scope, agent_id: str, f: CallFilter) -> pl.DataFrame:
    """Weekly average score of the agent and of their team over the same weeks."""
    cte, args = _calls_cte(db, scope, CallFilter(date_from=f.date_from, date_to=f.date_to))
    return read(db, f"""{cte},
        me AS (SELECT any_value(team) AS team FROM c WHERE agent_id = ?)
        SELECT date_trunc('week', started_at)::DATE AS week,
               CASE WHEN agent_id = ? THEN 'agent' ELSE 'team' END AS who,
               avg(score) AS avg_score, count(*) AS calls
        FROM c WHERE team = (SELECT team FROM me)
        GROUP BY ALL ORDER BY week, who""", args + [agent_id, agent_id])


@_one_connection
def agent_items(db: str | os.PathLike, scope: Scope, agent_id: str, f: CallFilter) -> pl.DataFrame:
    """Pass rate per rubric item for the agent against their team (reviewed outcomes count)."""
    cte, args = _calls_cte(db, scope, CallFilter(date_from=f.date_from, date_to=f.date_to))
    return read(db, f"""{cte},
        me AS (SELECT any_value(team) AS team FROM c WHERE agent_id = ?),
        k AS (SELECT c.agent_id, x.check_id, x.final_outcome FROM c {_findings_join(db)}
              WHERE c.team = (SELECT team FROM me) AND x.final_outcome <> 'na')
        SELECT check_id,
               avg(CASE WHEN final_outcome = 'pass' THEN 1.0 ELSE 0.0 END) FILTER (WHERE agent_id = ?) AS agent_pass_rate,
               count(*) FILTER (WHERE agent_id = ?) AS agent_checked,
               avg(CASE WHEN final_outcome = 'pass' THEN 1.0 ELSE 0.0 END) AS team_pass_rate
        FROM k GROUP BY check_id ORDER BY check_id""", args + [agent_id, agent_id, agent_id])


@_one_connection
def agent_calls_failing(db: str | os.PathLike, scope: Scope, agent_id: str, check_id: str, f: CallFilter,
                        limit: int = 20) -> pl.DataFrame:
    """The agent's calls where ``check_id`` failed, newest first, with the evidence."""
    cte, args = _calls_cte(db, scope, CallFilter(agents=(agent_id,), date_from=f.date_from, date_to=f.date_to))
    return read(db, f"""{cte}
        SELECT c.call_id, c.started_at, c.score, x.evidence_text, x.evidence_start, x.rule, x.review_comment,
               x.reviewer
        FROM c {_findings_join(db)}
        WHERE x.check_id = ? AND x.final_outcome = 'fail'
        ORDER BY c.started_at DESC LIMIT ?""", args + [check_id, limit])


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
    """Findings with their evidence, for clips: by item, outcome and words said in the call."""
    cte, args = _calls_cte(db, scope, f)
    conds = ["TRUE"]
    if item:
        conds.append("x.check_id = ?")
        args.append(item)
    if outcome:
        conds.append("x.final_outcome = ?")
        args.append(outcome)
    if words and words.strip():
        conds.append("EXISTS (SELECT 1 FROM turn_store t WHERE t.call_id = c.call_id AND "
                     "contains(lower(t.text), lower(?)))")
        args.append(words.strip()[:200])
    body = f"""{cte}
        SELECT c.call_id, c.started_at, c.team, c.agent_name, c.language, c.source, x.check_id,
               x.final_outcome AS outcome, x.evidence_text, x.evidence_speaker, x.evidence_start, x.evidence_end
        FROM c {_findings_join(db)}
        WHERE {' AND '.join(conds)}"""
    total = read(db, f"SELECT count(*) AS n FROM ({body})", args)["n"][0]
    rows = read(db, f"{body} ORDER BY c.started_at DESC, c.call_id, x.check_id LIMIT ? OFFSET ?",
                args + [PAGE_SIZE, max(page, 0) * PAGE_SIZE])
    return rows, int(total)


@_one_connection
def training_needs(db: str | os.PathLike, scope: Scope, f: CallFilter) -> pl.DataFrame:
    """Fail rate per item, team and week: which items to train, where and whether it improves."""
    cte, args = _calls_cte(db, scope, f)
    return read(db, f"""{cte}
        SELECT x.check_id, coalesce(c.team, '(no team)') AS team, date_trunc('week', c.started_at)::DATE AS week,
               count(*) AS checked, count(*) FILTER (WHERE x.final_outcome = 'fail') AS failed,
               failed / checked AS fail_rate
        FROM c {_findings_join(db)}
        WHERE x.final_outcome <> 'na' GROUP BY ALL ORDER BY week, team, check_id""", args)


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
def weekly_trends(db: str | os.PathLike, scope: Scope, f: CallFilter, level: str = "team") -> pl.DataFrame:
    """Per week and group (centre, team or agent): calls, average score, flagged, complaint and
    critical-failure rates."""
    group = _LEVELS.get(level, _LEVELS["team"])
    cte, args = _calls_cte(db, scope, f)
    return read(db, f"""{cte}
        SELECT date_trunc('week', c.started_at)::DATE AS week, {group} AS "group", count(*) AS calls,
               avg(c.score) AS avg_score, avg(c.flagged::INT) AS flagged_rate,
               avg(c.complaint::INT) AS complaint_rate, count(*) FILTER (WHERE c.critical_fail) AS critical_fails
        FROM c WHERE c.started_at IS NOT NULL GROUP BY ALL ORDER BY week, "group" """, args)


@_one_connection
def item_pass_by_team(db: str | os.PathLike, scope: Scope, f: CallFilter) -> pl.DataFrame:
    cte, args = _calls_cte(db, scope, f)
    return read(db, f"""{cte}
        SELECT x.check_id, coalesce(c.team, '(no team)') AS team, count(*) AS checked,
               avg(CASE WHEN x.final_outcome = 'pass' THEN 1.0 ELSE 0.0 END) AS pass_rate
        FROM c {_findings_join(db)}
        WHERE x.final_outcome <> 'na' GROUP BY ALL ORDER BY check_id, team""", args)


@_one_connection
def agreement(db: str | os.PathLike, scope: Scope, f: CallFilter) -> pl.DataFrame:
    """How far the automation can be trusted, per item: of the findings a person reviewed,
    the share they confirmed, the misses (automation passed, person failed) and false alarms."""
    cte, args = _calls_cte(db, scope, f)
    return read(db, f"""{cte}
        SELECT x.check_id, count(*) AS reviewed,
               avg((x.human_outcome = x.auto_outcome)::INT) AS agreement,
               count(*) FILTER (WHERE x.auto_outcome = 'pass' AND x.human_outcome = 'fail') AS missed,
               count(*) FILTER (WHERE x.auto_outcome = 'fail' AND x.human_outcome = 'pass') AS false_alarms
        FROM c JOIN finding_review_store x ON x.call_id = c.call_id AND x.rubric_id = c.rubric_id
             AND x.rubric_version = c.rubric_version
        GROUP BY x.check_id ORDER BY x.check_id""", args)


@_one_connection
def score_agreement(db: str | os.PathLike, scope: Scope, f: CallFilter) -> pl.DataFrame:
    """Reviewed calls by why they were queued: how many, the mean gap between automatic and
    human score, and how many the automation passed but the person flagged (score down 10+)."""
    cte, args = _calls_cte(db, scope, f)
    return read(db, f"""{cte}
        SELECT coalesce(q.reason, 'not queued') AS queued_for, count(*) AS reviewed,
               avg(abs(v.human_score - v.auto_score)) AS mean_gap,
               count(*) FILTER (WHERE NOT c.flagged AND v.human_score < v.auto_score - 10) AS passed_wrongly
        FROM c JOIN review_store v ON v.call_id = c.call_id AND v.rubric_id = c.rubric_id
             AND v.rubric_version = c.rubric_version
        LEFT JOIN queue_store q ON q.call_id = c.call_id GROUP BY ALL ORDER BY queued_for""", args)


@_one_connection
def new_agents(db: str | os.PathLike, scope: Scope, f: CallFilter, weeks: int = 12) -> pl.DataFrame:
    """Average score by week since hire (0 = the hire week) for agents with calls in their first weeks."""
    cte, args = _calls_cte(db, scope, CallFilter(teams=f.teams))
    return read(db, f"""{cte}
        SELECT c.agent_id, coalesce(c.agent_name, c.agent_id) AS agent, a.hire_date,
               (date_diff('day', a.hire_date, c.started_at::DATE) // 7)::INT AS week_since_hire,
               avg(c.score) AS avg_score, count(*) AS calls
        FROM c JOIN agent_roster a ON a.agent_id = c.agent_id
        WHERE a.hire_date IS NOT NULL AND c.started_at::DATE >= a.hire_date
          AND date_diff('day', a.hire_date, c.started_at::DATE) < ? * 7
        GROUP BY ALL ORDER BY agent, week_since_hire""", args + [weeks])


@_one_connection
def targets(db: str | os.PathLike, scope: Scope, f: CallFilter) -> pl.DataFrame:
    """Each quality target with the value reached over the filtered period and how far ahead
    of it (negative: behind). ``pass_rate`` counts reviewed outcomes where reviewed."""
    cte, args = _calls_cte(db, scope, f)
    return read(db, f"""{cte},
        tc AS (SELECT t.scope, t.scope_id, t.metric, t.target, c.call_id, c.score, c.flagged, c.rubric_id,
                      c.rubric_version
               FROM target_store t LEFT JOIN c ON t.scope = 'centre' OR (t.scope = 'team' AND c.team = t.scope_id)
                    OR (t.scope = 'agent' AND c.agent_id = t.scope_id)),
        per AS (SELECT scope, scope_id, metric, any_value(target) AS target, count(call_id) AS calls,
                       avg(score) AS score, avg(flagged::INT) AS flagged_rate FROM tc GROUP BY ALL),
        pr AS (SELECT tc.scope, tc.scope_id, avg((x.final_outcome = 'pass')::INT) AS pass_rate
               FROM tc {_findings_join(db, "tc")}
               WHERE tc.metric = 'pass_rate' AND x.final_outcome <> 'na' GROUP BY ALL)
        SELECT per.scope, per.scope_id, per.metric, per.target, per.calls,
               CASE per.metric WHEN 'score' THEN per.score WHEN 'flagged_rate' THEN per.flagged_rate
                    ELSE pr.pass_rate END AS actual,
               CASE WHEN per.metric = 'flagged_rate' THEN per.target - actual ELSE actual - per.target END AS ahead_by
        FROM per LEFT JOIN pr ON pr.scope = per.scope AND pr.scope_id = per.scope_id AND per.metric = 'pass_rate'
        WHERE per.calls > 0 OR per.scope = 'centre'
        ORDER BY per.scope, per.scope_id, per.metric""", args)
