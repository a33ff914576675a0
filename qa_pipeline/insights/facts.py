"""One row per call in memory, with every rubric item's final outcome as a column: the
dashboard's aggregates (trends, pass rates per item, training needs) read this instead of
joining a million calls to seventeen million findings on every click.

Built from the database on first use (about 10 s for a million calls on 2 cores, under a
second for a hundred thousand) and rebuilt in the background when the database changed,
at most once a minute; until a rebuild finishes the previous facts answer. So aggregate
pages may lag new calls and reviews by about a minute; lists and call details read the
database directly and are always current.

:func:`where` turns a viewer and a filter into conditions over the facts, for the queries
in :mod:`qa_pipeline.insights.queries` and :mod:`qa_pipeline.insights.aggregates`.
"""
from __future__ import annotations

import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import duckdb
import polars as pl

from qa_pipeline.insights.filters import CallFilter, call_filter_clauses, latest_results, scope_clause
from qa_pipeline.privacy.access import Viewer
from qa_pipeline.store.journal import read, session

log = logging.getLogger(__name__)

CHECK_SECONDS = 60.0
CODES = {"pass": 0, "fail": 1, "na": 2}
_SAFE_ITEM = re.compile(r"^[\w.-]{1,64}$")


@dataclass
class _Facts:
    con: duckdb.DuckDBPyConnection  # in-memory, table ``facts``
    items: list[str]  # item ``items[j]`` is column ``i{j}``
    informational: frozenset[str]  # checks with no weight that are not critical (e.g. complaint detection)
    mark: tuple
    checked: float
    lock: threading.Lock
    rebuilding: bool = False


_ALL: dict[str, _Facts] = {}
_GUARD = threading.Lock()


def _mark(db: str) -> tuple:
    """Changes whenever calls, results or finding reviews change."""
    row = read(db, """SELECT (SELECT count(*) FROM call_store), (SELECT max(processed_at) FROM call_store),
        (SELECT count(*) FROM result_store), (SELECT max(scored_at) FROM result_store),
        (SELECT count(*) FROM finding_review_store), (SELECT max(reviewed_at) FROM finding_review_store)""")
    return tuple(row.row(0))


def _build(db: str) -> tuple[duckdb.DuckDBPyConnection, list[str], frozenset[str], tuple]:
    started = time.monotonic()
    with session(db):
        mark = _mark(db)
        checks = read(db, "SELECT check_id, coalesce(max(weight), 0) > 0 OR bool_or(critical) AS scored "
                          "FROM check_store GROUP BY check_id ORDER BY check_id")
        checks = checks.filter(pl.col("check_id").map_elements(lambda i: bool(_SAFE_ITEM.match(i)),
                                                               return_dtype=pl.Boolean))
        items = checks["check_id"].to_list()
        informational = frozenset(checks.filter(~pl.col("scored").fill_null(False))["check_id"].to_list())
        results = latest_results(db)  # the same rule as the lists
        same = "k.call_id = r.call_id" if results == "result_store" else (
            "k.call_id = r.call_id AND k.rubric_id = r.rubric_id AND k.rubric_version = r.rubric_version")
        cols = "".join(
            f", max(CASE WHEN k.check_id = ? THEN CASE coalesce(f.human_outcome, k.outcome) WHEN 'pass' THEN 0 "
            f"WHEN 'fail' THEN 1 WHEN 'na' THEN 2 END END)::TINYINT AS i{j}" for j in range(len(items)))
        frame = read(db, f"""
            WITH r AS (SELECT * FROM {results}),
            o AS (SELECT r.call_id{cols} FROM r JOIN check_store k ON {same}
                  LEFT JOIN finding_review_store f ON f.call_id = k.call_id AND f.check_id = k.check_id
                       AND f.rubric_id = k.rubric_id AND f.rubric_version = k.rubric_version
                  GROUP BY r.call_id)
            SELECT s.call_id, s.started_at, date_trunc('week', s.started_at)::DATE AS week, s.team, s.agent_id,
                   s.agent_name, s.language, s.source, r.score, r.flagged, r.flag_reasons, r.complaint, r.critical_fail, o.* EXCLUDE (call_id)
            FROM call_store s JOIN r ON r.call_id = s.call_id LEFT JOIN o ON o.call_id = s.call_id
            WHERE s.status = 'done'""", items)
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    con.register("_frame", frame)
    con.execute("CREATE TABLE facts AS SELECT * FROM _frame")
    con.unregister("_frame")
    log.info("facts for %s: %d calls, %d items in %.1f s", db, frame.height, len(items), time.monotonic() - started)
    return con, items, informational, mark


