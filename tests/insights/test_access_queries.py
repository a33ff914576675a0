"""The dashboard's queries under hostile input: nothing outside the viewer's scope leaks,
nothing breaks, nothing is changed, and redacted values cannot be searched for."""
from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from qa_pipeline.insights import aggregates
from qa_pipeline.insights.filters import CallFilter
from qa_pipeline.privacy import access
from qa_pipeline.privacy.access import User, Viewer
from qa_pipeline.privacy.redaction import redact_call
from qa_pipeline.records import Call, CallInfo, CallMetrics, CallResult, Evidence, Finding, Turn
from qa_pipeline.store import call_facts
from qa_pipeline.store import database as store

queries = pytest.importorskip("qa_pipeline.insights.queries")

HOSTILE = [
    "' OR '1'='1",
    "A1' OR agent_id IS NOT NULL OR '",
    "x'); DROP TABLE call_store; --",
    "T1' UNION SELECT call_id, text FROM turn_store --",
    "%", "\0", "' ; COPY call_store TO '/tmp/leak.csv'; --",
    "A" * 100_000,
]
CARD = "6222021234567890128"


def _call(call_id: str, agent: str, team: str, text: str) -> tuple[Call, CallResult]:
    info = CallInfo(call_id, agent_id=agent, agent_name=f"name-{agent}", team=team,
                    started_at="2026-10-05T09:00:00+08:00")
    call = redact_call(Call(info, "zh", (Turn("agent", 0.0, 3.0, text), Turn("customer", 3.0, 5.0, "好的"))))
    findings = (Finding("A1", "fail", Evidence(call.turns[0].text, "agent", 0.0, 3.0), weight=10.0),
                Finding("E1", "fail" if "CARD" in call.turns[0].text else "pass", critical=True))
    return call, CallResult(call_id, "standard", "1", 50.0, True, ("score below 80",), findings,
                            metrics=CallMetrics())


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("queries") / "qa.duckdb"
    with store.opened(path) as con:
        for cid, agent, team, text in [
            ("c1", "A1", "T1", f"您好，卡号{CARD}对吗"),
            ("c2", "A2", "T1", "您好，请问有什么可以帮您"),
            ("c3", "A3", "T2", "您好，秘密的二组通话"),
        ]:
            call, result = _call(cid, agent, team, text)
            store.save_call(con, call, [result])
        con.execute("INSERT INTO queue_store VALUES ('c1', 'qa1', 'flagged', now()), ('c3', 'qa1', 'flagged', now())")
        call_facts.refresh_queue(con, ["c1", "c3"])  # what the queue writers (review.admin) do
    return path


def _counts(path) -> dict:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("call_store", "turn_store", "check_store", "result_store", "audit_log", "app_user")}


VIEWERS = {
    "agent A1": (User("a1", "agent", agent_id="A1"), {"c1"}),
    "lead T1": (User("l1", "team_lead", team="T1"), {"c1", "c2"}),
    "hostile agent id": (User("x", "agent", agent_id=HOSTILE[1]), set()),
    "hostile team": (User("x", "team_lead", team=HOSTILE[0]), set()),
}


def _ids(frame) -> set:
    return set(frame["call_id"].to_list()) if frame.height else set()


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_filters_stay_in_scope(db, value):
    before = _counts(db)
    f = CallFilter(teams=(value,), agents=(value,), languages=(value,), flag_reason=value, failed_item=value)
    for name in ("agent A1", "lead T1"):
        user, allowed = VIEWERS[name]
        viewer = Viewer.of(user)
        assert _ids(queries.review_queue(db, viewer, f, assignee=value)[0]) == set()
        assert _ids(queries.call_header(db, viewer, value)) == set()
        rows, total, _ = queries.search_findings(db, viewer, CallFilter(), item=value, outcome=value, words=value)
        assert _ids(rows) <= allowed and total == rows.height
        assert _ids(queries.agent_calls_failing(db, viewer, value, value, CallFilter())) == set()
        assert queries.playlist_clips(db, viewer, value).height == 0
        assert aggregates.weekly_trends(db, viewer, CallFilter(), level=value).height <= len(allowed)
        for fn in (aggregates.training_needs, aggregates.item_pass_by_team, queries.agreement, queries.agreement_by_model,
                   queries.score_agreement,
                   aggregates.targets, aggregates.new_agents, aggregates.weekly_trends):
            assert fn(db, viewer, f).height == 0, fn.__name__  # the hostile filter matches nothing
        for fn in (aggregates.agent_items, aggregates.agent_weekly, queries.agent_reviews):
            assert fn(db, viewer, value, CallFilter()).height == 0, fn.__name__
    assert _counts(db) == before


def test_each_role_sees_only_its_calls(db):
    everyone = queries.search_findings(db, Viewer.of(User("m", "manager")), CallFilter())[0]
    assert _ids(everyone) == {"c1", "c2", "c3"}
    for user, allowed in VIEWERS.values():
        viewer = Viewer.of(user)
        assert _ids(queries.search_findings(db, viewer, CallFilter())[0]) == allowed
        assert _ids(queries.review_queue(db, viewer, CallFilter(), status="all")[0]) == allowed & {"c1", "c3"}
        for cid in ("c1", "c2", "c3"):
            assert (queries.call_header(db, viewer, cid).height == 1) == (cid in allowed)
        groups = set(aggregates.weekly_trends(db, viewer, CallFilter(), level="agent")["group"].to_list())
        assert groups == {f"name-{cid.replace('c', 'A')}" for cid in allowed}
        options = aggregates.filter_options(db, viewer)
        assert set(options["teams"]) <= {"T1"} and set(options["agents"]["agent_id"].to_list()) <= {"A1", "A2"}


