"""The dashboard's lists and call details: the review queue, one call, an agent's feedback,
coaching clips and playlists, and how far reviewers agree with the automation. The figures
over many calls (trends, pass rates, training needs, targets) are in
:mod:`qa_pipeline.insights.aggregates`.

Each function takes the database path, the :class:`~qa_pipeline.privacy.access.Viewer` (who is
looking) and plain filter values, runs parameterised SQL on one brief read-only connection
(:mod:`qa_pipeline.store.journal`) and returns a polars DataFrame holding only calls in the
viewer's scope, with text (transcripts, evidence, metadata) already masked for them: pages show
rows as they come. Which calls match a filter is answered by the call facts the store keeps
(:mod:`qa_pipeline.insights.facts`); the details of those calls come from the rest of the
database; lists are paginated and read only the days they show, so a page stays fast with ten
million calls. User input only ever reaches SQL as a
parameter; the few pieces of SQL text built here come from fixed choices::

    viewer = Viewer.of(user)
    rows, total = review_queue("qa.duckdb", viewer, CallFilter(teams=("Team A",)), status="open")
"""
from __future__ import annotations

import functools
import json
import os
from datetime import date
from typing import Any, Callable, NamedTuple, Optional, TypeVar

import polars as pl

from qa_pipeline.insights import facts
from qa_pipeline.insights.aggregates import WordsFound, failing_call_facts, find_call_facts, words_found
from qa_pipeline.insights.filters import CallFilter, call_filter_clauses, latest_results, scope_clause
from qa_pipeline.privacy.access import Viewer, mask_identifiers, visible_metadata
from qa_pipeline.store.call_facts import of_calls
from qa_pipeline.store.journal import read, session

__all__ = [
    "FoundFindings",
    "PAGE_SIZE",
    "agent_calls_failing",
    "agent_reviews",
    "agreement",
    "agreement_by_model",
    "call_acknowledgements",
    "call_disputes",
    "call_findings",
    "call_header",
    "call_turns",
    "clip_excerpt",
    "flagged_unqueued",
    "playlist_clips",
    "playlists",
    "review_queue",
    "score_agreement",
    "search_findings",
    "setting",
    "specialists",
]

PAGE_SIZE = 50
_SORTS = {"newest": "started_at DESC NULLS LAST, call_id",
          "worst": "score ASC NULLS LAST, started_at DESC NULLS LAST, call_id"}

F = TypeVar("F", bound=Callable[..., Any])


def _one_connection(fn: F) -> F:
    """Run all of a query function's SQL on one brief read-only connection."""
    @functools.wraps(fn)
    def wrapper(db: str | os.PathLike, *args: Any, **kwargs: Any) -> Any:
        with session(db):
            return fn(db, *args, **kwargs)
    return wrapper  # type: ignore[return-value]


