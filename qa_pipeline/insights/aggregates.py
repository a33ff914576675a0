"""The dashboard's aggregate queries, over the in-memory call facts (:mod:`qa_pipeline.insights.facts`).

Same contract as :mod:`qa_pipeline.insights.queries`: database path, viewer
(:class:`qa_pipeline.privacy.access.Viewer`), filter in; polars DataFrame out; user input only
as parameters. Item columns are named ``i0``, ``i1``… by position, never from user text.
"""
from __future__ import annotations

import os
from typing import Any, Optional

import polars as pl

from qa_pipeline.insights import facts
from qa_pipeline.insights.filters import CallFilter, scope_clause
from qa_pipeline.privacy.access import OWNER, Viewer
from qa_pipeline.store.journal import read, session

__all__ = [
    "agent_items",
    "agent_weekly",
    "failing_calls",
    "filter_options",
    "find_calls",
    "item_pass_by_team",
    "new_agents",
    "targets",
    "training_needs",
    "weekly_trends",
]

_LEVELS = {"centre": "'Centre'", "team": "coalesce(team, '(no team)')",
           "agent": "coalesce(agent_name, agent_id, '(unknown)')"}


def _item_counts(db: str | os.PathLike, where: str, args: list, group: dict[str, str]) -> pl.DataFrame:
    """Per group (name -> SQL expression over facts) and scored item: checked (not na), passed, failed.
    Informational checks (no weight, not critical: e.g. complaint detection) are left out."""
    cols = facts.item_columns(db, scored_only=True)
    keys = ", ".join(f'{expr} AS "{name}"' for name, expr in group.items())
    if not cols:
        return pl.DataFrame(schema={**{g: pl.String for g in group}, "check_id": pl.String, "checked": pl.Int64,
                                    "passed": pl.Int64, "failed": pl.Int64})
    measures = ", ".join(f"count(*) FILTER (WHERE {c} IN (0, 1)) AS n_{c}, count(*) FILTER (WHERE {c} = 0) AS p_{c}, "
                         f"count(*) FILTER (WHERE {c} = 1) AS f_{c}" for _, c in cols)
    wide = facts.query(db, f"SELECT {keys}, {measures} FROM facts WHERE {where} GROUP BY ALL", args)
    parts = [wide.select(*list(group), pl.lit(item).alias("check_id"), pl.col(f"n_{c}").alias("checked"),
                         pl.col(f"p_{c}").alias("passed"), pl.col(f"f_{c}").alias("failed"))
             for item, c in cols]
    return pl.concat(parts).filter(pl.col("checked") > 0)


def filter_options(db: str | os.PathLike, viewer: Viewer) -> dict[str, Any]:
    """Values for the filter widgets: teams, agents (id, name, team), languages, flag reasons, items, dates."""
    with session(db):  # all of its SQL on one brief read-only connection
        where, params = scope_clause(viewer)
        per_agent = facts.query(db, f"""SELECT agent_id, any_value(agent_name) AS agent_name, any_value(team) AS team,
                list(DISTINCT language) AS languages, list(DISTINCT team) AS teams, min(started_at)::DATE AS first,
                max(started_at)::DATE AS last FROM facts WHERE ({where}) GROUP BY agent_id ORDER BY agent_id""", params)
        reasons = read(db, "SELECT DISTINCT unnest(flag_reasons) AS reason FROM result_store ORDER BY reason")
        items = facts.items(db)

    def distinct(col: str) -> list:
        return sorted({v for vs in per_agent[col].to_list() for v in (vs or []) if v is not None})

    return {"teams": distinct("teams"), "agents": per_agent.filter(pl.col("agent_id").is_not_null()).select(
                "agent_id", "agent_name", "team"),
            "languages": distinct("languages"), "flag_reasons": [r for r in reasons["reason"].to_list() if r],
            "items": items, "first": per_agent["first"].min() if per_agent.height else None,
            "last": per_agent["last"].max() if per_agent.height else None}


