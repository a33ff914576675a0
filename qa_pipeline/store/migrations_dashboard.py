"""Migrations 14 on: the dashboard's facts, results' history, and what keeps look-ups fast.

Facts kept per call, queue entry, review and agreement as calls are stored; results of earlier
model versions kept as history; the times, indexes and turn layout that bound a look-up to the
row groups it needs. Applied in order by store.migrations after store.migrations_tables'. A new
migration goes at the end here (or, when this module nears 800 lines, in a list after it).
"""
from __future__ import annotations

from qa_pipeline.store import call_facts, search_text, turn_layout
from qa_pipeline.store.migration_record import migration


@migration(14, "dashboard facts: one row per call and sums per day, agent and item, kept as calls are stored")
def _v14() -> str:
    # What the dashboard's pages read instead of every call's findings (store.call_facts keeps
    # them current): filled here from the calls and results already stored. Number 14: 15 is
    # taken by work merged beside this one.
    return call_facts.SCHEMA + call_facts.fill_sql()


# A finding's columns in check_store, and with when and by which model version it was scored, the
# columns the check_results views give from migration 15 on: migrations 15 and 17 both define
# those views. Frozen like the migrations that read them: a column added later gets a list of its own.
_FINDING_COLUMNS = ("call_id, rubric_id, rubric_version, check_id, outcome, evidence_text, evidence_speaker, "
                    "evidence_start, evidence_end, rule, critical, weight")
_CHECK_COLUMNS_15 = _FINDING_COLUMNS + ", scored_at, model_version"


@migration(15, "results say which model version scored them; results of earlier model versions kept as history")
def _v15() -> str:
    # model_version: the centre's item-model version in use when the result was scored (qa
    # calibrate; 0: the models trained on the exemplar banks alone); NULL for results stored
    # before it was recorded. check_store and result_store keep the current result, one per
    # call and rubric version (every reader relies on it); re-scoring with another model
    # version first moves the rows it replaces to the *_history_store tables, one result per
    # call, rubric version and model version (store.results.write_result_rows). Column lists
    # are spelled out, not copied with SELECT *, so a migration adding a column to the current
    # tables (numbered beside this one) does not change what history holds. Numbered 15 with
    # 14 taken by work merged beside this one; it needs only migrations 2 and 9.
    checks = ("call_id VARCHAR NOT NULL, rubric_id VARCHAR NOT NULL, rubric_version VARCHAR NOT NULL, "
              "check_id VARCHAR NOT NULL, outcome VARCHAR NOT NULL, critical BOOLEAN, weight DOUBLE, "
              "evidence_text VARCHAR, evidence_speaker VARCHAR, evidence_start DOUBLE, evidence_end DOUBLE, "
              "rule VARCHAR, scored_at TIMESTAMPTZ NOT NULL, model_version INTEGER")
    results = ("call_id VARCHAR NOT NULL, rubric_id VARCHAR NOT NULL, rubric_version VARCHAR NOT NULL, score DOUBLE, "
               "flagged BOOLEAN, flag_reasons VARCHAR[], complaint BOOLEAN, critical_fail BOOLEAN, "
               "scored_at TIMESTAMPTZ NOT NULL, model_version INTEGER")
    result_columns = ("call_id, rubric_id, rubric_version, score, flagged, flag_reasons, complaint, critical_fail, "
                      "scored_at, model_version")
    return f"""
    ALTER TABLE check_store ADD COLUMN model_version INTEGER;
    ALTER TABLE result_store ADD COLUMN model_version INTEGER;
    CREATE TABLE check_history_store ({checks}, replaced_at TIMESTAMPTZ NOT NULL);
    CREATE TABLE result_history_store ({results}, replaced_at TIMESTAMPTZ NOT NULL);
    CREATE OR REPLACE VIEW check_results AS SELECT {_CHECK_COLUMNS_15} FROM check_store;
    CREATE OR REPLACE VIEW call_results AS SELECT {result_columns} FROM result_store;
    -- Every model version's results, the current ones (current = true) and those replaced.
    CREATE VIEW check_results_by_model AS
        SELECT {_CHECK_COLUMNS_15}, true AS current FROM check_store
        UNION ALL SELECT {_CHECK_COLUMNS_15}, false AS current FROM check_history_store;
    CREATE VIEW call_results_by_model AS
        SELECT {result_columns}, true AS current FROM result_store
        UNION ALL SELECT {result_columns}, false AS current FROM result_history_store;
    """


