"""Look-ups of a call's findings by id read only the row groups holding them, where call ids do
not follow the order calls are stored in (migration 22): a page's findings, one call's findings
on its page, a reviewed call's facts refresh, the writer storing a new call or a stored one
again, and re-scoring; and so do look-ups of its turns (migration 23): one call's transcript and
a clip's lines, the words search, the writer's deletes of a call stored again. Each is checked
on DuckDB's profile of every statement (row groups of ``check_store`` or ``turn_store`` scanned
against those it holds) and on what it gives: the same findings or turns, and facts equal to a
rebuild."""
from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import datetime, timezone

import duckdb
import polars as pl
import pytest
from dashboard_fixtures import make_call
from older_database import database_at

from qa_pipeline.insights import aggregates, queries
from qa_pipeline.privacy.access import User, Viewer
from qa_pipeline.records import CallResult, Finding
from qa_pipeline.review import reviews
from qa_pipeline.store import call_facts
from qa_pipeline.store import database as store
from qa_pipeline.store.calls import fetch_call_rows
from qa_pipeline.store.migrations import CALL_ID_INDEXED, MIGRATIONS
from qa_pipeline.store.rows import TURN_LOWERED

CALLS = 30_000
"""Calls of 17 findings and 17 turns each: 510,000 of each, five row groups of DuckDB's 122,880 rows."""
STEP = 7_919
"""Call ``i``'s id is ``i * STEP`` modulo :data:`CALLS` (a prime: every id once), so ids do not
follow the order the calls are stored in: every row group spans nearly all of them."""


def _scattered_centre(con: duckdb.DuckDBPyConnection) -> None:
    """:data:`CALLS` calls stored one a minute, each scored as it came in (its result and 17
    findings stamped with its time), their ids scattered, every 50th reviewed and queued; then
    their facts, as migration 14."""
    call_id = f"'s' || lpad(((i * {STEP}) % {CALLS})::VARCHAR, 6, '0')"
    start = "TIMESTAMPTZ '2026-01-01 08:00:00+00' + to_seconds(i * 60)"
    con.execute(f"""INSERT INTO call_store (call_id, duration, language, agent_id, agent_name, team, started_at,
            source, status, processed_at)
        SELECT {call_id}, 60, 'en', 'a1', 'Agent A1', 'Team 1', {start}, 'import', 'done', {start}
        FROM range({CALLS}) t(i) ORDER BY i""")
    con.execute(f"""INSERT INTO check_store SELECT {call_id}, 'standard-en', '1', 'K' || k,
            CASE WHEN (i + k) % 7 = 0 THEN 'fail' ELSE 'pass' END, FALSE, 5, 'evidence', 'agent', 1.0, 2.0,
            'rule', {start} + INTERVAL 10 MINUTE, 0
        FROM range({CALLS}) t(i), range(17) j(k) ORDER BY i, k""")
    con.execute(f"""INSERT INTO result_store SELECT {call_id}, 'standard-en', '1', 80, FALSE, [], FALSE, FALSE,
            {start} + INTERVAL 10 MINUTE, 0 FROM range({CALLS}) t(i) ORDER BY i""")
    # turns stored with their call, stamped with its storing time; every 100th call complains
    # and their lowered text, as the writer stores it (rows.TURN_LOWERED)
    con.execute(f"""INSERT INTO turn_store (call_id, turn, speaker, start_s, end_s, text, stored_at, text_lower)
        SELECT {call_id}, k, CASE WHEN k % 2 = 0 THEN 'agent' ELSE 'customer' END, k * 5.0, k * 5.0 + 4,
            CASE WHEN k = 3 AND i % 100 = 0 THEN 'I want to complain' ELSE 'turn ' || k END AS text, {start},
            {TURN_LOWERED} FROM range({CALLS}) t(i), range(17) j(k) ORDER BY i, k""")
    # every 50th call reviewed and queued (600 calls): rows of a few a call the refresh reads
    reviewed = f"FROM range(0, {CALLS}, 50) t(i)"
    con.execute(f"""INSERT INTO finding_review_store SELECT {call_id}, 'standard-en', '1', 'K1', 'confirm', 'pass',
            'pass', NULL, 'qa1', {start} + INTERVAL 1 DAY {reviewed}""")
    con.execute(f"INSERT INTO review_store SELECT {call_id}, 'standard-en', '1', 'qa1', 80, 75, NULL, "
                f"{start} + INTERVAL 1 DAY {reviewed}")
    con.execute(f"INSERT INTO queue_store SELECT {call_id}, 'qa1', 'sample', {start} {reviewed}")
    call_facts.rebuild(con)