def weekly_trends(db: str | os.PathLike, viewer: Viewer, f: CallFilter, level: str = "team") -> pl.DataFrame:
    """Per week and group (centre, team or agent): calls, average score, flagged, complaint and
    critical-failure rates."""
    where, args = facts.where(db, viewer, f)
    return facts.query(db, f"""SELECT week, {_LEVELS.get(level, _LEVELS['team'])} AS "group", count(*) AS calls,
            avg(score) AS avg_score, avg(flagged::INT) AS flagged_rate, avg(complaint::INT) AS complaint_rate,
            count(*) FILTER (WHERE critical_fail) AS critical_fails
        FROM facts WHERE {where} AND week IS NOT NULL GROUP BY ALL ORDER BY week, "group" """, args)


MIN_OTHER_AGENTS = 3
"""An agent sees the rest of their team's figures only when at least this many other agents
made them: fewer would let them work out a colleague's own figures."""


def _rest_of_team(db: str | os.PathLike, viewer: Viewer, agent_id: str, f: CallFilter) -> tuple[str, list, int]:
    """Conditions over the facts selecting the calls of ``agent_id``'s team made by the other
    agents in the period of ``f``, with their parameters and how many other agents that is.

    The agent must be in the viewer's scope (an agent: themselves). The calls are outside an
    agent's own scope, so only aggregates may be built on them (as :func:`agent_weekly` and
    :func:`agent_items` do): never a call, a name or a per-agent row. For an agent viewer,
    fewer than :data:`MIN_OTHER_AGENTS` other agents select nothing."""
    where, params = scope_clause(viewer)
    seen = facts.query(db, f"SELECT any_value(team) AS team, count(*) AS n FROM facts WHERE ({where}) AND agent_id = ?",
                       list(params) + [agent_id])
    if not seen.height or not seen["n"][0] or seen["team"][0] is None:
        return "FALSE", [], 0
    team_where, args = facts.where(db, OWNER, CallFilter(teams=(seen["team"][0],), date_from=f.date_from,
                                                         date_to=f.date_to))
    team_where += " AND agent_id IS DISTINCT FROM ?"
    args.append(agent_id)
    others = int(facts.query(db, f"SELECT count(DISTINCT agent_id) AS n FROM facts WHERE {team_where}", args)["n"][0])
    if viewer.scope == "agent" and others < MIN_OTHER_AGENTS:
        return "FALSE", [], others
    return team_where, args, others


def agent_weekly(db: str | os.PathLike, viewer: Viewer, agent_id: str, f: CallFilter) -> pl.DataFrame:
    """Weekly average score of the agent ('agent') and of the rest of their team ('team': the
    other agents' calls together, also for an agent looking at their own scorecard)."""
    with session(db):
        mine, args = facts.where(db, viewer, CallFilter(agents=(agent_id,), date_from=f.date_from, date_to=f.date_to))
        others, other_args, _ = _rest_of_team(db, viewer, agent_id, f)
        return facts.query(db, f"""SELECT week, 'agent' AS who, avg(score) AS avg_score, count(*) AS calls
                FROM facts WHERE {mine} AND week IS NOT NULL GROUP BY ALL
            UNION ALL SELECT week, 'team' AS who, avg(score) AS avg_score, count(*) AS calls
                FROM facts WHERE {others} AND week IS NOT NULL GROUP BY ALL
            ORDER BY week, who""", args + other_args)