@migration(16, "review queue facts: each queued call's facts and queue state in one table, kept as they change")
def _v16() -> str:
    # The review queue page joined the queue, the latest review and the open disputes of every
    # queued call to the call facts: 3-5 s at ten million calls (3 million queued). This table
    # holds what that join gave, kept by store.call_facts.refresh and refresh_queue.
    return call_facts.QUEUE_SCHEMA + call_facts.queue_fill_sql()


@migration(17, "history keeps a replaced result's findings only where they changed")
def _v17() -> str:
    # A new model version re-decides a few learned items; the other findings stay as they were,
    # and migration 15 copied all of them (twenty rows a call) at every change of version.
    # store.results.write_result_rows now copies a finding only where it changes; a history row
    # holds from its scored_at until its replaced_at, and one not copied was the same as the one
    # that replaced it. So a history result's finding of each check is the earliest stored one
    # (in history, or current: held until 'infinity') still held after the result was scored.
    # Rows copied whole by migration 15 read the same.
    c = ", ".join(f"c.{name.strip()}" for name in _FINDING_COLUMNS.split(","))
    return f"""
    CREATE OR REPLACE VIEW check_results_by_model AS
        SELECT {_CHECK_COLUMNS_15}, true AS current FROM check_store
        UNION ALL
        SELECT {c}, h.scored_at, h.model_version, false AS current
        FROM result_history_store h
        JOIN (SELECT {_FINDING_COLUMNS}, replaced_at FROM check_history_store
              UNION ALL SELECT {_FINDING_COLUMNS}, 'infinity'::TIMESTAMPTZ AS replaced_at FROM check_store) c
          ON c.call_id = h.call_id AND c.rubric_id = h.rubric_id AND c.rubric_version = h.rubric_version
         AND c.replaced_at > h.scored_at
        QUALIFY row_number() OVER (PARTITION BY h.call_id, h.rubric_id, h.rubric_version, h.model_version,
                                   h.scored_at, c.check_id ORDER BY c.replaced_at) = 1;
    """



@migration(18, "agreement facts: per reviewed call, item and model version the version's and the person's outcome")
def _v18() -> str:
    # The agreement-by-model view windowed every reviewed call's findings across all model
    # versions (check_results_by_model) on each page view: 10 s at ten million calls. This
    # table holds what those windows gave, kept by store.call_facts.refresh (results, finding
    # reviews) and refresh_agreement (imported evaluations). The table as this migration made
    # it (migration 20 adds the call's facts): frozen here.
    return """
    CREATE TABLE agreement_fact_store (
        call_id VARCHAR NOT NULL,
        check_id VARCHAR NOT NULL,
        model_version INTEGER,
        current BOOLEAN,
        auto_outcome VARCHAR NOT NULL,
        human_outcome VARCHAR NOT NULL
    );
    """ + f"INSERT INTO agreement_fact_store SELECT * FROM ({call_facts.agreement_outcomes_sql()}) ORDER BY call_id;"


@migration(19, "clause embeddings kept for re-scoring: the clauses the learned judgements read")
def _v19() -> str:
    # The learned checks with ``clauses`` (zh B2, the complaint trigger) also judge the clauses
    # of a likely sentence; their vectors were made again on every `qa score` (the engine, ~20
    # ms of CPU a clause: 4.2 ms a call on bench/score_speed.py's calls). A clause's row is keyed like its sentence's plus its place in the sentence
    # (1, 2, …; 0 is the whole sentence, as every row stored before), with the same encoder id
    # and text hash, so `qa score` reads both alike and never mixes two encoders' vectors.
    return """
    ALTER TABLE turn_embedding_store ADD COLUMN clause INTEGER DEFAULT 0;
    """


