"""The search for words said in a call (coaching clips): newest first, a window of days at a
time, stopping at a cap, and finding exactly the calls a scan of every turn finds, within the
viewer's scope and the page's filters."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import dataclasses

import duckdb
import polars as pl
import pytest
from dashboard_fixtures import build_centre, make_call

from qa_pipeline.insights import aggregates, queries
from qa_pipeline.insights.filters import CallFilter
from qa_pipeline.privacy.access import User, Viewer
from qa_pipeline.records import Turn
from qa_pipeline.store import database as store
from qa_pipeline.store import journal

EVERYONE = Viewer.of(User("m", "manager"))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("words") / "qa.duckdb"
    with store.opened(path) as con:
        build_centre(con, n=24)  # a call a day over 24 days; the Chinese ones say 投诉
    return path


def _said(db, words: str, where: str = "TRUE") -> list[tuple[str, date]]:
    """(call, day) of every call matching ``where`` in which a turn holds ``words`` (any
    case), newest first: a scan of every turn."""
    with store.opened(db, read_only=True) as con:
        return con.execute(f"""SELECT call_id, day FROM call_fact_store WHERE ({where}) AND call_id IN
                (SELECT call_id FROM turn_store WHERE lower(text) LIKE '%' || lower(?) || '%')
            ORDER BY started_at DESC, call_id""", [words]).fetchall()


def _search(db, words, f=CallFilter(), viewer=EVERYONE, **kw):
    rows, _, searched_from = aggregates.find_call_facts(db, viewer, f, "call_id", words=words, per_page=100, **kw)
    return rows["call_id"].to_list(), searched_from


def _recorder(sink: list, read):
    """``read`` (aggregates.read) that also keeps in ``sink`` the SQL of each read of the turns."""
    def reading(db, sql, params=()):
        if "FROM turn_store" in sql:
            sink.append(sql)
        return read(db, sql, params)

    return reading


@pytest.mark.parametrize("words", ["投诉", "UNACCEPTABLE", "thank you", "not said anywhere"])
def test_finds_the_calls_a_scan_of_every_turn_finds(db, words):
    found, searched_from = _search(db, words)
    assert found == [c for c, _ in _said(db, words)]
    assert searched_from is None


def test_keeps_to_the_filters_and_the_viewer(db):
    lead = Viewer.of(User("l", "team_lead", team="Team A"))
    f = CallFilter(agents=("a01", "b01", "a02"), date_from=date(2026, 10, 30), date_to=date(2026, 11, 12))
    found, _ = _search(db, "投诉", f, lead, item="C3", outcome="fail")
    want = _said(db, "投诉", "team = 'Team A' AND agent_id IN ('a01', 'a02') AND day BETWEEN '2026-10-30' "
                           "AND '2026-11-12' AND list_contains(failed, 'C3')")
    assert found == [c for c, _ in want] and want  # not empty: the filters leave some


def test_a_narrow_filters_search_with_case_finds_the_calls_a_scan_finds_in_the_stored_lowered_text(db,
                                                                                                 monkeypatch):
    # A team's calls among the days' turns: their stored lowered text alone is matched (which
    # costs less than lowering their text there since it is read without the text: 1 M bench).
    monkeypatch.setattr(aggregates, "NARROW_SHARE", 1.5)  # one team of two: their turns alone matched
    turn_reads = []
    monkeypatch.setattr(aggregates, "read", _recorder(turn_reads, aggregates.read))
    found, _ = _search(db, "Thank YOU", CallFilter(teams=("Team A",)))
    want = _said(db, "Thank YOU", "team = 'Team A'")
    assert found == [c for c, _ in want] and want
    assert turn_reads and all("CASE WHEN call_id IN" in sql and "THEN contains(text_lower, lower(?))" in sql
                              and "lower(text)" not in sql and "coalesce" not in sql for sql in turn_reads)
    # a filter naming its agents: their turns alone, read first, the stored lowered text matched
    turn_reads.clear()
    found, _ = _search(db, "Thank YOU", CallFilter(agents=("a01",)))
    want = _said(db, "Thank YOU", "agent_id = 'a01'")
    assert found == [c for c, _ in want] and want
    assert turn_reads and all("t.agent_id IN (?)" in sql and "contains(text_lower, lower(?))" in sql
                              and "lower(text)" not in sql and "call_fact_store" not in sql for sql in turn_reads)


def test_stops_at_the_newest_calls_found_and_says_how_far_back(db, monkeypatch):
    monkeypatch.setattr(aggregates, "WORDS_CALLS_FOUND", 4)
    every = _said(db, "投诉")
    found, searched_from = _search(db, "投诉")
    assert found == [c for c, _ in every[:4]]
    assert searched_from == every[3][1]
    page = queries.search_findings(db, EVERYONE, CallFilter(), words="投诉")
    assert set(page.rows["call_id"]) == set(found) and page.searched_from == searched_from
    assert page.total == 4 * 7  # seven findings a call


def test_stops_after_the_calls_searched_and_says_how_far_back(db, monkeypatch):
    monkeypatch.setattr(aggregates, "WORDS_CALLS_SEARCHED", 5)
    monkeypatch.setattr(aggregates, "WORDS_WINDOW_CALLS", 2)
    found, searched_from = _search(db, "投诉")
    assert searched_from is not None
    assert found == [c for c, day in _said(db, "投诉") if day >= searched_from]
    assert 0 < len(found) < len(_said(db, "投诉"))


def test_searches_no_more_calls_than_the_cap(db, monkeypatch):
    # Windows of 2 days, then 3 (the calls left to search), one call a day: the search stops
    # having read the newest 5 calls' turns, not 8 (a second window three times the first).
    monkeypatch.setattr(aggregates, "WORDS_CALLS_SEARCHED", 5)
    monkeypatch.setattr(aggregates, "WORDS_WINDOW_CALLS", 2)
    found, searched_from = _search(db, "not said anywhere")
    with store.opened(db, read_only=True) as con:
        searched = con.execute("SELECT count(*) FROM call_fact_store WHERE day >= ?", [searched_from]).fetchone()[0]
    assert found == [] and searched == 5


def test_the_dashboards_reads_hold_duckdb_to_its_memory_limit(db):
    # Without one DuckDB keeps up to 80 % of the machine's memory: a words search over one agent's
    # year at ten million calls read 80 million turns' text into 10.5 GiB of the dashboard process.
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{journal.READ_MEMORY_LIMIT}'")
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.close()
    setting = "SELECT current_setting('memory_limit') AS m"
    assert journal.read(db, setting)["m"][0] == limit
    with journal.session(db):  # a page's queries sharing one connection
        assert aggregates.read(db, setting)["m"][0] == limit


# ---- one busy day: windows within a day ---------------------------------------------------

BUSY = 30
"""Calls on one day, a minute apart (the Chinese ones, every other call, say 投诉)."""


@pytest.fixture(scope="module")
def busy_day():
    """An in-memory centre of :data:`BUSY` calls on one day, stored in the order they started."""
    con = store.connect(":memory:")
    start = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    for i in range(BUSY):
        call, result = make_call(i, team="Team A", agent="a01", imported=True, flagged=False,
                                 when=start + timedelta(minutes=i))
        store.save_call(con, call, [result])
    yield con
    con.close()


def _turn_reads(busy_day, monkeypatch) -> list[list]:
    """Run the search's reads on ``busy_day``; returns the parameters of each read of the turns."""
    reads = []

    def read(db, sql, params=()):
        if "FROM turn_store" in sql:
            reads.append(list(params))
        result = busy_day.execute(sql, list(params))
        return pl.DataFrame(result.fetchall(), schema=[d[0] for d in result.description], orient="row")

    monkeypatch.setattr(aggregates, "read", read)
    return reads


