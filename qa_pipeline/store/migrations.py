"""Versioned schema migrations, recorded in the database (the sqlite-utils pattern).

Each migration is applied once, in order, inside a transaction, and recorded in
``schema_migrations``. Before migrating an existing database file to a newer version,
:func:`qa_pipeline.store.database.open_db` copies it to ``<name>.v<old>.bak``.

Tables hold the data; the public views (``calls``, ``turns``, ``words``,
``check_results``, ``call_results``) are the documented interface other tools rely on
(see docs/schema.md).
"""
from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Callable, Optional

import duckdb

from qa_pipeline.store import call_facts, search_text, turn_layout

log = logging.getLogger(__name__)

Fill = Callable[[duckdb.DuckDBPyConnection], None]


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str
    fill: Optional[Fill] = None
    """Run after ``sql`` is committed and before the migration is recorded, in transactions of
    its own (a table too large to rewrite in one: batches, each committed, their progress
    logged); it must do nothing a second time, as an interrupted one runs again."""


MIGRATIONS: list[Migration] = []


def migration(version: int, description: str, fill: Optional[Fill] = None
              ) -> Callable[[Callable[[], str]], Callable[[], str]]:
    def register(fn: Callable[[], str]) -> Callable[[], str]:
        MIGRATIONS.append(Migration(version, description, fn(), fill))
        MIGRATIONS.sort(key=lambda m: m.version)
        return fn

    return register


@migration(1, "calls, turns and words")
def _v1() -> str:
    return """
    CREATE TABLE call_store (
        call_id VARCHAR PRIMARY KEY,
        source_path VARCHAR,
        sha256 VARCHAR,
        duration DOUBLE,
        channels INTEGER,
        sample_rate INTEGER,
        language VARCHAR,
        agent_id VARCHAR,
        agent_name VARCHAR,
        team VARCHAR,
        started_at TIMESTAMPTZ,
        ring_seconds DOUBLE,
        metadata JSON,
        source VARCHAR,            -- 'audio' | 'import'
        status VARCHAR NOT NULL,   -- 'done' | 'failed'
        error VARCHAR,
        asr_model VARCHAR,
        role_confidence DOUBLE,
        role_note VARCHAR,
        roles_uncertain BOOLEAN DEFAULT FALSE,
        redacted BOOLEAN DEFAULT FALSE,
        processed_at TIMESTAMPTZ DEFAULT current_timestamp
    );
    CREATE TABLE turn_store (
        call_id VARCHAR NOT NULL,
        turn INTEGER NOT NULL,
        speaker VARCHAR NOT NULL,
        start_s DOUBLE,
        end_s DOUBLE,
        text VARCHAR,
        PRIMARY KEY (call_id, turn)
    );
    CREATE TABLE word_store (
        call_id VARCHAR NOT NULL,
        turn INTEGER NOT NULL,
        word INTEGER NOT NULL,
        speaker VARCHAR,
        start_s DOUBLE,
        end_s DOUBLE,
        text VARCHAR,
        probability DOUBLE,
        PRIMARY KEY (call_id, turn, word)
    );
    CREATE VIEW calls AS SELECT call_id, source_path, sha256, duration, channels, language,
        agent_id, agent_name, team, started_at, ring_seconds, metadata, source, status, error,
        role_confidence, role_note, roles_uncertain, redacted, processed_at FROM call_store;
    CREATE VIEW turns AS SELECT call_id, turn, speaker, start_s AS "start", end_s AS "end", text
        FROM turn_store;
    CREATE VIEW words AS SELECT call_id, turn, word, speaker, start_s AS "start", end_s AS "end",
        text, probability FROM word_store;
    """


