"""`qa users add|list|set-role|set-password|deactivate`: dashboard users and their roles.

Passwords are read from a hidden prompt, or from standard input with ``--password-stdin``
(scripts, CI). Nothing prompts when standard input is not a terminal.
"""
from __future__ import annotations

import getpass
import sys

import click

from qa_pipeline.cli.options import db_option, example
from qa_pipeline.errors import QaError
from qa_pipeline.privacy import access
from qa_pipeline.store import database as store

PASSWORD_STDIN = click.option("--password-stdin", is_flag=True,
                              help="Read the password from the first line of standard input.")


def register(cli: click.Group) -> None:
    cli.add_command(users)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in a bare container
        return "cli"


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise QaError("--password-stdin: standard input was empty; pipe the password in")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise QaError("standard input is not a terminal, so the password cannot be prompted for; "
                      "use --password-stdin and pipe it in")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group()
def users() -> None:
    """Dashboard users: who may sign in and with which role (admin, manager, qa, trainer, team_lead, agent)."""


@example("qa users add lead.chen --role team_lead --team 热线一组 --db qa.duckdb")
@users.command("add")
@click.argument("username")
@db_option()
@click.option("--role", required=True, type=click.Choice(access.ROLES))
@click.option("--team", default=None, help="Team (needed for team_lead; recorded for agents).")
@click.option("--agent-id", default=None, help="The agent's id in the call metadata (needed for agent).")
@click.option("--name", "display_name", default=None, help="Name shown in the dashboard.")
@click.option("--email", default=None, help="E-mail used to match sign-ins through the company identity provider.")
@click.option("--sso-only", is_flag=True, help="No password: the user signs in through the identity provider only.")
@PASSWORD_STDIN
def add(username, db_path, role, team, agent_id, display_name, email, sso_only, password_stdin):
    """Create USERNAME with a role; the password is prompted for (hidden)."""
    password = None if sso_only else _read_password(password_stdin)
    with store.opened(db_path) as con:
        access.add_user(con, username, password, role, team=team, agent_id=agent_id,
                        display_name=display_name, email=email, actor=_actor())
    click.echo(f"added {username} ({role})")


@example("qa users list --db qa.duckdb")
@users.command("list")
@db_option()
def list_(db_path):
    """Show every user, their role, team, agent id and whether they may sign in."""
    with store.opened(db_path, read_only=True) as con:
        accounts = access.list_users(con)
    if not accounts:
        click.echo("no users yet; add one with `qa users add NAME --role admin --db ...`")
        return
    click.echo(f"{'user':<20} {'role':<10} {'team':<12} {'agent_id':<10} {'sign-in':<9} name")
    for a in accounts:
        u = a.user
        sign_in = ("password" if a.has_password else "sso") if a.active else "disabled"
        click.echo(f"{u.username:<20} {u.role:<10} {u.team or '-':<12} {u.agent_id or '-':<10} "
                   f"{sign_in:<9} {u.display_name or ''}")


@example("qa users set-role qa.sun qa --db qa.duckdb")
@users.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(access.ROLES))
@db_option()
@click.option("--team", default=None, help="New team (needed when the role becomes team_lead).")
@click.option("--agent-id", default=None, help="Agent id (needed when the role becomes agent).")
def set_role(username, role, db_path, team, agent_id):
    """Change USERNAME's ROLE; recorded in the audit log."""
    with store.opened(db_path) as con:
        access.set_role(con, username, role, actor=_actor(), team=team, agent_id=agent_id)
    click.echo(f"{username} is now {role}")


@example('echo "$NEW_PASSWORD" | qa users set-password qa.sun --password-stdin --db qa.duckdb')
@users.command("set-password")
@click.argument("username")
@db_option()
@PASSWORD_STDIN
def set_password(username, db_path, password_stdin):
    """Give USERNAME a new password (prompted for, hidden)."""
    password = _read_password(password_stdin)
    with store.opened(db_path) as con:
        access.set_password(con, username, password, actor=_actor())
    click.echo(f"password of {username} changed")


@example("qa users deactivate agent.a1101 --db qa.duckdb")
@users.command("deactivate")
@click.argument("username")
@db_option()
def deactivate(username, db_path):
    """Refuse USERNAME's sign-ins from now on; their history is kept."""
    with store.opened(db_path) as con:
        access.deactivate_user(con, username, actor=_actor())
    click.echo(f"{username} can no longer sign in")
