"""What the dashboard reads instead of the whole store: one row of facts per call and sums per
day, kept current by every write that changes them (migration 14 creates and fills them).

* ``call_fact_store``: per stored call (status done, with a result) its team, agent, language,
  start, day, latest result (score, flags) and the items whose final outcome (the reviewer's
  where reviewed) is pass, fail or n/a. The per-call lists (review queue, coaching clips, an
  agent's failing calls) filter this table, not 17 findings per call.
* ``daily_call_store``: per day, team, agent, agent name, language and flag reasons: calls,
  scored calls, the sum of their scores, flagged, complaint and critical-failure counts.
* ``daily_item_store``: per day, team, agent, agent name, language and rubric item: passed,
  failed and n/a counts.
* ``rubric_item_store``: per rubric version and item whether it counts towards the score
  (weight or critical), so informational checks (complaint detection) stay out of pass rates.
* ``queue_fact_store``: per queued call with facts, the facts the review queue filters and
  sorts on and its queue state (assignee, why queued, latest review, open disputes), so the
  queue page reads one table of the queued calls instead of joining the queue, reviews and
  disputes to every call's facts (migration 16).
* ``agreement_fact_store``: per reviewed call, item and model version that scored it, the
  version's outcome and the outcome a person stands by (their latest review of the finding,
  else the centre's imported evaluation), so the agreement-by-model view sums a table of the
  reviewed findings instead of windowing every model version's findings (migration 18); with
  the call's facts the dashboard's filters read (start, team, agent, language, flag reasons,
  failed items: :data:`AGREEMENT_CALL_FACTS`), so the view reads this table alone, not joined
  to every call's facts (migration 20). Only calls with facts have agreement rows.
* ``agent_fact_store``: per agent, name, team, language and flag reasons (the day sums' groups
  without the day) their first and last day, so the filter widgets read a few thousand rows
  instead of every day sum (migration 21).
* ``queue_worst_store``: the queue rows that come first worst-first (lowest score, then newest:
  :data:`WORST_KEY`): every queue row up to a bound (``queue_worst_bound``; NULL: every row),
  between :data:`WORST_KEPT` and twice as many of them, so a worst-first page of the queue is
  read from them when they hold it (a prefix of the order holds the first matching rows of
  any filter) instead of sorting every queued call (migration 21).
* ``review_fact_store``: per review (``review_store`` row) of a call with facts, the review,
  whether it is the call's latest review and of the rubric version of its latest result, why
  the call is queued and the call's facts the filters read (:data:`REVIEW_CALL_FACTS`), so the
  score-agreement view and an agent's reviews read the reviewed calls (2 % in the bench) instead
  of joining the reviews to every call's facts (migration 21).

At ten million calls the day tables hold about a million rows: a chart over twelve weeks
sums a fraction of them instead of scanning ten million calls (or holding them in memory).

:func:`refresh` is the one maintenance path: after the writer changed calls, results or
finding reviews it takes the changed calls' old facts out of the sums, recomputes their facts
from the store and adds them back, all inside the writer's transaction; :func:`refresh_queue`
brings the queue rows of calls whose queue entry, review or disputes changed up to date;
:func:`refresh_agreement` the agreement rows of calls whose imported evaluations changed
(:func:`refresh` includes it); the review rows follow both :func:`refresh` and
:func:`refresh_queue` (a review, a queue change). The day tables have
no key index (as the results, migrations 6 and 9): one writer, and :func:`refresh` merges by
group, so each group stays one row.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import duckdb

__all__ = ["AGENT_DIMENSIONS", "AGENT_SCHEMA", "AGREEMENT_CALL_FACTS", "AGREEMENT_SCHEMA", "DIMENSIONS",
           "ITEM_DIMENSIONS", "QUEUE_SCHEMA", "REVIEW_CALL_FACTS", "REVIEW_SCHEMA", "SCHEMA", "WORST_KEPT",
           "WORST_KEY", "WORST_SCHEMA", "agent_fill_sql", "agreement_facts_sql", "agreement_fill_sql",
           "agreement_outcomes_sql", "facts_sql", "fill_sql", "note_rubric_items", "of_calls", "queue_facts_sql",
           "queue_fill_sql", "rebuild", "refill_worst", "refresh", "refresh_agreement", "refresh_queue",
           "results_at", "review_facts_sql", "review_fill_sql", "Stored", "worst_fill_sql"]

DIMENSIONS = ("day", "team", "agent_id", "agent_name", "language", "flag_reasons")
"""What ``daily_call_store`` groups by."""
ITEM_DIMENSIONS = ("day", "team", "agent_id", "agent_name", "language")
"""What ``daily_item_store`` groups by, with ``check_id``: not the flag reasons, which would
multiply its rows (17 per group) several times over for a filter the per-call facts answer."""

_CALL_MEASURES = ("calls", "scored", "score_sum", "flagged", "complaints", "critical_fails")
_ITEM_MEASURES = ("passed", "failed", "na")

SCHEMA = """
CREATE TABLE call_fact_store (
    call_id VARCHAR NOT NULL,
    started_at TIMESTAMPTZ,
    day DATE,                       -- started_at's date (in the writer's time zone, as the filters read it)
    team VARCHAR,
    agent_id VARCHAR,
    agent_name VARCHAR,
    language VARCHAR,
    source VARCHAR,
    rubric_id VARCHAR,
    rubric_version VARCHAR,
    score DOUBLE,
    flagged BOOLEAN,
    flag_reasons VARCHAR[],
    complaint BOOLEAN,
    critical_fail BOOLEAN,
    passed VARCHAR[] NOT NULL,      -- items whose final outcome is pass
    failed VARCHAR[] NOT NULL,
    na VARCHAR[] NOT NULL,
    scored_at TIMESTAMPTZ,          -- the latest result's (its findings' too): bounds look-ups by id (migration 22)
    stored_at TIMESTAMPTZ           -- the call's processed_at (its turns' and words' too): bounds them (migration 23)
);
CREATE TABLE daily_call_store (
    day DATE, team VARCHAR, agent_id VARCHAR, agent_name VARCHAR, language VARCHAR, flag_reasons VARCHAR[],
    calls BIGINT NOT NULL,
    scored BIGINT NOT NULL,         -- calls with a score
    score_sum DOUBLE NOT NULL,
    flagged BIGINT NOT NULL,
    complaints BIGINT NOT NULL,
    critical_fails BIGINT NOT NULL
);
CREATE TABLE daily_item_store (
    day DATE, team VARCHAR, agent_id VARCHAR, agent_name VARCHAR, language VARCHAR,
    check_id VARCHAR NOT NULL,
    passed BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    na BIGINT NOT NULL
);
CREATE TABLE rubric_item_store (
    rubric_id VARCHAR NOT NULL,
    rubric_version VARCHAR NOT NULL,
    check_id VARCHAR NOT NULL,
    scored BOOLEAN NOT NULL,        -- has a weight or is critical: counts towards the score
    PRIMARY KEY (rubric_id, rubric_version, check_id)
);
"""


def facts_sql(calls: str = "call_store", results: str = "result_store", checks: str = "check_store",
              reviews: str = "finding_review_store") -> str:
    """SELECT of ``call_fact_store`` rows from the store, the tables (or subqueries) named.
    A call's latest result counts (the newest ``scored_at``; ties by rubric id and version)."""
    return f"""
    WITH r AS (SELECT * FROM {results}
               QUALIFY row_number() OVER (PARTITION BY call_id
                                          ORDER BY scored_at DESC, rubric_id DESC, rubric_version DESC) = 1),
    o AS (SELECT k.call_id,  -- sorted afterwards: an ordered aggregate would sort every group's rows
                 list_sort(list(k.check_id) FILTER (WHERE coalesce(f.human_outcome, k.outcome) = 'pass')) AS p,
                 list_sort(list(k.check_id) FILTER (WHERE coalesce(f.human_outcome, k.outcome) = 'fail')) AS x,
                 list_sort(list(k.check_id) FILTER (WHERE coalesce(f.human_outcome, k.outcome) = 'na')) AS n
          FROM {checks} k JOIN r ON k.call_id = r.call_id AND k.rubric_id = r.rubric_id
                                AND k.rubric_version = r.rubric_version
          LEFT JOIN {reviews} f ON f.call_id = k.call_id AND f.check_id = k.check_id
               AND f.rubric_id = k.rubric_id AND f.rubric_version = k.rubric_version
          GROUP BY k.call_id)
    SELECT s.call_id, s.started_at, s.started_at::DATE AS day, s.team, s.agent_id, s.agent_name, s.language,
           s.source, r.rubric_id, r.rubric_version, r.score, r.flagged, r.flag_reasons, r.complaint, r.critical_fail,
           coalesce(o.p, []::VARCHAR[]) AS passed, coalesce(o.x, []::VARCHAR[]) AS failed,
           coalesce(o.n, []::VARCHAR[]) AS na, r.scored_at, s.processed_at AS stored_at
    FROM {calls} s JOIN r ON r.call_id = s.call_id LEFT JOIN o ON o.call_id = s.call_id
    WHERE s.status = 'done'"""