@migration(2, "rubric results and conversation metrics")
def _v2() -> str:
    return """
    CREATE TABLE check_store (
        call_id VARCHAR NOT NULL,
        rubric_id VARCHAR NOT NULL,
        rubric_version VARCHAR NOT NULL,
        check_id VARCHAR NOT NULL,
        outcome VARCHAR NOT NULL,
        critical BOOLEAN,
        weight DOUBLE,
        evidence_text VARCHAR,
        evidence_speaker VARCHAR,
        evidence_start DOUBLE,
        evidence_end DOUBLE,
        rule VARCHAR,
        scored_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (call_id, rubric_id, rubric_version, check_id)
    );
    CREATE TABLE result_store (
        call_id VARCHAR NOT NULL,
        rubric_id VARCHAR NOT NULL,
        rubric_version VARCHAR NOT NULL,
        score DOUBLE,
        flagged BOOLEAN,
        flag_reasons VARCHAR[],
        complaint BOOLEAN,
        critical_fail BOOLEAN,
        scored_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (call_id, rubric_id, rubric_version)
    );
    CREATE TABLE metric_store (
        call_id VARCHAR PRIMARY KEY,
        agent_talk_seconds DOUBLE,
        customer_talk_seconds DOUBLE,
        talk_ratio DOUBLE,
        longest_silence_seconds DOUBLE,
        silences_over_5s INTEGER,
        agent_talkovers INTEGER,
        speech_rate DOUBLE,
        speech_rate_unit VARCHAR,
        first_agent_words_seconds DOUBLE,
        customer_sentiment DOUBLE
    );
    CREATE VIEW check_results AS SELECT call_id, rubric_id, rubric_version, check_id, outcome,
        evidence_text, evidence_speaker, evidence_start, evidence_end, rule, critical, weight,
        scored_at FROM check_store;
    CREATE VIEW call_results AS SELECT call_id, rubric_id, rubric_version, score, flagged,
        flag_reasons, complaint, critical_fail, scored_at FROM result_store;
    CREATE VIEW call_metrics AS SELECT * FROM metric_store;
    """


@migration(3, "organisation: roster of agents and teams")
def _v3() -> str:
    return """
    CREATE TABLE agent_roster (
        agent_id VARCHAR PRIMARY KEY,
        agent_name VARCHAR,
        team VARCHAR,
        team_lead VARCHAR,
        hire_date DATE,
        centre VARCHAR
    );
    CREATE VIEW agents AS SELECT * FROM agent_roster;
    """


@migration(4, "access: dashboard users and the audit log")
def _v4() -> str:
    return """
    CREATE TABLE app_user (
        username VARCHAR PRIMARY KEY,
        display_name VARCHAR,
        role VARCHAR NOT NULL,          -- admin | manager | qa | trainer | team_lead | agent
        team VARCHAR,                   -- for team_lead (and agents)
        agent_id VARCHAR,               -- for agents: their own agent_id
        password_hash VARCHAR,          -- bcrypt; NULL for users who sign in through OIDC
        email VARCHAR,
        active BOOLEAN DEFAULT TRUE,
        created_at TIMESTAMPTZ DEFAULT current_timestamp
    );
    CREATE SEQUENCE audit_seq;
    CREATE TABLE audit_log (
        id BIGINT DEFAULT nextval('audit_seq') PRIMARY KEY,
        logged_at TIMESTAMPTZ DEFAULT current_timestamp,
        actor VARCHAR NOT NULL,
        action VARCHAR NOT NULL,        -- e.g. review.save, finding.override, dispute.open, user.role
        target VARCHAR,                 -- e.g. a call_id or username
        detail JSON
    );
    """


