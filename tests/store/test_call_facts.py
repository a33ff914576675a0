"""The dashboard's call facts and day sums (store.call_facts) stay equal to a computation from
scratch after every kind of write: calls stored one by one and in bulk, replaced, re-scored
under another rubric version, reviewed, and taken out (replaced without a result); and
migration 14 fills them from what an older database holds. The queue facts (review queue
state with the facts it filters on) likewise after every queue, review and dispute write,
and migration 16 fills them; the agreement facts after reviews, imports and re-scoring
(migration 18), with the call facts the filters read (migration 20: the agreement view gives
what it gave before, joined to the call facts, under every filter). The review facts after
reviews, queue changes and re-scoring, and migration 21 fills them: the score-agreement view and
an agent's reviews give what they gave joined to the call facts, under every filter."""
from __future__ import annotations

import math
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import duckdb
import pytest
from dashboard_fixtures import build_centre, make_call
from older_database import database_at

from qa_pipeline.insights import aggregates, facts, queries
from qa_pipeline.insights.filters import CallFilter, scope_clause
from qa_pipeline.privacy.access import User, Viewer
from qa_pipeline.records import CallResult, Finding
from qa_pipeline.review import admin, history, reviews
from qa_pipeline.store import call_facts
from qa_pipeline.store import database as store

DIMS = ", ".join(call_facts.DIMENSIONS)
ITEM_DIMS = ", ".join(call_facts.ITEM_DIMENSIONS)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return sorted(con.execute(sql).fetchall(), key=repr)