def agent_items(db: str | os.PathLike, viewer: Viewer, agent_id: str, f: CallFilter) -> pl.DataFrame:
    """Pass rate per rubric item for the agent against the rest of their team (the other
    agents' calls together; reviewed outcomes count)."""
    with session(db):
        mine, args = facts.where(db, viewer, CallFilter(agents=(agent_id,), date_from=f.date_from, date_to=f.date_to))
        own = _item_counts(db, mine, args, {"who": "'agent'"})
        others, other_args, _ = _rest_of_team(db, viewer, agent_id, f)
        rest = _item_counts(db, others, other_args, {"who": "'team'"})
    agent = own.group_by("check_id").agg((pl.col("passed").sum() / pl.col("checked").sum()).alias("agent_pass_rate"),
                                         pl.col("checked").sum().alias("agent_checked"))
    team = rest.group_by("check_id").agg((pl.col("passed").sum() / pl.col("checked").sum()).alias("team_pass_rate"))
    return agent.join(team, on="check_id", how="full", coalesce=True).with_columns(
        pl.col("agent_checked").fill_null(0)).select(
        "check_id", "agent_pass_rate", "agent_checked", "team_pass_rate").sort("check_id")


def training_needs(db: str | os.PathLike, viewer: Viewer, f: CallFilter) -> pl.DataFrame:
    """Fail rate per item, team and week: which items to train, where and whether it improves."""
    where, args = facts.where(db, viewer, f)
    counts = _item_counts(db, where, args, {"team": "coalesce(team, '(no team)')", "week": "week"})
    return counts.select("check_id", "team", "week", "checked", "failed",
                         (pl.col("failed") / pl.col("checked")).alias("fail_rate")).sort("week", "team", "check_id")


def item_pass_by_team(db: str | os.PathLike, viewer: Viewer, f: CallFilter) -> pl.DataFrame:
    where, args = facts.where(db, viewer, f)
    counts = _item_counts(db, where, args, {"team": "coalesce(team, '(no team)')"})
    return counts.select("check_id", "team", "checked", (pl.col("passed") / pl.col("checked")).alias("pass_rate")
                         ).sort("check_id", "team")