class Profiled:
    """A connection that keeps, for every statement run through it, each table scan's row
    groups scanned and the row groups it had to choose from (DuckDB's JSON profile)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, profile) -> None:
        self._con, self._profile = con, profile
        self.scans: list[tuple[str, int, int, str, int]] = []
        con.execute(f"SET enable_profiling = 'json'; SET profiling_output = '{profile}'")

    def execute(self, sql: str, *params) -> "_Rows":
        self._profile.unlink(missing_ok=True)
        result = self._con.execute(sql, *params)
        rows = _Rows(result.fetchall(), result.description)  # DuckDB writes the profile once it is read
        if self._profile.exists():
            self.scans += _scans(json.loads(self._profile.read_text()))
        return rows

    def sql(self, sql: str, params=None) -> "_Columns":
        """A query read as NumPy columns (``fetchnumpy``), profiled as :meth:`execute` is."""
        self._profile.unlink(missing_ok=True)
        columns = self._con.execute(sql, params or []).fetchnumpy()
        if self._profile.exists():
            self.scans += _scans(json.loads(self._profile.read_text()))
        return _Columns(columns)

    def __getattr__(self, name: str):
        return getattr(self._con, name)

    def findings_scans(self) -> list[tuple[int, int]]:
        return self.scans_of("check_store")

    def scans_of(self, table: str) -> list[tuple[int, int]]:
        return [(scanned, total) for name, scanned, total, *_ in self.scans if name.endswith(f".{table}")]

    def kinds_of(self, tables: tuple[str, ...]) -> list[tuple[str, str, int]]:
        """Each scan of ``tables``: the table, how DuckDB read it (``Index Scan``, ``Sequential
        Scan``) and how many rows it read."""
        return [(name.rsplit(".", 1)[-1], kind, rows) for name, _, _, kind, rows in self.scans
                if name.rsplit(".", 1)[-1] in tables]


class _Columns:
    """A query's NumPy columns, read."""

    def __init__(self, columns: dict) -> None:
        self._columns = columns

    def fetchnumpy(self) -> dict:
        return self._columns


class _Rows:
    """A statement's rows, read: what the store's code reads of a result."""

    def __init__(self, rows: list, description) -> None:
        self._rows, self.description = iter(rows), description

    def fetchone(self):
        return next(self._rows, None)

    def fetchall(self) -> list:
        return list(self._rows)


def _scans(node: dict) -> list[tuple[str, int, int, str, int]]:
    found = []
    if "row_groups_scanned" in node:
        found.append((node["extra_info"].get("Table", ""), node["row_groups_scanned"],
                      node["total_row_groups_to_scan"], node["extra_info"].get("Type", ""),
                      node.get("rows_scanned", 0)))
    for child in node.get("children", []) + node.get("operator", []):
        found += _scans(child)
    return found


def _few_row_groups(scans: list[tuple[int, int]]) -> None:
    """Every scan of the findings (or turns) read at most two of their row groups (a call's
    may straddle two), not all of them."""
    assert all(scanned <= 2 for scanned, _ in scans), scans
    assert all(total >= 4 for _, total in scans), scans  # the table spans row groups to skip


def _through_the_index(con: Profiled) -> None:
    """Every scan of the call rows and the tables of a few rows a call (migration 24's) read
    their call-id index, not their rows (those of the centre's calls span nearly all ids), but
    where a table holds a few rows (DuckDB reads a handful of rows whole)."""
    kinds = con.kinds_of(("call_store", *CALL_ID_INDEXED))
    assert any(kind == "Index Scan" for _, kind, _ in kinds), con.scans
    assert all(kind == "Index Scan" or rows <= 100 for _, kind, rows in kinds), [
        k for k in kinds if k[1] != "Index Scan"]