@migration(5, "reviews: human reviews, disputes, acknowledgements, queues, playlists, quality targets")
def _v5() -> str:
    return """
    CREATE TABLE review_store (
        call_id VARCHAR NOT NULL,
        rubric_id VARCHAR NOT NULL,
        rubric_version VARCHAR NOT NULL,
        reviewer VARCHAR NOT NULL,
        auto_score DOUBLE,              -- the automatic score when the call was reviewed
        human_score DOUBLE,
        comment VARCHAR,
        reviewed_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (call_id, rubric_id, rubric_version)
    );
    CREATE TABLE finding_review_store (
        call_id VARCHAR NOT NULL,
        rubric_id VARCHAR NOT NULL,
        rubric_version VARCHAR NOT NULL,
        check_id VARCHAR NOT NULL,
        verdict VARCHAR NOT NULL,       -- 'confirm' | 'override'
        auto_outcome VARCHAR,
        human_outcome VARCHAR NOT NULL, -- pass | fail | na: the outcome the reviewer stands by
        comment VARCHAR,
        reviewer VARCHAR NOT NULL,
        reviewed_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (call_id, rubric_id, rubric_version, check_id)
    );
    CREATE TABLE dispute_store (
        dispute_id VARCHAR PRIMARY KEY,
        call_id VARCHAR NOT NULL,
        rubric_id VARCHAR,
        rubric_version VARCHAR,
        check_id VARCHAR,               -- NULL: the whole call's review is disputed
        opened_by VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        opened_at TIMESTAMPTZ NOT NULL,
        status VARCHAR NOT NULL,        -- 'open' | 'upheld' (finding changed) | 'rejected'
        resolved_by VARCHAR,
        resolution VARCHAR,
        resolved_outcome VARCHAR,
        resolved_at TIMESTAMPTZ
    );
    CREATE TABLE acknowledgement_store (
        call_id VARCHAR NOT NULL,
        username VARCHAR NOT NULL,
        comment VARCHAR,
        acknowledged_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (call_id, username)
    );
    CREATE TABLE queue_store (
        call_id VARCHAR PRIMARY KEY,
        assignee VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,        -- 'flagged' | 'sample' (random unflagged) | 'dispute'
        assigned_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE playlist_store (
        playlist_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        owner VARCHAR NOT NULL,
        description VARCHAR,
        created_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE playlist_clip_store (
        clip_id VARCHAR PRIMARY KEY,
        playlist_id VARCHAR NOT NULL,
        call_id VARCHAR NOT NULL,
        check_id VARCHAR,
        start_s DOUBLE,
        end_s DOUBLE,
        note VARCHAR,
        added_by VARCHAR NOT NULL,
        added_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE target_store (
        scope VARCHAR NOT NULL,         -- 'centre' | 'team' | 'agent'
        scope_id VARCHAR NOT NULL,      -- '' for the centre, else the team or agent_id
        metric VARCHAR NOT NULL,        -- 'score' (average) | 'pass_rate' | 'flagged_rate'
        target DOUBLE NOT NULL,
        set_by VARCHAR NOT NULL,
        set_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (scope, scope_id, metric)
    );
    CREATE TABLE setting_store (
        key VARCHAR PRIMARY KEY,
        value JSON
    );
    -- Writes replayed from the pending-writes journal are recorded so each applies once.
    CREATE TABLE applied_write (
        write_id VARCHAR PRIMARY KEY,
        op VARCHAR NOT NULL,
        applied_at TIMESTAMPTZ DEFAULT current_timestamp
    );
    CREATE VIEW reviews AS SELECT * FROM review_store;
    CREATE VIEW finding_reviews AS SELECT * FROM finding_review_store;
    CREATE VIEW disputes AS SELECT * FROM dispute_store;
    CREATE VIEW acknowledgements AS SELECT * FROM acknowledgement_store;
    CREATE VIEW review_queue AS SELECT * FROM queue_store;
    CREATE VIEW playlists AS SELECT * FROM playlist_store;
    CREATE VIEW playlist_clips AS SELECT * FROM playlist_clip_store;
    CREATE VIEW quality_targets AS SELECT * FROM target_store;
    -- Each finding with the outcome a person stands by: the reviewer's where reviewed.
    CREATE VIEW final_check_results AS SELECT c.*, f.verdict, f.human_outcome,
        coalesce(f.human_outcome, c.outcome) AS final_outcome, f.reviewer, f.comment AS review_comment
        FROM check_store c LEFT JOIN finding_review_store f USING (call_id, rubric_id, rubric_version, check_id);
    """


def _without_key(table: str, not_null: tuple[str, ...]) -> str:
    """SQL that rebuilds ``table`` with the same columns and rows but no key index (DuckDB
    cannot drop a primary key); ``not_null``: the columns that stay NOT NULL. Views read
    the table by name, so they read the rebuilt one."""
    keep = "".join(f"    ALTER TABLE {table} ALTER COLUMN {c} SET NOT NULL;\n" for c in not_null)
    return f"""
    CREATE TABLE {table}_rebuilt AS SELECT * FROM {table} ORDER BY call_id;
    DROP TABLE {table};
    ALTER TABLE {table}_rebuilt RENAME TO {table};
{keep}"""


@migration(6, "check results without a primary-key index (uniqueness kept by the one writer)")
def _v6() -> str:
    # The index on (call, rubric, version, check) made every commit of a re-scoring rebuild
    # it: ~1 s per 10,000 calls, more as the table grows, and no query used it (DuckDB
    # scans a compound key's prefix). store.results.write_result_rows deletes a call's rows for
    # a rubric version before inserting them, in one transaction, so rows stay unique
    # (tests/test_store.py checks it).
    return _without_key("check_store", ("call_id", "rubric_id", "rubric_version", "check_id", "outcome", "scored_at"))


