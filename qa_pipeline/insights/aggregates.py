"""The dashboard's aggregate queries, over the day sums and call facts the store keeps
(:mod:`qa_pipeline.insights.facts`, :mod:`qa_pipeline.store.call_facts`).

Same contract as :mod:`qa_pipeline.insights.queries`: database path, viewer
(:class:`qa_pipeline.privacy.access.Viewer`), filter in; polars DataFrame out; user input only
as parameters.
"""
from __future__ import annotations

import os
from datetime import date
from typing import Any, NamedTuple, Optional

import polars as pl

from qa_pipeline.insights import facts
from qa_pipeline.insights.filters import CallFilter, among_ids, scope_clause
from qa_pipeline.privacy.access import OWNER, Viewer
from qa_pipeline.store.call_facts import of_ids
from qa_pipeline.store.journal import read, session
from qa_pipeline.store.rows import TURN_SEARCHED

__all__ = [
    "CallsFound",
    "WORDS_CALLS_FOUND",
    "WORDS_CALLS_SEARCHED",
    "WORDS_WINDOW_CALLS",
    "NARROW_SHARE",
    "agent_items",
    "agent_weekly",
    "calls_saying",
    "failing_call_facts",
    "failing_calls",
    "filter_options",
    "find_call_facts",
    "find_calls",
    "item_pass_by_team",
    "new_agents",
    "targets",
    "training_needs",
    "weekly_trends",
]

_LEVELS = {"centre": "'Centre'", "team": "coalesce(team, '(no team)')",
           "agent": "coalesce(agent_name, agent_id, '(unknown)')"}


def _item_counts(db: str | os.PathLike, items: tuple[str, list], group: dict[str, str]) -> pl.DataFrame:
    """Per group (name -> SQL expression over the day sums) and scored item: checked (not
    na), passed, failed; ``items``: :func:`~qa_pipeline.insights.facts.item_sums` SQL and parameters."""
    keys = "".join(f'{expr} AS "{name}", ' for name, expr in group.items())
    sql, args = items
    return read(db, f"""SELECT {keys}check_id, sum(passed + failed)::BIGINT AS checked, sum(passed)::BIGINT AS passed,
            sum(failed)::BIGINT AS failed FROM ({sql}) GROUP BY ALL HAVING sum(passed + failed) > 0""", args)


def filter_options(db: str | os.PathLike, viewer: Viewer) -> dict[str, Any]:
    """Values for the filter widgets: teams, agents (id, name, team), languages, flag reasons, items, dates."""
    with session(db):  # all of its SQL on one brief read-only connection
        where, params = scope_clause(viewer)
        # The day sums' groups without the day (agent_fact_store: a few thousand rows, not every
        # day sum); an agent's name and team are those of the latest day, as the day sums say.
        per_agent = read(db, f"""SELECT agent_id, arg_max(agent_name, last) AS agent_name, arg_max(team, last) AS team,
                list(DISTINCT language) AS languages, list(DISTINCT team) AS teams, min(first) AS first,
                max(last) AS last FROM agent_fact_store WHERE ({where}) GROUP BY agent_id ORDER BY agent_id""", params)
        reasons = read(db, "SELECT DISTINCT unnest(flag_reasons) AS reason FROM agent_fact_store ORDER BY reason")
        items = facts.item_ids(db)

    def distinct(col: str) -> list:
        return sorted({v for vs in per_agent[col].to_list() for v in (vs or []) if v is not None})

    return {"teams": distinct("teams"), "agents": per_agent.filter(pl.col("agent_id").is_not_null()).select(
                "agent_id", "agent_name", "team"),
            "languages": distinct("languages"), "flag_reasons": [r for r in reasons["reason"].to_list() if r],
            "items": items, "first": per_agent["first"].min() if per_agent.height else None,
            "last": per_agent["last"].max() if per_agent.height else None}


_CALLS = "sum(calls)::BIGINT AS calls"
_AVG_SCORE = "sum(score_sum) / nullif(sum(scored), 0) AS avg_score"


