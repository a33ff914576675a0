"""Versioned schema migrations, recorded in the database (the sqlite-utils pattern).

Each migration is applied once, in order, inside a transaction, and recorded in
``schema_migrations``. Before migrating an existing database file to a newer version,
:func:`qa_pipeline.store.open_db` copies it to ``<name>.v<old>.bak``.

Tables hold the data; the public views (``calls``, ``turns``, ``words``,
``check_results``, ``call_results``) are the documented interface other tools rely on
(see docs/schema.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import duckdb


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str


MIGRATIONS: list[Migration] = []


def migration(version: int, description: str) -> Callable[[Callable[[], str]], Callable[[], str]]:
    def register(fn: Callable[[], str]) -> Callable[[], str]:
        MIGRATIONS.append(Migration(version, description, fn()))
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
        role_confidence, role_note, processed_at FROM call_store;
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


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "description VARCHAR, applied_at TIMESTAMPTZ DEFAULT current_timestamp)"
    )
    row = con.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def latest_version() -> int:
    return MIGRATIONS[-1].version


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration newer than the database; returns the versions applied."""
    applied = []
    for m in MIGRATIONS:
        if m.version <= current_version(con):
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(m.sql)
            con.execute(
                "INSERT INTO schema_migrations (version, description) VALUES (?, ?)",
                [m.version, m.description],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(m.version)
    return applied
