"""A database file as an older qa-pipeline left it, for the migration tests."""
from __future__ import annotations

import duckdb

from qa_pipeline.store.migrations import MIGRATIONS, current_version


def database_at(path, version: int) -> duckdb.DuckDBPyConnection:
    """Open ``path`` with migrations 1 … ``version`` applied and recorded, as that version
    of qa-pipeline made it; the caller adds rows and closes it."""
    con = duckdb.connect(str(path))
    current_version(con)  # creates schema_migrations, as every version did
    for m in MIGRATIONS[:version]:
        con.execute(m.sql)
        con.execute("INSERT INTO schema_migrations (version, description) VALUES (?, ?)", [m.version, m.description])
    return con