def _get(db: str | os.PathLike) -> _Facts:
    db = str(db)
    with _GUARD:
        state = _ALL.get(db)
        if state is None:
            con, items, informational, mark = _build(db)
            state = _ALL[db] = _Facts(con, items, informational, mark, time.monotonic(), threading.Lock())
            return state
    if time.monotonic() - state.checked > CHECK_SECONDS and not state.rebuilding:
        state.checked = time.monotonic()
        if _mark(db) != state.mark:
            state.rebuilding = True
            threading.Thread(target=_rebuild, args=(db, state), daemon=True, name="qa-facts").start()
    return state


def _rebuild(db: str, state: _Facts) -> None:
    try:
        con, items, informational, mark = _build(db)
        with state.lock:
            old, state.con, state.items, state.mark = state.con, con, items, mark
            state.informational = informational
        old.close()
    except Exception:  # keep serving the previous facts; try again at the next check
        log.exception("rebuilding the dashboard facts for %s failed", db)
    finally:
        state.rebuilding = False


def refresh(db: str | os.PathLike) -> None:
    """Look for changes at the next query (after a write), rebuilding in the background."""
    state = _ALL.get(str(db))
    if state is not None:
        state.checked = 0.0


def items(db: str | os.PathLike) -> list[str]:
    return list(_get(db).items)


def query(db: str | os.PathLike, sql: str, params: Sequence[Any] = (),
          tables: Optional[dict[str, pl.DataFrame]] = None) -> pl.DataFrame:
    """Run ``sql`` over the in-memory table ``facts`` (columns: call_id, started_at, week,
    team, agent_id, agent_name, language, source, score, flagged, flag_reasons, complaint,
    critical_fail, and ``i0``… one per item, 0 pass / 1 fail / 2 na), plus ``tables``
    (small frames read from the database just before, e.g. the review queue) by name."""
    state = _get(db)
    with state.lock:
        for name, frame in (tables or {}).items():
            state.con.register(name, frame)
        try:
            return state.con.sql(sql, params=list(params)).pl()
        finally:
            for name in tables or {}:
                state.con.unregister(name)


def item_columns(db: str | os.PathLike, only: Optional[str] = None,
                 scored_only: bool = False) -> list[tuple[str, str]]:
    """``(check_id, column)`` pairs, optionally just the one for ``only``, or only the items
    that count towards the score (not e.g. the complaint detector)."""
    state = _get(db)
    pairs = [(item, f"i{j}") for j, item in enumerate(state.items)]
    return [p for p in pairs if (only is None or p[0] == only)
            and not (scored_only and p[0] in state.informational)]


def where(db: str | os.PathLike, viewer: Viewer, f: CallFilter) -> tuple[str, list]:
    """Conditions over the table ``facts`` (alias-free column names) selecting the calls in
    ``viewer``'s scope that match ``f``, with their parameters."""
    scope, params = scope_clause(viewer)
    filter_clauses, filter_args = call_filter_clauses(f)
    clauses, args = [f"({scope})", *filter_clauses], [*params, *filter_args]
    if f.flag_reason:
        clauses.append("list_contains(flag_reasons, ?)")
        args.append(f.flag_reason)
    if f.failed_item:
        cols = item_columns(db, f.failed_item)
        clauses.append(f"{cols[0][1]} = 1" if cols else "FALSE")  # a column name from the fixed i0, i1 ... list
    return " AND ".join(clauses), args
