"""Scoring results as rows, and writing them: the results side of :mod:`qa_pipeline.store.database`.

:func:`result_rows` turns :class:`~qa_pipeline.records.CallResult` records into columns
(NumPy arrays of Python objects, which DuckDB reads directly); scoring workers hand these
to the process that writes. :func:`write_result_rows` replaces the stored results of the
same calls and rubric versions in bulk, keeping one result per call and rubric version
(the tables have no key index: migrations 6 and 9). Each result records the model version of
the learned judgements that scored it; a result replaced by one of another model version is
kept in the history tables (migrations 15 and 17: its findings only where they changed), so the
current tables still hold one result per call and rubric version. :func:`stored_metrics` reads
back what re-scoring can reuse.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional, Sequence

import duckdb

from qa_pipeline.records import CallResult
from qa_pipeline.store import call_facts
from qa_pipeline.store.embeddings import EMBEDDING_COLUMNS, write_embedding_rows
from qa_pipeline.store.rows import NORM_COLUMNS, columns_of, embedding_rows_to_store

_CHECK_COLUMNS = ("call_id", "rubric_id", "rubric_version", "check_id", "outcome", "critical", "weight",
                  "evidence_text", "evidence_speaker", "evidence_start", "evidence_end", "rule")
_RESULT_COLUMNS = ("call_id", "rubric_id", "rubric_version", "score", "flagged", "flag_reasons", "complaint",
                   "critical_fail")
# Stored with both (the result's, on each of its findings too): CallResult.model_version.
_VERSIONED = ("model_version",)
_METRIC_COLUMNS = ("call_id", "agent_talk_seconds", "customer_talk_seconds", "talk_ratio",
                   "longest_silence_seconds", "silences_over_5s", "agent_talkovers", "speech_rate",
                   "speech_rate_unit", "first_agent_words_seconds", "customer_sentiment")


@dataclass(frozen=True)
class ResultRows:
    """Scoring results as columns (:func:`columns_of`), ready for one bulk insert. Scoring
    workers hand these to the process that writes: a few arrays instead of result objects."""

    checks: dict  # columns _CHECK_COLUMNS + _VERSIONED
    results: dict  # columns _RESULT_COLUMNS + _VERSIONED
    metrics: dict  # columns _METRIC_COLUMNS (one row per call)
    norms: Optional[dict] = None  # columns NORM_COLUMNS: normalised turns to store, if any
    embeddings: Optional[dict] = None  # columns EMBEDDING_COLUMNS: sentence embeddings to store, if any

    @property
    def calls(self) -> int:
        return len(self.results["call_id"])


def result_rows(results: Sequence[CallResult], norms: Sequence[list] = (), embeddings: Sequence[tuple] = ()
                ) -> ResultRows:
    """The rows :func:`write_result_rows` writes for ``results`` (check, call and metric rows),
    ``norms``: :data:`~qa_pipeline.store.rows.NormRow` rows of calls whose normalised turns were (re)made,
    and ``embeddings``: :data:`~qa_pipeline.store.rows.EmbeddingRow` rows of sentences embedded meanwhile."""
    checks, calls, metrics = [], [], {}
    # The same call and rubric version scored twice in one list: the last result counts
    # (the tables have no key index to refuse a repeat; see migrations 6 and 9).
    last = {(r.call_id, r.rubric_id, r.rubric_version): i for i, r in enumerate(results)}
    if len(last) < len(results):
        results = [results[i] for i in sorted(last.values())]
    for r in results:
        key = (r.call_id, r.rubric_id, r.rubric_version)
        version = (r.model_version,)
        critical_fail = False
        for f in r.findings:
            e = f.evidence
            if e is None:
                checks.append(key + (f.check_id, f.outcome, f.critical, f.weight, None, None, None, None, f.rule)
                              + version)
            else:
                checks.append(key + (f.check_id, f.outcome, f.critical, f.weight, e.text, e.speaker, e.start,
                                     e.end, f.rule) + version)
            critical_fail = critical_fail or (f.critical and f.outcome == "fail")
        calls.append(key + (r.score, r.flagged, list(r.flag_reasons), r.complaint, critical_fail) + version)
        m = r.metrics
        metrics[r.call_id] = (r.call_id, m.agent_talk_seconds, m.customer_talk_seconds, m.talk_ratio,
                              m.longest_silence_seconds, m.silences_over_5s, m.agent_talkovers, m.speech_rate,
                              m.speech_rate_unit, m.first_agent_words_seconds, m.customer_sentiment)
    return ResultRows(columns_of(checks, _CHECK_COLUMNS + _VERSIONED), columns_of(calls, _RESULT_COLUMNS + _VERSIONED),
                      columns_of(list(metrics.values()), _METRIC_COLUMNS),
                      columns_of(norms, NORM_COLUMNS) if norms else None,
                      _embedding_columns(embeddings))


def _embedding_columns(embeddings: Sequence[tuple]) -> Optional[dict]:
    rows = embedding_rows_to_store(embeddings)
    return columns_of(rows, EMBEDDING_COLUMNS) if rows else None


def _take(table: dict, keep) -> dict:
    """The rows of a column dict that ``keep`` (a boolean array or a list of positions) selects."""
    return {name: column[keep] for name, column in table.items()}


def _concat(tables: Sequence[dict]) -> dict:
    import numpy as np

    return {name: np.concatenate([t[name] for t in tables]) for name in tables[0]}


def _keys(table: dict) -> list[tuple]:
    return list(zip(table["call_id"].tolist(), table["rubric_id"].tolist(), table["rubric_version"].tolist()))


def _latest_parts(parts: list[ResultRows]) -> list[ResultRows]:
    """``parts`` without the rows of a (call, rubric version) that a later part scores again:
    one stored result per call and rubric version, the last one."""
    import numpy as np

    keys = [_keys(p.results) for p in parts]
    if len(set().union(*keys)) == sum(map(len, keys)):
        return parts  # the usual case: no call twice
    def without(table: dict, later: set) -> dict:
        mask = np.fromiter((k not in later for k in _keys(table)), dtype=bool, count=len(table["call_id"]))
        return _take(table, mask)

    later: set = set()
    out = []
    for part, part_keys in zip(reversed(parts), reversed(keys)):
        if later & set(part_keys):
            part = ResultRows(without(part.checks, later), without(part.results, later), part.metrics, part.norms,
                              part.embeddings)
        later |= set(part_keys)
        out.append(part)
    return out[::-1]


WRITTEN_RESULTS, WRITTEN_CHECKS = "_written_results", "_written_checks"
"""The temporary tables :func:`write_result_rows` leaves its result and finding rows in when asked."""


def write_result_rows(con: duckdb.DuckDBPyConnection, parts: Sequence[ResultRows], *,
                      scored_at: Optional[str] = None, facts: bool = True, keep: bool = False,
                      fresh: bool = False) -> None:
    """The one writer of scoring results, inside the caller's transaction: replace the stored
    results of the same calls and rubric versions, keep the others. ``scored_at``: the ISO
    time stamped on every row of this write (default: now). ``facts=False``: leave the
    dashboard's facts (:mod:`~qa_pipeline.store.call_facts`) to the caller, who refreshes them.
    ``keep``: also leave the rows written in the temporary tables :data:`WRITTEN_RESULTS` and
    :data:`WRITTEN_CHECKS` (the caller drops them), for a refresh that reads them instead of
    looking the calls up in the large tables (:class:`~qa_pipeline.store.call_facts.Stored`).
    ``fresh``: the calls have nothing stored (the writer of calls has just deleted what they
    had, or they are new): no result, finding or metrics of theirs is looked up to replace."""
    parts = [p for p in parts if p.calls]
    if not parts:
        return
    parts = _latest_parts(parts)
    scored_at = scored_at or datetime.now(timezone.utc).isoformat()
    checks = _concat([p.checks for p in parts])
    results = _concat([p.results for p in parts])
    metrics = _concat([p.metrics for p in parts])
    norm_parts = [p.norms for p in parts if p.norms is not None and len(p.norms["call_id"])]
    if norm_parts:  # normalised turns made while scoring (stored before migration 7, or by another version)
        con.register("_new_norms", _concat(norm_parts))
        try:
            con.execute("DELETE FROM turn_norm_store WHERE call_id IN (SELECT call_id FROM _new_norms)")
            con.execute("INSERT INTO turn_norm_store (call_id, normalizer, texts) "
                        "SELECT call_id, normalizer, texts FROM _new_norms")
        finally:
            con.unregister("_new_norms")
    embedding_parts = [p.embeddings for p in parts if p.embeddings is not None and len(p.embeddings["call_id"])]
    if embedding_parts:  # sentences embedded while scoring (none stored, another encoder's, or a changed text)
        write_embedding_rows(con, _concat(embedding_parts))
    ids = metrics["call_id"].tolist()
    if len(set(ids)) < len(ids):
        last = {cid: i for i, cid in enumerate(ids)}
        metrics = _take(metrics, sorted(last.values()))  # a call scored twice: its last metrics
    # ISO text cast by DuckDB: one timestamp for the whole write, not a column built row by row.
    views = {"_new_checks": checks, "_new_results": results, "_new_metrics": metrics}
    for name, table in views.items():
        con.register(name, table)
    try:
        if not fresh:
            _replace_results(con, scored_at)
            con.execute("DELETE FROM metric_store WHERE call_id IN (SELECT call_id FROM _new_metrics)")
        for table, view, columns, written in (
                ("check_store", "_new_checks", _CHECK_COLUMNS + _VERSIONED, WRITTEN_CHECKS),
                ("result_store", "_new_results", _RESULT_COLUMNS + _VERSIONED, WRITTEN_RESULTS)):
            names = ", ".join((*columns, "scored_at"))
            if keep:  # typed as the table: the rows as stored
                con.execute(f"CREATE OR REPLACE TEMP TABLE {written} AS SELECT * FROM {table} WHERE FALSE")
            con.execute(f"INSERT INTO {written if keep else table} ({names}) "
                        f"SELECT {', '.join(columns)}, CAST(? AS TIMESTAMPTZ) FROM {view}", [scored_at])
            if keep:
                con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {written}")
        from qa_pipeline.rubric.metrics import METRICS_VERSION

        con.execute(f"INSERT INTO metric_store ({', '.join(_METRIC_COLUMNS)}, metrics_version) "
                    f"SELECT {', '.join(_METRIC_COLUMNS)}, {METRICS_VERSION:d} FROM _new_metrics")
        call_facts.note_rubric_items(con, "_new_checks")
        if facts:
            call_facts.refresh(con, ids)
    finally:
        for name in views:
            con.unregister(name)


def _replace_results(con: duckdb.DuckDBPyConnection, scored_at: str) -> None:
    """Take the stored results of the calls and rubric versions in ``_new_results`` out, and
    their findings, keeping those of other model versions in history (inside the writer's
    transaction). One DELETE per table for every (call, rubric version) written, not one per
    call. The results are looked up through the call-id index (:data:`_AMONG_NEW`), their findings
    by their times too (a result's findings carry its time and are stored in the order scored):
    their row groups alone, whatever the ids."""
    _keep_other_model_versions(con, scored_at)
    replaced = (f"{{t}}.{_AMONG_NEW} AND [{{t}}.call_id, {{t}}.rubric_id, {{t}}.rubric_version] "
                "IN (SELECT [call_id, rubric_id, rubric_version] FROM _new_results)")
    times = con.execute(f"SELECT list(DISTINCT scored_at) FROM result_store r WHERE {replaced.format(t='r')}"
                        ).fetchone()[0]
    if times:
        con.execute(f"DELETE FROM check_store WHERE scored_at = ANY(?::TIMESTAMPTZ[]) "
                    f"AND {replaced.format(t='check_store')}", [times])
        con.execute(f"DELETE FROM result_store WHERE {replaced.format(t='result_store')}")


_AMONG_NEW = "call_id IN (SELECT call_id FROM _new_results)"
"""The rows of the calls being written, as a semi-join on ``call_id`` alone: DuckDB scans the
call-id index for it (migration 24), not every row group. A join on the call, rubric and version
would push filters of the other columns into the scan, and DuckDB then reads every row group
(where ids do not follow the order calls are stored in): the rubric versions replaced are
matched on one value (a list of the three), which the scan is not filtered on, or on rows read
through the index first
(:func:`~qa_pipeline.store.call_facts.of_calls`)."""


# What a finding says (besides who and when): a stored finding with the same is unchanged.
_FINDING_CONTENT = ("outcome", "critical", "weight", "evidence_text", "evidence_speaker", "evidence_start",
                    "evidence_end", "rule")


def _keep_other_model_versions(con: duckdb.DuckDBPyConnection, replaced_at: str) -> None:
    """Keep history for the results ``_new_results`` replaces (inside the writer's transaction,
    before it deletes them): a stored result of another model version moves to
    ``result_history_store``; a history result of the new result's own model version goes, as
    the new result supersedes it. So each model version has one result per call and rubric
    version, current or in history. A re-score with the same model version (the usual case)
    keeps no history.

    Findings are kept only where they change: a new model version re-decides a few learned
    items and leaves the other checks as they were, so copying every check row (twenty a call)
    would copy mostly what stays current. A finding row in ``check_history_store`` holds from
    its ``scored_at`` until its ``replaced_at``; a finding not copied was the same as the one that
    replaced it. ``check_results_by_model`` (migration 17) gives each history result, per check,
    the earliest stored finding still held after the result was scored."""
    same = ("{t}.call_id = n.call_id AND {t}.rubric_id = n.rubric_id AND {t}.rubric_version = n.rubric_version "
            "AND {t}.model_version {op} n.model_version")
    new = "(SELECT DISTINCT call_id, rubric_id, rubric_version, model_version FROM _new_results) n"
    key = "{a}.call_id = {b}.call_id AND {a}.rubric_id = {b}.rubric_id AND {a}.rubric_version = {b}.rubric_version"
    history = call_facts.of_calls("result_history_store", _AMONG_NEW)
    if con.execute(f"SELECT EXISTS (SELECT 1 FROM {history} h JOIN {new} "
                   f"ON {same.format(t='h', op='IS NOT DISTINCT FROM')})").fetchall()[0][0]:
        con.execute(f"DELETE FROM result_history_store USING {new} "
                    f"WHERE {same.format(t='result_history_store', op='IS NOT DISTINCT FROM')} "
                    f"AND result_history_store.{_AMONG_NEW}")
        # Its findings go too, but for those an earlier history result still reads (it was
        # unchanged when this one replaced it, so its finding is this one's).
        con.execute(f"DELETE FROM check_history_store USING {new} "
                    f"WHERE {same.format(t='check_history_store', op='IS NOT DISTINCT FROM')} "
                    f"AND check_history_store.{_AMONG_NEW} "
                    f"AND NOT EXISTS (SELECT 1 FROM result_history_store r WHERE "
                    f"{key.format(a='r', b='check_history_store')} AND r.scored_at < check_history_store.replaced_at)")
    replaced = (f"SELECT o.call_id, o.rubric_id, o.rubric_version, o.model_version "
                f"FROM {call_facts.of_calls('result_store', _AMONG_NEW)} o JOIN {new} "
                f"ON {same.format(t='o', op='IS DISTINCT FROM')}")
    if con.execute(f"SELECT EXISTS ({replaced})").fetchall()[0][0]:
        names = _RESULT_COLUMNS + _VERSIONED + ("scored_at",)
        con.execute(f"INSERT INTO result_history_store ({', '.join(names)}, replaced_at) "
                    f"SELECT {', '.join('c.' + n for n in names)}, CAST(? AS TIMESTAMPTZ) "
                    f"FROM result_store c JOIN ({replaced}) r ON {key.format(a='c', b='r')} "
                    f"AND c.model_version IS NOT DISTINCT FROM r.model_version", [replaced_at])
    # A changed finding of a call with history is kept, whichever model version replaces it:
    # the history results read the findings that were current after them.
    keys = "(SELECT DISTINCT call_id, rubric_id, rubric_version FROM _new_results) n"
    if not con.execute(f"SELECT EXISTS (SELECT 1 FROM {history} h JOIN {keys} "
                       f"ON {key.format(a='h', b='n')})").fetchall()[0][0]:
        return
    names = _CHECK_COLUMNS + _VERSIONED + ("scored_at",)
    unchanged = " AND ".join(f"x.{c} IS NOT DISTINCT FROM c.{c}" for c in _FINDING_CONTENT)
    con.execute(f"INSERT INTO check_history_store ({', '.join(names)}, replaced_at) "
                f"SELECT {', '.join('c.' + n for n in names)}, CAST(? AS TIMESTAMPTZ) FROM check_store c "
                f"WHERE EXISTS (SELECT 1 FROM result_history_store h WHERE {key.format(a='h', b='c')}) "
                f"AND EXISTS (SELECT 1 FROM {keys} WHERE {key.format(a='n', b='c')}) "
                f"AND NOT EXISTS (SELECT 1 FROM _new_checks x WHERE {key.format(a='x', b='c')} "
                f"AND x.check_id = c.check_id AND {unchanged})", [replaced_at])


def stored_metrics(con: duckdb.DuckDBPyConnection, call_ids: Optional[Sequence[str]] = None
                   ) -> tuple[dict[str, float], dict[str, tuple]]:
    """What re-scoring can reuse of the stored metrics: every call's customer sentiment (the
    slow one), and the whole metrics row (:data:`_METRIC_COLUMNS` after call_id, in
    :class:`~qa_pipeline.records.CallMetrics` order) of calls whose metrics the current
    :data:`~qa_pipeline.rubric.metrics.METRICS_VERSION` computed."""
    from qa_pipeline.rubric.metrics import METRICS_VERSION

    sql = f"SELECT {', '.join(_METRIC_COLUMNS)}, metrics_version FROM metric_store"
    params: list = []
    if call_ids:
        sql += " WHERE call_id IN (SELECT unnest(?))"
        params.append(list(call_ids))
    sentiments, rows = {}, {}
    for row in con.execute(sql, params).fetchall():
        if row[-2] is not None:
            sentiments[row[0]] = row[-2]
        if row[-1] == METRICS_VERSION:
            rows[row[0]] = row[1:-1]
    return sentiments, rows
