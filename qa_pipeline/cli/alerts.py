"""`qa alerts check|send|list`: alerts on critical calls (rules in a YAML file, docs/alerts.md)."""
from __future__ import annotations

import click

from qa_pipeline.alerts.config import load_config
from qa_pipeline.alerts.send import send_due
from qa_pipeline.cli.options import db_option, example
from qa_pipeline.errors import QaError
from qa_pipeline.store import database as store

CONFIG = click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False),
                      help="The alerts configuration file (YAML: rules, email, webhook; see docs/alerts.md).")


def register(cli: click.Group) -> None:
    cli.add_command(alerts)


@click.group()
def alerts() -> None:
    """Alerts on critical calls: e-mail and webhook, once per call and rule, shown in the dashboard."""


def _shown(value: object) -> str:
    """A condition's value as it is written in the file."""
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) else str(value)


@example("qa alerts check --config alerts.yaml")
@alerts.command("check")
@CONFIG
def check(config_path: str) -> None:
    """Validate an alerts configuration file and list its rules."""
    config = load_config(config_path)
    channels = [name for name, on in (("email", config.email), ("webhook", config.webhook)) if on]
    click.echo(f"{config_path}: {len(config.rules)} rule(s); delivered by {', '.join(channels) or 'dashboard only'}")
    for rule in config.rules:
        when = ", ".join(f"{k}: {_shown(v)}" for k, v in vars(rule.when).items() if v not in (None, ()))
        limits = "".join(f"; {name}: {', '.join(values)}" for name, values in (("teams", rule.teams),
                                                                              ("queues", rule.queues)) if values)
        click.echo(f"  {rule.id}: {rule.title} — when {when}{limits}; sends {', '.join(config.channels(rule)) or '-'}")


@example("qa alerts send --db qa.duckdb --config alerts.yaml")
@alerts.command("send")
@db_option(exists=True)
@CONFIG
def send(db_path: str, config_path: str) -> None:
    """Raise alerts for the stored calls that match a rule and send every delivery that is due.

    Each alert is sent once per call and rule; failed deliveries are retried with backoff, in
    this run and in later ones. Run it after `qa run`, or every minute from cron or a timer.
    Exit code 1 when a delivery failed (it is retried by the next run unless given up)."""
    report = send_due(db_path, load_config(config_path))
    click.echo(f"{report.raised} new alert(s); {report.sent} delivered, {report.retrying} to retry, "
               f"{report.given_up} given up" + (f", {report.deferred} deferred" if report.deferred else ""))
    if report.queued_records:
        click.echo(f"{report.queued_records} attempt record(s) wait in the pending-writes journal (database busy)")
    for problem in report.problems:
        click.secho(f"  {problem}", fg="yellow", err=True)
    if report.retrying or report.given_up or report.deferred:
        raise SystemExit(1)


@example("qa alerts list --db qa.duckdb --limit 20")
@alerts.command("list")
@db_option(exists=True)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000), help="Newest alerts shown.")
def list_alerts(db_path: str, limit: int) -> None:
    """The newest alerts with the state of each delivery."""
    with store.opened(db_path, read_only=True) as con:
        if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'alert_store'").fetchone()[0]:
            raise QaError(f"{db_path}: this database has no alerts yet (an older schema); "
                          "`qa alerts send` migrates it and raises them")
        rows = con.execute(
            """SELECT a.raised_at, a.rule_id, a.call_id, a.team, a.score,
                      string_agg(d.channel || ' ' || d.status || ' (' || d.attempts || ')', ', ' ORDER BY d.channel)
               FROM alert_store a LEFT JOIN alert_delivery_store d USING (alert_id)
               GROUP BY ALL ORDER BY a.raised_at DESC, a.call_id LIMIT ?""", [limit]).fetchall()
    if not rows:
        click.echo("no alerts yet")
    for raised_at, rule_id, call_id, team, score, deliveries in rows:
        shown = "-" if score is None else f"{score:g}"
        click.echo(f"{raised_at:%Y-%m-%d %H:%M}  {rule_id}  {call_id}  {team or '-'}  score {shown}  "
                   f"{deliveries or 'dashboard only'}")