def weekly_trends(db: str | os.PathLike, viewer: Viewer, f: CallFilter, level: str = "team") -> pl.DataFrame:
    """Per week and group (centre, team or agent): calls, average score, flagged, complaint and
    critical-failure rates."""
    sql, args = facts.call_sums(viewer, f)
    return read(db, f"""SELECT week, {_LEVELS.get(level, _LEVELS['team'])} AS "group", {_CALLS}, {_AVG_SCORE},
            sum(flagged) / sum(calls) AS flagged_rate, sum(complaints) / sum(calls) AS complaint_rate,
            sum(critical_fails)::BIGINT AS critical_fails
        FROM ({sql}) WHERE week IS NOT NULL GROUP BY ALL ORDER BY week, "group" """, args)


MIN_OTHER_AGENTS = 3
"""An agent sees the rest of their team's figures only when at least this many other agents
made them: fewer would let them work out a colleague's own figures."""

_NOTHING = (CallFilter(), "FALSE", [])


def _rest_of_team(db: str | os.PathLike, viewer: Viewer, agent_id: str, f: CallFilter
                  ) -> tuple[CallFilter, str, list, int]:
    """The filter and extra condition selecting the calls of ``agent_id``'s team (their latest)
    made by the other agents in the period of ``f`` (for :func:`~qa_pipeline.insights.facts.call_sums`
    with :data:`~qa_pipeline.privacy.access.OWNER`), and how many other agents that is.

    The agent must be in the viewer's scope (an agent: themselves). The calls are outside an
    agent's own scope, so only aggregates may be built on them (as :func:`agent_weekly` and
    :func:`agent_items` do): never a call, a name or a per-agent row. For an agent viewer,
    fewer than :data:`MIN_OTHER_AGENTS` other agents select nothing."""
    where, params = scope_clause(viewer)
    seen = read(db, f"SELECT arg_max(team, day) AS team, sum(calls) AS n FROM daily_call_store "
                    f"WHERE ({where}) AND agent_id = ?", list(params) + [agent_id])
    if not seen.height or not seen["n"][0] or seen["team"][0] is None:
        return (*_NOTHING, 0)
    team = CallFilter(teams=(seen["team"][0],), date_from=f.date_from, date_to=f.date_to)
    extra, extra_args = "agent_id IS DISTINCT FROM ?", [agent_id]
    sql, args = facts.call_sums(OWNER, team, extra, extra_args)
    others = int(read(db, f"SELECT count(DISTINCT agent_id) AS n FROM ({sql})", args)["n"][0])
    if viewer.scope == "agent" and others < MIN_OTHER_AGENTS:
        return (*_NOTHING, others)
    return team, extra, extra_args, others


def agent_weekly(db: str | os.PathLike, viewer: Viewer, agent_id: str, f: CallFilter) -> pl.DataFrame:
    """Weekly average score of the agent ('agent') and of the rest of their team ('team': the
    other agents' calls together, also for an agent looking at their own scorecard)."""
    with session(db):
        mine, args = facts.call_sums(viewer, CallFilter(agents=(agent_id,), date_from=f.date_from,
                                                        date_to=f.date_to))
        team, extra, extra_args, _ = _rest_of_team(db, viewer, agent_id, f)
        others, other_args = facts.call_sums(OWNER, team, extra, extra_args)
        return read(db, f"""SELECT week, 'agent' AS who, {_AVG_SCORE}, sum(calls)::BIGINT AS calls
                FROM ({mine}) WHERE week IS NOT NULL GROUP BY ALL
            UNION ALL SELECT week, 'team' AS who, {_AVG_SCORE}, sum(calls)::BIGINT AS calls
                FROM ({others}) WHERE week IS NOT NULL GROUP BY ALL
            ORDER BY week, who""", args + other_args)


def agent_items(db: str | os.PathLike, viewer: Viewer, agent_id: str, f: CallFilter) -> pl.DataFrame:
    """Pass rate per rubric item for the agent against the rest of their team (the other
    agents' calls together; reviewed outcomes count)."""
    with session(db):
        own = _item_counts(db, facts.item_sums(viewer, CallFilter(agents=(agent_id,), date_from=f.date_from,
                                                                  date_to=f.date_to)), {"who": "'agent'"})
        team, extra, extra_args, _ = _rest_of_team(db, viewer, agent_id, f)
        rest = _item_counts(db, facts.item_sums(OWNER, team, extra, extra_args), {"who": "'team'"})
    agent = own.group_by("check_id").agg((pl.col("passed").sum() / pl.col("checked").sum()).alias("agent_pass_rate"),
                                         pl.col("checked").sum().alias("agent_checked"))
    team = rest.group_by("check_id").agg((pl.col("passed").sum() / pl.col("checked").sum()).alias("team_pass_rate"))
    return agent.join(team, on="check_id", how="full", coalesce=True).with_columns(
        pl.col("agent_checked").fill_null(0)).select(
        "check_id", "agent_pass_rate", "agent_checked", "team_pass_rate").sort("check_id")


