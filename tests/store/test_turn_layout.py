"""Each day over keeps an agent's turns together (store.turn_layout, migration 26): the rows stay
the same, only their order changes; each turn carries its call's agent, which the words search
for an agent's calls filters the turns on; an older database gets both."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from dashboard_fixtures import make_call
from older_database import database_at

from qa_pipeline.insights import aggregates, facts, queries
from qa_pipeline.insights.filters import CallFilter
from qa_pipeline.privacy.access import User, Viewer
from qa_pipeline.store import database as store
from qa_pipeline.store import turn_layout

DAY1 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def _store_interleaved(con, monkeypatch, calls: int = 8) -> list[str]:
    """``calls`` calls taken in turn by agents a01 and b01, two a day stored over the days from
    DAY1 (the writer's clock moved to each), one call at a time as the pipeline stores them."""
    ids = []
    for i in range(calls):
        when = DAY1 + timedelta(days=i // 4, hours=i % 4)
        call, result = make_call(i, team="Team A" if i % 2 == 0 else "Team B", agent="a01" if i % 2 == 0 else "b01",
                                 imported=True, flagged=False, when=when)
        monkeypatch.setattr(store, "_now", lambda when=when: when + timedelta(minutes=5))
        store.save_call(con, call, [result])
        ids.append(call.call_id)
    return ids


def _turns_in_order(con) -> list[tuple]:
    return con.execute("SELECT call_id, turn, agent_id, stored_at, text FROM turn_store ORDER BY rowid").fetchall()


def test_each_day_over_keeps_its_turns_grouped_by_agent_and_the_same_rows(tmp_path, monkeypatch):
    path = tmp_path / "qa.duckdb"
    with store.opened(path) as con:
        ids = _store_interleaved(con, monkeypatch)
        before = _turns_in_order(con)
        assert {r[2] for r in before} == {"a01", "b01"}  # the writer stores each turn's agent
        rewritten = turn_layout.cluster_closed_days(con, now=DAY1 + timedelta(days=1, hours=1))
        after = _turns_in_order(con)
        first_day = [r for r in before if r[3] < DAY1 + timedelta(days=1) - timedelta(hours=9)]
        assert rewritten == len(first_day)
        assert sorted(after) == sorted(before)  # the same rows
        assert [r[2] for r in first_day] != sorted(r[2] for r in first_day)  # stored interleaved
        assert [r[2] for r in after[-len(first_day):]] == sorted(r[2] for r in first_day)  # grouped by agent
        # in storing order within the agent, each call's turns in order
        for agent in ("a01", "b01"):
            mine = [r for r in after[-len(first_day):] if r[2] == agent]
            assert mine == sorted(mine, key=lambda r: (r[3], r[0], r[1]))
        assert turn_layout.clustered_before(con) == datetime(2026, 3, 3, tzinfo=timezone.utc)
        assert turn_layout.cluster_closed_days(con, now=DAY1 + timedelta(days=1, hours=5)) == 0  # once a day
        turn_layout.cluster_closed_days(con, now=DAY1 + timedelta(days=3))
        assert sorted(_turns_in_order(con)) == sorted(before)
        assert turn_layout.clustered_before(con) == datetime(2026, 3, 5, tzinfo=timezone.utc)
    lead = Viewer.of(User("lead", "team_lead", team="Team A"))
    manager = Viewer.of(User("m", "manager"))
    for viewer, f, words in ((lead, CallFilter(agents=("a01",)), "a"), (manager, CallFilter(agents=("b01",)), "您"),
                             (manager, CallFilter(agents=("a01", "b01")), "a"), (manager, CallFilter(), "a")):
        found = aggregates.words_found(path, viewer, f, words)
        assert found.calls and set(found.calls) <= set(ids)
        everyone = aggregates.calls_saying(path, words, *_where(viewer, f))
        assert found.calls == everyone[0]  # the agents' filter on the turns finds what the calls' filter does
    assert queries.call_turns(path, manager, ids[0])["turn"].to_list() == sorted(
        r[1] for r in before if r[0] == ids[0])


def _where(viewer: Viewer, f: CallFilter) -> tuple[str, list]:
    where, args, _ = aggregates._calls_with(viewer, f, None, None)
    return where, args


def _recording_reads(monkeypatch) -> list[str]:
    """The SQL of each read of the search (aggregates.read), in order, from now on."""
    statements = []
    real_read = aggregates.read

    def recording(db, sql, params=()):
        statements.append(sql)
        return real_read(db, sql, params)

    monkeypatch.setattr(aggregates, "read", recording)
    return statements


def test_an_agents_search_filters_the_turns_on_their_agent_in_the_scan(tmp_path, monkeypatch):
    path = tmp_path / "qa.duckdb"
    with store.opened(path) as con:
        _store_interleaved(con, monkeypatch, calls=4)
    statements = _recording_reads(monkeypatch)
    agent = Viewer.of(User("a", "agent", agent_id="a01"))
    aggregates.words_found(path, agent, CallFilter(), "refund")
    turn_reads = [s for s in statements if "FROM turn_store" in s]
    assert turn_reads and all("t.agent_id IN (?)" in s for s in turn_reads)
    statements.clear()
    aggregates.words_found(path, Viewer.of(User("m", "manager")), CallFilter(), "refund")
    assert not any("agent_id IN" in s for s in statements if "FROM turn_store" in s)  # any agent: no filter


def test_migration_26_gives_older_turns_their_agent_and_groups_the_days_over(tmp_path):
    path = tmp_path / "v25.duckdb"
    con = database_at(path, 25)
    now = datetime.now(timezone.utc)
    calls = [(f"c{i}", "a01" if i % 2 else "b01", DAY1 + timedelta(hours=i)) for i in range(4)]
    calls.append(("c9", "a01", now))  # stored today: its day is not over
    con.executemany("INSERT INTO call_store (call_id, status, source, agent_id, processed_at) "
                    "VALUES (?, 'done', 'import', ?, ?)", calls)
    con.executemany("INSERT INTO turn_store (call_id, turn, speaker, text, stored_at) VALUES (?, ?, 'agent', ?, ?)",
                    [[c, t, f"turn {t} of {c}", at] for c, _, at in calls for t in range(3)])
    before = con.execute("SELECT call_id, turn, text, stored_at FROM turn_store ORDER BY rowid").fetchall()
    con.close()
    with store.opened(path) as con:
        assert 26 in {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
        after = con.execute("SELECT call_id, turn, text, stored_at, agent_id FROM turn_store ORDER BY rowid").fetchall()
        assert sorted(r[:4] for r in after) == sorted(before)
        agent_of = {c: a for c, a, _ in calls}
        assert all(r[4] == agent_of[r[0]] for r in after)
        day = [r for r in after if r[0] != "c9"]
        assert [r[4] for r in day] == ["a01"] * 6 + ["b01"] * 6
        assert turn_layout.clustered_before(con) == turn_layout.day_start(now)
        turn_layout.fill_agents(con)  # run again: nothing changes
        assert con.execute("SELECT call_id, turn, text, stored_at, agent_id FROM turn_store ORDER BY rowid"
                           ).fetchall() == after


def test_an_interrupted_grouping_keeps_every_turn_and_finishes_when_run_again(tmp_path, monkeypatch):
    path = tmp_path / "qa.duckdb"
    with store.opened(path) as con:
        _store_interleaved(con, monkeypatch, calls=12)  # three days, four calls a day
        before = sorted(_turns_in_order(con))
        monkeypatch.setattr(turn_layout, "CLUSTER_BATCH_TURNS", 1)  # a day a transaction
        rewrite, batches = turn_layout._rewrite, []

        def dies_in_the_second(con, start, end):
            batches.append(start)
            if len(batches) == 2:
                raise RuntimeError("the process died")
            rewrite(con, start, end)

        monkeypatch.setattr(turn_layout, "_rewrite", dies_in_the_second)
        try:
            turn_layout.cluster_closed_days(con, now=DAY1 + timedelta(days=4))
        except RuntimeError:
            pass
        assert sorted(_turns_in_order(con)) == before  # every turn kept
        assert turn_layout.clustered_before(con) == datetime(2026, 3, 3, tzinfo=timezone.utc)  # the first day done
        monkeypatch.setattr(turn_layout, "_rewrite", rewrite)
        turn_layout.cluster_closed_days(con, now=DAY1 + timedelta(days=4))  # run again: the rest
        assert sorted(_turns_in_order(con)) == before
        assert turn_layout.clustered_before(con) == datetime(2026, 3, 6, tzinfo=timezone.utc)
        for day in range(3):
            start = DAY1.replace(hour=0) + timedelta(days=day)
            agents = [r[2] for r in _turns_in_order(con) if start <= r[3] < start + timedelta(days=1)]
            assert agents == sorted(agents)


def test_an_agents_search_reads_the_turns_first_and_the_facts_of_the_calls_found_alone(tmp_path, monkeypatch):
    """The turns of the named agents first, then the facts of the calls they found, by id: the
    same calls as the search without the agents' filter on the turns (which joins every fact of
    the window's days), whatever else the filter keeps; a phrase no turn holds reads no fact."""
    path = tmp_path / "qa.duckdb"
    with store.opened(path) as con:
        ids = _store_interleaved(con, monkeypatch, calls=12)
        turn_layout.cluster_closed_days(con, now=DAY1 + timedelta(days=2, hours=1))  # two days grouped, one open
    lead_a = Viewer.of(User("lead", "team_lead", team="Team A"))
    manager = Viewer.of(User("m", "manager"))
    second_day = DAY1.date() + timedelta(days=1)
    for viewer, f, words in ((lead_a, CallFilter(agents=("a01",)), "a"),
                             (lead_a, CallFilter(agents=("b01",)), "a"),  # another team's agent: none
                             (manager, CallFilter(agents=("b01",), date_from=second_day), "a"),
                             (manager, CallFilter(agents=("a01", "b01"), date_to=second_day), "您"),
                             (Viewer.of(User("a", "agent", agent_id="b01")), CallFilter(), "A")):
        found = aggregates.words_found(path, viewer, f, words)
        assert found.calls == aggregates.calls_saying(path, words, *_where(viewer, f))[0]
        assert set(found.calls) <= set(ids)
    assert aggregates.words_found(path, lead_a, CallFilter(agents=("a01",)), "a").calls  # not all empty
    statements = _recording_reads(monkeypatch)
    assert not aggregates.words_found(path, manager, CallFilter(agents=("a01",)), "nobody says this").calls
    turns = next(i for i, s in enumerate(statements) if "FROM turn_store" in s)
    assert "call_fact_store" not in statements[turns]  # the turns alone, no join to the facts
    assert not [s for s in statements[turns + 1:] if "call_fact_store" in s and "call_id" in s]  # no fact read


def test_the_calls_found_are_read_through_the_facts_index_with_the_same_page_and_count(tmp_path, monkeypatch):
    """Where the calls found are few among their days' facts (an agent's among everyone's) their
    facts are read through the index on the call id (the search's window, the count, the page),
    in look-ups of a few ids each: the same calls, order, count and findings as the scan."""
    from qa_pipeline.store import call_facts
    path = tmp_path / "qa.duckdb"
    with store.opened(path) as con:
        ids = _store_interleaved(con, monkeypatch, calls=12)
        turn_layout.cluster_closed_days(con, now=DAY1 + timedelta(days=2, hours=1))
    searches = ((Viewer.of(User("a", "agent", agent_id="a01")), CallFilter(), "a"),
                (Viewer.of(User("lead", "team_lead", team="Team A")), CallFilter(agents=("a01",)), "Yesterday"),
                (Viewer.of(User("m", "manager")), CallFilter(agents=("a01", "b01")), "a"),
                (Viewer.of(User("m", "manager")), CallFilter(), "a"))

    def found() -> list[tuple]:
        got = [queries.search_findings(path, viewer, f, words=words) for viewer, f, words in searches]
        return [(g.rows.to_dicts(), g.total, g.searched_from) for g in got]

    monkeypatch.setattr(aggregates, "IDS_BY_INDEX", 10 ** 9)  # never: the days' facts scanned
    scanned = found()
    assert all(rows for rows, _, _ in scanned[:3]) and all(total > 0 for _, total, _ in scanned[:3])
    statements = _recording_reads(monkeypatch)
    monkeypatch.setattr(facts, "read", aggregates.read)  # the page's read too
    monkeypatch.setattr(aggregates, "IDS_BY_INDEX", 0)  # always, two ids a look-up
    monkeypatch.setattr(call_facts, "INDEX_SCAN_IDS", 2)
    assert found() == scanned
    by_index = [s for s in statements if "WITH x AS MATERIALIZED (SELECT" in s and "call_id IN (?, ?)" in s]
    # the window's calls of the three searches naming agents, the count and the page of each
    assert len(by_index) == 3 + 2 * len(searches)
    source, args = call_facts.of_ids("call_fact_store", ids[:2])
    with store.opened(path) as con:
        plan = con.execute(f"EXPLAIN ANALYZE SELECT * FROM {source}", args).fetchall()[0][1]
    assert "Index Scan" in plan and "Sequential Scan" not in plan


def test_an_agents_turns_are_matched_on_their_text_above_the_scan_with_the_same_calls(tmp_path, monkeypatch):
    """The turns read of an agent's search keeps the agents' turns in the scan and matches their
    text above it (a common word costs more matched as a filter of the scan's own): the plan's
    scan holds no text filter; it reads no call id either (those of the turns that say the words
    are read by their row ids, in a scan of their own); and the calls found are those of the
    search without the agents' filter on the turns, for a word every call says, one some say and
    one none says."""
    path = tmp_path / "qa.duckdb"
    with store.opened(path) as con:
        _store_interleaved(con, monkeypatch, calls=12)
        turn_layout.cluster_closed_days(con, now=DAY1 + timedelta(days=2, hours=1))
    reads = []
    real_read = aggregates.read

    def recording(db, sql, params=()):
        reads.append((sql, list(params)))
        return real_read(db, sql, params)

    monkeypatch.setattr(aggregates, "read", recording)
    lead_a = Viewer.of(User("lead", "team_lead", team="Team A"))
    some = 0
    for words in ("a", "Yesterday", "nobody says this"):
        reads.clear()
        found = aggregates.words_found(path, lead_a, CallFilter(agents=("a01",)), words)
        assert found.calls == aggregates.calls_saying(path, words, *_where(lead_a, CallFilter(agents=("a01",))))[0]
        some += bool(found.calls)
        sql, params = next((s, p) for s, p in reads if "FROM turn_store" in s)
        with store.opened(path) as con:
            plan = json.loads(con.execute(f"EXPLAIN (FORMAT JSON) {sql}", params).fetchall()[0][1])
        scans = [info for info in _scans(plan) if info.get("Table", "").endswith("turn_store")]
        of_agent = [info for info in scans if "agent_id" in info.get("Filters", "")]
        assert len(of_agent) == 1 and "contains(" not in of_agent[0]["Filters"]  # the agent in the scan, the text above it
        assert "call_id" not in of_agent[0]["Projections"]  # no call id of every turn of the agent's
        assert any(info["Projections"] == "call_id" and "agent_id" not in info.get("Filters", "") for info in scans)
    assert some >= 1


def _scans(nodes: list) -> list[dict]:
    """The ``extra_info`` of each table scan in a plan of EXPLAIN (FORMAT JSON)."""
    found = []
    for node in nodes:
        if "SCAN" in node.get("name", ""):
            found.append(node.get("extra_info", {}))
        found += _scans(node.get("children", []))
    return found
