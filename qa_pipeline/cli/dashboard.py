"""`qa dashboard` (the Streamlit app, headless), `qa report` (the weekly HTML report) and
`qa queue` (share flagged calls out among the QA specialists)."""
from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import click

from qa_pipeline import package_data
from qa_pipeline.cli.options import db_option, example
from qa_pipeline.errors import QaError
from qa_pipeline.privacy import access, sessions
from qa_pipeline.review import admin as review_admin
from qa_pipeline.review import writes
from qa_pipeline.store import database as store  # report (altair, polars): imported by `qa report` only

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def register(cli: click.Group) -> None:
    for command in (dashboard, report_, queue):
        cli.add_command(command)


def streamlit_command(db_path: str, host: str, port: int) -> list[str]:
    """The `streamlit run` line: headless (no browser, no first-run e-mail prompt), no usage stats."""
    return [sys.executable, "-m", "streamlit", "run", str(package_data.dashboard_app()),
            "--server.headless=true", "--browser.gatherUsageStats=false",
            f"--server.address={host}", f"--server.port={port}", "--server.fileWatcherType=none",
            "--global.developmentMode=false", "--client.toolbarMode=minimal"]


def no_users_message(db: str) -> str:
    """What to do first on a new centre's database, where every sign-in would fail."""
    return (f"{db} has no dashboard users yet, so every sign-in will say \"Wrong user name or password\".\n"
            f"Add an administrator first (the password is read from standard input):\n"
            f"  qa users add NAME --role admin --db {shlex.quote(db)} --password-stdin\n"
            f"or use the dashboard alone on this machine, without sign-in: qa dashboard --db {shlex.quote(db)} --local")


@example(
    "qa dashboard --db qa.duckdb --recordings calls/",
    "qa dashboard --db qa.duckdb --local   # just you, on this machine, no sign-in",
)
@click.command()
@db_option()
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 for the whole network (then sign-in is required).")
@click.option("--local", is_flag=True,
              help="Single-user mode on this machine: no sign-in, full rights. Only with a loopback --host.")
@click.option("--recordings", multiple=True, type=click.Path(file_okay=False),
              help="Folder the recordings may be played from (repeatable; default: the database's folder and "
                   "every folder `qa run` read calls from into it).")
@click.option("--exports", type=click.Path(file_okay=False),
              help="Folder playlist exports are written to (default: exports/ beside the database).")
@click.option("--session-hours", type=click.FloatRange(min=0, min_open=True), default=None,
              help=f"How long a sign-in lasts across reloads and bookmarks (default: QA_SESSION_HOURS, "
                   f"else {sessions.DEFAULT_HOURS:g}).")
def dashboard(db_path, port, host, local, recordings, exports, session_hours):
    """Start the QA dashboard on DB and print its URL (Ctrl-C stops it)."""
    app = package_data.dashboard_app()
    if not app.exists():
        raise QaError(f"{app}: the dashboard app is missing from the installed package; reinstall qa-pipeline "
                      "(pip install --force-reinstall qa-pipeline, or pip install -e . in its source folder)")
    if local and host not in LOOPBACK:
        raise click.BadParameter(f"--local gives full rights without sign-in, so it only listens on this machine; "
                                 f"drop --local or use --host 127.0.0.1 (got {host})", param_hint="--local")
    db = str(Path(db_path).expanduser().resolve())
    with store.opened(db) as con:  # create or migrate it, and apply writes journaled while it was busy
        has_users = any(account.active for account in access.list_users(con))
        sessions.ensure_secret(con)  # signs the sessions that survive a reload
    if not has_users and not local:
        click.echo(no_users_message(db), err=True)
    env = dict(os.environ, QA_DB=db, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", STREAMLIT_SERVER_HEADLESS="true")
    env.pop("QA_DASHBOARD_LOCAL", None)
    if local:
        env["QA_DASHBOARD_LOCAL"] = "1"
    if recordings:
        env["QA_RECORDINGS"] = os.pathsep.join(str(Path(r).expanduser().resolve()) for r in recordings)
    if session_hours:
        env["QA_SESSION_HOURS"] = str(session_hours)
    if exports:
        env["QA_EXPORTS"] = str(Path(exports).expanduser().resolve())
    shown = "localhost" if host in LOOPBACK else host
    click.echo(f"QA dashboard on {db}: http://{shown}:{port}" + ("  (single-user mode)" if local else ""))
    sys.stdout.flush()
    # Streamlit takes this process's place, so Ctrl-C, SIGTERM and service managers reach it directly.
    os.chdir(app.parent)
    os.execve(sys.executable, streamlit_command(db, host, port), env)


@example("qa report --db qa.duckdb --week 2026-W47 --out report.html")
@click.command("report")
@db_option(help="DuckDB database that `qa run` or `qa import` wrote.")
@click.option("--week", required=True, help="ISO week, e.g. 2026-W46.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="HTML file to write.")
def report_(db_path, week, out):
    """Write the weekly QA report for managers (self-contained HTML)."""
    if not Path(db_path).exists():
        raise QaError(f"{db_path}: no such database; give the --db that `qa run` wrote")
    from qa_pipeline.insights import report

    size = report.write_report(db_path, week, out)
    click.echo(f"wrote {out} ({size / 1024:.0f} KiB)")


@example("qa queue --db qa.duckdb --by team --sample 2")
@click.command()
@db_option()
@click.option("--by", type=click.Choice(review_admin.ASSIGN_MODES), default="team", show_default=True,
              help="team: to the specialists covering the call's team; turn: to everyone in turn.")
@click.option("--sample", "sample_percent", type=click.FloatRange(0, 100), default=None,
              help="Percent of unflagged calls to sample into the queues (default: the saved setting, else 2).")
def queue(db_path, by, sample_percent):
    """Share flagged calls (and a random sample of unflagged ones) out among the QA specialists."""
    kwargs = {"by": by, "actor": "cli"}
    if sample_percent is not None:
        kwargs["sample_share"] = sample_percent / 100
    receipt = writes.write(db_path, "assign_queue", **kwargs)
    if not receipt.saved:
        click.echo("the database is busy: the assignment is journaled and runs when the batch finishes")
    else:
        counts = receipt.result
        click.echo(f"queued {counts['flagged']} flagged and {counts['sample']} sampled call(s)")