@migration(20, "agreement facts carry the call's facts the dashboard filters on (start, team, agent, language, ...)")
def _v20() -> str:
    # The agreement-by-model view joined the agreement rows to the facts of every call the
    # filter kept (all ten million for "all time": 1.2 s of CPU at ten million calls). Each
    # row now carries its call's filter columns (call_facts.AGREEMENT_CALL_FACTS), so the view
    # reads this table alone. Filled from the rows migration 18 made and the call facts (the
    # view counted only calls with facts; so does the table now), ordered by start for the
    # date filters; kept by store.call_facts.refresh and refresh_agreement as before.
    call = ", ".join(f"c.{name}" for name in call_facts.AGREEMENT_CALL_FACTS)
    return f"""
    CREATE TEMP TABLE _agreement_18 AS SELECT * FROM agreement_fact_store;
    DROP TABLE agreement_fact_store;
    {call_facts.AGREEMENT_SCHEMA}
    INSERT INTO agreement_fact_store SELECT x.*, {call} FROM _agreement_18 x JOIN call_fact_store c
        ON c.call_id = x.call_id ORDER BY c.started_at, x.call_id;
    DROP TABLE _agreement_18;
    """


@migration(21, "review facts (each review with its call's review and queue state and filter facts); "
               "the queue's first rows worst-first; each agent group's first and last day")
def _v21() -> str:
    # The score-agreement view joined every call's latest review to the facts of every call the
    # filter kept (0.45 s of CPU at ten million calls, 200,000 reviews), and an agent's reviews
    # read all of the agent's call facts in the period (0.24 s). This table holds each review
    # with what those joins gave (store.call_facts.REVIEW_CALL_FACTS), kept by
    # store.call_facts.refresh (facts) and refresh_queue (reviews, queue changes). Filled from
    # the reviews, the queue and the call facts (the views counted only calls with facts).
    # The queue's worst-first page sorted every queued call (0.4 s of CPU at ten million calls,
    # three million queued): queue_worst_store keeps the first of them (call_facts.WORST_KEPT),
    # which hold the page of any filter but the narrowest.
    # The filter widgets grouped every day sum by agent (0.2 s of CPU at ten million calls, on
    # each page's first load): agent_fact_store holds those groups' first and last days.
    return (call_facts.REVIEW_SCHEMA + call_facts.review_fill_sql() + call_facts.WORST_SCHEMA
            + call_facts.worst_fill_sql() + call_facts.AGENT_SCHEMA + call_facts.agent_fill_sql())


@migration(22, "each call's facts keep its latest result's time (scored_at), which bounds look-ups of its findings")
def _v22() -> str:
    # A page's findings (50 calls) and a call's refresh looked the findings up by call id: where
    # ids do not follow the order calls are stored in, that reads every row group of the
    # findings (170 million rows at ten million calls). A result's findings carry its
    # scored_at, which does follow the order of storing: looked up by id and that time, a scan
    # skips the other row groups (zone maps). Databases made since migration 14 took the column
    # from call_facts.SCHEMA (nothing to add); older ones get it here, filled from each call's
    # latest result (the one its facts hold). The bound needs every finding to carry its
    # result's time, as write_result_rows (the one writer of findings) stamps them; rows
    # written otherwise (by hand, or by SQL in two transactions) take their result's time.
    # Each statement does nothing a second time.
    return """
    UPDATE check_store k SET scored_at = r.scored_at FROM result_store r
        WHERE r.call_id = k.call_id AND r.rubric_id = k.rubric_id AND r.rubric_version = k.rubric_version
          AND k.scored_at <> r.scored_at;
    ALTER TABLE call_fact_store ADD COLUMN IF NOT EXISTS scored_at TIMESTAMPTZ;
    UPDATE call_fact_store f SET scored_at = r.scored_at FROM result_store r
        WHERE f.scored_at IS NULL AND r.call_id = f.call_id AND r.rubric_id = f.rubric_id
          AND r.rubric_version = f.rubric_version;
    """


