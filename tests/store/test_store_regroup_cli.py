"""`qa store regroup`: a store whose days were not grouped by the writer (imported in bulk, the
writer stopped) gets each day over grouped by agent, with progress, up to --before; the same
rows; a database another process writes to gets a message that says what to do."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from click.testing import CliRunner
from dashboard_fixtures import batch_holding_the_lock, make_call

from qa_pipeline.cli.main import cli
from qa_pipeline.store import database as store
from qa_pipeline.store import turn_layout

DAY1 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def _imported(path, monkeypatch, days: int = 3) -> list[tuple]:
    """Four calls a day for ``days`` days, agents a01 and b01 in turn, stored one at a time
    with the writer's clock on each day and nothing grouped (as a bulk import leaves them)."""
    with store.opened(path) as con:
        for i in range(4 * days):
            when = DAY1 + timedelta(days=i // 4, hours=i % 4)
            call, result = make_call(i, team="Team A", agent="a01" if i % 2 == 0 else "b01", imported=True, flagged=False, when=when)
            monkeypatch.setattr(store, "_now", lambda when=when: when + timedelta(minutes=5))
            store.save_call(con, call, [result])
        assert turn_layout.clustered_before(con) is None
        return _turns(con)


def _turns(con) -> list[tuple]:
    return con.execute("SELECT call_id, turn, agent_id, stored_at, text FROM turn_store ORDER BY rowid").fetchall()


def _agents_of_day(turns: list[tuple], day: int) -> list[str]:
    start = DAY1.replace(hour=0) + timedelta(days=day)
    return [r[2] for r in turns if start <= r[3] < start + timedelta(days=1)]


def test_regroup_groups_the_days_before_the_date_then_the_rest_and_keeps_every_turn(tmp_path, monkeypatch):
    path = tmp_path / "qa.duckdb"
    before = _imported(path, monkeypatch)
    assert _agents_of_day(before, 0) != sorted(_agents_of_day(before, 0))  # stored interleaved
    runner = CliRunner()

    first = runner.invoke(cli, ["store", "regroup", "--db", str(path), "--before", "2026-03-04"])
    assert first.exit_code == 0, first.output
    assert "grouped by agent, day by day: up to 2026-03-04" in first.output  # progress
    assert "turns grouped by agent up to 2026-03-04 (exclusive)" in first.output
    with store.opened(path, read_only=True) as con:
        after = _turns(con)
        assert turn_layout.clustered_before(con) == datetime(2026, 3, 4, tzinfo=timezone.utc)
    assert sorted(after) == sorted(before)
    assert all(_agents_of_day(after, d) == sorted(_agents_of_day(after, d)) for d in (0, 1))
    assert _agents_of_day(after, 2) == _agents_of_day(before, 2)  # after --before: as stored

    rest = runner.invoke(cli, ["store", "regroup", "--db", str(path)])
    assert rest.exit_code == 0, rest.output
    assert "from 2026-03-04" in rest.output
    with store.opened(path, read_only=True) as con:
        after = _turns(con)
    assert sorted(after) == sorted(before)
    assert _agents_of_day(after, 2) == sorted(_agents_of_day(after, 2))

    again = runner.invoke(cli, ["store", "regroup", "--db", str(path)])
    assert again.exit_code == 0 and "nothing to group" in again.output


def test_regroup_refuses_a_day_not_over_and_a_database_in_use_saying_what_to_do(tmp_path, monkeypatch):
    path = tmp_path / "qa.duckdb"
    before = _imported(path, monkeypatch, days=1)
    runner = CliRunner()
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()
    early = runner.invoke(cli, ["store", "regroup", "--db", str(path), "--before", tomorrow])
    assert early.exit_code == 2 and "that day is not over" in early.output
    with batch_holding_the_lock(path):
        busy = runner.invoke(cli, ["store", "regroup", "--db", str(path), "--wait", "0"])
    assert busy.exit_code == 2
    assert "in use by another process" in busy.output and "stop it, or run this when it is done" in busy.output
    with store.opened(path, read_only=True) as con:
        assert _turns(con) == before and turn_layout.clustered_before(con) is None  # nothing changed