def _calls_stored_within(busy_day, reads: list[list]) -> list[str]:
    """The calls whose storing time lies within one of the turn reads' bounds (a window's)."""
    bounds = [(r[-3], r[-2]) for r in reads]  # ... stored_at BETWEEN ? AND ? AND <the words>
    return [c for (c, at) in busy_day.execute("SELECT call_id, stored_at FROM call_fact_store "
                                              "ORDER BY started_at DESC").fetchall()
            if any(a <= at <= b for a, b in bounds)]


def _newest(busy_day, k: int) -> list[str]:
    return [c for (c,) in busy_day.execute(
        f"SELECT call_id FROM call_fact_store ORDER BY started_at DESC LIMIT {k}").fetchall()]


def test_a_busy_days_search_reads_the_turns_of_its_newest_calls_first(busy_day, monkeypatch):
    # A day of 30 calls, windows of 4: the two newest calls that say it are among the newest 4,
    # so only their turns are read (the whole day's were: a day's window was never less than a day).
    reads = _turn_reads(busy_day, monkeypatch)
    monkeypatch.setattr(aggregates, "WORDS_WINDOW_CALLS", 4)
    monkeypatch.setattr(aggregates, "WORDS_CALLS_FOUND", 2)
    found, reached, _ = aggregates.calls_saying("db", "投诉", "TRUE", [])
    assert found == [c for c in _newest(busy_day, 4) if int(c[-4:]) % 2][:2]
    assert reached == date(2026, 11, 20)
    assert len(reads) == 1 and _calls_stored_within(busy_day, reads) == _newest(busy_day, 4)