@migration(23, "each call's turns, words and facts keep its storing time (stored_at), which bounds its turns' look-ups")
def _v23() -> str:
    # One call's transcript, the words search and the writer's deletes of a call stored again
    # looked turns and words up by call id: where ids do not follow the order calls are stored
    # in, that reads every row group (8 turns a call). A call's turns and words are written
    # with its call row, in one transaction, so they carry its processed_at (stored_at), which
    # follows the order of storing: looked up by id and that time, a scan skips the other row
    # groups (zone maps), as migration 22's scored_at does for findings. The facts keep it too
    # (the words search bounds a window of days' turns by their calls' first and last). Rows
    # of calls without a call row keep NULL (no writer stores them). Each statement does
    # nothing a second time.
    return """
    ALTER TABLE turn_store ADD COLUMN IF NOT EXISTS stored_at TIMESTAMPTZ;
    UPDATE turn_store t SET stored_at = c.processed_at FROM call_store c
        WHERE c.call_id = t.call_id AND t.stored_at IS DISTINCT FROM c.processed_at;
    ALTER TABLE word_store ADD COLUMN IF NOT EXISTS stored_at TIMESTAMPTZ;
    UPDATE word_store w SET stored_at = c.processed_at FROM call_store c
        WHERE c.call_id = w.call_id AND w.stored_at IS DISTINCT FROM c.processed_at;
    ALTER TABLE call_fact_store ADD COLUMN IF NOT EXISTS stored_at TIMESTAMPTZ;
    UPDATE call_fact_store f SET stored_at = c.processed_at FROM call_store c
        WHERE c.call_id = f.call_id AND f.stored_at IS DISTINCT FROM c.processed_at;
    """


CALL_ID_INDEXED = ("result_store", "call_fact_store", "queue_fact_store", "review_fact_store",
                   "agreement_fact_store", "finding_review_store", "imported_review_store", "review_store",
                   "dispute_store", "metric_store", "turn_norm_store", "turn_embedding_store", "result_history_store",
                   "check_history_store")
"""The tables of one or a few rows a call (besides ``call_store``, whose key already is an
index) that the writer and a call's refresh look up by ``call_id`` (migration 24)."""


@migration(24, "an index on call_id of the tables of a few rows a call that look-ups by id read")
def _v24() -> str:
    # A call's refresh, the writer storing a call again and re-scoring look these tables up by
    # call id (its facts, result, queue and review rows, finding reviews; the deletes of its
    # metrics, normalised texts, embeddings and history). Where ids do not follow the order calls
    # are stored in, each look-up read every row group (30 ms at two million calls, several a
    # write). No time column bounds them: their rows are rewritten (a fact row with a review,
    # a result with a re-score) and appended with their old times, which would widen the zone
    # maps of every newer row group. An ART index on call_id does: DuckDB scans it for
    # `call_id = ?` and for a semi-join on call_id with a few ids (up to index_scan_max_count
    # rows; the writer's groups of 200 calls), instead of the row groups (tests/store/
    # test_lookup_bounds.py checks the profile). The findings, turns and words (many rows a
    # call) stay bounded by their time (migrations 22, 23): an index there would cost every
    # write more. CREATE INDEX IF NOT EXISTS does nothing a second time.
    return "".join(f"CREATE INDEX IF NOT EXISTS {table}_call_id ON {table} (call_id);\n"
                   for table in CALL_ID_INDEXED)


@migration(25, "each turn keeps its text lowered (text_lower), which the words search matches",
           search_text.lower_stored_turns)
def _v25() -> str:
    # The words search matched lower(text) of every turn it read: on real text (varied, not a
    # few strings DuckDB's dictionary holds once) that lowering was most of a search's cost (an
    # English phrase no call holds over 12 weeks at a million calls: 1.44 s CPU, of which
    # lower() over a million). The writer now stores each turn's lowered text with it
    # (rows.TURN_LOWERED: NULL where the text has no cased letter, most Mandarin), and the
    # search for words with a cased letter matches text_lower alone, for words without one the
    # text alone: the same calls found, no text lowered at query time, one text column read.
    # The fill (search_text.lower_stored_turns) runs in batches after the column is added.
    return "ALTER TABLE turn_store ADD COLUMN IF NOT EXISTS text_lower VARCHAR;"


@migration(26, "each turn keeps its call's agent; each day over keeps an agent's turns together",
           turn_layout.fill_agents)
def _v26() -> str:
    # A words search for one agent's calls over a year read the text of every turn of the year:
    # the agent's turns lay in every vector DuckDB reads (10 M calls: 4-12 s CPU). Each turn now
    # carries its call's agent, which the search filters on in the scan, and each day over is
    # rewritten grouped by agent (store.turn_layout; turn_layout_store: how far it got). The fill
    # groups the days stored before, a batch of days a transaction, then sets the open day's
    # turns' agent; run again, it does what is left.
    return f"ALTER TABLE turn_store ADD COLUMN IF NOT EXISTS agent_id VARCHAR;\n{turn_layout.LAYOUT_SQL};"