def of_calls(table: str, which: str) -> str:
    """A subquery of the rows of ``table`` (one of migration 24's tables with an index on
    ``call_id``, or ``call_store``) of the calls ``which`` selects (a condition on ``call_id``:
    ``call_id = ?``, or a semi-join on a few ids), read through that index: materialised before
    any join reads it. DuckDB scans the index only for a scan filtered on ``call_id`` alone; a
    join's filters pushed into the scan (another column's values, as a join on the call, rubric
    and item pushes) make it read every row group instead, where ids do not follow the order
    calls are stored in."""
    return f"(WITH x AS MATERIALIZED (SELECT * FROM {table} WHERE {which}) SELECT * FROM x)"


INDEX_SCAN_IDS = 2_000
"""At most this many ids a look-up by :func:`of_ids` (DuckDB scans the index for up to
``index_scan_max_count`` rows, 2,048, and reads every row group past it)."""


def of_ids(table: str, ids: list[str], columns: str = "*") -> tuple[str, list]:
    """A subquery of ``columns`` of the rows of ``table`` (one of migration 24's tables with an
    index on ``call_id``) of the calls ``ids``, read through that index whatever their number
    and wherever they lie, and its parameters: :data:`INDEX_SCAN_IDS` ids a look-up, each one a
    parameter (DuckDB scans the index for a list of values in the scan's filter, not for a
    semi-join on a list parameter, which read every row group: 1 M calls, 177 ids, 97 -> 21 ms
    CPU), materialised before any other filter reads them (:func:`of_calls`). A look-up costs
    about 0.1 ms an id whatever the table's size: for ids scattered over a large table, not for
    a slice that lies together."""
    chunks = [ids[i:i + INDEX_SCAN_IDS] for i in range(0, len(ids), INDEX_SCAN_IDS)]
    if not chunks:
        return f"(SELECT {columns} FROM {table} WHERE FALSE)", []
    sql = " UNION ALL ".join(
        f"(WITH x AS MATERIALIZED (SELECT {columns} FROM {table} WHERE call_id IN ({', '.join('?' * len(chunk))})) "
        "SELECT * FROM x)" for chunk in chunks)
    return f"({sql})", [i for chunk in chunks for i in chunk]