def _same(got: list[tuple], want: list[tuple]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert len(g) == len(w)
        for a, b in zip(g, w):
            assert a == b or (isinstance(a, float) and math.isclose(a, b, abs_tol=1e-6)), (g, w)


def assert_facts_from_scratch(con: duckdb.DuckDBPyConnection) -> None:
    """The maintained tables equal what the whole store gives now, computed independently."""
    scratch = f"({call_facts.facts_sql()})"
    _same(_rows(con, "SELECT * FROM call_fact_store"), _rows(con, f"SELECT * FROM {scratch}"))
    _same(_rows(con, f"SELECT {DIMS}, calls, scored, score_sum, flagged, complaints, critical_fails "
                     "FROM daily_call_store"),
          _rows(con, f"""SELECT {DIMS}, count(*), count(score), coalesce(sum(score), 0),
                  count(*) FILTER (WHERE flagged), count(*) FILTER (WHERE complaint),
                  count(*) FILTER (WHERE critical_fail) FROM {scratch} GROUP BY ALL"""))
    _same(_rows(con, f"SELECT {ITEM_DIMS}, check_id, passed, failed, na FROM daily_item_store"),
          _rows(con, f"""SELECT {ITEM_DIMS}, k.check_id, count(*) FILTER (WHERE final_outcome = 'pass'),
                  count(*) FILTER (WHERE final_outcome = 'fail'), count(*) FILTER (WHERE final_outcome = 'na')
              FROM {scratch} s JOIN final_check_results k ON k.call_id = s.call_id
                   AND k.rubric_id = s.rubric_id AND k.rubric_version = s.rubric_version
              WHERE final_outcome IN ('pass', 'fail', 'na') GROUP BY ALL"""))
    _same(_rows(con, "SELECT * FROM queue_fact_store"),
          _rows(con, f"SELECT * FROM ({call_facts.queue_facts_sql(scratch)})"))
    _same(_rows(con, "SELECT * FROM review_fact_store"),
          _rows(con, f"SELECT * FROM ({call_facts.review_facts_sql(scratch)})"))
    assert_worst_first(con)
    agents = ", ".join(call_facts.AGENT_DIMENSIONS)
    _same(_rows(con, "SELECT * FROM agent_fact_store"),
          _rows(con, f"SELECT {agents}, min(day), max(day) FROM {scratch} GROUP BY ALL"))
    assert_agreement_from_scratch(con)


def assert_worst_first(con: duckdb.DuckDBPyConnection) -> None:
    """The queue's rows worst-first are the queue rows up to the bound (every row when none), and
    between half and twice as many as it keeps (as many as the queue holds when fewer)."""
    key = call_facts.WORST_KEY
    bound = con.execute("SELECT bound FROM queue_worst_bound").fetchone()[0]
    whole = con.execute(f"SELECT {key} AS k FROM queue_fact_store ORDER BY k").fetchall()
    kept = con.execute(f"SELECT {key} AS k FROM queue_worst_store ORDER BY k").fetchall()
    def place(k: dict) -> tuple:  # the key's fields in order: compared as SQL compares it
        return tuple(k.values())

    assert kept == (whole if bound is None else [k for k in whole if place(k[0]) <= place(bound)])  # a prefix
    _same(_rows(con, "SELECT * FROM queue_worst_store"),
          _rows(con, "SELECT * FROM queue_fact_store WHERE call_id IN (SELECT call_id FROM queue_worst_store)"))
    assert len(kept) <= 2 * call_facts.WORST_KEPT
    assert bound is None or len(kept) >= min(call_facts.WORST_KEPT // 2, len(whole))


def assert_agreement_from_scratch(con: duckdb.DuckDBPyConnection) -> None:
    """The agreement rows equal what the whole store gives now, with their calls' facts."""
    scratch = f"({call_facts.facts_sql()})"
    call = ", ".join(f"c.{name}" for name in call_facts.AGREEMENT_CALL_FACTS)
    _same(_rows(con, "SELECT * FROM agreement_fact_store"),
          _rows(con, f"SELECT a.*, {call} FROM ({AGREEMENT_FROM_VIEWS}) a JOIN {scratch} c ON c.call_id = a.call_id"))


# What the agreement-by-model view computed on every page view before migration 18 (over the
# check_results_by_model view, for every call): the agreement rows must equal it (with, from
# migration 20, the facts of their calls).
AGREEMENT_FROM_VIEWS = """
    WITH human AS (
        SELECT call_id, check_id, outcome FROM (
            SELECT call_id, check_id, human_outcome AS outcome, 0 AS source, reviewed_at FROM finding_review_store
            UNION ALL SELECT call_id, item, outcome, 1, reviewed_at FROM imported_review_store)
        QUALIFY row_number() OVER (PARTITION BY call_id, check_id ORDER BY source, reviewed_at DESC) = 1),
    reviewed AS (
        SELECT call_id, check_id, model_version, outcome, scored_at,
               current AND scored_at = max(scored_at) FILTER (WHERE current) OVER (PARTITION BY call_id) AS current
        FROM check_results_by_model WHERE call_id IN (SELECT call_id FROM human)),
    auto AS (SELECT * FROM reviewed QUALIFY row_number() OVER (PARTITION BY call_id, check_id, model_version
                                                               ORDER BY current DESC, scored_at DESC) = 1)
    SELECT a.call_id, a.check_id, a.model_version, a.current, a.outcome, h.outcome
    FROM auto a JOIN human h USING (call_id, check_id)"""


def _store_again(con, i: int, team: str, agent: str, day: str, *, flagged: bool = False,
                 result: bool = True) -> None:
    """The centre's call ``i`` stored again (a new transcript) for ``agent`` of ``team`` on ``day``
    at 9:00 UTC, with a new result or (``result=False``) none; the facts follow."""
    call, new = make_call(i, team=team, agent=agent, imported=False, flagged=flagged,
                          when=datetime.fromisoformat(f"{day}T09:00+00:00"))
    store.save_call(con, call, [new] if result else [])
    assert_facts_from_scratch(con)


@pytest.fixture
def con():
    con = store.connect(store.MEMORY)
    yield con
    con.close()


def test_calls_stored_one_by_one_and_in_bulk(con):
    build_centre(con, n=24)  # one save_call each
    assert con.execute("SELECT count(*) FROM call_fact_store").fetchone()[0] == 24
    start = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    made = [make_call(100 + i, team="Team C", agent=f"c0{i % 2}", imported=False, flagged=i % 2 == 0,
                      when=start + timedelta(hours=i)) for i in range(6)]
    store.save_calls(con, [(call, [result]) for call, result in made])
    assert_facts_from_scratch(con)
    assert con.execute("SELECT sum(calls) FROM daily_call_store").fetchone()[0] == 30


def test_replaced_moved_and_removed_calls(con):
    ids = build_centre(con, n=12)
    # The same call stored again in another team, on another day, with another result.
    _store_again(con, 0, "Team B", "b01", "2026-11-30")
    # Stored again without a result: it leaves the facts (as the in-memory facts left it out).
    _store_again(con, 1, "Team A", "a01", "2026-10-27", result=False)
    assert con.execute("SELECT count(*) FROM call_fact_store WHERE call_id = ?", [ids[1]]).fetchone()[0] == 0
    # A call without a start time: counted under no day.
    call, result = make_call(2, team="Team A", agent="a02", imported=True, flagged=True,
                             when=datetime(2026, 10, 28, 9, tzinfo=timezone.utc))
    call = type(call)(**{**call.__dict__, "info": type(call.info)(**{**call.info.__dict__, "started_at": None})})
    store.save_call(con, call, [result])
    assert_facts_from_scratch(con)
    assert con.execute("SELECT sum(calls) FROM daily_call_store WHERE day IS NULL").fetchone()[0] == 1


def test_rescoring_under_another_version_and_again(con):
    ids = build_centre(con, n=12)
    later = [CallResult(cid, "standard", "2", 40.0, True, ("low score", "complaint"),
                        (Finding("A1", "fail", weight=10), Finding("Z9", "na", weight=0)), complaint=True)
             for cid in ids[:5]]
    store.save_results(con, later)  # the newer version is each call's latest result
    assert_facts_from_scratch(con)
    assert con.execute("SELECT count(*) FROM call_fact_store WHERE rubric_version = '2'").fetchone()[0] == 5
    again = [CallResult(cid, "standard", "2", 90.0, False, (), (Finding("A1", "pass", weight=10),))
             for cid in ids[3:7]]
    store.save_results(con, again)
    assert_facts_from_scratch(con)
    # Z9 has no weight and is not critical: informational, whatever the version.
    scored = dict(con.execute("SELECT check_id, bool_or(scored) FROM rubric_item_store GROUP BY ALL").fetchall())
    assert scored["Z9"] is False and scored["A1"] is True and scored["B2"] is True


def test_reviews_count_the_reviewers_outcome(con):
    ids = build_centre(con, n=12)
    before = con.execute("SELECT passed, failed FROM call_fact_store WHERE call_id = ?", [ids[0]]).fetchone()
    assert "C3" in before[1]  # a flagged call fails C3 and D4
    reviews.review_finding(con, ids[0], "C3", reviewer="qa1", verdict="override", outcome="pass", comment="asked")
    after = con.execute("SELECT passed, failed FROM call_fact_store WHERE call_id = ?", [ids[0]]).fetchone()
    assert "C3" in after[0] and "C3" not in after[1]
    assert_facts_from_scratch(con)
    dispute = reviews.open_dispute(con, ids[0], opened_by="a01", reason="I did confirm", check_id="D4")
    reviews.resolve_dispute(con, dispute, resolved_by="qa1", upheld=True, resolution="confirmed", outcome="na")
    assert_facts_from_scratch(con)


@contextmanager
def _migrated_copy(tmp_path, db, version: int, tables: tuple[str, ...]):
    """A database at schema ``version`` holding ``tables`` of ``db`` (the columns that version
    has), opened: so the migrations after it run on real data."""
    older_path = _older_copy(tmp_path, db, version, tables)
    with store.opened(older_path) as con:
        assert version + 1 in [v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()]
        yield con


def _older_copy(tmp_path, db, version: int, tables: tuple[str, ...]):
    """The path of a database at schema ``version`` holding ``tables`` of ``db`` (the columns
    that version has), not opened (not migrated) yet."""
    older_path = tmp_path / f"v{version}.duckdb"
    older = database_at(older_path, version)
    older.execute(f"ATTACH '{db}' AS src (READ_ONLY)")
    for table in tables:
        columns = ", ".join(c for (c,) in older.execute(  # that version's columns (later ones add some)
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = current_database() "
            "AND table_name = ? ORDER BY ordinal_position", [table]).fetchall())
        older.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM src.{table}")
    older.execute("DETACH src")
    older.close()
    return older_path


def test_migration_14_fills_the_facts_of_an_older_database(tmp_path):
    db = tmp_path / "old.duckdb"
    with store.opened(db) as con:
        ids = build_centre(con, n=16)
        reviews.review_finding(con, ids[0], "D4", reviewer="qa1", verdict="override", outcome="pass", comment="ok")
        want = _rows(con, "SELECT * FROM call_fact_store")
        sums = _rows(con, "SELECT * FROM daily_item_store")
    with _migrated_copy(tmp_path, db, 13, ("call_store", "turn_store", "word_store", "check_store",
                                        "result_store", "finding_review_store")) as con:
        _same(_rows(con, "SELECT * FROM call_fact_store"), want)
        _same(_rows(con, "SELECT * FROM daily_item_store"), sums)
        assert_facts_from_scratch(con)


def _queue(con, call_id: str) -> tuple:
    return con.execute("SELECT queued_for, assignee, reviewer, open_disputes FROM queue_fact_store "
                       "WHERE call_id = ?", [call_id]).fetchone()


def test_queue_facts_follow_every_queue_review_and_dispute_write(con):
    ids = build_centre(con, n=12)
    assert con.execute("SELECT count(*) FROM queue_fact_store").fetchone()[0] == 0
    queued = admin.assign_queue(con, by="turn", sample_share=0.0, specialists=[("qa1", None), ("qa2", None)])
    assert queued["flagged"] == 4 and con.execute("SELECT count(*) FROM queue_fact_store").fetchone()[0] == 4
    assert_facts_from_scratch(con)
    admin.reassign(con, ids[0], "qa2", actor="mgr")
    assert _queue(con, ids[0])[1] == "qa2"
    assert_facts_from_scratch(con)
    reviews.review_finding(con, ids[0], "C3", reviewer="qa2", verdict="override", outcome="pass", comment="asked")
    reviews.save_review(con, ids[0], reviewer="qa2")
    assert _queue(con, ids[0]) == ("flagged", "qa2", "qa2", 0)
    assert_facts_from_scratch(con)
    dispute = reviews.open_dispute(con, ids[0], opened_by="a01", reason="I did confirm", check_id="D4")
    assert _queue(con, ids[0])[3] == 1
    assert_facts_from_scratch(con)
    reviews.resolve_dispute(con, dispute, resolved_by="qa2", upheld=True, resolution="confirmed", outcome="na")
    assert _queue(con, ids[0])[3] == 0
    assert_facts_from_scratch(con)
    # The review form: several findings and the call in one go (the facts refreshed once).
    reviews.review_call(con, ids[3], reviewer="qa2", findings=[
        {"check_id": "C3", "outcome": "pass", "comment": "asked in other words"}, {"check_id": "A1"}])
    assert "C3" in con.execute("SELECT passed FROM call_fact_store WHERE call_id = ?", [ids[3]]).fetchone()[0]
    assert _queue(con, ids[3])[2] == "qa2"
    assert_facts_from_scratch(con)
    # A reviewed call never queued comes back to its reviewer's queue when disputed.
    reviews.save_review(con, ids[1], reviewer="qa1")
    assert _queue(con, ids[1]) is None
    reviews.open_dispute(con, ids[1], opened_by="a01", reason="the whole review")
    assert _queue(con, ids[1]) == ("dispute", "qa1", "qa1", 1)
    assert_facts_from_scratch(con)
    # Facts of a queued call change: re-scored, stored again elsewhere, stored again without a result.
    store.save_results(con, [CallResult(ids[3], "standard", "2", 35.0, True, ("low score",),
                                        (Finding("A1", "fail", weight=10),))])
    assert con.execute("SELECT score FROM queue_fact_store WHERE call_id = ?", [ids[3]]).fetchone()[0] == 35.0
    assert_facts_from_scratch(con)
    _store_again(con, 6, "Team B", "b01", "2026-12-01", flagged=True)
    _store_again(con, 9, "Team A", "a01", "2026-10-27", result=False)
    assert _queue(con, ids[9]) is None  # still in queue_store, but no facts to show


def test_migration_16_fills_the_queue_facts_of_an_older_database(tmp_path):
    db = tmp_path / "new.duckdb"
    with store.opened(db) as con:
        ids = build_centre(con, n=12)
        admin.assign_queue(con, by="turn", sample_share=0.5, specialists=[("qa1", None), ("qa2", None)])
        reviews.save_review(con, ids[0], reviewer="qa1")
        reviews.open_dispute(con, ids[0], opened_by="a01", reason="no")
        want = _rows(con, "SELECT * FROM queue_fact_store")
    assert len(want) >= 4
    with _migrated_copy(tmp_path, db, 15, ("call_store", "check_store", "result_store", "call_fact_store",
                                        "queue_store", "review_store", "dispute_store")) as con:
        _same(_rows(con, "SELECT * FROM queue_fact_store"), want)


def _import(con, tmp_path, rows: list[str], name: str = "evaluations.csv") -> None:
    path = tmp_path / name
    path.write_text("call_id,item,outcome,reviewer,comment,reviewed_at\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = history.import_reviews(con, path, actor="test")
    assert not report.problems, report.problems


def test_agreement_facts_follow_reviews_imports_and_rescoring_by_model_version(con, tmp_path):
    ids = build_centre(con, n=12)
    reviews.review_finding(con, ids[0], "C3", reviewer="qa1", verdict="override", outcome="pass", comment="asked")
    reviews.review_finding(con, ids[1], "D4", reviewer="qa1", verdict="confirm", comment="")
    assert_facts_from_scratch(con)
    assert con.execute("SELECT count(*) FROM agreement_fact_store").fetchone()[0] == 2
    # Imported evaluations: of a call nobody reviewed here, and one a reviewer's review outranks.
    _import(con, tmp_path, [f"{ids[2]},C2,fail,li,,2026-10-03", f"{ids[0]},C3,fail,li,,2026-10-03"])
    assert_facts_from_scratch(con)
    human = dict(con.execute("SELECT call_id, human_outcome FROM agreement_fact_store WHERE check_id IN ('C2', 'C3')"
                             ).fetchall())
    assert human == {ids[0]: "pass", ids[2]: "fail"}
    _import(con, tmp_path, [f"{ids[2]},C2,pass,li,,2026-10-04"], "again.csv")  # replaces li's evaluation
    assert_facts_from_scratch(con)
    # Re-scored by model version 1: version 0's results stay as history, both versions counted.
    first = [CallResult(cid, "standard", "1", 50.0, True, ("low score",),
                        (Finding("C3", "fail", weight=10), Finding("C2", "pass", weight=10),
                         Finding("D4", "fail", weight=10)), model_version=1) for cid in ids[:3]]
    store.save_results(con, first)
    assert_facts_from_scratch(con)
    versions = con.execute("SELECT model_version, bool_or(current), count(*) FROM agreement_fact_store "
                           "GROUP BY ALL ORDER BY model_version").fetchall()
    assert versions == [(0, False, 3), (1, True, 3)]
    # Back to version 0, and a newer rubric version: history and the latest result change again.
    store.save_results(con, [CallResult(ids[0], "standard", "1", 90.0, False, (), (Finding("C3", "pass", weight=10),),
                                        model_version=0)])
    store.save_results(con, [CallResult(ids[1], "standard", "2", 70.0, False, (), (Finding("D4", "na", weight=10),),
                                        model_version=2)])
    assert_facts_from_scratch(con)
    # A review after a re-score, and a call stored again (a new transcript: its history goes).
    reviews.review_finding(con, ids[1], "D4", reviewer="qa2", verdict="override", outcome="fail", comment="no")
    assert_facts_from_scratch(con)
    _store_again(con, 2, "Team A", "a02", "2026-10-28")


def test_migration_18_fills_the_agreement_facts_of_an_older_database(tmp_path):
    db = tmp_path / "new.duckdb"
    with store.opened(db) as con:
        ids = build_centre(con, n=8)
        reviews.review_finding(con, ids[0], "C3", reviewer="qa1", verdict="override", outcome="pass", comment="ok")
        _import(con, tmp_path, [f"{ids[1]},C2,fail,li,,2026-10-03"])
        store.save_results(con, [CallResult(ids[0], "standard", "1", 50.0, True, ("low score",),
                                            (Finding("C3", "fail", weight=10),), model_version=1)])
        want = _rows(con, "SELECT * FROM agreement_fact_store")
    assert len(want) == 3
    with _migrated_copy(tmp_path, db, 17, ("call_store", "check_store", "result_store", "check_history_store",
                                        "result_history_store", "finding_review_store",
                                        "imported_review_store", "call_fact_store")) as con:
        _same(_rows(con, "SELECT * FROM agreement_fact_store"), want)


# What the agreement-by-model view gave before migration 20: the agreement rows of the calls
# whose facts the filter keeps (``{where}``: facts.call_where over call_fact_store), summed.
AGREEMENT_BY_MODEL_BEFORE = """SELECT check_id, model_version, count(*), avg((human_outcome = auto_outcome)::INT),
           sum((auto_outcome = 'pass' AND human_outcome = 'fail')::INT),
           sum((auto_outcome = 'fail' AND human_outcome = 'pass')::INT), bool_or(current)
    FROM agreement_fact_store WHERE call_id IN (SELECT call_id FROM call_fact_store WHERE {where})
    GROUP BY ALL ORDER BY check_id, model_version NULLS FIRST"""

_MANAGER = Viewer.of(User("m", "manager"))
# Who looks and what they filter on: every column the filters read, alone and together.
AGREEMENT_VIEWS = [
    (_MANAGER, CallFilter()),
    (_MANAGER, CallFilter(teams=("Team B",))),
    (_MANAGER, CallFilter(agents=("a02", "b01", "b02"))),
    (_MANAGER, CallFilter(date_from=date(2026, 10, 30), date_to=date(2026, 11, 8))),
    (_MANAGER, CallFilter(languages=("zh",))),
    (_MANAGER, CallFilter(flag_reason="low score")),
    (_MANAGER, CallFilter(failed_item="C3")),
    (_MANAGER, CallFilter(teams=("Team A",), date_from=date(2026, 10, 28), languages=("en",))),
    (Viewer.of(User("lead", "team_lead", team="Team A")), CallFilter()),
    (Viewer.of(User("a01", "agent", team="Team A", agent_id="a01")), CallFilter(date_to=date(2026, 11, 10))),
]


def _agreement_before(con, viewer: Viewer, f: CallFilter) -> list[tuple]:
    where, args = facts.call_where(viewer, f)
    return con.execute(AGREEMENT_BY_MODEL_BEFORE.format(where=where), args).fetchall()


def _agreement_now(db, viewer: Viewer, f: CallFilter) -> list[tuple]:
    return queries.agreement_by_model(db, viewer, f).drop("model").rows()


def _reviewed_centre(con, tmp_path) -> list[str]:
    """A centre whose reviewed calls span both teams, four agents, both languages, flagged and
    not, and model versions NULL, 0, 1 and 2 (results re-scored, versions kept as history)."""
    ids = build_centre(con, n=24)
    for n, i in enumerate(range(0, 24, 2)):
        reviews.review_call(con, ids[i], reviewer="qa1", findings=[
            {"check_id": "C3", "outcome": "pass" if n % 3 else "fail", "comment": "heard it"}, {"check_id": "D4"},
            {"check_id": "A1", "outcome": "fail" if n % 4 == 0 else "pass", "comment": "heard it"}])
    _import(con, tmp_path, [f"{ids[i]},C2,{'fail' if i % 3 else 'pass'},li,,2026-11-03" for i in range(1, 24, 3)])
    store.save_results(con, [CallResult(ids[i], "standard", "1", 50.0, True, ("low score",),
                                        (Finding("C3", "fail", weight=10), Finding("C2", "pass", weight=10),
                                         Finding("A1", "pass", weight=10)), model_version=1)
                             for i in range(0, 24, 4)])
    store.save_results(con, [CallResult(ids[i], "standard", "1", 80.0, False, (),
                                        (Finding("C3", "pass", weight=10), Finding("D4", "fail", weight=10)),
                                        model_version=2) for i in range(0, 24, 8)])
    store.save_results(con, [CallResult(ids[i], "standard", "1", 70.0, False, (),
                                        (Finding("C2", "fail", weight=10),), model_version=None)
                             for i in (7, 13)])
    return ids


def _versions(rows: list[tuple]) -> set:
    return {row[1] for row in rows}


def test_migration_20_gives_the_agreement_view_the_same_figures_under_every_filter(tmp_path):
    db = tmp_path / "new.duckdb"
    with store.opened(db) as con:
        _reviewed_centre(con, tmp_path)
    older = _older_copy(tmp_path, db, 19, ("call_store", "check_store", "result_store", "check_history_store",
                                          "result_history_store", "finding_review_store", "imported_review_store",
                                          "call_fact_store", "agreement_fact_store"))
    con = duckdb.connect(str(older))
    assert con.execute("SELECT count(*) FROM information_schema.columns "
                       "WHERE table_name = 'agreement_fact_store'").fetchone()[0] == 6  # as migration 18 made it
    before = [_agreement_before(con, viewer, f) for viewer, f in AGREEMENT_VIEWS]
    con.close()
    assert _versions(before[0]) == {None, 0, 1, 2}
    assert len({repr(rows) for rows in before}) == len(before)  # each filter shows other figures
    with store.opened(older) as con:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] >= 20
        assert_agreement_from_scratch(con)
    for (viewer, f), want in zip(AGREEMENT_VIEWS, before):
        _same(_agreement_now(older, viewer, f), want)


def test_the_agreement_view_stays_in_step_with_reviews_overrides_and_disputes(tmp_path):
    db = tmp_path / "qa.duckdb"

    def check() -> None:
        with store.opened(db) as con:
            assert_facts_from_scratch(con)
            want = [_agreement_before(con, viewer, f) for viewer, f in AGREEMENT_VIEWS]
        for (viewer, f), rows in zip(AGREEMENT_VIEWS, want):
            _same(_agreement_now(db, viewer, f), rows)

    with store.opened(db) as con:
        ids = _reviewed_centre(con, tmp_path)
    check()
    with store.opened(db) as con:  # an override that takes C3 out of the call's failed items
        reviews.review_finding(con, ids[6], "C3", reviewer="qa2", verdict="override", outcome="pass", comment="ok")
    check()
    with store.opened(db) as con:  # a dispute upheld: the finding overridden again
        dispute = reviews.open_dispute(con, ids[6], opened_by="a01", reason="I asked", check_id="D4")
        reviews.resolve_dispute(con, dispute, resolved_by="qa1", upheld=True, resolution="asked", outcome="na")
    check()
    with store.opened(db) as con:  # a new review of a call nobody reviewed, and an import
        reviews.review_call(con, ids[5], reviewer="qa2",
                            findings=[{"check_id": "C3", "outcome": "fail", "comment": "no"}])
        _import(con, tmp_path, [f"{ids[5]},A1,fail,li,,2026-11-20"], "later.csv")
    check()
    with store.opened(db) as con:  # reviewed calls stored again: another team and day, then without a result
        _store_again(con, 2, "Team B", "b02", "2026-12-01", flagged=True)
        _store_again(con, 4, "Team A", "a01", "2026-11-02", result=False)
        assert con.execute("SELECT count(*) FROM agreement_fact_store WHERE call_id = ?", [ids[4]]).fetchone()[0] == 0
    check()


# What the score-agreement view and an agent's reviews read before migration 21: the reviews
# joined to the facts of the calls the filter keeps (``{where}``: facts.call_where).
SCORE_AGREEMENT_BEFORE = """SELECT coalesce(v.reason, 'not queued') AS queued_for, count(*) AS reviewed,
           avg(abs(v.human_score - v.auto_score)) AS mean_gap,
           count(*) FILTER (WHERE NOT c.flagged AND v.human_score < v.auto_score - 10) AS passed_wrongly
    FROM call_fact_store c JOIN (SELECT v.call_id, v.auto_score, v.human_score, q.reason
        FROM (SELECT * FROM review_store QUALIFY row_number() OVER (PARTITION BY call_id
              ORDER BY reviewed_at DESC) = 1) v
        LEFT JOIN queue_store q ON q.call_id = v.call_id) v ON v.call_id = c.call_id
    WHERE {where} GROUP BY ALL ORDER BY queued_for"""
AGENT_REVIEWS_BEFORE = """WITH c AS (SELECT call_id, started_at, rubric_id, rubric_version FROM call_fact_store
               WHERE {where})
    SELECT c.call_id, c.started_at, v.auto_score, v.human_score, v.reviewer, v.reviewed_at,
           v.comment, a.acknowledged_at, coalesce(d.open_disputes, 0) AS open_disputes
    FROM c JOIN review_store v ON v.call_id = c.call_id AND v.rubric_id = c.rubric_id
         AND v.rubric_version = c.rubric_version
    LEFT JOIN (SELECT call_id, max(acknowledged_at) AS acknowledged_at FROM acknowledgement_store
               GROUP BY call_id) a ON a.call_id = c.call_id
    LEFT JOIN (SELECT call_id, count(*) AS open_disputes FROM dispute_store WHERE status = 'open'
               GROUP BY call_id) d ON d.call_id = c.call_id
    ORDER BY v.reviewed_at DESC, c.call_id"""
_AGENTS = ("a01", "a02", "b01", "b02")


# The filter widgets' agents and flag reasons before migration 21: from every day sum.
OPTIONS_BEFORE = """SELECT agent_id, arg_max(agent_name, day) AS agent_name, arg_max(team, day) AS team,
        list_sort(list(DISTINCT language)), list_sort(list(DISTINCT team)), min(day), max(day)
    FROM daily_call_store WHERE ({where}) GROUP BY agent_id ORDER BY agent_id"""
REASONS_BEFORE = "SELECT DISTINCT unnest(flag_reasons) AS reason FROM daily_call_store ORDER BY reason"


def _options_now(options: dict) -> list:
    return [options["agents"].rows(), [(*options["teams"], *options["languages"], *options["flag_reasons"],
                                        options["first"], options["last"])]]


def _options_before(con, viewer: Viewer) -> list:
    where, args = scope_clause(viewer)
    rows = con.execute(OPTIONS_BEFORE.format(where=where), args).fetchall()
    reasons = [r for (r,) in con.execute(REASONS_BEFORE).fetchall() if r]
    return [[r[:3] for r in rows if r[0] is not None],
            [(*sorted({t for r in rows for t in r[4] if t is not None}),
              *sorted({x for r in rows for x in r[3] if x is not None}), *reasons,
              min((r[5] for r in rows if r[5] is not None), default=None),
              max((r[6] for r in rows if r[6] is not None), default=None))]]


def _reviews_before(con) -> list:
    """Each filter's score-agreement rows, and each agent's reviews under it, as read before
    (and each viewer's filter widgets)."""
    got = [_options_before(con, viewer) for viewer, _ in AGREEMENT_VIEWS]
    for viewer, f in AGREEMENT_VIEWS:
        where, args = facts.call_where(viewer, f)
        got.append(con.execute(SCORE_AGREEMENT_BEFORE.format(where=where), args).fetchall())
        for agent in _AGENTS:
            where, args = facts.call_where(viewer, CallFilter(agents=(agent,), date_from=f.date_from,
                                                              date_to=f.date_to))
            got.append(con.execute(AGENT_REVIEWS_BEFORE.format(where=where), args).fetchall())
    return got


def _reviews_now(db) -> list:
    got = [_options_now(aggregates.filter_options(db, viewer)) for viewer, _ in AGREEMENT_VIEWS]
    for viewer, f in AGREEMENT_VIEWS:
        got.append(queries.score_agreement(db, viewer, f).rows())
        for agent in _AGENTS:
            rows = queries.agent_reviews(db, viewer, agent, f).rows()
            got.append(sorted(rows, key=lambda r: (-r[5].timestamp(), r[0])))
    return got


def _same_lists(got: list, want: list) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        _same(g, w)


def _reviewed_and_queued(con, tmp_path) -> list[str]:
    """:func:`_reviewed_centre` with a queue, reviews of queued and unqueued calls (some under
    an older rubric version than their latest result), acknowledgements and disputes."""
    ids = _reviewed_centre(con, tmp_path)
    admin.assign_queue(con, by="turn", sample_share=0.5, specialists=[("qa1", None), ("qa2", None)])
    for n, i in enumerate(range(0, 24, 3)):
        reviews.save_review(con, ids[i], reviewer="qa1" if n % 2 else "qa2", score=40.0 + 7 * n,
                            comment=f"review {n}", at=f"2026-11-2{n % 8}T10:00:00+00:00")
    reviews.acknowledge(con, ids[3], username="a02", comment="seen")
    reviews.open_dispute(con, ids[0], opened_by="a01", reason="no")  # queued for the dispute
    return ids


def test_review_facts_follow_reviews_queue_changes_and_rescoring(tmp_path):
    db = tmp_path / "qa.duckdb"

    def check() -> None:
        with store.opened(db) as con:
            assert_facts_from_scratch(con)
            want = _reviews_before(con)
        _same_lists(_reviews_now(db), want)

    with store.opened(db) as con:
        ids = _reviewed_and_queued(con, tmp_path)
        assert con.execute("SELECT count(*) FROM review_fact_store").fetchone()[0] == con.execute(
            "SELECT count(*) FROM review_store").fetchone()[0] >= 16
        assert con.execute("SELECT count(DISTINCT coalesce(queued_for, '-')) FROM review_fact_store").fetchone()[0] >= 3
    check()
    with store.opened(db) as con:  # reviewed again later, re-scored under a newer rubric version, reassigned
        reviews.save_review(con, ids[6], reviewer="qa2", score=99.0, at="2026-11-30T10:00:00+00:00")
        store.save_results(con, [CallResult(ids[9], "standard", "2", 35.0, True, ("low score",),
                                            (Finding("A1", "fail", weight=10),))])
        assert not con.execute("SELECT current FROM review_fact_store WHERE call_id = ?", [ids[9]]).fetchone()[0]
        reviews.save_review(con, ids[9], reviewer="qa1", score=30.0, at="2026-12-01T10:00:00+00:00")
        assert con.execute("SELECT count(*) FROM review_fact_store WHERE call_id = ?", [ids[9]]).fetchone()[0] == 2
        admin.reassign(con, ids[0], "qa1", actor="mgr")
    check()
    with store.opened(db) as con:  # reviewed calls stored again: another team and day, then without a result
        _store_again(con, 3, "Team B", "b02", "2026-12-01", flagged=True)
        _store_again(con, 12, "Team A", "a01", "2026-11-02", result=False)
        assert con.execute("SELECT count(*) FROM review_fact_store WHERE call_id = ?", [ids[12]]).fetchone()[0] == 0
    check()


def test_migration_21_gives_the_review_views_the_same_figures_under_every_filter(tmp_path):
    db = tmp_path / "new.duckdb"
    with store.opened(db) as con:
        _reviewed_and_queued(con, tmp_path)
        want_rows = _rows(con, "SELECT * FROM review_fact_store")
    older = _older_copy(tmp_path, db, 20, ("call_store", "check_store", "result_store", "call_fact_store",
                                          "queue_store", "review_store", "dispute_store", "acknowledgement_store"))
    con = duckdb.connect(str(older))
    assert not con.execute("SELECT count(*) FROM information_schema.tables "
                           "WHERE table_name = 'review_fact_store'").fetchone()[0]
    before = _reviews_before(con)
    con.close()
    assert sum(len(rows) for rows in before) > 20 and len({repr(rows) for rows in before}) > 10
    with store.opened(older) as con:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] >= 21
        _same(_rows(con, "SELECT * FROM review_fact_store"), want_rows)
        for table in ("call_store", "review_store", "queue_store", "call_fact_store"):  # nothing lost
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0
    _same_lists(_reviews_now(older), before)


QUEUE_VIEWS = [(_MANAGER, CallFilter(), None, "all"), (_MANAGER, CallFilter(), None, "open"),
               (_MANAGER, CallFilter(failed_item="C3"), None, "all"),
               (_MANAGER, CallFilter(teams=("Team B",)), None, "all"),
               (_MANAGER, CallFilter(), "qa1", "reviewed"),
               (Viewer.of(User("lead", "team_lead", team="Team A")), CallFilter(languages=("zh",)), None, "all")]


def _worst_pages(db, before: bool) -> list:
    got = []
    for viewer, f, assignee, status in QUEUE_VIEWS:
        for page in range(4):
            if before:  # the whole queue sorted worst-first, as the page read it before migration 21
                where, args = facts.call_where(viewer, f)
                open_sql = "(reviewer IS NULL OR open_disputes > 0)"
                where += " AND " + {"open": open_sql, "reviewed": f"NOT {open_sql}", "all": "TRUE"}[status]
                if assignee:
                    where, args = where + " AND assignee = ?", [*args, assignee]
                with store.opened(db, read_only=True) as con:
                    got.append(con.execute(f"SELECT call_id, score FROM queue_fact_store WHERE {where} ORDER BY "
                                           f"score ASC NULLS LAST, started_at DESC NULLS LAST, call_id LIMIT 2 "
                                           f"OFFSET {page * 2}", args).fetchall())
            else:
                rows, _ = queries.review_queue(db, viewer, f, assignee=assignee, status=status, order="worst",
                                               page=page)
                got.append(rows.select("call_id", "auto_score").rows())
    return got


def test_worst_first_pages_of_the_queue_follow_queue_reviews_and_rescoring(tmp_path, monkeypatch):
    monkeypatch.setattr(call_facts, "WORST_KEPT", 3)  # trimmed past 6 rows, refilled below 1
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    db = tmp_path / "qa.duckdb"

    def check() -> None:
        with store.opened(db) as con:
            assert_facts_from_scratch(con)
        want = _worst_pages(db, before=True)
        assert _worst_pages(db, before=False) == want
        return want

    with store.opened(db) as con:
        ids = build_centre(con, n=24)
        admin.assign_queue(con, by="turn", sample_share=0.9, specialists=[("qa1", None), ("qa2", None)])
        assert con.execute("SELECT count(*) FROM queue_fact_store").fetchone()[0] > 6
        assert con.execute("SELECT bound IS NOT NULL FROM queue_worst_bound").fetchone()[0]  # trimmed
    assert sum(map(len, check())) > 20
    with store.opened(db) as con:  # the worst calls re-scored better: the kept rows run low and are refilled
        worst = [c for (c,) in con.execute("SELECT call_id FROM queue_worst_store").fetchall()]
        store.save_results(con, [CallResult(cid, "standard", "2", 95.0, False, (), (Finding("A1", "pass", weight=10),))
                                 for cid in worst])
        reviews.save_review(con, ids[5], reviewer="qa1", score=20.0)
        assert con.execute("SELECT count(*) FROM queue_worst_store").fetchone()[0] >= 1
    check()
    with store.opened(db) as con:  # a call stored again worse, one without a result
        _store_again(con, 7, "Team B", "b01", "2026-12-02", flagged=True)
        _store_again(con, 8, "Team A", "a01", "2026-11-02", result=False)
        call_facts.refill_worst(con)
    check()