def _masked(viewer: Viewer, frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """``frame`` with long numbers in the text ``columns`` masked, for viewers who may not see
    customer identifiers."""
    if not viewer.masks_identifiers or frame.is_empty():
        return frame
    return frame.with_columns(pl.Series(c, [None if t is None else mask_identifiers(t) for t in frame[c].to_list()],
                                        dtype=pl.String) for c in columns)


def _metadata_shown(viewer: Viewer, meta: Optional[str]) -> Optional[str]:
    """The call's metadata JSON as ``viewer`` may see it; ``None`` when unreadable or empty."""
    try:
        data = json.loads(meta) if meta else None
    except ValueError:
        return None
    if isinstance(data, dict):
        data = visible_metadata(viewer, data)
    elif viewer.masks_identifiers:
        return None  # not the usual key/value object: nothing to tell identifiers from the rest
    return json.dumps(data, ensure_ascii=False) if data else None


def _in_scope(viewer: Viewer, call_id: str) -> tuple[str, list]:
    """Whether the viewer may see the call ``call_id`` (a condition for queries about one call)."""
    where, params = scope_clause(viewer)
    return f"EXISTS (SELECT 1 FROM call_store WHERE call_id = ? AND ({where}))", [call_id, *params]


def _calls_cte(db: str | os.PathLike, viewer: Viewer, f: CallFilter, call_id: Optional[str] = None
               ) -> tuple[str, list]:
    """``WITH c AS (calls in scope and filter, with their latest result r)``, only ``call_id``
    if given; ``r`` columns are prefixed: r_score ... Returns SQL and parameters."""
    where, params = scope_clause(viewer)
    filter_clauses, filter_args = call_filter_clauses(f)
    clauses, args = ["status = 'done'", f"({where})", *filter_clauses], [*params, *filter_args]
    if call_id is not None:  # a constant filter on both tables, not a join over every call
        clauses.append("call_id = ?")
        args.append(call_id)
    result_clauses = []
    if f.flag_reason:
        result_clauses.append("list_contains(r.flag_reasons, ?)")
        args.append(f.flag_reason)
    if f.failed_item:  # the facts know each call's final outcomes: far cheaper than the findings table
        result_clauses.append("r.call_id IN (SELECT call_id FROM call_fact_store WHERE list_contains(failed, ?))")
        args.append(f.failed_item)
    if call_id is not None:
        args.insert(len(params) + len(filter_args) + 1, call_id)  # the result table's, after the call's
    sql = f"""WITH c AS (
        SELECT s.call_id, s.source_path, s.source, s.language, s.agent_id, s.agent_name, s.team, s.started_at,
               s.duration, r.rubric_id, r.rubric_version, r.score, r.flagged, r.flag_reasons, r.complaint,
               r.critical_fail
        FROM (SELECT * FROM call_store WHERE {' AND '.join(clauses)}) s
        JOIN (SELECT * FROM {latest_results(db)} WHERE {'call_id = ?' if call_id is not None else 'TRUE'}) r
             ON r.call_id = s.call_id
        {('WHERE ' + ' AND '.join(result_clauses)) if result_clauses else ''})"""
    return sql, args


@_one_connection
def review_queue(db: str | os.PathLike, viewer: Viewer, f: CallFilter, *, assignee: Optional[str] = None,
                 status: str = "open", order: str = "newest", page: int = 0) -> tuple[pl.DataFrame, int]:
    """Queued calls (flagged, sampled or disputed) — one page of them and the total.

    ``status``: 'open' (not reviewed yet, or an open dispute), 'reviewed' or 'all'. Read from
    the queued calls' facts (``queue_fact_store``): one table of the queued calls, no join; a
    worst-first page from the queue's first rows worst-first (``queue_worst_store``, a prefix
    of that order: a full page there is the page) when they hold a full one.
    """
    where, args = facts.call_where(viewer, f)
    open_sql = "(reviewer IS NULL OR open_disputes > 0)"
    where += " AND " + {"open": open_sql, "reviewed": f"NOT {open_sql}", "all": "TRUE"}[status]
    if assignee is not None:
        where += " AND assignee = ?"
        args.append(assignee)
    columns = """call_id, started_at, team, agent_id, agent_name, language, source, score AS auto_score,
               human_score, flagged, flag_reasons, critical_fail, complaint, queued_for, assignee, reviewer,
               reviewed_at, open_disputes"""
    total = read(db, f"SELECT count(*) AS n FROM queue_fact_store WHERE {where}", args)["n"][0]
    page_of = functools.partial(facts.newest, db, columns, where, args, limit=PAGE_SIZE,
                                offset=max(page, 0) * PAGE_SIZE, order=_SORTS.get(order, _SORTS["newest"]))
    if order == "worst":  # the queue's first rows worst-first: they hold the page unless the filter is narrow
        rows = page_of(source="queue_worst_store")
        if rows.height == PAGE_SIZE:
            return rows, int(total)
    return page_of(source="queue_fact_store"), int(total)


@_one_connection
def flagged_unqueued(db: str | os.PathLike, viewer: Viewer) -> int:
    """Flagged calls not in any queue yet (waiting to be shared out): the flagged calls the day
    sums count less the flagged calls queued."""
    where, args = scope_clause(viewer)
    return int(read(db, f"""SELECT (SELECT coalesce(sum(flagged), 0) FROM daily_call_store WHERE {where})
            - (SELECT count(*) FROM queue_fact_store WHERE flagged AND ({where})) AS n""", [*args, *args])["n"][0])


_LATEST = ("rubric_id", "rubric_version", "scored_at")
"""The columns of ``call_fact_store`` naming a call's latest result, which :func:`_findings_of` reads."""
LATEST_RESULT = ", ".join(_LATEST)


def _findings_of(db: str | os.PathLike, calls: pl.DataFrame, item: Optional[str] = None,
                 outcome: Optional[str] = None) -> pl.DataFrame:
    """The findings (of each call's latest result) of a few calls (``calls``: their call id
    and :data:`LATEST_RESULT` columns from their facts), with their final outcome. Looked up
    by each result's time as well as the call id: the findings are stored in the order they
    were scored, so the scan skips every row group but those holding them (zone maps), where
    by id alone it read all of them when ids do not follow that order (migration 22). Their
    reviews are read through the reviews' index on the call id (migration 24), not joined to
    every review stored (a page of 50 calls at 10 M calls with ids scattered: 123 → 19 ms CPU)."""
    ids = calls["call_id"].to_list()
    # Bounded in a subquery of its own, by the ids and times alone: a bound on the least and
    # greatest id beside them kept DuckDB from checking the times against the zone maps. The
    # times' first and last, not ``= ANY(list)``: with an item and an outcome asked, DuckDB
    # planned that as a join above the scan, which then read every row group (391 → 14 ms CPU
    # at 2 M calls); the join on each call's rubric below keeps its latest result's alone.
    # And the times themselves beside their first and last: a page of an agent's calls found
    # over a year spans months, every row group of which the range alone read (1 M calls: 40
    # of 139 row groups, with ``= ANY`` 28, at most one or two per call whatever the centre).
    times = calls["scored_at"].to_list()
    found = ["call_id IN (SELECT unnest(?::VARCHAR[]))", "scored_at BETWEEN ? AND ?",
             "scored_at = ANY(?::TIMESTAMPTZ[])"]
    args: list = [ids, min(times, default=None), max(times, default=None), times]
    if item:
        found.append("check_id = ?")
        args.append(item)
    final = ["coalesce(f.human_outcome, k.outcome) = ?"] if outcome else []
    return read(db, f"""SELECT k.call_id, k.check_id, coalesce(f.human_outcome, k.outcome) AS outcome, k.evidence_text,
            k.evidence_speaker, k.evidence_start, k.evidence_end, k.rule, f.comment AS review_comment, f.reviewer
        FROM (SELECT * FROM check_store WHERE {' AND '.join(found)}) k
        JOIN (SELECT unnest(?::VARCHAR[]) AS call_id, unnest(?::VARCHAR[]) AS rubric_id,
                     unnest(?::VARCHAR[]) AS rubric_version) r
             ON r.call_id = k.call_id AND r.rubric_id = k.rubric_id AND r.rubric_version = k.rubric_version
        LEFT JOIN {of_calls("finding_review_store", "call_id IN (SELECT unnest(?::VARCHAR[]))")} f
             ON f.call_id = k.call_id AND f.check_id = k.check_id
             AND f.rubric_id = k.rubric_id AND f.rubric_version = k.rubric_version
        WHERE {' AND '.join(final) or 'TRUE'}""",
                [*args, ids, calls["rubric_id"].to_list(), calls["rubric_version"].to_list(), ids,
                 *([outcome] if outcome else [])])


@_one_connection
def call_header(db: str | os.PathLike, viewer: Viewer, call_id: str) -> pl.DataFrame:
    """The call (if the viewer may see it) with its latest result and review; empty otherwise.
    ``metadata`` is the JSON of what the viewer may see of the call's metadata."""
    cte, args = _calls_cte(db, viewer, CallFilter(), call_id)
    header = read(db, f"""{cte}
        SELECT c.*, k.metadata, v.human_score, v.reviewer, v.reviewed_at, v.comment AS review_comment,
               q.assignee, q.reason AS queued_for
        FROM c JOIN call_store k ON k.call_id = c.call_id
        LEFT JOIN review_store v ON v.call_id = c.call_id AND v.rubric_id = c.rubric_id
             AND v.rubric_version = c.rubric_version
        LEFT JOIN queue_store q ON q.call_id = c.call_id
        WHERE c.call_id = ?""", args + [call_id])
    return header.with_columns(pl.Series("metadata", [_metadata_shown(viewer, m) for m in header["metadata"]],
                                         dtype=pl.String))


def _stored_at(db: str | os.PathLike, call_id: str) -> list:
    """When the call was stored (a list, empty for no such call): its turns carry that time and
    are stored in the order calls are, so the bound reads their row groups alone, whatever the
    ids (migration 23)."""
    return read(db, "SELECT processed_at FROM call_store WHERE call_id = ?", [call_id])["processed_at"].to_list()


@_one_connection
def call_turns(db: str | os.PathLike, viewer: Viewer, call_id: str) -> pl.DataFrame:
    """The transcript of a call the viewer may see (empty otherwise), masked for them."""
    scoped, args = _in_scope(viewer, call_id)
    turns = read(db, 'SELECT turn, speaker, start_s AS "start", end_s AS "end", text FROM turn_store '
                     f"WHERE call_id = ? AND stored_at = ANY(?::TIMESTAMPTZ[]) AND {scoped} ORDER BY turn",
                 [call_id, _stored_at(db, call_id), *args])
    return _masked(viewer, turns, "text")


@_one_connection
def call_findings(db: str | os.PathLike, viewer: Viewer, call_id: str, rubric_id: str, version: str) -> pl.DataFrame:
    """Each rubric item of the call with outcome, evidence (masked for the viewer) and its
    review, if any; empty for a call the viewer may not see."""
    scoped, args = _in_scope(viewer, call_id)
    # the result's time bounds its findings: their row groups alone, whatever the ids (migration 22)
    scored_at = read(db, "SELECT scored_at FROM result_store WHERE call_id = ? AND rubric_id = ? "
                         "AND rubric_version = ?", [call_id, rubric_id, version])["scored_at"].to_list()
    found = read(db, f"""SELECT check_id, outcome, critical, weight, evidence_text, evidence_speaker,
            evidence_start, evidence_end, rule, verdict, human_outcome, final_outcome, reviewer, review_comment
        FROM final_check_results WHERE call_id = ? AND rubric_id = ? AND rubric_version = ?
             AND scored_at = ANY(?::TIMESTAMPTZ[]) AND {scoped}
        ORDER BY check_id""", [call_id, rubric_id, version, scored_at, *args])
    return _masked(viewer, found, "evidence_text")


@_one_connection
def call_disputes(db: str | os.PathLike, viewer: Viewer, call_id: str) -> pl.DataFrame:
    """The disputes of a call the viewer may see, oldest first."""
    scoped, args = _in_scope(viewer, call_id)
    return read(db, "SELECT dispute_id, check_id, opened_by, reason, opened_at, status, resolved_by, resolution, "
                    f"resolved_outcome, resolved_at FROM dispute_store WHERE call_id = ? AND {scoped} "
                    "ORDER BY opened_at", [call_id, *args])


@_one_connection
def call_acknowledgements(db: str | os.PathLike, viewer: Viewer, call_id: str) -> pl.DataFrame:
    """Who acknowledged the review of a call the viewer may see."""
    scoped, args = _in_scope(viewer, call_id)
    return read(db, "SELECT username, comment, acknowledged_at FROM acknowledgement_store "
                    f"WHERE call_id = ? AND {scoped}", [call_id, *args])


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
def agent_calls_failing(db: str | os.PathLike, viewer: Viewer, agent_id: str, check_id: str, f: CallFilter,
                        limit: int = 20) -> pl.DataFrame:
    """The agent's calls where ``check_id`` failed, newest first, with the evidence (masked
    for the viewer)."""
    calls = failing_call_facts(db, viewer, CallFilter(agents=(agent_id,), date_from=f.date_from,
                                                      date_to=f.date_to), check_id,
                               f"call_id, started_at, score, {LATEST_RESULT}", limit)
    found = _findings_of(db, calls, check_id, "fail").drop("check_id", "outcome", "evidence_speaker", "evidence_end")
    return _masked(viewer, calls.drop(_LATEST).join(found, on="call_id").sort("started_at", descending=True),
                   "evidence_text")


@_one_connection
def agent_reviews(db: str | os.PathLike, viewer: Viewer, agent_id: str, f: CallFilter) -> pl.DataFrame:
    """Reviewed calls of the agent with the reviewer's comment, acknowledgement and disputes:
    the reviews of the rubric version of each call's latest result. Read from the review facts
    (``review_fact_store``: the reviews with their calls' facts), not the agent's call facts
    joined to the reviews."""
    where, args = facts.call_where(viewer, CallFilter(agents=(agent_id,), date_from=f.date_from, date_to=f.date_to))
    return read(db, f"""WITH v AS (SELECT call_id, started_at, auto_score, human_score, reviewer, reviewed_at,
                   comment FROM review_fact_store WHERE current AND {where})
        SELECT v.call_id, v.started_at, v.auto_score, v.human_score, v.reviewer, v.reviewed_at,
               v.comment, a.acknowledged_at, coalesce(d.open_disputes, 0) AS open_disputes
        FROM v
        LEFT JOIN (SELECT call_id, max(acknowledged_at) AS acknowledged_at FROM acknowledgement_store
                   WHERE call_id IN (SELECT call_id FROM v) GROUP BY call_id) a ON a.call_id = v.call_id
        LEFT JOIN (SELECT call_id, count(*) AS open_disputes FROM dispute_store WHERE status = 'open'
                   AND call_id IN (SELECT call_id FROM v) GROUP BY call_id) d ON d.call_id = v.call_id
        ORDER BY v.reviewed_at DESC LIMIT 200""", args)


# ---- coaching clips --------------------------------------------------------------------

class FoundFindings(NamedTuple):
    """One page of :func:`search_findings`: the rows, the number of matching findings and,
    when a search for words stopped before the oldest call in the filter, the day it reached
    back to (:data:`~qa_pipeline.insights.aggregates.WORDS_CALLS_FOUND`)."""

    rows: pl.DataFrame
    total: int
    searched_from: Optional[date] = None


def _search_words(words: Optional[str]) -> Optional[str]:
    return (words or "").strip()[:200] or None


@_one_connection
def calls_said(db: str | os.PathLike, viewer: Viewer, f: CallFilter, words: str, *, item: Optional[str] = None,
               outcome: Optional[str] = None) -> WordsFound:
    """The calls a words search of :func:`search_findings` finds (the same arguments but the
    page): given to it as ``found``, its other pages read no turn (the dashboard caches this)."""
    return words_found(db, viewer, f, _search_words(words) or "", item=item, outcome=outcome)


@_one_connection
def search_findings(db: str | os.PathLike, viewer: Viewer, f: CallFilter, *, item: Optional[str] = None,
                    outcome: Optional[str] = None, words: Optional[str] = None,
                    page: int = 0, found: Optional[WordsFound] = None) -> FoundFindings:
    """Findings with their evidence, for clips: by item, outcome and words said in the call.

    One page holds the findings of up to :data:`PAGE_SIZE` calls, newest first, the evidence
    masked for the viewer; the total counts matching findings. A search for words looks at
    the newest calls that said them, up to a cap (``searched_from`` says how far back it got:
    narrower dates, team or agent reach older calls); ``found``: :func:`calls_said` with the
    same arguments (the search is then not run again for another page)."""
    words = _search_words(words)
    calls, total, searched_from = find_call_facts(
        db, viewer, f, f"call_id, started_at, team, agent_name, language, source, {LATEST_RESULT}", item=item,
        outcome=outcome, words=words, found=found if words else None, page=page)
    found = _findings_of(db, calls, item, outcome).select(
        "call_id", "check_id", "outcome", "evidence_text", "evidence_speaker", "evidence_start", "evidence_end")
    rows = calls.drop(_LATEST).join(found, on="call_id").sort(["started_at", "call_id", "check_id"],
                                                              descending=[True, False, False])
    return FoundFindings(_masked(viewer, rows, "evidence_text"), total, searched_from)


@_one_connection
def playlists(db: str | os.PathLike) -> pl.DataFrame:
    return read(db, """SELECT p.playlist_id, p.name, p.owner, p.description, p.created_at, count(k.clip_id) AS clips
        FROM playlist_store p LEFT JOIN playlist_clip_store k USING (playlist_id)
        GROUP BY ALL ORDER BY p.created_at DESC""")


@_one_connection
def playlist_clips(db: str | os.PathLike, viewer: Viewer, playlist_id: str) -> pl.DataFrame:
    """The clips of a playlist whose calls the viewer may see, in the order they were added."""
    where, params = scope_clause(viewer)
    return read(db, f"""SELECT k.clip_id, k.call_id, k.check_id, k.start_s, k.end_s, k.note, k.added_by, k.added_at,
               c.source, c.language, c.team, c.agent_name
        FROM playlist_clip_store k JOIN (SELECT * FROM call_store WHERE ({where})) c ON c.call_id = k.call_id
        WHERE k.playlist_id = ? ORDER BY k.added_at, k.clip_id""", list(params) + [playlist_id])


@_one_connection
def clip_excerpt(db: str | os.PathLike, viewer: Viewer, call_id: str, start: Optional[float],
                 end: Optional[float]) -> list[str]:
    """The transcript lines a playlist clip covers (``start_s``..``end_s`` as stored), written
    ``"[01:02] agent: ..."`` and masked for the viewer. Empty for a call the viewer may not
    see, a clip without times, or a call without turn times (an imported chat log)."""
    if start is None:
        return []
    start = max(0.0, start)
    scoped, args = _in_scope(viewer, call_id)
    turns = read(db, f"""SELECT start_s, speaker, text FROM turn_store
        WHERE call_id = ? AND stored_at = ANY(?::TIMESTAMPTZ[]) AND {scoped}
          AND start_s IS NOT NULL AND end_s IS NOT NULL AND end_s >= ? AND start_s <= ?
        ORDER BY turn""", [call_id, _stored_at(db, call_id), *args, start, end if end is not None else start])
    lines = [f"[{int(s // 60):02d}:{int(s % 60):02d}] {who}: {text}" for s, who, text in turns.iter_rows()]
    return [mask_identifiers(line) for line in lines] if viewer.masks_identifiers else lines


# ---- team trends -----------------------------------------------------------------------

@_one_connection
def agreement(db: str | os.PathLike, viewer: Viewer, f: CallFilter) -> pl.DataFrame:
    """How far the automation can be trusted, per item: of the findings a person reviewed,
    the share they confirmed, the misses (automation passed, person failed) and false alarms."""
    where, args = facts.call_where(viewer, f)
    return read(db, f"""SELECT x.check_id, count(*) AS reviewed,
               avg((x.human_outcome = x.auto_outcome)::INT) AS agreement,
               count(*) FILTER (WHERE x.auto_outcome = 'pass' AND x.human_outcome = 'fail') AS missed,
               count(*) FILTER (WHERE x.auto_outcome = 'fail' AND x.human_outcome = 'pass') AS false_alarms
        FROM call_fact_store c JOIN finding_review_store x ON x.call_id = c.call_id WHERE {where}
        GROUP BY x.check_id ORDER BY x.check_id""", args)


def model_label(version: Optional[int]) -> str:
    """A model version as the agreement view names it: the centre's calibrated versions by
    number, 0 the models trained on the exemplar banks, NULL results stored before versions
    were recorded."""
    if version is None:
        return "not recorded"
    return "exemplar banks" if version == 0 else f"v{version}"


@_one_connection
def agreement_by_model(db: str | os.PathLike, viewer: Viewer, f: CallFilter) -> pl.DataFrame:
    """Per item and model version (``qa calibrate``): how far each version's results agree
    with the reviewers' outcomes, on the reviewed calls it scored. A call's outcome a person
    stands by is their latest review of the finding, else the centre's imported evaluation of
    the item (``qa reviews import``); each version's result of the call is its current one or
    the one kept when a newer version re-scored it (the latest rubric version's). Columns:
    check_id, model_version, model, reviewed, agreement, missed (version passed, person
    failed), false_alarms (version failed, person passed), current (the version of the
    results the dashboard shows now: each call's latest)."""
    where, args = facts.call_where(viewer, f)
    # The store keeps each reviewed finding's outcomes per model version with its call's filter
    # columns (agreement_fact_store, store.call_facts): summing that one table is a fraction of
    # windowing every version's findings, or of joining the rows to every call's facts.
    rows = read(db, f"""SELECT check_id, model_version, count(*) AS reviewed,
               avg((human_outcome = auto_outcome)::INT) AS agreement,
               count(*) FILTER (WHERE auto_outcome = 'pass' AND human_outcome = 'fail') AS missed,
               count(*) FILTER (WHERE auto_outcome = 'fail' AND human_outcome = 'pass') AS false_alarms,
               bool_or(current) AS current
        FROM agreement_fact_store WHERE {where}
        GROUP BY check_id, model_version ORDER BY check_id, model_version NULLS FIRST""", args)
    return rows.with_columns(pl.Series("model", [model_label(v) for v in rows["model_version"].to_list()],
                                       dtype=pl.String)).select(
        "check_id", "model_version", "model", "reviewed", "agreement", "missed", "false_alarms", "current")


@_one_connection
def score_agreement(db: str | os.PathLike, viewer: Viewer, f: CallFilter) -> pl.DataFrame:
    """Reviewed calls by why they were queued: how many, the mean gap between automatic and
    human score, and how many the automation passed but the person flagged (score down 10+).
    Each call's latest review, read from the review facts (``review_fact_store``: the reviews
    with their calls' facts and queue reason), not the reviews joined to every call's facts."""
    where, args = facts.call_where(viewer, f)
    return read(db, f"""SELECT coalesce(queued_for, 'not queued') AS queued_for, count(*) AS reviewed,
               avg(abs(human_score - auto_score)) AS mean_gap,
               count(*) FILTER (WHERE NOT flagged AND human_score < auto_score - 10) AS passed_wrongly
        FROM review_fact_store WHERE latest AND {where} GROUP BY ALL ORDER BY 1""", args)