def results_at(con: duckdb.DuckDBPyConnection, which: str, args: list) -> Optional[list]:
    """When the results of the calls ``which`` selects (a condition on ``call_id`` over
    ``result_store``) were stored: a list to bound their findings by (``scored_at = ANY(?)``).
    A result's findings carry its ``scored_at`` (:func:`~qa_pipeline.store.results.write_result_rows`
    stamps one time on every row of a write) and are stored in the order they were scored, so
    the bound lets a scan of the findings skip every row group but those holding them (zone
    maps) whatever the ids: by id alone it reads every row group where ids do not follow the
    order calls are stored in. None: the calls have no result."""
    times = con.execute(f"SELECT list(DISTINCT scored_at) FROM result_store WHERE {which}", args).fetchone()[0]
    return times or None


QUEUE_SCHEMA = """
CREATE TABLE queue_fact_store (
    call_id VARCHAR NOT NULL,
    started_at TIMESTAMPTZ,         -- the call's facts (call_fact_store) the queue filters and sorts on
    day DATE,
    team VARCHAR,
    agent_id VARCHAR,
    agent_name VARCHAR,
    language VARCHAR,
    source VARCHAR,
    score DOUBLE,
    flagged BOOLEAN,
    flag_reasons VARCHAR[],
    complaint BOOLEAN,
    critical_fail BOOLEAN,
    failed VARCHAR[] NOT NULL,
    queued_for VARCHAR NOT NULL,    -- queue_store.reason: flagged | sample | dispute
    assignee VARCHAR NOT NULL,
    human_score DOUBLE,             -- the call's latest review (review_store), if any
    reviewer VARCHAR,
    reviewed_at TIMESTAMPTZ,
    open_disputes BIGINT NOT NULL
);
"""


def queue_facts_sql(facts: str = "call_fact_store", queue: str = "queue_store", reviews: str = "review_store",
                    disputes: str = "dispute_store") -> str:
    """SELECT of ``queue_fact_store`` rows: each queued call that has facts, with its latest
    review (the newest ``reviewed_at``) and number of open disputes."""
    return f"""
    SELECT c.call_id, c.started_at, c.day, c.team, c.agent_id, c.agent_name, c.language, c.source, c.score,
           c.flagged, c.flag_reasons, c.complaint, c.critical_fail, c.failed, q.reason AS queued_for, q.assignee,
           v.human_score, v.reviewer, v.reviewed_at, coalesce(d.n, 0) AS open_disputes
    FROM {queue} q JOIN {facts} c ON c.call_id = q.call_id
    LEFT JOIN (SELECT call_id, human_score, reviewer, reviewed_at FROM {reviews}
               QUALIFY row_number() OVER (PARTITION BY call_id
                                          ORDER BY reviewed_at DESC, rubric_id DESC, rubric_version DESC) = 1) v
         ON v.call_id = q.call_id
    LEFT JOIN (SELECT call_id, count(*) AS n FROM {disputes} WHERE status = 'open' GROUP BY call_id) d
         ON d.call_id = q.call_id"""


def queue_fill_sql() -> str:
    """SQL filling the (empty) queue facts from the whole store: migration 16's backfill."""
    return f"INSERT INTO queue_fact_store SELECT * FROM ({queue_facts_sql()}) ORDER BY started_at, call_id;"


AGENT_SCHEMA = """
CREATE TABLE agent_fact_store (
    agent_id VARCHAR, agent_name VARCHAR, team VARCHAR, language VARCHAR, flag_reasons VARCHAR[],
    first DATE,                     -- the first and last day of the group's day sums
    last DATE
);
"""

AGENT_DIMENSIONS = ("agent_id", "agent_name", "team", "language", "flag_reasons")
"""What ``agent_fact_store`` groups ``daily_call_store`` by (all its dimensions but the day)."""


def _agent_sums(sums: str) -> str:
    """SELECT (without its GROUP BY, after a WHERE) of the agent groups of the day sums ``sums``."""
    return f"SELECT {', '.join(AGENT_DIMENSIONS)}, min(day), max(day) FROM {sums} t WHERE TRUE"


def agent_fill_sql() -> str:
    """SQL filling the (empty) agent groups from the day sums."""
    return f"INSERT INTO agent_fact_store {_agent_sums('daily_call_store')} GROUP BY ALL;"


WORST_SCHEMA = QUEUE_SCHEMA.replace("queue_fact_store", "queue_worst_store") + """
CREATE TABLE queue_worst_bound (
    bound STRUCT(n BOOLEAN, s DOUBLE, u BOOLEAN, t BIGINT, c VARCHAR)  -- NULL: every queue row is kept
);
INSERT INTO queue_worst_bound VALUES (NULL);
"""

WORST_KEY = ("{'n': score IS NULL, 's': coalesce(score, 0), 'u': started_at IS NULL, "
             "'t': -epoch_us(coalesce(started_at, TIMESTAMPTZ 'epoch')), 'c': call_id}")
"""A queue row's place worst-first, as one value compared field by field: ``score ASC NULLS
LAST, started_at DESC NULLS LAST, call_id`` (the review queue's "worst" order)."""

WORST_KEPT = 20_000
"""How many queue rows :func:`refill_worst` keeps worst-first; trimmed back to it past twice as
many, refilled from the whole queue below half (a team's page of 50 is among 20,000 rows of
30 teams)."""

_IN_WORST = f"((SELECT bound FROM queue_worst_bound) IS NULL OR {WORST_KEY} <= (SELECT bound FROM queue_worst_bound))"


