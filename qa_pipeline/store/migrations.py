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

import duckdb

from qa_pipeline.store import migrations_dashboard, migrations_tables  # noqa: F401  (they register the migrations)
from qa_pipeline.store.migration_record import MIGRATIONS, Fill, Migration
from qa_pipeline.store.migrations_dashboard import CALL_ID_INDEXED

__all__ = ["CALL_ID_INDEXED", "MIGRATIONS", "Fill", "Migration", "apply_migrations", "current_version",
           "latest_version", "pending_versions"]


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