@migration(7, "normalised turn texts kept for re-scoring")
def _v7() -> str:
    # One row per call: its turns' texts as the rubric matcher compares them (case, digits,
    # punctuation, homophones folded), and the normaliser version that made them. Written
    # with the call; re-scoring reads them instead of normalising every turn again, and
    # normalises (and stores) anew the calls of another version.
    return """
    CREATE TABLE turn_norm_store (
        call_id VARCHAR NOT NULL,
        normalizer INTEGER NOT NULL,
        texts VARCHAR[] NOT NULL
    );
    """


@migration(8, "stored conversation metrics say which metrics version computed them")
def _v8() -> str:
    # NULL for metrics stored before: re-scoring computes those again (and stores the version).
    return "ALTER TABLE metric_store ADD COLUMN metrics_version INTEGER;"


@migration(9, "call results and metrics without key indexes; call_metrics lists its columns")
def _v9() -> str:
    # As migration 6 for check results: the key indexes were rebuilt at every commit of a
    # re-scoring (~0.15 s per 10,000 calls, growing with the table). The one writer
    # (store.results.write_result_rows) deletes before it inserts and drops repeated calls, so rows
    # stay unique (tests/test_store.py checks it). call_metrics keeps its documented columns
    # (metrics_version, added in 8, is bookkeeping).
    return (_without_key("result_store", ("call_id", "rubric_id", "rubric_version", "scored_at"))
            + _without_key("metric_store", ("call_id",)) + """
    CREATE OR REPLACE VIEW call_metrics AS SELECT call_id, agent_talk_seconds, customer_talk_seconds, talk_ratio,
        longest_silence_seconds, silences_over_5s, agent_talkovers, speech_rate, speech_rate_unit,
        first_agent_words_seconds, customer_sentiment FROM metric_store;
    """)



@migration(10, "alerts on critical calls: one per call and rule, their deliveries and every attempt")
def _v10() -> str:
    # Written by qa_pipeline.alerts (rules in a config file, `qa alerts send`). The key on
    # (call_id, rule_id) is what makes an alert once per call and rule whatever is re-run or
    # re-scored; a delivery is one channel (email | webhook) of one alert, attempted until sent
    # or given up, each attempt kept with its outcome.
    return """
    CREATE TABLE alert_store (
        alert_id VARCHAR PRIMARY KEY,
        call_id VARCHAR NOT NULL,
        rule_id VARCHAR NOT NULL,
        title VARCHAR,
        rubric_id VARCHAR,
        rubric_version VARCHAR,
        team VARCHAR,
        agent_id VARCHAR,
        score DOUBLE,
        reasons VARCHAR[],
        raised_at TIMESTAMPTZ NOT NULL,
        UNIQUE (call_id, rule_id)
    );
    CREATE TABLE alert_delivery_store (
        alert_id VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,       -- 'email' | 'webhook'
        target VARCHAR,                 -- the recipients, or the webhook's address without its path
        status VARCHAR NOT NULL,        -- 'pending' | 'sent' | 'failed' (given up)
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TIMESTAMPTZ,
        sent_at TIMESTAMPTZ,
        last_error VARCHAR,
        PRIMARY KEY (alert_id, channel)
    );
    CREATE TABLE alert_attempt_store (
        attempt_id VARCHAR PRIMARY KEY,
        alert_id VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,
        attempt INTEGER NOT NULL,
        attempted_at TIMESTAMPTZ NOT NULL,
        ok BOOLEAN NOT NULL,
        detail VARCHAR
    );
    -- When each rule was first used: without `since:` a rule alerts on calls stored from then on,
    -- not on the history already in the database.
    CREATE TABLE alert_rule_store (
        rule_id VARCHAR PRIMARY KEY,
        first_used_at TIMESTAMPTZ NOT NULL
    );
    CREATE VIEW alerts AS SELECT * FROM alert_store;
    CREATE VIEW alert_deliveries AS SELECT * FROM alert_delivery_store;
    CREATE VIEW alert_attempts AS SELECT * FROM alert_attempt_store;
    """