def worst_fill_sql(kept: int | None = None) -> str:
    """SQL filling ``queue_worst_store`` anew from the whole queue: its first ``kept`` rows
    worst-first (:data:`WORST_KEPT`), every row when it holds no more."""
    kept = WORST_KEPT if kept is None else kept
    return f"""UPDATE queue_worst_bound SET bound = (SELECT {WORST_KEY} AS k FROM queue_fact_store
                   ORDER BY k LIMIT 1 OFFSET {int(kept) - 1:d});
    DELETE FROM queue_worst_store;
    INSERT INTO queue_worst_store SELECT * FROM queue_fact_store WHERE {_IN_WORST} ORDER BY {WORST_KEY};"""


def refill_worst(con: duckdb.DuckDBPyConnection, kept: int | None = None) -> None:
    """Fill ``queue_worst_store`` anew from the whole queue (:func:`worst_fill_sql`)."""
    con.execute(worst_fill_sql(kept))


def _worst_rows(con: duckdb.DuckDBPyConnection, which: str, args: list, *, new: str) -> None:
    """Bring the worst-first rows of the calls ``which`` selects in step with their queue rows
    (``new``: a table of those rows): kept where they come before the bound; trimmed or
    refilled when too many or too few."""
    con.execute(f"DELETE FROM queue_worst_store WHERE {which}", args)
    con.execute(f"INSERT INTO queue_worst_store SELECT * FROM {new} WHERE {_IN_WORST}")
    kept, bounded = con.execute("SELECT (SELECT count(*) FROM queue_worst_store), "
                                "(SELECT bound IS NOT NULL FROM queue_worst_bound)").fetchone()
    if kept > 2 * WORST_KEPT:
        con.execute(f"""UPDATE queue_worst_bound SET bound = (SELECT {WORST_KEY} AS k FROM queue_worst_store
                        ORDER BY k LIMIT 1 OFFSET {WORST_KEPT - 1:d})""")
        con.execute(f"DELETE FROM queue_worst_store WHERE NOT {_IN_WORST}")
    elif bounded and kept < WORST_KEPT // 2:
        refill_worst(con)


AGREEMENT_SCHEMA = """
CREATE TABLE agreement_fact_store (
    call_id VARCHAR NOT NULL,
    check_id VARCHAR NOT NULL,
    model_version INTEGER,          -- NULL: results stored before versions were recorded
    current BOOLEAN,                -- this version's result is the call's latest (the one the dashboard shows)
    auto_outcome VARCHAR NOT NULL,  -- the version's outcome: its current result or the one kept in history
    human_outcome VARCHAR NOT NULL, -- the latest review of the finding, else the imported evaluation
    started_at TIMESTAMPTZ,         -- the call's facts (call_fact_store) the dashboard's filters read
    team VARCHAR,
    agent_id VARCHAR,
    language VARCHAR,
    flag_reasons VARCHAR[],
    failed VARCHAR[] NOT NULL
);
"""

AGREEMENT_CALL_FACTS = ("started_at", "team", "agent_id", "language", "flag_reasons", "failed")
"""The columns of ``call_fact_store`` each agreement row carries: those the dashboard's call
filters read (the viewer's scope, team, agent, dates, language, flag reason, failed item)."""


def agreement_outcomes_sql(which: str = "TRUE", findings_at: bool = False) -> str:
    """SELECT of each reviewed finding's outcomes by model version (the first six columns of
    ``agreement_fact_store``) from the store, for the calls the condition ``which`` (on
    ``call_id``) selects; it is used :data:`AGREEMENT_SCANS` times (its parameters repeat as
    often). Per call and item, each model version's result is its current one or the one
    kept when a newer version re-scored it (history holds a finding only where it changed: a
    history result's finding of a check is the earliest stored one still held after the
    result was scored, as the view ``check_results_by_model`` of migration 17 reads it).
    ``findings_at``: the current findings are also bounded by their results' times, one more
    parameter after the condition's for ``check_store`` (:func:`results_at`)."""
    def only(table: str) -> str:
        if table != "check_store":  # through their call-id index (migration 24)
            return of_calls(table, which)
        bound = " AND scored_at = ANY(?::TIMESTAMPTZ[])" if findings_at else ""
        return f"(SELECT * FROM {table} WHERE {which}{bound})"
    return f"""
    WITH human AS (
        SELECT call_id, check_id, outcome FROM (
            SELECT call_id, check_id, human_outcome AS outcome, 0 AS source, reviewed_at
            FROM {only('finding_review_store')}
            UNION ALL
            SELECT call_id, item, outcome, 1, reviewed_at FROM {only('imported_review_store')})
        QUALIFY row_number() OVER (PARTITION BY call_id, check_id ORDER BY source, reviewed_at DESC) = 1),
    reviewed AS (SELECT DISTINCT call_id FROM human),
    checks AS (SELECT k.* FROM {only('check_store')} k JOIN reviewed USING (call_id)),
    by_model AS (
        SELECT call_id, check_id, outcome, scored_at, model_version, true AS current FROM checks
        UNION ALL
        SELECT h.call_id, c.check_id, c.outcome, h.scored_at, h.model_version, false
        FROM (SELECT h.* FROM {only('result_history_store')} h JOIN reviewed USING (call_id)) h
        JOIN (SELECT call_id, rubric_id, rubric_version, check_id, outcome, replaced_at
              FROM {only('check_history_store')}
              UNION ALL SELECT call_id, rubric_id, rubric_version, check_id, outcome, 'infinity'::TIMESTAMPTZ
              FROM checks) c
          ON c.call_id = h.call_id AND c.rubric_id = h.rubric_id AND c.rubric_version = h.rubric_version
         AND c.replaced_at > h.scored_at
        QUALIFY row_number() OVER (PARTITION BY h.call_id, h.rubric_id, h.rubric_version, h.model_version,
                                   h.scored_at, c.check_id ORDER BY c.replaced_at) = 1),
    auto AS (
        SELECT call_id, check_id, model_version, outcome,
               current AND scored_at = max(scored_at) FILTER (WHERE current) OVER (PARTITION BY call_id) AS current
        FROM by_model
        QUALIFY row_number() OVER (PARTITION BY call_id, check_id, model_version
                                   ORDER BY current DESC, scored_at DESC) = 1)
    SELECT a.call_id, a.check_id, a.model_version, a.current, a.outcome AS auto_outcome, h.outcome AS human_outcome
    FROM auto a JOIN human h USING (call_id, check_id)"""