def _facts_equal_a_rebuild(con: duckdb.DuckDBPyConnection) -> None:
    assert sorted(con.execute("SELECT * FROM call_fact_store").fetchall(), key=repr) == sorted(
        con.execute(call_facts.facts_sql()).fetchall(), key=repr)


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    path = tmp_path_factory.mktemp("scattered") / "centre.duckdb"
    with store.opened(path) as con:
        _scattered_centre(con)
    return path


@pytest.fixture
def con(centre, tmp_path):
    """A connection to a copy of the centre, profiled."""
    shutil.copy(centre, tmp_path / "centre.duckdb")
    con = store.connect(tmp_path / "centre.duckdb")
    try:
        yield Profiled(con, tmp_path / "profile.json")
    finally:
        con.close()


def _frame(result: _Rows) -> pl.DataFrame:
    return pl.DataFrame(result.fetchall(), schema=[d[0] for d in result.description], orient="row")


def _a_call(i: int) -> str:
    return f"s{(i * STEP) % CALLS:06d}"


def test_a_pages_findings_are_read_from_their_row_groups_alone(con, monkeypatch):
    calls = _frame(con.execute("SELECT call_id, rubric_id, rubric_version, scored_at FROM call_fact_store "
                               "ORDER BY started_at DESC LIMIT 50"))
    monkeypatch.setattr(queries, "read", lambda db, sql, params=(): _frame(con.execute(sql, list(params))))
    found = queries._findings_of("centre", calls, outcome="fail")
    scans = con.findings_scans()
    want = con.execute("SELECT call_id, check_id FROM check_store WHERE outcome = 'fail' AND call_id IN "
                       "(SELECT unnest(?))", [calls["call_id"].to_list()]).fetchall()
    assert sorted(found.select("call_id", "check_id").rows()) == sorted(want) and len(want) > 50
    assert scans
    _few_row_groups(scans)


def test_a_pages_findings_of_one_failed_item_are_read_from_their_row_groups_alone(con, monkeypatch):
    calls = _frame(con.execute("SELECT call_id, rubric_id, rubric_version, scored_at FROM call_fact_store "
                               "ORDER BY started_at DESC LIMIT 50"))
    monkeypatch.setattr(queries, "read", lambda db, sql, params=(): _frame(con.execute(sql, list(params))))
    found = queries._findings_of("centre", calls, item="K3", outcome="fail")  # the clips page's search
    scans, reviews = con.findings_scans(), con.kinds_of(("finding_review_store",))
    want = con.execute("SELECT call_id, check_id FROM check_store WHERE outcome = 'fail' AND check_id = 'K3' "
                       "AND call_id IN (SELECT unnest(?))", [calls["call_id"].to_list()]).fetchall()
    assert sorted(found.select("call_id", "check_id").rows()) == sorted(want) and want
    assert scans
    _few_row_groups(scans)
    assert [kind for _, kind, _ in reviews] == ["Index Scan"]  # their reviews: every review stored read before


def test_a_pages_findings_carry_their_reviews_read_through_the_index(con, monkeypatch):
    calls = _frame(con.execute("SELECT call_id, rubric_id, rubric_version, scored_at FROM call_fact_store "
                               "WHERE call_id IN (SELECT call_id FROM finding_review_store) LIMIT 20"))
    monkeypatch.setattr(queries, "read", lambda db, sql, params=(): _frame(con.execute(sql, list(params))))
    con.scans.clear()
    found = queries._findings_of("centre", calls)
    assert found.filter(found["check_id"] == "K1")["reviewer"].to_list() == ["qa1"] * 20
    assert found["reviewer"].null_count() == 16 * 20
    assert [kind for _, kind, _ in con.kinds_of(("finding_review_store",))] == ["Index Scan"]