def test_a_busy_days_search_searches_no_more_calls_than_the_cap(busy_day, monkeypatch):
    # Windows of 4, then 6 (the calls left to search): ten of the day's thirty calls, not all of them.
    reads = _turn_reads(busy_day, monkeypatch)
    monkeypatch.setattr(aggregates, "WORDS_WINDOW_CALLS", 4)
    monkeypatch.setattr(aggregates, "WORDS_CALLS_SEARCHED", 10)
    found, reached, _ = aggregates.calls_saying("db", "nobody says this", "TRUE", [])
    assert found == [] and reached == date(2026, 11, 20)
    assert len(reads) == 2 and _calls_stored_within(busy_day, reads) == _newest(busy_day, 10)


@pytest.mark.parametrize("cap", [1, 3, 7, 100])
def test_a_busy_days_windows_find_the_calls_a_scan_of_every_turn_finds(busy_day, monkeypatch, cap):
    _turn_reads(busy_day, monkeypatch)
    monkeypatch.setattr(aggregates, "WORDS_WINDOW_CALLS", 2)
    monkeypatch.setattr(aggregates, "WORDS_CALLS_FOUND", cap)
    every = [c for (c,) in busy_day.execute("""SELECT call_id FROM call_fact_store WHERE call_id IN
            (SELECT call_id FROM turn_store WHERE contains(text, '投诉'))
        ORDER BY started_at DESC, call_id""").fetchall()]
    found, reached, span = aggregates.calls_saying("db", "投诉", "TRUE", [])
    assert found == every[:cap] and len(every) == BUSY // 2
    assert reached == (date(2026, 11, 20) if cap < len(every) else None)
    assert span == (date(2026, 11, 20), date(2026, 11, 20))


@pytest.fixture(scope="module")
def month():
    """An in-memory centre of 24 calls, one a day, six agents in two teams (build_centre)."""
    con = store.connect(":memory:")
    build_centre(con, n=24)
    yield con
    con.close()


def test_an_agents_search_matches_the_text_of_their_calls_turns_alone(month, monkeypatch):
    # One agent's flagged calls are one in twelve of the days' calls: their turns' text alone is
    # lowered and searched (every turn of the days' calls was: 24 calls' turns for 2 calls).
    matched: list[str] = []

    def said(text: str, words: str) -> bool:
        matched.append(text)
        return words.lower() in text.lower()

    month.create_function("said", said, ["VARCHAR", "VARCHAR"], "BOOLEAN", side_effects=True)

    def read(db, sql, params=()):
        for match in ("contains(text_lower, lower(?))", "contains(lower(text), lower(?))"):
            sql = sql.replace(match, "said(text, ?)")
        result = month.execute(sql, list(params))
        return pl.DataFrame(result.fetchall(), schema=[d[0] for d in result.description], orient="row")

    monkeypatch.setattr(aggregates, "read", read)
    found, reached, _ = aggregates.calls_saying("db", "Unacceptable", "agent_id = ? AND flagged", ["a01"])
    want = [c for (c,) in month.execute("""SELECT call_id FROM call_fact_store WHERE agent_id = 'a01' AND flagged
            AND call_id IN
            (SELECT call_id FROM turn_store WHERE lower(text) LIKE '%unacceptable%')
        ORDER BY started_at DESC, call_id""").fetchall()]
    turns = month.execute("SELECT count(*) FROM turn_store WHERE call_id IN (SELECT call_id FROM call_fact_store "
                          "WHERE agent_id = 'a01' AND flagged)").fetchone()[0]
    assert found == want and want and reached is None
    assert 0 < len(matched) <= turns < month.execute("SELECT count(*) FROM turn_store").fetchone()[0] / 4


# ---- case and width: the turns' lowered text as stored (migration 25) ----------------------

SAID = ["I want a REFUND for this, it is Unacceptable.", "ＲＥＦＵＮＤ ｐｌｅａｓｅ，ｔｈａｎｋ ｙｏｕ",
        "The İstanbul office and the STRASSE Straße branch", "我要退款，我是VIP客户，ÀÉÎ Ünïcödé",
        "请帮我查询一下订单", "Thank you for calling, have a nice day", "the parcel never arrived, i checked twice",
        "订单号是abc123，快递说已经送达", "ｏｒｄｅｒ　１２３４５，ａｒｒｉｖｅｄ　ｌａｔｅ", "4008 8823 1190 #17", "１２３４５６"]
