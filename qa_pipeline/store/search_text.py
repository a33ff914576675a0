"""The text the words search matches, kept with the stored turns: each turn's lowered text
(``turn_store.text_lower``, :data:`qa_pipeline.store.rows.TURN_LOWERED`), which the writer stores
with the turn and migration 25 fills in for a database stored before it."""
from __future__ import annotations

import logging

import duckdb

from qa_pipeline.store.rows import TURN_LOWERED

log = logging.getLogger(__name__)

LOWERED_BATCH = 2_000_000
"""Turns a batch of migration 25 lowers and commits (about 250,000 calls)."""


def lower_stored_turns(con: duckdb.DuckDBPyConnection) -> None:
    """Fill every stored turn's ``text_lower`` (migration 25), :data:`LOWERED_BATCH` turns at a
    time by row id, each batch committed and logged: at ten million calls (80 million turns) one
    UPDATE would hold every changed row's old and new text until its commit. Setting a value
    already set is skipped, so a run interrupted and run again only does what is left."""
    last = con.execute("SELECT max(rowid) FROM turn_store").fetchone()[0]
    if last is None:
        return
    for start in range(0, last + 1, LOWERED_BATCH):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"UPDATE turn_store SET text_lower = {TURN_LOWERED} WHERE rowid >= ? AND rowid < ? "
                        f"AND text_lower IS DISTINCT FROM {TURN_LOWERED}", [start, start + LOWERED_BATCH])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("CHECKPOINT")  # the batch written to the file: the WAL stays small, each batch durable
        log.info("migration 25: the turns' lowered text, %d of %d turns", min(start + LOWERED_BATCH, last + 1),
                 last + 1)
