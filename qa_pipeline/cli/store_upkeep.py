"""`qa store regroup`: the upkeep of a store's layout, for a database the writer did not keep.

The writer groups each day's turns by agent once the day is over (``store.turn_layout``), after
each group of calls it stores. A database filled another way (calls imported in bulk, a copy
restored, a migration interrupted) or left without a writer for days keeps its days as stored
until the next group of calls; this command groups them now, with progress."""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from typing import Optional

import click

from qa_pipeline.cli.options import db_option, example
from qa_pipeline.errors import QaError
from qa_pipeline.store import database as store
from qa_pipeline.store import turn_layout


def register(cli: click.Group) -> None:
    cli.add_command(store_group)


@click.group("store")
def store_group() -> None:
    """The store's upkeep: group the turns of the days over by agent (what the writer does as it stores)."""


class _Echo(logging.Handler):
    """The turn layout's progress lines (one per transaction of about a million turns) on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"  {record.getMessage()}", err=True)


@example("qa store regroup --db qa.duckdb", "qa store regroup --db qa.duckdb --before 2026-06-01")
@store_group.command("regroup")
@db_option(exists=True)
@click.option("--before", "before", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Only the days before this date (UTC), YYYY-MM-DD; default: every day over (before today).")
@click.option("--wait", "wait_seconds", default=10.0, show_default=True, type=click.FloatRange(0, 3600),
              help="Seconds to wait for another process to free the database.")
def regroup(db_path: str, before: Optional[datetime], wait_seconds: float) -> None:
    """Group the turns of each day over by agent, so that a search for an agent's calls reads
    that agent's turns alone (docs/dashboard.md, "one agent's turns kept together").

    For a database imported in bulk, restored, or upgraded by an interrupted migration: the
    writer (`qa run`) does this as it stores calls. Each transaction rewrites whole days (about a
    million turns) and is committed, so an interrupted run keeps what it did and the next run
    goes on from there. The database must not be in use by another writer meanwhile."""
    today = turn_layout.day_start(datetime.now(timezone.utc))
    until = today if before is None else before.replace(tzinfo=timezone.utc)
    if until > today:
        raise QaError(f"--before {until.date()}: that day is not over (today is {today.date()} UTC); "
                      "a day is grouped once it is over: give an earlier date or leave --before out")
    progress = logging.getLogger(turn_layout.__name__)
    handler, level = _Echo(), progress.level
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    try:
        try:
            with store.opened(db_path, wait_seconds=wait_seconds) as con:  # an older schema migrates here
                before_run = turn_layout.clustered_before(con)
                rewritten = turn_layout.cluster_closed_days(con, now=until)
                reached = turn_layout.clustered_before(con)
        except store.DatabaseBusy as exc:
            raise QaError(f"{db_path}: the database is in use by another process (a `qa run`, `qa import` or the "
                          f"dashboard's writer); stop it, or run this when it is done (waited {wait_seconds:g} s; "
                          "--wait for longer). A running writer groups the days over itself") from exc
    finally:
        progress.removeHandler(handler)
        progress.setLevel(level)
    click.echo(_summary(rewritten, before_run, reached, until.date()))


def _summary(rewritten: int, before_run: Optional[datetime], reached: Optional[datetime], until: date) -> str:
    if reached is None:
        return f"no turns stored before {until}: nothing to group"
    if rewritten == 0:
        return f"nothing to group: the turns are grouped by agent up to {reached.date()} (exclusive)"
    start = f" from {before_run.date()}" if before_run is not None else ""
    return f"{rewritten:,} turns grouped by agent{start} up to {reached.date()} (exclusive)"
