"""A schema migration's record and the register the migration lists add theirs to.

A migration is a version, a description, the SQL that brings the schema to it and, for a
table too large to rewrite in one transaction, a fill that runs after it in batches of its
own. The lists (store.migrations_tables: the tables a centre's data lives in;
store.migrations_dashboard: the dashboard's facts and what keeps its look-ups fast) register
theirs with :func:`migration`; store.migrations applies them in order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import duckdb

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