def test_dates_and_pages_out_of_range(db):
    viewer = Viewer.of(User("m", "manager"))
    f = CallFilter(date_from=date(9999, 12, 31), date_to=date(1, 1, 1))
    assert queries.review_queue(db, viewer, f)[1] == 0
    rows, total = queries.review_queue(db, viewer, CallFilter(), status="all", page=-5, order="'; DROP")
    assert total == 2 and rows.height == 2
    assert queries.review_queue(db, viewer, CallFilter(), status="all", page=10**9)[0].height == 0


def test_redacted_values_cannot_be_found_or_shown(db):
    viewer = Viewer.of(User("m", "manager"))
    for probe in (CARD, CARD[:8], CARD[-7:], "6222 0212"):
        assert queries.search_findings(db, viewer, CallFilter(), words=probe)[1] == 0
    rows = queries.search_findings(db, viewer, CallFilter(), words="[CARD ****0128]").rows
    assert _ids(rows) == {"c1"}
    header = queries.call_header(db, viewer, "c1")
    shown = " ".join(str(v) for v in header.row(0)) + " ".join(queries.call_turns(db, viewer, "c1")["text"].to_list())
    assert CARD not in shown and CARD[:6] not in shown
    evidence = queries.call_findings(db, viewer, "c1", "standard", "1")["evidence_text"].to_list()
    assert all(CARD not in (e or "") for e in evidence)


def test_safe_path_guards_the_configured_folders(tmp_path):
    rec = tmp_path / "recordings"
    rec.mkdir()
    for value in HOSTILE + ["../../etc/passwd", "/etc/passwd", "..\\..\\windows"]:
        try:
            resolved = access.safe_path([rec], value)
        except access.PathNotAllowed:
            continue
        assert resolved.is_relative_to(rec.resolve())  # accepted only inside the folder


@pytest.fixture(scope="module")
def numbers_db(tmp_path_factory):
    """One call that still says an account number (no redaction) and has caller metadata."""
    path = tmp_path_factory.mktemp("masking") / "qa.duckdb"
    info = CallInfo("n1", agent_id="A1", agent_name="name-A1", team="T1", started_at="2026-10-05T09:00:00+08:00",
                    metadata={"caller_phone": "13812345678", "agent_ext": "1024", "ring_seconds": 3})
    text = "my account is 7539062332, order OR08409328"
    call = Call(info, "en", (Turn("customer", 1.0, 4.0, text), Turn("agent", 4.0, 6.0, "thank you")))
    result = CallResult("n1", "standard", "1", 50.0, True, ("score below 80",),
                        (Finding("A1", "fail", Evidence(text, "customer", 1.0, 4.0), weight=10.0),),
                        metrics=CallMetrics())
    with store.opened(path) as con:
        store.save_call(con, call, [result])
    return path


def test_queries_return_rows_masked_for_the_viewer(numbers_db):
    db = numbers_db
    masked = "my account is ****2332, order ****9328"
    raw = "my account is 7539062332, order OR08409328"
    for user, text in ((User("t", "trainer"), masked), (User("l", "team_lead", team="T1"), masked),
                       (User("a", "agent", agent_id="A1"), masked), (User("m", "manager"), raw),
                       (User("q", "qa"), raw)):
        viewer = Viewer.of(user)
        assert viewer.masks_identifiers == (text == masked)
        assert queries.call_turns(db, viewer, "n1")["text"][0] == text
        assert queries.call_findings(db, viewer, "n1", "standard", "1")["evidence_text"][0] == text
        assert queries.search_findings(db, viewer, CallFilter())[0]["evidence_text"][0] == text
        assert queries.agent_calls_failing(db, viewer, "A1", "A1", CallFilter())["evidence_text"][0] == text
        assert queries.clip_excerpt(db, viewer, "n1", 0.0, 5.0) == [f"[00:01] customer: {text}",
                                                                   "[00:04] agent: thank you"]
        meta = json.loads(queries.call_header(db, viewer, "n1")["metadata"][0])
        if text == masked:
            assert meta == {"agent_ext": "1024", "ring_seconds": 3}
        else:
            assert meta == {"caller_phone": "13812345678", "agent_ext": "1024", "ring_seconds": 3}


def test_one_call_queries_keep_to_the_viewer_scope(numbers_db):
    db = numbers_db
    for user in (User("b", "agent", agent_id="A2"), User("l", "team_lead", team="T2"), User("x", "superuser")):
        viewer = Viewer.of(user)
        assert queries.call_header(db, viewer, "n1").is_empty()
        assert queries.call_turns(db, viewer, "n1").is_empty()
        assert queries.call_findings(db, viewer, "n1", "standard", "1").is_empty()
        assert queries.call_disputes(db, viewer, "n1").is_empty()
        assert queries.call_acknowledgements(db, viewer, "n1").is_empty()
        assert queries.clip_excerpt(db, viewer, "n1", 0.0, 5.0) == []
    everyone = Viewer.of(User("m", "manager"))
    assert queries.clip_excerpt(db, everyone, "n1", 4.5, None) == ["[00:04] agent: thank you"]
    assert queries.clip_excerpt(db, everyone, "n1", None, None) == []