AGREEMENT_SCANS = 5
"""How many times :func:`agreement_outcomes_sql` uses its condition (five tables, each read once)."""


def agreement_facts_sql(which: str = "TRUE", facts: str = "call_fact_store", findings_at: bool = False) -> str:
    """SELECT of ``agreement_fact_store`` rows: :func:`agreement_outcomes_sql` of the calls
    ``which`` selects (its parameters first) with their facts from ``facts`` (a table or
    subquery of ``call_fact_store`` rows: calls without facts have no agreement rows)."""
    call = ", ".join(f"c.{name}" for name in AGREEMENT_CALL_FACTS)
    return (f"SELECT x.*, {call} FROM ({agreement_outcomes_sql(which, findings_at)}) x "
            f"JOIN {facts} c ON c.call_id = x.call_id")


def agreement_fill_sql() -> str:
    """SQL filling the (empty) agreement rows from the whole store (after the call facts)."""
    # Ordered by start, so a date filter skips whole row groups (zone maps).
    return f"INSERT INTO agreement_fact_store SELECT * FROM ({agreement_facts_sql()}) ORDER BY started_at, call_id;"


REVIEW_SCHEMA = """
CREATE TABLE review_fact_store (
    call_id VARCHAR NOT NULL,
    rubric_id VARCHAR NOT NULL,     -- the review (review_store row)
    rubric_version VARCHAR NOT NULL,
    reviewer VARCHAR NOT NULL,
    auto_score DOUBLE,
    human_score DOUBLE,
    comment VARCHAR,
    reviewed_at TIMESTAMPTZ NOT NULL,
    latest BOOLEAN NOT NULL,        -- the call's latest review (the newest reviewed_at)
    current BOOLEAN NOT NULL,       -- of the rubric version of the call's latest result (its facts')
    queued_for VARCHAR,             -- queue_store.reason; NULL: not queued
    started_at TIMESTAMPTZ,         -- the call's facts (call_fact_store) the dashboard's filters read
    team VARCHAR,
    agent_id VARCHAR,
    language VARCHAR,
    flag_reasons VARCHAR[],
    failed VARCHAR[] NOT NULL,
    flagged BOOLEAN
);
"""

REVIEW_CALL_FACTS = ("started_at", "team", "agent_id", "language", "flag_reasons", "failed", "flagged")
"""The columns of ``call_fact_store`` each review row carries: those the call filters read and
whether the call is flagged (the score-agreement view counts unflagged calls a person marked down)."""


def review_facts_sql(facts: str = "call_fact_store", reviews: str = "review_store", queue: str = "queue_store") -> str:
    """SELECT of ``review_fact_store`` rows: each review of a call that has facts in ``facts``
    (a table or subquery of ``call_fact_store`` rows), with why the call is queued. The latest
    review is the newest ``reviewed_at`` (ties by rubric id and version, as the queue facts')."""
    call = ", ".join(f"c.{name}" for name in REVIEW_CALL_FACTS)
    return f"""
    SELECT v.call_id, v.rubric_id, v.rubric_version, v.reviewer, v.auto_score, v.human_score, v.comment,
           v.reviewed_at,
           row_number() OVER (PARTITION BY v.call_id
                              ORDER BY v.reviewed_at DESC, v.rubric_id DESC, v.rubric_version DESC) = 1 AS latest,
           coalesce(v.rubric_id = c.rubric_id AND v.rubric_version = c.rubric_version, FALSE) AS current,
           q.reason AS queued_for, {call}
    FROM {reviews} v JOIN {facts} c ON c.call_id = v.call_id LEFT JOIN {queue} q ON q.call_id = v.call_id"""


def review_fill_sql() -> str:
    """SQL filling the (empty) review rows from the whole store (after the call facts)."""
    # Ordered by start, so a date filter skips whole row groups (zone maps).
    return f"INSERT INTO review_fact_store SELECT * FROM ({review_facts_sql()}) ORDER BY started_at, call_id;"


def _call_sums(facts: str, sign: str = "1") -> str:
    """The ``daily_call_store`` rows of the facts in ``facts``, each call counted ``sign`` times."""
    dims = ", ".join(DIMENSIONS)
    return f"""SELECT {dims}, sum({sign}) AS calls, sum({sign} * (score IS NOT NULL)::INT) AS scored,
            sum({sign} * coalesce(score, 0)) AS score_sum, sum({sign} * coalesce(flagged, FALSE)::INT) AS flagged,
            sum({sign} * coalesce(complaint, FALSE)::INT) AS complaints,
            sum({sign} * coalesce(critical_fail, FALSE)::INT) AS critical_fails
        FROM {facts} GROUP BY ALL"""


def _item_sums(facts: str, sign: str = "1") -> str:
    dims = ", ".join(ITEM_DIMENSIONS)
    lists = " UNION ALL ".join(
        f"SELECT {dims}, {sign} AS sign, unnest({name}) AS check_id, {int(name == 'passed')} AS p, "
        f"{int(name == 'failed')} AS x, {int(name == 'na')} AS n FROM {facts}"
        for name in ("passed", "failed", "na"))
    return f"""SELECT {dims}, check_id, sum(sign * p) AS passed, sum(sign * x) AS failed, sum(sign * n) AS na
        FROM ({lists}) GROUP BY ALL"""


