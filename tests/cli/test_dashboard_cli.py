"""`qa dashboard` as a user starts it, up to the point where Streamlit would take over."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from qa_pipeline.cli import dashboard as dashboard_cli
from qa_pipeline.cli.main import cli


@pytest.fixture
def started(monkeypatch):
    """Streamlit replaces the process with os.execve: record the call instead of making it."""
    calls = []
    monkeypatch.setattr(dashboard_cli.os, "execve", lambda path, args, env: calls.append((args, env)))
    monkeypatch.setattr(dashboard_cli.os, "chdir", lambda path: None)
    return calls


def test_a_database_without_users_says_how_to_add_one(tmp_path, started):
    db = tmp_path / "centre.duckdb"
    result = CliRunner().invoke(cli, ["dashboard", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "no dashboard users yet" in result.output
    assert f"qa users add NAME --role admin --db {db} --password-stdin" in result.output
    assert "--local" in result.output
    assert "http://localhost:8501" in result.output
    assert len(started) == 1 and "streamlit" in started[0][0]


def test_no_hint_once_an_admin_exists_or_in_single_user_mode(tmp_path, started):
    db = tmp_path / "centre.duckdb"
    runner = CliRunner()
    local = runner.invoke(cli, ["dashboard", "--db", str(db), "--local"])
    assert local.exit_code == 0 and "no dashboard users" not in local.output
    added = runner.invoke(cli, ["users", "add", "ada", "--role", "admin", "--db", str(db), "--password-stdin"],
                          input="a long enough password\n")
    assert added.exit_code == 0, added.output
    result = runner.invoke(cli, ["dashboard", "--db", str(db)])
    assert result.exit_code == 0 and "no dashboard users" not in result.output
    assert len(started) == 2


def test_only_deactivated_users_count_as_none(tmp_path, started):
    db = tmp_path / "centre.duckdb"
    runner = CliRunner()
    runner.invoke(cli, ["users", "add", "ada", "--role", "admin", "--db", str(db), "--password-stdin"],
                  input="a long enough password\n")
    assert runner.invoke(cli, ["users", "deactivate", "ada", "--db", str(db)]).exit_code == 0
    assert "no dashboard users yet" in runner.invoke(cli, ["dashboard", "--db", str(db)]).output


def test_start_creates_the_session_secret_once_and_passes_the_session_length(tmp_path, started, monkeypatch):
    import json

    from qa_pipeline.privacy import sessions
    from qa_pipeline.store import database as store

    monkeypatch.delenv("QA_SESSION_HOURS", raising=False)
    db = tmp_path / "centre.duckdb"
    runner = CliRunner()
    assert runner.invoke(cli, ["dashboard", "--db", str(db), "--session-hours", "2"]).exit_code == 0
    with store.opened(db) as con:
        secret = json.loads(con.execute("SELECT value FROM setting_store WHERE key = ?",
                                        [sessions.SECRET_KEY]).fetchone()[0])
    assert runner.invoke(cli, ["dashboard", "--db", str(db)]).exit_code == 0
    with store.opened(db) as con:
        again = json.loads(con.execute("SELECT value FROM setting_store WHERE key = ?",
                                       [sessions.SECRET_KEY]).fetchone()[0])
    assert secret == again and len(secret) == 64  # kept: sessions signed before a restart stay valid
    assert started[0][1]["QA_SESSION_HOURS"] == "2.0" and "QA_SESSION_HOURS" not in started[1][1]