def new_agents(db: str | os.PathLike, viewer: Viewer, f: CallFilter, weeks: int = 12) -> pl.DataFrame:
    """Average score by week since hire (0 = the hire week) for agents with calls in their first weeks."""
    with session(db):  # all of its SQL on one brief read-only connection
        roster = read(db, "SELECT agent_id, hire_date FROM agent_roster WHERE hire_date IS NOT NULL")
        if roster.is_empty():
            return pl.DataFrame(schema={"agent_id": pl.String, "agent": pl.String, "hire_date": pl.Date,
                                        "week_since_hire": pl.Int32, "avg_score": pl.Float64, "calls": pl.Int64})
        where, args = facts.where(db, viewer, CallFilter(teams=f.teams))
        per_week = facts.query(db, f"""SELECT agent_id, coalesce(any_value(agent_name), agent_id) AS agent, week,
                avg(score) AS avg_score, count(*) AS calls FROM facts
            WHERE {where} AND week IS NOT NULL AND agent_id IN (SELECT unnest(?)) GROUP BY agent_id, week""",
                               args + [roster["agent_id"].to_list()])
        hired = roster.with_columns((pl.col("hire_date") - pl.duration(days=pl.col("hire_date").dt.weekday() - 1))
                                    .alias("hire_week"))
        return (per_week.join(hired, on="agent_id")
                .with_columns(((pl.col("week") - pl.col("hire_week")).dt.total_days() // 7).cast(pl.Int32)
                              .alias("week_since_hire"))
                .filter((pl.col("week_since_hire") >= 0) & (pl.col("week_since_hire") < weeks))
                .select("agent_id", "agent", "hire_date", "week_since_hire", "avg_score", "calls")
                .sort("agent", "week_since_hire"))


def targets(db: str | os.PathLike, viewer: Viewer, f: CallFilter) -> pl.DataFrame:
    """Each quality target with the value reached over the filtered period and how far ahead
    of it (negative: behind). ``pass_rate`` is the share of items passed (reviewed outcomes count)."""
    with session(db):  # all of its SQL on one brief read-only connection
        goals = read(db, "SELECT scope, scope_id, metric, target FROM target_store ORDER BY scope, scope_id, metric")
        where, args = facts.where(db, viewer, f)
        actual: dict[tuple[str, str], dict] = {}
        for kind, expr in (("centre", "''"), ("team", "team"), ("agent", "agent_id")):
            if goals.filter(pl.col("scope") == kind).is_empty():
                continue
            calls = facts.query(db, f"SELECT {expr} AS scope_id, count(*) AS calls, avg(score) AS score, "
                                    f"avg(flagged::INT) AS flagged_rate FROM facts WHERE {where} GROUP BY ALL", args)
            if goals.filter((pl.col("scope") == kind) & (pl.col("metric") == "pass_rate")).is_empty():
                calls = calls.with_columns(pl.lit(None, pl.Float64).alias("pass_rate"))
            else:
                items = _item_counts(db, where, args, {"scope_id": expr}).group_by("scope_id").agg(
                    (pl.col("passed").sum() / pl.col("checked").sum()).alias("pass_rate"))
                calls = calls.join(items, on="scope_id", how="left")
            for row in calls.iter_rows(named=True):
                actual[(kind, row["scope_id"] or "")] = row
    rows = []
    for g in goals.iter_rows(named=True):
        got = actual.get((g["scope"], g["scope_id"] or ""))
        if got is None and g["scope"] != "centre":
            continue  # a team or agent outside the viewer's scope or period
        value = got.get(g["metric"]) if got else None
        ahead = None if value is None else (
            g["target"] - value if g["metric"] == "flagged_rate" else value - g["target"])
        rows.append({**g, "calls": got["calls"] if got else 0, "actual": value, "ahead_by": ahead})
    return pl.DataFrame(rows, schema={"scope": pl.String, "scope_id": pl.String, "metric": pl.String,
                                      "target": pl.Float64, "calls": pl.Int64, "actual": pl.Float64,
                                      "ahead_by": pl.Float64})


def failing_calls(db: str | os.PathLike, viewer: Viewer, f: CallFilter, check_id: str,
                  limit: Optional[int] = None) -> list[str]:
    """Ids of the calls (newest first) where ``check_id`` finally failed."""
    where, args = facts.where(db, viewer, CallFilter(f.teams, f.agents, f.date_from, f.date_to, f.languages,
                                               f.flag_reason, check_id))
    sql = f"SELECT call_id FROM facts WHERE {where} ORDER BY started_at DESC NULLS LAST"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return facts.query(db, sql, args)["call_id"].to_list()


def find_calls(db: str | os.PathLike, viewer: Viewer, f: CallFilter, *, item: Optional[str] = None,
               outcome: Optional[str] = None, among: Optional[list[str]] = None, page: int = 0,
               per_page: int = 50) -> tuple[list[str], int]:
    """One page of calls (newest first) with a finding of ``item`` (any item) ending ``outcome``
    (any outcome), optionally only ``among`` the given call ids; and the number of such findings."""
    where, args = facts.where(db, viewer, f)
    cols = [c for _, c in facts.item_columns(db, item)] if item else [c for _, c in facts.item_columns(db)]
    if not cols:
        return [], 0
    code = facts.CODES.get(outcome or "")  # an int from a fixed table, safe in the SQL text
    hits = [f"({c} = {code})" if code is not None else f"({c} IS NOT NULL)" for c in cols]
    if among is not None:
        where += " AND call_id IN (SELECT unnest(?))"
        args.append(among)
    where += f" AND ({' OR '.join(hits)})"
    total = facts.query(db, f"SELECT coalesce(sum({' + '.join(h + '::INT' for h in hits)}), 0) AS n "
                            f"FROM facts WHERE {where}", args)["n"][0]
    ids = facts.query(db, f"SELECT call_id FROM facts WHERE {where} ORDER BY started_at DESC NULLS LAST, call_id "
                          "LIMIT ? OFFSET ?", args + [per_page, max(page, 0) * per_page])["call_id"].to_list()
    return ids, int(total)