def training_needs(db: str | os.PathLike, viewer: Viewer, f: CallFilter) -> pl.DataFrame:
    """Fail rate per item, team and week: which items to train, where and whether it improves."""
    counts = _item_counts(db, facts.item_sums(viewer, f), {"team": "coalesce(team, '(no team)')", "week": "week"})
    return counts.select("check_id", "team", "week", "checked", "failed",
                         (pl.col("failed") / pl.col("checked")).alias("fail_rate")).sort("week", "team", "check_id")


def item_pass_by_team(db: str | os.PathLike, viewer: Viewer, f: CallFilter) -> pl.DataFrame:
    counts = _item_counts(db, facts.item_sums(viewer, f), {"team": "coalesce(team, '(no team)')"})
    return counts.select("check_id", "team", "checked", (pl.col("passed") / pl.col("checked")).alias("pass_rate")
                         ).sort("check_id", "team")


def new_agents(db: str | os.PathLike, viewer: Viewer, f: CallFilter, weeks: int = 12) -> pl.DataFrame:
    """Average score by week since hire (0 = the hire week) for agents with calls in their first weeks."""
    with session(db):  # all of its SQL on one brief read-only connection
        roster = read(db, "SELECT agent_id, hire_date FROM agent_roster WHERE hire_date IS NOT NULL")
        if roster.is_empty():
            return pl.DataFrame(schema={"agent_id": pl.String, "agent": pl.String, "hire_date": pl.Date,
                                        "week_since_hire": pl.Int32, "avg_score": pl.Float64, "calls": pl.Int64})
        sql, args = facts.call_sums(viewer, CallFilter(teams=f.teams), "agent_id IN (SELECT unnest(?))",
                                    [roster["agent_id"].to_list()])
        per_week = read(db, f"""SELECT agent_id, coalesce(any_value(agent_name), agent_id) AS agent, week,
                {_AVG_SCORE}, sum(calls)::BIGINT AS calls FROM ({sql})
            WHERE week IS NOT NULL GROUP BY agent_id, week""", args)
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
        actual: dict[tuple[str, str], dict] = {}
        for kind, expr in (("centre", "''"), ("team", "team"), ("agent", "agent_id")):
            if goals.filter(pl.col("scope") == kind).is_empty():
                continue
            sql, args = facts.call_sums(viewer, f)
            calls = read(db, f"SELECT {expr} AS scope_id, {_CALLS}, {_AVG_SCORE.replace('avg_score', 'score')}, "
                             f"sum(flagged) / sum(calls) AS flagged_rate FROM ({sql}) GROUP BY ALL", args)
            if goals.filter((pl.col("scope") == kind) & (pl.col("metric") == "pass_rate")).is_empty():
                calls = calls.with_columns(pl.lit(None, pl.Float64).alias("pass_rate"))
            else:
                items = _item_counts(db, facts.item_sums(viewer, f), {"scope_id": expr}).group_by("scope_id").agg(
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


def _calls_with(viewer: Viewer, f: CallFilter, item: Optional[str], outcome: Optional[str]
                ) -> tuple[str, list, Optional[tuple[str, list]]]:
    """Conditions over ``call_fact_store`` selecting the calls in scope matching ``f`` with a
    finding of ``item`` (any item) ending ``outcome`` (any outcome), their parameters, and the
    day sums of such findings (per day and item: ``day, check_id, n``; None where the day sums
    cannot tell: a failed-item or flag-reason filter)."""
    where, args = facts.call_where(viewer, f)
    lists = _lists(outcome)
    if item:
        where += " AND (" + " OR ".join(f"list_contains({name}, ?)" for name in lists) + ")"
        args += [item] * len(lists)
    else:
        where += " AND (" + " OR ".join(f"len({name}) > 0" for name in lists) + ")"
    if f.failed_item or f.flag_reason:
        return where, args, None
    sql, sums_args = facts.item_sums(viewer, f, "TRUE" if item is None else "check_id = ?",
                                     [] if item is None else [item], scored_only=False)
    return where, args, (f"SELECT day, check_id, {' + '.join(lists)} AS n FROM ({sql})", sums_args)


def _lists(outcome: Optional[str]) -> list[str]:
    return [facts.OUTCOME_LISTS[outcome]] if outcome in facts.OUTCOME_LISTS else list(facts.OUTCOME_LISTS.values())


def _calls_per_day(sums: Optional[tuple[str, list]]) -> Optional[tuple[str, list]]:
    """Per day, at least how many calls have such a finding: the most of any one item (a call
    has one finding per item)."""
    if sums is None:
        return None
    return f"SELECT day, max(n) AS n FROM (SELECT day, check_id, sum(n) AS n FROM ({sums[0]}) GROUP BY ALL) " \
           "GROUP BY day", sums[1]


def failing_calls(db: str | os.PathLike, viewer: Viewer, f: CallFilter, check_id: str,
                  limit: Optional[int] = None) -> list[str]:
    """Ids of the calls (newest first) where ``check_id`` finally failed."""
    return failing_call_facts(db, viewer, f, check_id, "call_id", limit)["call_id"].to_list()


def failing_call_facts(db: str | os.PathLike, viewer: Viewer, f: CallFilter, check_id: str, columns: str,
                       limit: Optional[int] = None) -> pl.DataFrame:
    """``columns`` of ``call_fact_store`` for the calls (newest first) where ``check_id`` finally failed."""
    where, args, sums = _calls_with(viewer, f, check_id, "fail")
    if limit:
        return facts.newest(db, columns, where, args, limit=limit, per_day=_calls_per_day(sums))
    return read(db, f"SELECT {columns} FROM call_fact_store WHERE {where} "
                    "ORDER BY started_at DESC NULLS LAST, call_id", args)


def find_calls(db: str | os.PathLike, viewer: Viewer, f: CallFilter, *, item: Optional[str] = None,
               outcome: Optional[str] = None, among: Optional[list[str]] = None, page: int = 0,
               per_page: int = 50) -> tuple[list[str], int]:
    """One page of calls (newest first) with a finding of ``item`` (any item) ending ``outcome``
    (any outcome), optionally only ``among`` the given call ids; and the number of such findings."""
    found = find_call_facts(db, viewer, f, "call_id", item=item, outcome=outcome, among=among, page=page,
                            per_page=per_page)
    return found.rows["call_id"].to_list(), found.total


WORDS_CALLS_FOUND = 1_000
"""A search for words said stops at the newest this many calls that said them: 20 pages, more
than anyone reads; narrower filters reach older calls."""
WORDS_CALLS_SEARCHED = 400_000
"""... and after searching this many calls' turns (newest first): a rare phrase over ten million
calls would read every turn stored (4 s and more); the dates, team or agent narrow it."""


WORDS_WINDOW_CALLS = 10_000
"""The first window of days a words search reads holds at least this many calls (a word said in
one call in ten fills the cap in one query); each next one three times as many as searched so
far. Few windows matter where the turns of a window's calls lie all over the turn table (call
ids out of step with the order calls are stored in): each window then scans the turn table's
call ids (0.07 s CPU per million calls stored)."""


NARROW_SHARE = 4
"""A words search whose filter keeps fewer than one in this many of the calls of a window's days
(a team, an agent, a language and item) matches the text of its calls' turns alone: the turns
of the days' other calls, which lie among them, are passed over by their call id before their
text is searched (a team over a quarter at one million calls: 1.3 → 0.24 s CPU, when it was lowered).
Where it keeps more, matching every turn of the days costs less than telling them apart."""


class CallsFound(NamedTuple):
    """A page of calls found, the number of matching findings, and for a words search that
    stopped early (:data:`WORDS_CALLS_FOUND`, :data:`WORDS_CALLS_SEARCHED`) the day it reached
    back to (older calls were not searched); None when every matching call was searched."""

    rows: pl.DataFrame
    total: int
    searched_from: Optional[date] = None


class WordsFound(NamedTuple):
    """What a words search found (:func:`calls_saying`) for a filter, item and outcome: the
    calls, newest first, the day it reached back to (None: every matching call searched) and
    the first and last day of the calls found. Every page of the search reads these calls: the
    dashboard keeps them (cached with the queries) so that the next page reads no turn."""

    calls: list[str]
    searched_from: Optional[date]
    days: Optional[tuple[date, date]]


def words_found(db: str | os.PathLike, viewer: Viewer, f: CallFilter, words: str, *,
                item: Optional[str] = None, outcome: Optional[str] = None,
                among: Optional[list[str]] = None) -> WordsFound:
    """The calls matching the filter, ``item`` and ``outcome`` (``among`` the given ids) in which
    someone said ``words`` (:func:`calls_saying`), for :func:`find_call_facts` (``found``)."""
    where, args, _ = _calls_with(viewer, f, item, outcome)
    per_day = None  # among given ids: counted from their facts
    with session(db):
        if among is not None:
            ids, ids_args = among_ids("call_id", among)
            where, args = f"{where} AND {ids}", [*args, *ids_args]
        else:  # the day sums count the calls in the filter (more than have the finding asked for:
            sql, sql_args = facts.call_sums(viewer, f)  # enough to size the windows)
            per_day = (f"SELECT day, calls AS n FROM ({sql})", sql_args)
        return WordsFound(*calls_saying(db, words, where, args, per_day, bound=facts.call_where(viewer, f),
                                        agents=agents_kept(viewer, f)))


def agents_kept(viewer: Viewer, f: CallFilter) -> Optional[tuple[str, ...]]:
    """The agents whose calls the filter and the viewer's scope keep, where they name them (an
    agent's own calls, a filter on agents); None where any agent's calls may be kept."""
    agents = set(f.agents) if f.agents else None
    if viewer.scope == "agent" and viewer.agent_id:
        agents = {viewer.agent_id} if agents is None else agents & {viewer.agent_id}
    return tuple(sorted(agents)) if agents else None


def find_call_facts(db: str | os.PathLike, viewer: Viewer, f: CallFilter, columns: str, *,
                    item: Optional[str] = None, outcome: Optional[str] = None, among: Optional[list[str]] = None,
                    words: Optional[str] = None, found: Optional[WordsFound] = None, page: int = 0,
                    per_page: int = 50) -> CallsFound:
    """As :func:`find_calls`, ``columns`` of ``call_fact_store``; ``words``: only calls in
    which someone said them (case-insensitive where case exists), newest first and capped
    (:func:`calls_saying`); ``found``: what :func:`words_found` gave for the same filter, item,
    outcome, ids and words (another page of the same search: no turn read again)."""
    where, args, sums = _calls_with(viewer, f, item, outcome)
    lists = _lists(outcome)
    searched_from = None
    source, source_args = "call_fact_store", []
    with session(db):
        if among is not None:
            ids, ids_args = among_ids("call_id", among)
            where += f" AND {ids}"
            args += ids_args
            sums = None
        if words:
            if found is None:
                found = words_found(db, viewer, f, words, item=item, outcome=outcome, among=among)
            said, searched_from, days = found
            ids, ids_args = among_ids("call_id", said)
            where += f" AND {ids}"
            args = [*args, *ids_args]
            if days is not None:  # their days too: the facts are stored in time order, whatever the ids
                where += " AND day BETWEEN ?::DATE AND ?::DATE"
                args += list(days)
                # an agent's calls lie among everyone's, over every row group of the days: through
                # the index (:func:`_by_index`) where they are few among those days' facts
                then = read(db, "SELECT count(*) AS n FROM call_fact_store WHERE day BETWEEN ?::DATE AND ?::DATE",
                            list(days))["n"][0]
                source, source_args = _by_index(said, then, "*") or (source, source_args)
            sums = None
        if sums is not None:  # the day sums count the findings: no call read
            total = read(db, f"SELECT coalesce(sum(n), 0) AS n FROM ({sums[0]})", sums[1])["n"][0]
        else:
            counted = (" + ".join(f"list_contains({name}, ?)::INT" for name in lists) if item
                       else " + ".join(f"len({name})" for name in lists))
            total = read(db, f"SELECT coalesce(sum({counted}), 0) AS n FROM {source} WHERE {where}",
                         ([item] * len(lists) if item else []) + source_args + args)["n"][0]
        rows = facts.newest(db, columns, where, source_args + args, limit=per_page,
                            offset=max(page, 0) * per_page, per_day=_calls_per_day(sums), source=source)
    return CallsFound(rows, int(total), searched_from)


def calls_saying(db: str | os.PathLike, words: str, where: str, args: list,
                 per_day: Optional[tuple[str, list]] = None, bound: Optional[tuple[str, list]] = None,
                 agents: Optional[tuple[str, ...]] = None
                 ) -> tuple[list[str], Optional[date], Optional[tuple[date, date]]]:
    """Ids of the calls matching ``where`` (over ``call_fact_store``) in which someone said
    ``words``, newest first: at most the newest :data:`WORDS_CALLS_FOUND` of them, searching at
    most about the newest :data:`WORDS_CALLS_SEARCHED` matching calls; the day the search
    reached back to when it stopped before the oldest matching call (None: all were searched;
    a day the cap ended it in was searched in part); and the first and last day of the calls
    found (None: none found, or one undated), which bound the reads of their facts (the facts
    are stored in time order, the ids need not be). ``per_day``: SQL (and parameters) of
    ``(day, n)`` rows, at least the number of
    matching calls per day (the day sums'); else they are counted from the facts. ``bound``:
    conditions (and parameters) over ``call_fact_store`` that every call ``where`` matches
    meets too and that read fewer columns (the filter without its finding conditions, which
    read each call's lists of items): the window's first and last storing time are read with
    them (a wider bound, still a window's turns alone); default ``where``. ``agents``: the
    agents of every call ``where`` matches, where the filter names them (:func:`agents_kept`):
    the turns are filtered on their call's agent in the scan (``turn_store.agent_id``), which
    DuckDB checks before it reads a vector's text, and a day over keeps an agent's turns
    together (:mod:`qa_pipeline.store.turn_layout`): an agent's year reads its own turns' text,
    not every turn's (1 M calls, a phrase no call holds: 2.0–2.7 → 0.65–0.85 s CPU); and such a
    search reads the turns first and then the facts of the calls they found alone
    (:func:`_agents_saying`): no scan of the window's facts that grows with the centre.

    The turns are read a window of days at a time, newest first, only those stored while the
    window's calls were, so a common word stops after the first days instead of reading ten
    million calls' turns. A day holding more than twice a window's calls is cut by start time
    (:func:`_newest_calls_start`): its newest calls are a window, the rest of it the next, so a
    busy day is not read whole for a common word, nor past the cap for a rare one. A filter
    keeping few of the days' calls matches only their turns' text (:data:`NARROW_SHARE`). The window's turns are bounded by its calls' first and last storing time (the turns
    carry it: migration 23), so the turn table's zone maps skip all but the window's turns
    whatever the ids (few, growing windows all the same: :data:`WORDS_WINDOW_CALLS`); the
    last window holds the calls left to search (:data:`WORDS_CALLS_SEARCHED`; whole days, so
    up to a day's calls more), not three times those searched (at most twice the cap before).
    Words with case match each turn's text lowered as stored (``text_lower``, migration 25,
    NULL where the text has no cased letter), that column alone, a narrow filter's turns too
    (lowering their text there cost less only while the stored lowered text was read beside
    the text): no search lowers the text of a turn it reads, nor reads two text columns.
    The turns that say the words are found first and then matched to the window's calls: a
    join of the turns to the window's calls read the facts of the window twice and hashed
    every call id of the window (at 5 M calls with ids scattered: 146 → 78 ms CPU for a
    window of 490,000 calls no turn of which says the phrase)."""
    bound_where, bound_args = bound or (where, args)
    sql, sql_args = per_day or (f"SELECT day, count(*) AS n FROM call_fact_store WHERE {where} GROUP BY day", args)
    # with each day, whether the words have a cased letter (by DuckDB's lower and upper, which
    # the stored lowered text follows: asked here, not in a query of its own, 15 ms at 1 M)
    days = read(db, f"SELECT day, sum(n) AS n, any_value(lower(?) <> upper(?)) AS cased FROM ({sql}) "
                    "GROUP BY day ORDER BY day DESC NULLS LAST", [words, words, *sql_args]).rows()
    # words with a cased letter match the turns' text lowered as stored, alone (migration 25: no
    # text lowered here; a turn without a cased letter cannot hold them); words without one, the text
    cased = bool(days) and days[0][2]
    match = f"contains({TURN_SEARCHED}, lower(?))" if cased else "contains(text, ?)"
    # the agents' turns alone, checked in the scan before the text is read (constants: DuckDB
    # pushes them into the scan, where a join or a list parameter is checked after it)
    # (t.agent_id: named by its table, so that no column of the outer query's can stand in for it)
    of_agents = f" AND t.agent_id IN ({', '.join('?' * len(agents))})" if agents else ""
    agent_args = list(agents or ())
    found: list[str] = []
    found_days: list[Optional[date]] = []
    searched, first = 0, 0
    before, taken = None, 0  # days[first]: its calls started before this were not searched yet, taken were
    while first < len(days):
        target = min(max(WORDS_WINDOW_CALLS, 3 * searched), WORDS_CALLS_SEARCHED - searched)
        cut = None
        if days[first][0] is not None and days[first][1] - taken > 2 * target:
            cut = _newest_calls_start(db, bound_where, bound_args, days[first][0], before, target)
        if cut is not None:  # the day left holds far more calls than the window: its newest alone
            end, window = first + 1, target
        else:  # the window: days[first:end], dated days holding enough calls, or the undated calls alone
            end, window = first, -taken
            while end < len(days):
                window += days[end][1]
                end += 1
                if (days[end - 1][0] is None or window >= target
                        or end < len(days) and days[end][0] is None):
                    break
        newest, oldest = days[first][0], days[end - 1][0]
        span, span_args = ("day IS NULL", []) if oldest is None else ("day BETWEEN ?::DATE AND ?::DATE",
                                                                      [oldest, newest])
        if before is not None:
            span, span_args = f"{span} AND (day < ?::DATE OR started_at < ?)", [*span_args, newest, before]
        if cut is not None:
            span, span_args = f"{span} AND started_at >= ?", [*span_args, cut]
        if agents:
            hits = _agents_saying(db, where, args, span, span_args, match, words, of_agents, agent_args)
        else:
            # the window's turns bounded by its calls' first and last storing time: their row groups
            # alone, whatever the ids (migration 23; constants, which DuckDB checks against zone maps)
            *stored, kept, stored_then = read(db, f"""SELECT min(stored_at) FILTER (WHERE {bound_where}) AS a,
                    max(stored_at) FILTER (WHERE {bound_where}) AS b, count(*) FILTER (WHERE {bound_where}) AS kept,
                    count(*) AS n FROM call_fact_store WHERE {span}""",
                                              [*bound_args, *bound_args, *bound_args, *span_args]).row(0)
            said, said_args = match, [words]
            if kept * NARROW_SHARE < stored_then:  # a team's or an agent's calls among everyone's turns of the days:
                said = f"CASE WHEN call_id IN (SELECT call_id FROM call_fact_store WHERE {where} AND {span}) " \
                       f"THEN {match} ELSE FALSE END"  # the text of their turns alone is matched
                said_args = [*args, *span_args, words]
            hits = read(db, f"""SELECT call_id, day FROM call_fact_store WHERE {where} AND {span}
                    AND call_id IN (SELECT t.call_id FROM turn_store t WHERE t.stored_at BETWEEN ? AND ? AND {said})
                ORDER BY started_at DESC NULLS LAST, call_id""", [*args, *span_args, *stored, *said_args])
        found += hits["call_id"].to_list()
        found_days += hits["day"].to_list()
        searched += window
        if cut is not None:
            before, taken = cut, taken + window
        else:
            first, before, taken = end, None, 0
        if len(found) >= WORDS_CALLS_FOUND:
            del found[WORDS_CALLS_FOUND:], found_days[WORDS_CALLS_FOUND:]
            return found, found_days[-1], _span(found_days)
        if searched >= WORDS_CALLS_SEARCHED and first < len(days):
            return found, oldest, _span(found_days)
    return found, None, _span(found_days)


def _agents_saying(db: str | os.PathLike, where: str, args: list, span: str, span_args: list, match: str,
                   words: str, of_agents: str, agent_args: list) -> pl.DataFrame:
    """A window's calls (``where`` and ``span`` over ``call_fact_store``) of a filter that names
    its agents in which someone said ``words`` (``match``): ``call_id, day``, newest first.

    The turns first, alone: those stored while any call of the window's days was (the bounds
    read from the storing time alone, not the filter's columns) of the named agents
    (``of_agents``, checked in the scan) that say the words; then the facts of those calls
    only, found by id. The facts of an agent's calls lie among everyone's (one call in
    hundreds, in storing order), so a scan of them reads every vector of the window's facts,
    twice (the bounds, the match), and that grows with the centre (at 10 M calls, a year:
    10 M facts rows a scan); a phrase no call holds reads no fact. The same calls as the join:
    the turns' agent is their call's and the facts' filter is applied to the ids found."""
    *stored, stored_then = read(db, f"""SELECT min(stored_at) AS a, max(stored_at) AS b, count(*) AS n
        FROM call_fact_store WHERE {span}""", span_args).row(0)
    # the text matched above the scan, on the agents' turns it kept, in a CASE that DuckDB does not
    # push into the scan: matched there as one of its filters, a common word cost more (an agent's
    # year at 1 M calls, 869 turns of 19,984 saying "refund": 0.18 -> 0.15 s CPU; a phrase no turn holds the same)
    # and the call ids read of the turns that say them alone, by their row ids (in the same statement:
    # DuckDB reads the ids of the row groups holding those turns alone, none where none says them), not of
    # every turn of the agents (10 M calls' density, a quarter, a phrase no call holds: 0.071 -> 0.038 s CPU)
    of_them = of_agents.removeprefix(" AND ")
    ids = read(db, f"""SELECT DISTINCT call_id FROM turn_store WHERE rowid IN (SELECT t.rowid FROM turn_store t
        WHERE t.stored_at BETWEEN ? AND ?{of_agents} AND CASE WHEN {of_them} THEN {match} ELSE FALSE END)""",
               [*stored, *agent_args, *agent_args, words])["call_id"].to_list()
    if not ids:
        return pl.DataFrame({"call_id": [], "day": []}, schema={"call_id": pl.Utf8, "day": pl.Date})
    by_index = _by_index(ids, stored_then)
    if by_index is not None:
        return read(db, f"""SELECT call_id, day FROM {by_index[0]} WHERE {where} AND {span}
            ORDER BY started_at DESC NULLS LAST, call_id""", [*by_index[1], *args, *span_args])
    # the ids as a list alone: a bound on them (filters.among_ids) read every row's id first; and
    # checked on the agents' calls alone, in a CASE (the same calls: ``where`` keeps theirs only):
    # a semi-join beside the filter cost more (578 ids among 1 M facts: 0.067 -> 0.052 s CPU)
    return read(db, f"""SELECT call_id, day FROM call_fact_store t WHERE {where} AND {span}
        AND CASE WHEN {of_them} THEN call_id IN (SELECT unnest(?)) ELSE FALSE END
        ORDER BY started_at DESC NULLS LAST, call_id""", [*args, *span_args, *agent_args, ids])


IDS_BY_INDEX = 2_000
"""Calls found are looked up by id through the facts' index (:func:`_by_index`) where the days
they lie in hold at least this many calls' facts per call found: an index look-up costs about
as much as scanning that many facts (1 M calls: 177 ids 15-18 ms CPU, about 0.09 ms an id; the
facts of a year filtered on them 0.04-0.07 s, about 0.05 us a fact)."""


def _by_index(ids: list[str], facts_then: int, columns: str = facts.WHERE_COLUMNS) -> Optional[tuple[str, list]]:
    """A subquery of ``columns`` of ``call_fact_store`` (by default those a filter reads) holding
    the facts of the calls ``ids`` found among the ``facts_then`` facts of their days, read
    through the index on the call id, and its parameters, where they are few among those facts
    (an agent's calls among everyone's: a scan filtered on them reads every row group of the
    days, which grows with the centre: an agent's year at 10 M calls 0.29-0.31 s CPU a read);
    None where scanning the days' facts filtered on them costs less (a common word's calls)."""
    return of_ids("call_fact_store", ids, columns) if len(ids) * IDS_BY_INDEX <= facts_then else None


def _newest_calls_start(db: str | os.PathLike, where: str, args: list, day: date, before: Optional[Any],
                        calls: int) -> Optional[Any]:
    """The start time of the ``calls``-th newest call on ``day`` matching ``where`` that started
    before ``before`` (None: any time that day): the calls from it on are a window of about that
    many (ties included); None where the day holds fewer."""
    under, under_args = ("", []) if before is None else (" AND started_at < ?", [before])
    got = read(db, f"SELECT started_at FROM call_fact_store WHERE {where} AND day = ?::DATE{under} "
                   "ORDER BY started_at DESC LIMIT 1 OFFSET ?", [*args, day, *under_args, max(calls - 1, 0)])
    return got["started_at"][0] if got.height else None


def _span(days: list[Optional[date]]) -> Optional[tuple[date, date]]:
    """The first and last of ``days``; None when there are none or one is unknown."""
    if not days or any(d is None for d in days):
        return None
    return min(days), max(days)
