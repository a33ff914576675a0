"""The order the stored turns are kept in: each closed day's turns grouped by their call's agent.

The writer appends a call's turns as it stores the call, so one agent's turns of a day lie
among everyone's (an agent takes one call in hundreds). A words search narrowed to an agent (a
team lead's coaching clips of one agent over a year) had to read the text of every turn stored
in the period: DuckDB reads a column a vector (2,048 rows) at a time and every vector held one
of the agent's turns (ten million calls: 80 million turns for 200,000 of the agent's, 4-12 s).

Each turn carries its call's agent (``turn_store.agent_id``, written with it; migration 26
fills it), and once a day is over (UTC) its turns are rewritten grouped by agent, in storing
order within an agent (:func:`cluster_closed_days`: the writer runs it after storing a group of
calls, migration 26 for the days stored before it). A search for an agent's calls filters the
turns on ``agent_id`` in the scan (:func:`qa_pipeline.insights.aggregates.calls_saying`), which
DuckDB checks before it reads a vector's text: it reads the few vectors of each day that hold
the agent's turns. Only the order changes: the same rows, the same calls found.

A day is rewritten once: the turns stored on it are the turns of the calls stored that day (the
writer stamps them with its own clock, ``stored_at``), so no turn is added to a day that is over;
a call stored again leaves it (deleted) for the day it is stored again. The first day not rewritten
yet is kept in ``turn_layout_store`` (one row)."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Optional

import duckdb

log = logging.getLogger(__name__)

CLUSTER_BATCH_TURNS = 1_000_000
"""A transaction rewrites whole days, up to about this many turns (one day more where a day holds more)."""

LAYOUT_SQL = "CREATE TABLE IF NOT EXISTS turn_layout_store (clustered_before TIMESTAMPTZ)"
"""The turns stored before ``clustered_before`` are grouped by agent day by day (no row: none is)."""

_DAY = "date_trunc('day', stored_at AT TIME ZONE 'UTC')"


def day_start(at: datetime) -> datetime:
    """The start (UTC) of the day ``at`` falls on."""
    at = at.astimezone(timezone.utc) if at.tzinfo else at.replace(tzinfo=timezone.utc)
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def clustered_before(con: duckdb.DuckDBPyConnection) -> Optional[datetime]:
    """The first time whose turns are not grouped by agent yet (None: no day is)."""
    row = con.execute("SELECT max(clustered_before) FROM turn_layout_store").fetchone()
    return row[0] if row else None


def cluster_closed_days(con: duckdb.DuckDBPyConnection, now: Optional[datetime] = None) -> int:
    """Rewrite the turns of every day over before ``now`` (default: the clock) and not rewritten
    yet grouped by agent, whole days at a time (:data:`CLUSTER_BATCH_TURNS`), each batch in its
    own committed transaction with its progress, so that one interrupted does the rest on its next
    run; returns the turns rewritten. Each turn's ``agent_id`` is set from its call row on the way.
    Outside any transaction of the caller's."""
    until = day_start(now or datetime.now(timezone.utc))
    since = clustered_before(con)
    if since is not None and since >= until:
        return 0
    after, args = ("stored_at >= ? AND ", [since]) if since is not None else ("", [])
    days = con.execute(f"SELECT {_DAY} AS d, count(*) FROM turn_store WHERE {after}stored_at < ? "
                       "GROUP BY d ORDER BY d", [*args, until]).fetchall()
    total = sum(n for _, n in days)
    rewritten = 0
    i = 0
    while i < len(days):
        first, turns = days[i][0], days[i][1]
        i += 1
        while i < len(days) and turns + days[i][1] <= CLUSTER_BATCH_TURNS:
            turns += days[i][1]
            i += 1
        start = since if since is not None else _utc(first)
        end = _utc(days[i][0]) if i < len(days) else until
        _rewrite(con, start, end)
        rewritten += turns
        since = end
        log.info("the turns grouped by agent, day by day: up to %s (%d of %d turns)", end.date(), rewritten, total)
    if since is not None and since < until:  # no turn stored in the days since: they are done all the same
        _mark(con, until)  # (no mark while no turn is stored: the first run starts at the first turn's day)
    return rewritten


def _utc(day: datetime) -> datetime:
    return day.replace(tzinfo=timezone.utc) if day.tzinfo is None else day


def _rewrite(con: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> None:
    """The turns stored from ``start`` to before ``end`` (whole days) deleted and inserted again
    grouped by day and agent, in storing order within each, with their calls' agents; and the
    mark moved to ``end``, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _turns_grouped AS
            SELECT t.* REPLACE (coalesce(c.agent_id, t.agent_id) AS agent_id)
            FROM turn_store t LEFT JOIN (SELECT call_id, agent_id FROM call_store
                                         WHERE processed_at >= ? AND processed_at < ?) c USING (call_id)
            WHERE t.stored_at >= ? AND t.stored_at < ?
            ORDER BY {_DAY.replace('stored_at', 't.stored_at')}, agent_id NULLS LAST, t.stored_at, t.call_id, t.turn""",
                    [start, end, start, end])
        con.execute("DELETE FROM turn_store WHERE stored_at >= ? AND stored_at < ?", [start, end])
        con.execute("INSERT INTO turn_store BY NAME SELECT * FROM temp._turns_grouped")
        con.execute("DROP TABLE temp._turns_grouped")
        _mark(con, end, in_transaction=True)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _mark(con: duckdb.DuckDBPyConnection, until: datetime, in_transaction: bool = False) -> None:
    """Record that the turns stored before ``until`` are grouped (in the caller's transaction, or one of its own)."""
    if not in_transaction:
        con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM turn_layout_store")
        con.execute("INSERT INTO turn_layout_store VALUES (?)", [until])
        if not in_transaction:
            con.execute("COMMIT")
    except BaseException:
        if not in_transaction:
            con.execute("ROLLBACK")
        raise


def fill_agents(con: duckdb.DuckDBPyConnection) -> None:
    """Migration 26's fill: the days over grouped by agent (:func:`cluster_closed_days`, which sets
    their turns' agents), and the agent of each turn of the day still open from its call row."""
    cluster_closed_days(con)
    since = clustered_before(con)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("""UPDATE turn_store t SET agent_id = c.agent_id FROM call_store c
            WHERE c.call_id = t.call_id AND t.stored_at >= ? AND t.agent_id IS DISTINCT FROM c.agent_id""", [since])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