def fill_sql() -> str:
    """SQL filling the (empty) fact and day tables from the whole store: migration 14's backfill."""
    # Ordered by start, so the day filters of the lists skip whole row groups (zone maps).
    return f"""
    INSERT INTO call_fact_store SELECT * FROM ({facts_sql()}) ORDER BY started_at, call_id;
    INSERT INTO daily_call_store SELECT * FROM ({_call_sums('call_fact_store')}) ORDER BY day;
    INSERT INTO daily_item_store SELECT * FROM ({_item_sums('call_fact_store')}) ORDER BY day;
    INSERT INTO rubric_item_store SELECT rubric_id, rubric_version, check_id,
        coalesce(max(weight), 0) > 0 OR coalesce(bool_or(critical), FALSE) FROM check_store GROUP BY ALL;
    """


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the fact and day tables anew from the whole store (after a bulk load in SQL)."""
    con.execute("DELETE FROM call_fact_store; DELETE FROM daily_call_store; DELETE FROM daily_item_store; "
                "DELETE FROM rubric_item_store; DELETE FROM queue_fact_store; DELETE FROM agreement_fact_store; "
                "DELETE FROM review_fact_store; DELETE FROM agent_fact_store")
    con.execute(fill_sql() + queue_fill_sql() + agreement_fill_sql() + review_fill_sql() + agent_fill_sql())
    refill_worst(con)


def _same_group(a: str, b: str, names: Sequence[str]) -> str:
    return " AND ".join(f"{a}.{n} IS NOT DISTINCT FROM {b}.{n}" for n in names)


def _merge(con: duckdb.DuckDBPyConnection, table: str, delta: str, keys: Sequence[str],
           measures: Sequence[str], empty: str, days: tuple[str, list], shrinks: bool) -> tuple[bool, bool]:
    """Add the signed rows of the temporary table ``delta`` to ``table`` group by group; drop
    groups left ``empty`` (``shrinks``: some calls left their group). Only the ``days`` (a
    condition on ``t.day``) the delta touches are read (zone maps skip the rest). Each
    statement costs a few milliseconds whatever it does: a call joining groups that exist (the
    usual new call) is one UPDATE. Returns whether groups were added, and dropped."""
    where, args = days
    rows = con.execute(f"SELECT count(*) FROM {delta}").fetchone()[0]
    if not rows:
        return False, False  # the calls' facts changed nothing these sums count
    sets = ", ".join(f"{m} = t.{m} + d.{m}" for m in measures)
    updated = con.execute(f"UPDATE {table} t SET {sets} FROM {delta} d WHERE {where} AND "
                          f"{_same_group('t', 'd', keys)}", args).fetchone()[0]
    added = dropped = 0
    if updated < rows:  # groups are unique in both: each delta row updated at most one row
        added = con.execute(f"INSERT INTO {table} SELECT * FROM {delta} d WHERE NOT EXISTS "
                            f"(SELECT 1 FROM {table} t WHERE {where} AND {_same_group('t', 'd', keys)})",
                            args).fetchone()[0]
    if shrinks:
        dropped = con.execute(f"DELETE FROM {table} t WHERE {where} AND {empty}", args).fetchone()[0]
    return added > 0, dropped > 0


def _agent_rows(con: duckdb.DuckDBPyConnection, added: bool, dropped: bool) -> None:
    """Keep ``agent_fact_store`` in step with ``daily_call_store`` after the day sums of the
    calls in ``_fact_old`` and ``_fact_new`` changed: only a day group added (its agent group's
    first or last day may widen) or dropped (they may narrow: the agent groups of the old facts
    summed anew from the day sums) changes it."""
    dims = ", ".join(AGENT_DIMENSIONS)
    if added:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _fact_delta AS SELECT {dims}, min(day) AS first, "
                    "max(day) AS last FROM _fact_new GROUP BY ALL")
        con.execute(f"""UPDATE agent_fact_store t SET first = least(t.first, d.first), last = greatest(t.last, d.last)
            FROM _fact_delta d WHERE {_same_group('t', 'd', AGENT_DIMENSIONS)}
            AND (d.first < t.first OR d.last > t.last OR (t.first IS NULL AND d.first IS NOT NULL))""")
        con.execute(f"INSERT INTO agent_fact_store SELECT * FROM _fact_delta d WHERE NOT EXISTS "
                    f"(SELECT 1 FROM agent_fact_store t WHERE {_same_group('t', 'd', AGENT_DIMENSIONS)})")
    if dropped:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _fact_delta AS SELECT DISTINCT {dims} FROM _fact_old")
        con.execute(f"DELETE FROM agent_fact_store t WHERE EXISTS (SELECT 1 FROM _fact_delta d "
                    f"WHERE {_same_group('t', 'd', AGENT_DIMENSIONS)})")
        con.execute(f"INSERT INTO agent_fact_store {_agent_sums('daily_call_store')} AND EXISTS "
                    f"(SELECT 1 FROM _fact_delta d WHERE {_same_group('t', 'd', AGENT_DIMENSIONS)}) GROUP BY ALL")


def _days(con: duckdb.DuckDBPyConnection) -> tuple[tuple[str, list], bool]:
    """A condition on ``t.day`` covering the days of the calls' old and new facts, and
    whether they had old facts (a sum may lose them)."""
    lo, hi, undated, old = con.execute(
        "SELECT min(day), max(day), count(*) FILTER (WHERE day IS NULL), count(*) FILTER (WHERE old) FROM "
        "(SELECT day, TRUE AS old FROM _fact_old UNION ALL SELECT day, FALSE FROM _fact_new)").fetchone()
    if lo is not None and not undated:
        return ("t.day BETWEEN ? AND ?", [lo, hi]), bool(old)
    if lo is None and undated:
        return ("t.day IS NULL", []), bool(old)
    return ("TRUE", []), bool(old)


def _kept_for(con: duckdb.DuckDBPyConnection, which: str, args: list, *, stored_before: bool = True
              ) -> tuple[bool, bool, bool]:
    """Whether the calls ``which`` selects may have queue rows (queued, or rows kept),
    agreement rows (a person's outcome of a finding, or rows kept) and review rows (a review,
    or rows kept). A call the pipeline has just stored has none: the three refreshes (a
    quarter of the cost of storing a call's facts) are skipped for it. ``stored_before=False``:
    none of the calls was stored before, so only an imported evaluation can concern them (the
    queue, reviews and finding reviews are made of stored calls, which are only ever replaced;
    the rows kept, of their facts)."""
    tables = ((("queue_store", "queue_fact_store"),
               ("finding_review_store", "imported_review_store", "agreement_fact_store"),
               ("review_store", "review_fact_store")) if stored_before
              else ((), ("imported_review_store",), ()))
    parts = [" OR ".join(f"EXISTS (SELECT 1 FROM {t} WHERE {which})" for t in group) or "FALSE" for group in tables]
    sql = "SELECT " + ", ".join(parts)
    queued, reviewed, review = con.execute(sql, args * sql.count(which)).fetchone()
    return bool(queued), bool(reviewed), bool(review)


def _which(con: duckdb.DuckDBPyConnection, ids: list[str]) -> tuple[str, list]:
    """A condition on ``call_id`` selecting ``ids``, and its parameters (once per use)."""
    if len(ids) == 1:  # a constant filter: the scans skip what does not match, no join
        return "call_id = ?", ids
    con.execute("CREATE OR REPLACE TEMP TABLE _fact_ids AS SELECT unnest(?::VARCHAR[]) AS call_id", [ids])
    return "call_id IN (SELECT call_id FROM _fact_ids)", []


@dataclass(frozen=True)
class Stored:
    """What a writer has just stored of the calls it refreshes, so :func:`refresh` reads
    them instead of looking them up by id in the large tables (a group of calls whose ids are
    scattered among the stored ones reads every row group of the findings: they grow with the
    store). ``calls``, ``results``, ``checks``: tables (or subqueries) holding all the rows
    those calls now have in ``call_store``, ``result_store`` and ``check_store`` (None: none);
    ``replaced``: those of them that had a call row before (only these may have had facts)."""

    calls: str
    results: Optional[str]
    checks: Optional[str]
    replaced: tuple[str, ...]


def _stored_facts(stored: Stored, which: str, args: list) -> tuple[str, list]:
    """SQL (and parameters) of the new facts of the calls ``stored`` holds: their finding
    reviews looked up only where one of them was stored before (only a stored call is reviewed)."""
    none = "(SELECT * FROM {} WHERE FALSE)"
    reviews = of_calls("finding_review_store", which) if stored.replaced else none.format(
        "finding_review_store")
    return (facts_sql(stored.calls, stored.results or none.format("result_store"),
                      stored.checks or none.format("check_store"), reviews), list(args) if stored.replaced else [])


def refresh(con: duckdb.DuckDBPyConnection, call_ids: Sequence[str], stored: Optional[Stored] = None) -> None:
    """Bring the facts, day sums and queue rows of ``call_ids`` up to date with the store,
    inside the caller's transaction (after it wrote the calls, results or finding reviews). A
    call no longer stored, failed or without a result leaves the facts. ``stored``: the rows
    the writer has just stored of exactly these calls (:class:`Stored`): read instead of the
    call, result and finding tables."""
    ids = list(dict.fromkeys(call_ids))
    if not ids:
        return
    which, args = _which(con, ids)
    stored_before = stored is None or bool(stored.replaced)
    times = None  # when their results were stored, where looked up (read once)
    if stored is not None:
        new_sql, new_args = _stored_facts(stored, which, args)
    else:
        only = {t: of_calls(t, which) for t in ("call_store", "result_store", "check_store", "finding_review_store")}
        times = results_at(con, which, args)  # the findings of their results alone: not every row group read
        only["check_store"] = (f"(SELECT * FROM check_store WHERE {which} AND scored_at = ANY(?::TIMESTAMPTZ[]))"
                               if times else "(SELECT * FROM check_store WHERE FALSE)")
        new_sql = facts_sql(*only.values())
        # parameters in the order facts_sql reads them: results, findings, finding reviews, calls
        new_args = [*args, *([*args, times] if times else []), *args, *args]
    try:
        if stored_before:
            con.execute(f"CREATE OR REPLACE TEMP TABLE _fact_old AS SELECT * FROM call_fact_store WHERE {which}", args)
        else:  # none of the calls was stored before: no facts to take out (nothing read)
            con.execute("CREATE OR REPLACE TEMP TABLE _fact_old AS SELECT * FROM call_fact_store WHERE FALSE")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _fact_new AS {new_sql}", new_args)
        if stored_before:
            con.execute(f"DELETE FROM call_fact_store WHERE {which}", args)
        con.execute("INSERT INTO call_fact_store SELECT * FROM _fact_new")
        both = "(SELECT *, -1 AS sign FROM _fact_old UNION ALL SELECT *, 1 AS sign FROM _fact_new)"
        days, shrinks = _days(con)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _fact_delta AS SELECT * FROM ({_call_sums(both, 'sign')}) "
                    "WHERE calls <> 0 OR scored <> 0 OR score_sum <> 0 OR flagged <> 0 OR complaints <> 0 "
                    "OR critical_fails <> 0")
        added, dropped = _merge(con, "daily_call_store", "_fact_delta", DIMENSIONS, _CALL_MEASURES, "t.calls = 0",
                                days, shrinks)
        _agent_rows(con, added, dropped)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _fact_delta AS SELECT * FROM ({_item_sums(both, 'sign')}) "
                    "WHERE passed <> 0 OR failed <> 0 OR na <> 0")
        _merge(con, "daily_item_store", "_fact_delta", (*ITEM_DIMENSIONS, "check_id"), _ITEM_MEASURES,
               "t.passed = 0 AND t.failed = 0 AND t.na = 0", days, shrinks)
        queued, reviewed, review = _kept_for(con, which, args, stored_before=stored_before)
        if queued:
            _queue_rows(con, which, args, facts="_fact_new")
        if reviewed:
            _agreement_rows(con, which, args, facts="_fact_new", times=times)
        if review:
            _review_rows(con, which, args, facts="_fact_new")
    finally:
        con.execute("DROP TABLE IF EXISTS temp._fact_old; DROP TABLE IF EXISTS temp._fact_new; "
                    "DROP TABLE IF EXISTS temp._fact_delta; DROP TABLE IF EXISTS temp._fact_ids")


def refresh_queue(con: duckdb.DuckDBPyConnection, call_ids: Sequence[str]) -> None:
    """Bring the queue rows (``queue_fact_store``) and review rows (``review_fact_store``) of
    ``call_ids`` up to date, inside the caller's transaction, after it changed their queue
    entries, reviews or disputes (a change of their facts goes through :func:`refresh`, which
    includes this)."""
    ids = list(dict.fromkeys(call_ids))
    if not ids:
        return
    which, args = _which(con, ids)
    try:  # their facts read once for both
        con.execute(f"CREATE OR REPLACE TEMP TABLE _fact_now AS SELECT * FROM call_fact_store WHERE {which}", args)
        _queue_rows(con, which, args, facts="_fact_now")
        _review_rows(con, which, args, facts="_fact_now")
    finally:
        con.execute("DROP TABLE IF EXISTS temp._fact_now; DROP TABLE IF EXISTS temp._fact_ids")


def refresh_agreement(con: duckdb.DuckDBPyConnection, call_ids: Sequence[str]) -> None:
    """Bring the agreement rows (``agreement_fact_store``) of ``call_ids`` up to date, inside
    the caller's transaction, after it changed their imported evaluations (``qa reviews
    import``; a change of their results or finding reviews goes through :func:`refresh`,
    which includes this)."""
    ids = list(dict.fromkeys(call_ids))
    if not ids:
        return
    which, args = _which(con, ids)
    try:
        _agreement_rows(con, which, args, facts=f"(SELECT * FROM call_fact_store WHERE {which})", facts_args=args)
    finally:
        con.execute("DROP TABLE IF EXISTS temp._fact_ids")


def _agreement_rows(con: duckdb.DuckDBPyConnection, which: str, args: list, *, facts: str,
                    facts_args: Sequence = (), times: Optional[list] = None) -> None:
    """Replace the agreement rows of the calls ``which`` selects; ``facts``: their current facts;
    ``times``: when their results were stored (:func:`results_at`), if the caller looked it up."""
    con.execute(f"DELETE FROM agreement_fact_store WHERE {which}", args)
    if times is None:  # their findings: those of their results (none: none)
        times = results_at(con, which, args) or []
    # parameters in the order the tables are read: finding reviews, imported reviews, findings, history
    con.execute(f"INSERT INTO agreement_fact_store {agreement_facts_sql(which, facts, findings_at=True)}",
                [*(args * 2), *args, times, *(args * (AGREEMENT_SCANS - 3)), *facts_args])


def _queue_rows(con: duckdb.DuckDBPyConnection, which: str, args: list, *, facts: str,
                facts_args: Sequence = ()) -> None:
    """Replace the queue rows of the calls ``which`` selects; ``facts``: their current facts."""
    only = [of_calls(t, which) for t in ("queue_store", "review_store", "dispute_store")]
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _queue_new AS {queue_facts_sql(facts, *only)}",
                    [*args, *facts_args, *args, *args])
        con.execute(f"DELETE FROM queue_fact_store WHERE {which}", args)
        con.execute("INSERT INTO queue_fact_store SELECT * FROM _queue_new")
        _worst_rows(con, which, args, new="_queue_new")
    finally:
        con.execute("DROP TABLE IF EXISTS temp._queue_new")


def _review_rows(con: duckdb.DuckDBPyConnection, which: str, args: list, *, facts: str,
                 facts_args: Sequence = ()) -> None:
    """Replace the review rows of the calls ``which`` selects; ``facts``: their current facts."""
    only = [of_calls(t, which) for t in ("review_store", "queue_store")]
    con.execute(f"DELETE FROM review_fact_store WHERE {which}", args)
    con.execute(f"INSERT INTO review_fact_store {review_facts_sql(facts, *only)}", [*args, *facts_args, *args])


def note_rubric_items(con: duckdb.DuckDBPyConnection, checks: str) -> None:
    """Record which items of the rubric versions in ``checks`` (a table or view of check rows
    being written) count towards the score."""
    con.execute(f"""INSERT INTO rubric_item_store SELECT rubric_id, rubric_version, check_id,
            coalesce(max(weight), 0) > 0 OR coalesce(bool_or(critical), FALSE) FROM {checks} GROUP BY ALL
        ON CONFLICT DO UPDATE SET scored = rubric_item_store.scored OR excluded.scored""")
