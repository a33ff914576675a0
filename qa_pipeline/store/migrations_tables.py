"""Migrations 1-13: the tables a centre's data lives in.

Calls, turns and words; rubric results and conversation metrics; the roster; dashboard users
and the audit log; reviews, disputes, queues and playlists; alerts; embeddings kept for
re-scoring; calibration. Applied in order by store.migrations; each is frozen once released
(a change is a new migration, in store.migrations_dashboard or a list after it).
"""
from __future__ import annotations

from qa_pipeline.store.migration_record import migration


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