# apply_migrations applies every migration a database has not recorded (not only those above
# its highest), so migrations numbered on parallel branches may be merged in either order.
@migration(11, "sentence embeddings kept for re-scoring (learned judgements)")
def _v11() -> str:
    # One row per sentence the learned judgements read (a turn is cut into sentences as the
    # learned check cuts it): its vector, the encoder that made it (id and version) and a hash
    # of the sentence's text. Written with the call; `qa score` uses a row only for the loaded
    # encoder and a sentence with that hash, and embeds (and stores) the others, so vectors of
    # two encoders are never mixed. 384 floats: multilingual-e5-small's dimension.
    return """
    CREATE TABLE turn_embedding_store (
        call_id VARCHAR NOT NULL,
        turn INTEGER NOT NULL,
        sentence INTEGER NOT NULL,
        encoder_id VARCHAR NOT NULL,
        text_hash BIGINT NOT NULL,
        vector FLOAT[384] NOT NULL
    );
    """


@migration(12, "calibration: imported evaluations and the item models a centre's reviews trained")
def _v12() -> str:
    # Imported evaluations (qa reviews import): what a centre scored by hand before the
    # pipeline, one row per call, item and reviewer; not tied to a result or a rubric version,
    # so kept apart from finding_review_store. Model versions (qa calibrate): one row per
    # version, and per item the logistic regression it keeps (vectors as FLOAT[]); an item a
    # version leaves out keeps the model trained on the exemplar banks. Number 12: 10 and 11
    # are taken by work merged beside this one.
    return """
    CREATE TABLE imported_review_store (
        call_id VARCHAR NOT NULL,
        item VARCHAR NOT NULL,
        outcome VARCHAR NOT NULL,       -- pass | fail | na
        reviewer VARCHAR NOT NULL,
        comment VARCHAR,
        reviewed_at TIMESTAMPTZ NOT NULL,
        source_file VARCHAR,
        source_line INTEGER,
        imported_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (call_id, item, reviewer)
    );
    CREATE TABLE model_version_store (
        model_version INTEGER PRIMARY KEY,
        encoder_id VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        created_by VARCHAR,
        report JSON                     -- per item: reviews, agreement before and after, kept or retrained
    );
    CREATE TABLE item_model_store (
        model_version INTEGER NOT NULL,
        item VARCHAR NOT NULL,
        target VARCHAR NOT NULL,
        encoder_id VARCHAR NOT NULL,
        mean FLOAT[] NOT NULL,
        weights FLOAT[] NOT NULL,
        bias DOUBLE NOT NULL,
        n_target INTEGER,
        n_other INTEGER,
        cv_max_other DOUBLE,
        cv_q90_other DOUBLE,
        cv_accuracy DOUBLE,
        PRIMARY KEY (model_version, item, target)
    );
    CREATE VIEW imported_reviews AS SELECT call_id, item, outcome, reviewer, comment, reviewed_at, source_file,
        source_line, imported_at FROM imported_review_store;
    CREATE VIEW model_versions AS SELECT * FROM model_version_store;
    """



@migration(13, "each call's speech coverage per side, so re-scoring keeps the 'untranscribed' flag")
def _v13() -> str:
    # JSON [[speaker, speech_seconds, untranscribed_seconds], ...] (records.SideCoverage); NULL for
    # imported transcripts and for calls stored before it was measured.
    return "ALTER TABLE call_store ADD COLUMN coverage VARCHAR;"


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


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "description VARCHAR, applied_at TIMESTAMPTZ DEFAULT current_timestamp)"
    )
    row = con.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def latest_version() -> int:
    return MIGRATIONS[-1].version


def pending_versions(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The migrations the database has not recorded, in order."""
    current_version(con)  # makes schema_migrations where there is none
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    return [m.version for m in MIGRATIONS if m.version not in done]


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration the database has not recorded, in order; returns the versions
    applied. (Not only those newer than its latest: migrations numbered on parallel branches
    may be merged after a database recorded a higher one.)"""
    todo = set(pending_versions(con))
    applied = []
    for m in MIGRATIONS:
        if m.version not in todo:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(m.sql)
            if m.fill is not None:  # the schema first, then the fill's own batches, then the record
                con.execute("COMMIT")
                m.fill(con)  # rolls back its own batch where it fails
                con.execute("BEGIN TRANSACTION")
            con.execute(
                "INSERT INTO schema_migrations (version, description) VALUES (?, ?)",
                [m.version, m.description],
            )
            con.execute("COMMIT")
        except Exception:
            with contextlib.suppress(duckdb.TransactionException):  # none open: the fill's own failed
                con.execute("ROLLBACK")
            raise
        applied.append(m.version)
    return applied
