"""An agent's scorecard compares them with the rest of their team: the other agents' calls
together, also when the agent looks (their own scope holds only their calls), as aggregates
only, and not at all when too few other agents would make them out."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from dashboard_fixtures import build_reviewed_centre

from qa_pipeline.insights import aggregates
from qa_pipeline.insights.filters import CallFilter
from qa_pipeline.privacy.access import OWNER, User, Viewer
from qa_pipeline.store import database as store


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from qa_pipeline.demo.centre import build_centre

    db = tmp_path_factory.mktemp("team") / "demo.duckdb"
    with store.opened(db) as con:
        build_centre(con, seed=3, calls=120, today=date(2026, 11, 20))
        # the agent with the most calls in the team with the most agents
        agent, team = con.execute("""SELECT agent_id, team FROM call_store WHERE team = (
                SELECT team FROM call_store GROUP BY team ORDER BY count(DISTINCT agent_id) DESC LIMIT 1)
            GROUP BY ALL ORDER BY count(*) DESC, agent_id LIMIT 1""").fetchone()
        rest = con.execute("""SELECT date_trunc('week', c.started_at)::DATE AS week, avg(r.score) AS avg_score,
                count(*) AS calls FROM call_store c JOIN result_store r USING (call_id)
            WHERE c.status = 'done' AND c.team = ? AND c.agent_id <> ? GROUP BY ALL ORDER BY week""",
                           [team, agent]).fetchall()
        rest = pl.DataFrame(rest, schema=["week", "avg_score", "calls"], orient="row")
        own = con.execute("""SELECT avg(r.score) FROM call_store c JOIN result_store r USING (call_id)
            WHERE c.status = 'done' AND c.agent_id = ?""", [agent]).fetchone()[0]
    return db, agent, team, rest, own


def test_the_agent_sees_the_rest_of_the_team_not_themself(demo):
    db, agent, team, rest, own = demo
    me = Viewer.of(User("me", "agent", agent_id=agent))
    weekly = aggregates.agent_weekly(db, me, agent, CallFilter())
    team_rows = weekly.filter(pl.col("who") == "team").sort("week")
    assert team_rows["week"].to_list() == rest["week"].to_list()
    assert team_rows["calls"].to_list() == rest["calls"].to_list()
    assert team_rows["avg_score"].to_list() == pytest.approx(rest["avg_score"].to_list())
    mine = weekly.filter(pl.col("who") == "agent")
    assert float((mine["avg_score"] * mine["calls"]).sum() / mine["calls"].sum()) == pytest.approx(own)
    # the team lead's view of the same agent gives the same rest-of-team figures
    lead = Viewer.of(User("lead", "team_lead", team=team))
    assert aggregates.agent_weekly(db, lead, agent, CallFilter()).sort("week", "who").equals(weekly.sort("week", "who"))
    # only aggregates: no call, agent id or name of anyone else
    assert set(weekly.columns) == {"week", "who", "avg_score", "calls"}
    items = aggregates.agent_items(db, me, agent, CallFilter())
    assert set(items.columns) == {"check_id", "agent_pass_rate", "agent_checked", "team_pass_rate"}
    assert items["team_pass_rate"].drop_nulls().len() > 0
    assert not items.filter(pl.col("agent_checked") > 0)["agent_pass_rate"].equals(items["team_pass_rate"])


def test_rest_of_team_item_pass_rates_exclude_the_agent(demo):
    db, agent, team, *_ = demo
    me = Viewer.of(User("me", "agent", agent_id=agent))
    mine = aggregates.agent_items(db, me, agent, CallFilter())
    # the team's pass rates from the agent's colleagues alone, as the owner sees them
    counts = aggregates.item_pass_by_team(db, OWNER, CallFilter(teams=(team,)))
    others = [a for a in aggregates.filter_options(db, OWNER)["agents"].filter(pl.col("team") == team)["agent_id"]
              if a != agent]
    rest = aggregates.item_pass_by_team(db, OWNER, CallFilter(agents=tuple(others)))
    assert not counts.is_empty()
    expected = dict(zip(rest["check_id"].to_list(), rest["pass_rate"].to_list()))
    got = {r["check_id"]: r["team_pass_rate"] for r in mine.iter_rows(named=True) if r["team_pass_rate"] is not None}
    assert got.keys() == expected.keys()
    assert all(got[k] == pytest.approx(expected[k]) for k in got)


def test_no_comparison_for_another_agent_or_a_team_too_small_to_hide_in(demo, tmp_path):
    db, agent, *_ = demo
    me = Viewer.of(User("me", "agent", agent_id=agent))
    other = aggregates.filter_options(db, OWNER)["agents"].filter(pl.col("agent_id") != agent)["agent_id"][0]
    assert aggregates.agent_weekly(db, me, other, CallFilter()).is_empty()
    assert aggregates.agent_items(db, me, other, CallFilter()).is_empty()
    small = tmp_path / "small.duckdb"  # two agents a team: one colleague's figures would show through
    with store.opened(small) as con:
        build_reviewed_centre(con, n=24)
    a01 = Viewer.of(User("a01", "agent", agent_id="a01"))
    assert aggregates.MIN_OTHER_AGENTS > 1
    weekly = aggregates.agent_weekly(small, a01, "a01", CallFilter())
    assert set(weekly["who"]) == {"agent"}
    assert aggregates.agent_items(small, a01, "a01", CallFilter())["team_pass_rate"].null_count() == \
        aggregates.agent_items(small, a01, "a01", CallFilter()).height
    lead = Viewer.of(User("lead", "team_lead", team="Team A"))  # the lead sees every agent anyway
    assert set(aggregates.agent_weekly(small, lead, "a01", CallFilter())["who"]) == {"agent", "team"}