def test_a_calls_findings_on_its_page_are_read_from_their_row_groups_alone(con, monkeypatch):
    call_id = _a_call(CALLS // 4)
    monkeypatch.setattr(queries, "read", lambda db, sql, params=(): _frame(con.execute(sql, list(params))))
    found = queries.call_findings.__wrapped__("centre", Viewer.of(User("m", "manager")), call_id, "standard-en", "1")
    scans = con.findings_scans()
    assert found["check_id"].to_list() == sorted(f"K{k}" for k in range(17))
    assert scans
    _few_row_groups(scans)


def test_a_calls_transcript_and_a_clips_lines_are_read_from_their_row_groups_alone(con, monkeypatch):
    call_id = _a_call(CALLS // 5 + 1)
    monkeypatch.setattr(queries, "read", lambda db, sql, params=(): _frame(con.execute(sql, list(params))))
    manager = Viewer.of(User("m", "manager"))
    turns = queries.call_turns.__wrapped__("centre", manager, call_id)
    assert turns["turn"].to_list() == list(range(17)) and turns["text"][2] == "turn 2"
    lines = queries.clip_excerpt.__wrapped__("centre", manager, call_id, 10.0, 16.0)
    assert lines == ["[00:10] agent: turn 2", "[00:15] customer: turn 3"]
    scans = con.scans_of("turn_store")
    assert len(scans) == 2
    _few_row_groups(scans)


def test_the_words_search_reads_the_turns_of_its_window_alone(con, monkeypatch):
    monkeypatch.setattr(aggregates, "read", lambda db, sql, params=(): _frame(con.execute(sql, list(params))))
    monkeypatch.setattr(aggregates, "WORDS_CALLS_FOUND", 5)
    monkeypatch.setattr(aggregates, "WORDS_WINDOW_CALLS", 2_000)  # a window of 2 days: 49,000 turns
    found, reached, _ = aggregates.calls_saying("centre", "complain", "team = ?", ["Team 1"])
    newest = [_a_call(i) for i in range(CALLS - 100, -1, -100)][:5]  # every 100th call complains
    assert found == newest and reached is not None
    scans = con.scans_of("turn_store")
    assert scans
    _few_row_groups(scans)


def test_the_words_search_reads_each_windows_facts_once_to_match_the_turns_found(con, monkeypatch):
    # The days counted from the facts, then per window (one scan of the turns each): its first
    # and last storing time, and its calls matched to the turns that say the words. A join of
    # the turns to the window's calls read the window's facts a second time.
    monkeypatch.setattr(aggregates, "read", lambda db, sql, params=(): _frame(con.execute(sql, list(params))))
    monkeypatch.setattr(aggregates, "WORDS_WINDOW_CALLS", 2_000)
    found, _, _ = aggregates.calls_saying("centre", "nobody says this", "team = ?", ["Team 1"])
    windows = len(con.scans_of("turn_store"))
    assert found == [] and windows > 2
    assert len(con.scans_of("call_fact_store")) == 1 + 2 * windows


def test_a_reviewed_calls_refresh_reads_its_findings_alone_and_its_other_rows_through_their_index(con):
    call_id = _a_call(CALLS // 2)  # reviewed and queued (every 50th call)
    con.execute("INSERT INTO finding_review_store VALUES (?, 'standard-en', '1', 'K3', 'override', 'pass', "
                "'fail', 'no', 'qa1', now())", [call_id])
    call_facts.refresh(con, [call_id])
    assert "K3" in con.execute("SELECT failed FROM call_fact_store WHERE call_id = ?", [call_id]).fetchone()[0]
    assert con.execute("SELECT count(*) FROM queue_fact_store WHERE call_id = ?", [call_id]).fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM review_fact_store WHERE call_id = ?", [call_id]).fetchone()[0] == 1
    _few_row_groups(con.findings_scans())
    _through_the_index(con)
    _facts_equal_a_rebuild(con)
    more = [_a_call(CALLS // 2 + k) for k in (1, 50, 100)]  # several calls: a semi-join on their ids
    con.scans.clear()
    call_facts.refresh(con, [call_id, *more])
    _through_the_index(con)
    _facts_equal_a_rebuild(con)


def test_the_writer_reads_no_findings_for_a_new_call_and_a_stored_calls_own_when_storing_it_again(con):
    when = datetime(2026, 2, 1, 9, tzinfo=timezone.utc)
    new, result = make_call(CALLS + 1, team="Team 1", agent="a1", imported=True, flagged=False, when=when)
    new_id = _a_call(123) + "x"  # sorts among the stored ids
    store.save_call(con, dataclasses.replace(new, info=dataclasses.replace(new.info, call_id=new_id)),
                    [dataclasses.replace(result, call_id=new_id)])
    assert not con.findings_scans()  # a new call: nothing of it to delete
    stored = _a_call(CALLS // 3)
    call, result = make_call(7, team="Team 1", agent="a1", imported=True, flagged=True, when=when)
    call = dataclasses.replace(call, info=dataclasses.replace(call.info, call_id=stored))
    result = dataclasses.replace(result, call_id=stored)
    store.save_call(con, call, [result])
    _few_row_groups(con.findings_scans())
    assert con.execute("SELECT count(*) FROM check_store WHERE call_id = ?", [stored]).fetchone()[0] == len(
        result.findings)  # the old findings (another rubric) went with it
    turn_scans = con.scans_of("turn_store")
    assert turn_scans  # its old turns deleted, read from their row groups alone
    _few_row_groups(turn_scans)
    assert con.execute("SELECT count(*) FROM turn_store WHERE call_id = ?", [stored]).fetchone()[0] == len(
        call.turns)
    _through_the_index(con)  # its call row, result, facts and the rest deleted through their index
    _facts_equal_a_rebuild(con)


def test_re_scoring_a_stored_call_replaces_its_findings_read_from_their_row_groups_alone(con):
    stored = _a_call(2 * CALLS // 3)
    result = CallResult(stored, "standard-en", "1", 50.0, True, ("low score",),
                        tuple(Finding(f"K{k}", "fail" if k < 3 else "pass", weight=5) for k in range(17)))
    store.save_results(con, [result])
    _few_row_groups(con.findings_scans())
    _through_the_index(con)  # its result replaced, history and metrics looked for, through their index
    assert con.execute("SELECT count(*), count(*) FILTER (WHERE outcome = 'fail') FROM check_store "
                       "WHERE call_id = ?", [stored]).fetchone() == (17, 3)
    assert con.execute("SELECT count(*) FROM result_store WHERE call_id = ?", [stored]).fetchone()[0] == 1
    _facts_equal_a_rebuild(con)


def test_re_scorings_load_of_stored_calls_reads_their_turns_row_groups_alone(con):
    ids = [_a_call(CALLS // 7), _a_call(CALLS // 7 + 1)]
    rows = fetch_call_rows(con, ids, words=True, normalizer=1)
    assert rows.ids == sorted(ids)
    assert [t.text for t in rows.call(0).turns] == [f"turn {k}" for k in range(17)]
    for table in ("turn_store", "word_store"):
        scans = con.scans_of(table)
        assert scans
        assert all(scanned <= 2 for scanned, _ in scans), (table, scans)
    assert all(total >= 4 for total in (t for _, t in con.scans_of("turn_store")))
    _through_the_index(con)


def test_migration_22_gives_older_facts_their_results_time_and_each_finding_its_results(tmp_path):
    path = tmp_path / "v21.duckdb"
    con = database_at(path, 21)
    con.execute("ALTER TABLE call_fact_store DROP COLUMN scored_at")  # as version 21 made it
    con.execute("ALTER TABLE call_fact_store DROP COLUMN stored_at")
    con.execute("INSERT INTO call_store (call_id, status, started_at, source) VALUES "
                "('c1', 'done', '2026-03-02 10:00+00', 'import'), ('c2', 'done', '2026-03-02 11:00+00', 'import')")
    con.execute("INSERT INTO result_store VALUES ('c1', 'standard-en', '1', 80, false, [], false, false, "
                "'2026-03-02 10:05+00', 0), ('c2', 'standard-en', '1', 90, false, [], false, false, "
                "'2026-03-02 11:05+00', 0), ('c2', 'standard-en', '2', 70, false, [], false, false, "
                "'2026-03-03 11:05+00', 0)")
    # c1's findings written in another transaction than its result (by SQL, as a test or a script may)
    con.execute("INSERT INTO check_store VALUES ('c1', 'standard-en', '1', 'C2', 'fail', false, 10, NULL, NULL, "
                "NULL, NULL, 'rule', '2026-03-02 10:04:59+00', 0), ('c2', 'standard-en', '2', 'C2', 'pass', false, "
                "10, NULL, NULL, NULL, NULL, 'rule', '2026-03-03 11:05+00', 0)")
    con.execute(f"INSERT INTO call_fact_store SELECT * EXCLUDE (scored_at, stored_at) FROM ({call_facts.facts_sql()})")
    con.close()
    with store.opened(path) as con:
        assert con.execute("SELECT call_id, rubric_version, scored_at FROM call_fact_store ORDER BY call_id"
                           ).fetchall() == [("c1", "1", datetime(2026, 3, 2, 10, 5, tzinfo=timezone.utc)),
                                            ("c2", "2", datetime(2026, 3, 3, 11, 5, tzinfo=timezone.utc))]
        assert con.execute("SELECT scored_at FROM check_store WHERE call_id = 'c1'").fetchall() == [
            (datetime(2026, 3, 2, 10, 5, tzinfo=timezone.utc),)]
        _facts_equal_a_rebuild(con)
        before = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("call_fact_store", "check_store")]
        con.execute("DROP INDEX call_fact_store_call_id")  # migration 24's: a column is not dropped under it
        con.execute("ALTER TABLE call_fact_store DROP COLUMN stored_at")  # migration 23's, to run 22 alone
        con.execute(next(m for m in MIGRATIONS if m.version == 22).sql)  # again: nothing changes
        con.execute(next(m for m in MIGRATIONS if m.version == 23).sql)
        assert [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("call_fact_store", "check_store")] == before
        reviews.review_finding(con, "c1", "C2", reviewer="qa1", verdict="override", outcome="pass", comment="ok")
        _facts_equal_a_rebuild(con)


def test_migration_23_gives_older_turns_words_and_facts_their_calls_storing_time(tmp_path):
    path = tmp_path / "v22.duckdb"
    con = database_at(path, 22)
    con.execute("ALTER TABLE call_fact_store DROP COLUMN stored_at")  # as version 22 made it
    assert "stored_at" not in [r[0] for r in con.execute("DESCRIBE turn_store").fetchall()]
    con.execute("INSERT INTO call_store (call_id, status, started_at, source, processed_at) VALUES "
                "('c1', 'done', '2026-03-02 10:00+00', 'import', '2026-03-02 10:03+00'), "
                "('c2', 'done', '2026-03-02 11:00+00', 'import', '2026-03-02 11:03+00')")
    con.execute("INSERT INTO result_store VALUES ('c1', 'standard-en', '1', 80, false, [], false, false, "
                "'2026-03-02 10:05+00', 0), ('c2', 'standard-en', '1', 90, false, [], false, false, "
                "'2026-03-02 11:05+00', 0)")
    con.execute("INSERT INTO turn_store VALUES ('c1', 0, 'agent', 0, 1, 'hello'), ('c2', 0, 'agent', 0, 1, 'hi'), "
                "('c2', 1, 'customer', 1, 2, 'a complaint')")
    con.execute("INSERT INTO word_store VALUES ('c2', 1, 0, 'customer', 1, 1.5, 'a', 0.9)")
    con.execute(f"INSERT INTO call_fact_store SELECT * EXCLUDE (stored_at) FROM ({call_facts.facts_sql()})")
    con.close()
    c1, c2 = datetime(2026, 3, 2, 10, 3, tzinfo=timezone.utc), datetime(2026, 3, 2, 11, 3, tzinfo=timezone.utc)
    with store.opened(path) as con:
        assert con.execute("SELECT call_id, turn, stored_at FROM turn_store ORDER BY ALL").fetchall() == [
            ("c1", 0, c1), ("c2", 0, c2), ("c2", 1, c2)]
        assert con.execute("SELECT stored_at FROM word_store").fetchall() == [(c2,)]
        assert con.execute("SELECT call_id, stored_at FROM call_fact_store ORDER BY call_id").fetchall() == [
            ("c1", c1), ("c2", c2)]
        _facts_equal_a_rebuild(con)
        tables = ("call_fact_store", "turn_store", "word_store")
        before = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables]
        con.execute(next(m for m in MIGRATIONS if m.version == 23).sql)  # again: nothing changes
        assert [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables] == before
        manager = Viewer.of(User("m", "manager"))
    assert queries.call_turns(path, manager, "c2")["text"].to_list() == ["hi", "a complaint"]


def test_migration_24_gives_the_tables_of_a_few_rows_a_call_an_index_on_call_id(tmp_path):
    path = tmp_path / "v23.duckdb"
    con = database_at(path, 23)
    con.execute("INSERT INTO call_store (call_id, status, started_at, source, processed_at) VALUES "
                "('c1', 'done', '2026-03-02 10:00+00', 'import', '2026-03-02 10:03+00')")
    con.execute("INSERT INTO result_store VALUES ('c1', 'standard-en', '1', 80, false, [], false, false, "
                "'2026-03-02 10:05+00', 0)")
    con.execute("INSERT INTO check_store VALUES ('c1', 'standard-en', '1', 'C2', 'fail', false, 10, NULL, NULL, "
                "NULL, NULL, 'rule', '2026-03-02 10:05+00', 0)")
    con.execute(f"INSERT INTO call_fact_store {call_facts.facts_sql()}")
    assert not con.execute("SELECT count(*) FROM duckdb_indexes()").fetchone()[0]
    con.close()
    with store.opened(path) as con:
        indexed = con.execute("SELECT table_name, expressions FROM duckdb_indexes() ORDER BY ALL").fetchall()
        assert indexed == sorted((t, "[call_id]") for t in CALL_ID_INDEXED)
        _facts_equal_a_rebuild(con)
        tables = ("call_fact_store", "result_store", "check_store")
        before = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables]
        con.execute(next(m for m in MIGRATIONS if m.version == 24).sql)  # again: nothing changes
        assert con.execute("SELECT count(*) FROM duckdb_indexes()").fetchone()[0] == len(CALL_ID_INDEXED)
        assert [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables] == before
        store.save_results(con, [CallResult("c1", "standard-en", "1", 100.0, False, (), (Finding("C2", "pass"),))])
        assert con.execute("SELECT passed, failed FROM call_fact_store").fetchall() == [(["C2"], [])]
        _facts_equal_a_rebuild(con)


def test_migration_25_stores_each_turns_lowered_text_in_batches(tmp_path, monkeypatch, caplog):
    # An older database's turns get their lowered text (NULL where lowering changes nothing), a
    # batch of turns at a time with its progress logged; nothing else changes, the words search
    # finds what it found, and running the fill again changes nothing.
    from qa_pipeline.store import search_text

    path = tmp_path / "v24.duckdb"
    con = database_at(path, 24)
    con.execute("INSERT INTO call_store (call_id, status, started_at, source, processed_at) VALUES "
                "('c1', 'done', '2026-03-02 10:00+00', 'import', '2026-03-02 10:03+00'), "
                "('c2', 'done', '2026-03-02 11:00+00', 'import', '2026-03-02 11:03+00')")
    con.execute("INSERT INTO result_store VALUES ('c1', 'standard-en', '1', 80, false, [], false, false, "
                "'2026-03-02 10:05+00', 0), ('c2', 'standard-zh', '1', 90, false, [], false, false, "
                "'2026-03-02 11:05+00', 0)")
    texts = [("c1", 0, "Hello, I want a REFUND"), ("c1", 1, "ＲＥＦＵＮＤ ｎｏｗ"), ("c1", 2, "ok"),
             ("c2", 0, "我要投诉"), ("c2", 1, "VIP客户退款"), ("c2", 2, None)]
    con.executemany("INSERT INTO turn_store (call_id, turn, speaker, start_s, end_s, text, stored_at) "
                    "SELECT ?, ?, 'agent', 0, 1, ?, processed_at FROM call_store WHERE call_id = ?",
                    [[c, t, text, c] for c, t, text in texts])
    con.execute(f"INSERT INTO call_fact_store {call_facts.facts_sql()}")
    con.close()
    monkeypatch.setattr(search_text, "LOWERED_BATCH", 2)
    caplog.set_level("INFO", logger="qa_pipeline.store.search_text")
    with store.opened(path) as con:
        stored = con.execute("SELECT call_id, turn, text, text_lower FROM turn_store ORDER BY ALL").fetchall()
        assert stored == [("c1", 0, "Hello, I want a REFUND", "hello, i want a refund"),
                          ("c1", 1, "ＲＥＦＵＮＤ ｎｏｗ", "ｒｅｆｕｎｄ ｎｏｗ"), ("c1", 2, "ok", "ok"),
                          ("c2", 0, "我要投诉", None), ("c2", 1, "VIP客户退款", "vip客户退款"), ("c2", 2, None, None)]
        progress = [r.getMessage() for r in caplog.records if "migration 25" in r.getMessage()]
        assert progress == [f"migration 25: the turns' lowered text, {n} of 6 turns" for n in (2, 4, 6)]
        assert 25 in {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
        search_text.lower_stored_turns(con)  # again: nothing changes
        assert con.execute("SELECT call_id, turn, text, text_lower FROM turn_store ORDER BY ALL").fetchall() == stored
    manager = Viewer.of(User("m", "manager"))
    for words, want in (("refund", ["c1"]), ("ｒｅｆｕｎｄ", ["c1"]), ("vip", ["c2"]), ("投诉", ["c2"]), ("OK", ["c1"])):
        found, _, _ = aggregates.calls_saying(path, words, "TRUE", [])
        assert found == want, words
    assert queries.call_turns(path, manager, "c1")["text"].to_list() == [t for c, _, t in texts if c == "c1"]


def test_an_interrupted_migration_25_keeps_every_turn_and_finishes_when_run_again(tmp_path, monkeypatch):
    from qa_pipeline.store import migrations, search_text

    path = tmp_path / "v24.duckdb"
    con = database_at(path, 24)
    con.execute("INSERT INTO call_store (call_id, status, source, processed_at) VALUES "
                "('c1', 'done', 'import', '2026-03-02 10:03+00')")
    con.executemany("INSERT INTO turn_store (call_id, turn, speaker, text, stored_at) "
                    "VALUES ('c1', ?, 'agent', ?, '2026-03-02 10:03+00')", [[t, f"Turn {t}"] for t in range(5)])
    con.close()
    monkeypatch.setattr(search_text, "LOWERED_BATCH", 2)

    class StopsInTheThirdBatch:  # the process dies (here: an error) while lowering the third batch
        def __init__(self, con):
            self.con, self.batches = con, 0

        def execute(self, sql, *args):
            if sql.startswith("UPDATE turn_store SET text_lower"):
                self.batches += 1
                if self.batches == 3:
                    raise duckdb.IOException("the disk went away")
            return self.con.execute(sql, *args)

    con = duckdb.connect(str(path))
    with pytest.raises(duckdb.IOException, match="went away"):
        migrations.apply_migrations(StopsInTheThirdBatch(con))
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == 24  # not recorded
    assert con.execute("SELECT turn, text, text_lower FROM turn_store ORDER BY turn").fetchall() == [
        (0, "Turn 0", "turn 0"), (1, "Turn 1", "turn 1"), (2, "Turn 2", "turn 2"), (3, "Turn 3", "turn 3"),
        (4, "Turn 4", None)]  # two batches committed, every turn kept
    con.close()
    with store.opened(path) as con:  # run again: it finishes
        assert 25 in {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
        assert con.execute("SELECT turn, text, text_lower FROM turn_store ORDER BY turn").fetchall() == [
            (t, f"Turn {t}", f"turn {t}") for t in range(5)]