"""Turns in English, Mandarin and both, with capitals, full-width letters, accents and letters
whose lowering changes their length (İ, ẞ), already lowercase English, Mandarin with lowercase
Latin, full-width lowercase letters and digits alone: each a call of its own besides build_centre's."""


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    path = tmp_path_factory.mktemp("mixed") / "qa.duckdb"
    with store.opened(path) as con:
        build_centre(con, n=12)
        for i, text in enumerate(SAID):
            call, result = make_call(100 + i, team="Team A", agent="a01", imported=True, flagged=False,
                                     when=datetime(2026, 11, 1 + i, 9, tzinfo=timezone.utc))
            turns = (Turn("agent", None, None, "Hello, how can I help?"), Turn("customer", None, None, text))
            store.save_call(con, dataclasses.replace(call, turns=turns), [result])
    return path


@pytest.mark.parametrize("words", ["refund", "REFUND", "Refund", "ｒｅｆｕｎｄ", "ＲＥＦＵＮＤ", "istanbul", "İstanbul",
                                   "straße", "STRASSE", "ẞ", "vip", "VIP客户", "退款", "àéî", "ÜNÏCÖDÉ", "订单",
                                   "thank you", "Unacceptable", "投诉", "nobody said this", "PARCEL never",
                                   "parcel", "ABC123", "abc", "订单号是ABC", "ＡＲＲＩＶＥＤ", "ｏｒｄｅｒ　１２３", "arrived",
                                   "8823", "１２３４５", "#17", "123"])
def test_case_and_width_find_the_calls_a_scan_of_every_turn_finds_without_lowering_text(mixed, words,
                                                                                         monkeypatch):
    # The same calls as a scan lowering every turn's text (the search's rule), while the search
    # itself lowers no turn's text: it reads the lowered text the writer stored.
    turn_reads = []
    monkeypatch.setattr(aggregates, "read", _recorder(turn_reads, aggregates.read))
    found, searched_from = _search(mixed, words)
    assert found == [c for c, _ in _said(mixed, words)]
    assert searched_from is None and turn_reads
    assert not any("lower(text)" in sql for sql in turn_reads)
    # one text column of the turns read: the lowered one for words with a cased letter, else the text
    cased = words.lower() != words.upper()
    column = "text_lower" if cased else "text"
    assert all(f"contains({column}," in sql and sql.count("text_lower") == cased for sql in turn_reads)


def test_the_writer_stores_each_turns_lowered_text_where_it_has_a_cased_letter(mixed):
    with store.opened(mixed, read_only=True) as con:
        rows = con.execute("SELECT text, text_lower, lower(text), upper(text) FROM turn_store").fetchall()
    # NULL only where the text has no cased letter (lowering and raising it give the same)
    assert rows and all(stored == (lowered if lowered != raised else None) for _, stored, lowered, raised in rows)
    uncased = {"请帮我查询一下订单", "4008 8823 1190 #17", "１２３４５６"}
    assert {t for t, stored, *_ in rows if stored is None and t in SAID} == uncased
    assert ("the parcel never arrived, i checked twice",) * 2 in [r[:2] for r in rows]
    assert ("订单号是abc123，快递说已经送达",) * 2 in [r[:2] for r in rows]
    assert ("ＲＥＦＵＮＤ ｐｌｅａｓｅ，ｔｈａｎｋ ｙｏｕ", "ｒｅｆｕｎｄ ｐｌｅａｓｅ，ｔｈａｎｋ ｙｏｕ") in [r[:2] for r in rows]


def test_another_page_of_a_search_reuses_the_calls_found_and_reads_no_turn(db, monkeypatch):
    # The coaching page's next page, or the same search again: the calls found once (calls_said,
    # cached by the dashboard) give each page the rows a search of its own gives.
    monkeypatch.setattr(aggregates, "WORDS_CALLS_FOUND", 9)
    lead = Viewer.of(User("l", "team_lead", team="Team A"))
    read = aggregates.read
    for viewer, f, words, item, outcome in ((EVERYONE, CallFilter(), "投诉", None, None),
                                            (EVERYONE, CallFilter(), "THANK you", "A1", None),
                                            (lead, CallFilter(date_from=date(2026, 11, 1)), "投诉", "C3", "fail")):
        found = queries.calls_said(db, viewer, f, words, item=item, outcome=outcome)
        assert found.calls
        turn_reads = []
        reading = _recorder(turn_reads, read)
        monkeypatch.setattr(aggregates, "read", reading)
        for page in (0, 1):
            shared = queries.search_findings(db, viewer, f, item=item, outcome=outcome, words=words, page=page,
                                             found=found)
            monkeypatch.setattr(aggregates, "read", read)
            alone = queries.search_findings(db, viewer, f, item=item, outcome=outcome, words=words, page=page)
            monkeypatch.setattr(aggregates, "read", reading)
            assert shared.rows.equals(alone.rows) and shared.total == alone.total
            assert shared.searched_from == alone.searched_from
        monkeypatch.setattr(aggregates, "read", read)
        assert not turn_reads
