"""Every dashboard page under Streamlit's AppTest: on an empty database, a demo-like one and
one holding only imported transcripts; for each role; and the review, override, dispute and
acknowledgement actions write what they should."""
from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_fixtures import add_users, batch_holding_the_lock, build_centre, build_reviewed_centre
from streamlit.testing.v1 import AppTest

from qa_pipeline.privacy import access
from qa_pipeline.store import database as store

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
PAGES = ["views/review_queue.py", "views/agent_feedback.py", "views/coaching_clips.py", "views/team_trends.py"]


def _db(tmp_path: Path, kind: str) -> Path:
    db = tmp_path / f"{kind}.duckdb"
    with store.opened(db) as con:
        if kind == "centre":
            build_reviewed_centre(con, n=36)
        elif kind == "imported":
            build_centre(con, n=12, imported_only=True)
            add_users(con)
    return db


def _app(db: Path, monkeypatch, user: access.User | None = access.LOCAL_USER) -> AppTest:
    monkeypatch.setenv("QA_DB", str(db))
    monkeypatch.delenv("QA_DASHBOARD_LOCAL", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=60)
    if user is not None:
        at.session_state["user"] = user
    return at


def _open(at: AppTest, page: str) -> AppTest:
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """The `qa demo --size large` centre, smaller: roster, scored calls in zh and en, reviews, disputes."""
    from datetime import date

    from qa_pipeline.demo.centre import build_centre as build_demo

    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with store.opened(db) as con:
        build_demo(con, seed=3, calls=80, today=date(2026, 11, 20))
    return db


def test_every_page_renders_on_the_demo_database(demo_db, monkeypatch):
    for page in PAGES:
        at = _open(_app(demo_db, monkeypatch), page)
        assert not at.error, [e.value for e in at.error]
    at = _open(_app(demo_db, monkeypatch), "views/team_trends.py")
    for level in ("centre", "agent"):
        at.segmented_control(key="tt_level").set_value(level).run()
        assert not at.exception, [e.value for e in at.exception]
    with store.opened(demo_db, read_only=True) as con:
        disputed = con.execute("SELECT call_id FROM disputes LIMIT 1").fetchone()[0]
    at = _open(_app(demo_db, monkeypatch), "views/review_queue.py")
    at.text_input(key="rq_typed").input(disputed).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == f"Call {disputed}" for s in at.subheader)


@pytest.mark.parametrize("kind", ["empty", "centre", "imported"])
def test_every_page_renders(tmp_path, monkeypatch, kind):
    db = _db(tmp_path, kind)
    for page in PAGES:
        at = _open(_app(db, monkeypatch), page)
        assert at.title[0].value in ("Review queue", "Agent feedback", "Coaching clips", "Team trends")


def test_coaching_views_and_call_detail_render(tmp_path, monkeypatch):
    db = _db(tmp_path, "centre")
    at = _open(_app(db, monkeypatch), "views/coaching_clips.py")
    at.segmented_control(key="cc_view").set_value("Playlists").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "complaint handling — good examples" in at.selectbox(key="cc_playlist").options
    assert any("concrete reply time" in m.value for m in at.markdown)
    at.segmented_control(key="cc_view").set_value("Training needs").run()
    assert not at.exception, [e.value for e in at.exception]
    at = _open(_app(db, monkeypatch), "views/review_queue.py")
    at.text_input(key="rq_typed").input("call-0001").run()  # an imported call: no audio, still works
    assert not at.exception
    assert any("Imported transcript" in c.value for c in at.caption)


def test_sign_in_required_and_checked(tmp_path, monkeypatch):
    db = _db(tmp_path, "centre")
    at = _app(db, monkeypatch, user=None)
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Call QA dashboard"]  # nothing but the form
    assert not at.dataframe and not at.metric
    at.text_input[0].input("qa1")
    at.text_input[1].input("wrong-password")
    at.button[0].click().run()
    assert "Wrong user name or password." in [e.value for e in at.error]
    assert "user" not in at.session_state
    at.text_input[0].input("qa1")
    at.text_input[1].input("secret-pass")
    at.button[0].click().run()
    assert at.session_state["user"].username == "qa1"
    assert at.title[0].value == "Review queue"


def test_sign_in_signs_a_session_and_sign_out_ends_it(tmp_path, monkeypatch):
    """The token behind reloads and bookmarks (the cookie itself is checked in Chromium,
    tests/dashboards/test_browser.py): issued at sign-in, refused after sign-out."""
    from qa_pipeline.privacy import sessions

    db = _db(tmp_path, "centre")
    at = _app(db, monkeypatch, user=None)
    at.run()
    at.text_input[0].input("qa1")
    at.text_input[1].input("secret-pass")
    at.button[0].click().run()
    token = at.session_state["session_token"]
    with store.opened(db) as con:
        assert sessions.verify(con, token).username == "qa1"  # the secret was created on first sign-in
    next(b for b in at.button if b.label == "Sign out").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Call QA dashboard"] and "user" not in at.session_state
    with store.opened(db) as con:
        assert sessions.verify(con, token) is None


def test_override_without_comment_is_refused_then_review_saved(tmp_path, monkeypatch):
    db = _db(tmp_path, "centre")
    qa = access.User("qa2", "qa", "qa2", "Team B", None)
    at = _open(_app(db, monkeypatch, qa), "views/review_queue.py")
    at.text_input(key="rq_typed").input("call-0006").run()
    at.selectbox(key="rv_call-0006_C3").set_value("pass")
    at.button(key="rv_save_call-0006").click().run()
    assert any("C3 Offer more help" in e.value and "comment" in e.value for e in at.error)
    with store.opened(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM reviews WHERE call_id = 'call-0006'").fetchone()[0] == 0
    at.selectbox(key="rv_call-0006_C3").set_value("pass")
    at.text_input(key="rc_call-0006_C3").input("offered more help in other words")
    at.text_area(key="rv_overall_call-0006").input("Good recovery after the complaint.")
    at.button(key="rv_save_call-0006").click().run()
    assert not at.exception
    with store.opened(db, read_only=True) as con:
        review = con.execute("SELECT reviewer, auto_score, human_score, comment FROM reviews "
                             "WHERE call_id = 'call-0006'").fetchone()
        finding = con.execute("SELECT verdict, auto_outcome, human_outcome, comment, reviewer FROM finding_reviews "
                              "WHERE call_id = 'call-0006' AND check_id = 'C3'").fetchone()
        confirmed = con.execute("SELECT count(*) FROM finding_reviews WHERE call_id = 'call-0006' "
                                "AND verdict = 'confirm'").fetchone()[0]
        audit = con.execute("SELECT count(*) FROM audit_log WHERE actor = 'qa2' AND target = 'call-0006'").fetchone()[0]
    assert review[0] == "qa2" and review[2] > review[1] and review[3] == "Good recovery after the complaint."
    assert finding == ("override", "fail", "pass", "offered more help in other words", "qa2")
    assert confirmed == 6 and audit == 8  # every other item confirmed; each action audited


def test_agent_disputes_and_acknowledges_own_review_only(tmp_path, monkeypatch):
    db = _db(tmp_path, "centre")
    agent = access.User("a01", "agent", "a01", "Team A", "a01")
    at = _app(db, monkeypatch, agent)
    at.session_state["af_call"] = "call-0000"
    _open(at, "views/agent_feedback.py")
    assert at.title[0].value == "Agent feedback"
    assert "af_agent" not in [s.key for s in at.sidebar.selectbox]  # an agent sees only themself
    at.button(key="ack_call-0000").click().run()
    with store.opened(db, read_only=True) as con:
        assert con.execute("SELECT username FROM acknowledgements WHERE call_id = 'call-0000'").fetchall() == [("a01",)]
    def send_dispute(form: str, reason: str) -> None:
        [s for s in at.selectbox if s.label == "Finding"][0].set_value("C2")
        [t for t in at.text_area if t.label == "Why is it wrong?"][0].input(reason)
        at.button(key=form).click().run()
        assert not at.exception

    def disputes() -> list:
        with store.opened(db, read_only=True) as con:
            return con.execute("SELECT check_id, opened_by, status FROM disputes WHERE call_id = 'call-0000' "
                               "ORDER BY opened_at").fetchall()

    before = len(disputes())
    send_dispute("FormSubmitter:dispute_call-0000_0-Send dispute", "I confirmed the charge date at 00:06")
    assert ("C2", "a01", "open") in disputes() and len(disputes()) == before + 1
    # the form is emptied after sending, so the text cannot go out twice by a second click
    assert [t for t in at.text_area if t.label == "Why is it wrong?"][0].value == ""
    assert [s for s in at.selectbox if s.label == "Finding"][0].value is None
    # the same dispute typed again while the first is open is refused, with a message
    send_dispute("FormSubmitter:dispute_call-0000_1-Send dispute", "  I confirmed the charge date at 00:06 ")
    assert len(disputes()) == before + 1
    assert any("already disputed" in e.value and "still open" in e.value for e in at.error)
    # another agent's call is not shown to this agent, even when asked for by id
    at.session_state["af_call"] = "call-0002"
    at.run()
    assert not any(s.value == "Call call-0002" for s in at.subheader)


def test_specialist_resolves_dispute_from_queue(tmp_path, monkeypatch):
    db = _db(tmp_path, "centre")
    qa = access.User("qa1", "qa", "qa1", "Team A", None)
    at = _open(_app(db, monkeypatch, qa), "views/review_queue.py")
    at.text_input(key="rq_typed").input("call-0000").run()
    with store.opened(db, read_only=True) as con:
        dispute_id = con.execute("SELECT dispute_id FROM disputes WHERE status = 'open'").fetchone()[0]
    at.radio(key=f"dec_{dispute_id}").set_value("uphold (the agent is right)")
    at.selectbox(key=f"out_{dispute_id}").set_value("pass")
    at.text_input(key=f"res_{dispute_id}").input("the reply time was given at 00:12")
    at.button(key=f"FormSubmitter:resolve_{dispute_id}-Record decision").click().run()
    assert not at.exception
    with store.opened(db, read_only=True) as con:
        status, outcome, by = con.execute("SELECT status, resolved_outcome, resolved_by FROM disputes "
                                          "WHERE dispute_id = ?", [dispute_id]).fetchone()
        final = con.execute("SELECT final_outcome FROM final_check_results WHERE call_id = 'call-0000' "
                            "AND check_id = 'D4'").fetchone()[0]
    assert (status, outcome, by, final) == ("upheld", "pass", "qa1", "pass")


def test_roles_see_only_their_pages_and_calls(tmp_path, monkeypatch):
    db = _db(tmp_path, "centre")
    lead = access.User("leadA", "team_lead", "leadA", "Team A", None)
    at = _open(_app(db, monkeypatch, lead), "views/team_trends.py")
    team_box = at.sidebar.multiselect(key="tt_teams")
    assert team_box.options == ["Team A"]
    trainer = access.User("trainer", "trainer", "trainer", None, None)
    at = _app(db, monkeypatch, trainer)
    at.run()
    assert at.title[0].value == "Coaching clips"  # no review queue for trainers
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not registered for trainers
        at.switch_page("views/review_queue.py")


def test_review_saved_in_the_dashboard_while_a_batch_holds_the_database_lands_later(tmp_path, monkeypatch):
    """The batch (another process) holds the write lock while the reviewer saves: the page says
    the change is queued, and the next open of the database by anyone applies it."""
    from qa_pipeline.store import journal as shared_db

    db = _db(tmp_path, "centre")
    monkeypatch.setattr(shared_db, "WRITE_WAIT_SECONDS", 0.5)
    monkeypatch.setattr(shared_db, "READ_WAIT_SECONDS", 0.5)
    qa = access.User("qa2", "qa", "qa2", "Team B", None)
    at = _open(_app(db, monkeypatch, qa), "views/review_queue.py")
    at.text_input(key="rq_typed").input("call-0009").run()
    with batch_holding_the_lock(db):
        at.text_area(key="rv_overall_call-0009").input("Checked while the batch was running.")
        at.button(key="rv_save_call-0009").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("pending-writes journal" in str(t.value) for t in at.toast)
        assert any("busy" in w.value for w in at.warning)  # pages say so instead of failing
        assert shared_db.pending_count(db) == 1
    with store.opened(db) as con:  # what `qa run` does at its next call
        row = con.execute("SELECT reviewer, comment FROM reviews WHERE call_id = 'call-0009'").fetchone()
    assert row == ("qa2", "Checked while the batch was running.")
    assert shared_db.pending_count(db) == 0


def test_with_an_identity_provider_only_the_company_sign_in_shows(tmp_path, monkeypatch):
    db = _db(tmp_path, "centre")
    at = _app(db, monkeypatch, user=None)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "qa", "client_secret": "s",
                          "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Call QA dashboard"]
    assert [b.label for b in at.button] == ["Sign in with your company account"]
    assert not at.text_input and not at.dataframe  # no local form, nothing else


def test_pages_show_rows_as_masked_for_the_viewer(tmp_path, monkeypatch):
    """The queries mask for the viewer; the page shows what they return (a trainer sees the
    last four digits, a QA specialist the whole number)."""
    db = _db(tmp_path, "centre")
    with store.opened(db) as con:
        con.execute("UPDATE check_store SET evidence_text = 'my account is 7539062332' WHERE call_id = 'call-0003'")
    for user, shown, hidden in ((access.User("trainer", "trainer"), "my account is ****2332", "7539062332"),
                                (access.User("qa1", "qa", "qa1", "Team A"), "my account is 7539062332", "****2332")):
        at = _open(_app(db, monkeypatch, user), "views/coaching_clips.py")
        evidence = at.dataframe(key="cc_table").value["evidence_text"].tolist()
        assert shown in evidence and not any(hidden in e for e in evidence)


def test_managers_land_on_team_trends(tmp_path, monkeypatch):
    db = _db(tmp_path, "centre")
    at = _app(db, monkeypatch, access.User("mgr", "manager", "mgr"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Team trends"
    at = _app(db, monkeypatch, access.User("qa1", "qa", "qa1", "Team A"))
    at.run()
    assert at.title[0].value == "Review queue"  # the specialists still start at their queue


def _markdown(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def test_findings_read_in_words_for_a_specialist_and_the_raw_rule_only_for_an_admin(demo_db, monkeypatch):
    import re

    with store.opened(demo_db, read_only=True) as con:
        call_id = con.execute("""SELECT k.call_id FROM check_store k JOIN call_store c USING (call_id)
            WHERE c.language = 'zh' AND k.check_id = 'D1' AND k.outcome = 'na' AND k.call_id IN (
                SELECT call_id FROM check_store WHERE rule LIKE '%re:%' OR rule LIKE '%{%')
            ORDER BY k.call_id LIMIT 1""").fetchone()[0]
    qa = access.User("qa.sun", "qa", "qa.sun", None, None)
    at = _open(_app(demo_db, monkeypatch, qa), "views/review_queue.py")
    at.text_input(key="rq_typed").input(call_id).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _markdown(at)
    assert "C2 Confirm the need" in shown and "D1 Apology / empathy" in shown  # English titles by default
    assert "complaint call: no" in shown and "complaint fail" not in shown
    whys = [c.value for c in at.caption if c.value.startswith("why:")]
    assert len(whys) >= 10 and "why: not a complaint call" in whys
    assert not [w for w in whys if re.search(r"re:|\{\w+\}|\(\?|\\\\", w)], whys  # no pattern for a specialist
    assert not [e for e in at.expander if e.label == "rule as the scorer wrote it"]
    # the verdict and comment of each finding sit in the finding's own box, beside its evidence
    assert at.selectbox(key=f"rv_{call_id}_C2").label == "Your verdict"
    # Mandarin titles for a Mandarin-speaking user
    at.session_state["item_language"] = "zh"
    at.run()
    assert "C2 确认需求" in _markdown(at)
    admin = _open(_app(demo_db, monkeypatch, access.LOCAL_USER), "views/review_queue.py")
    admin.text_input(key="rq_typed").input(call_id).run()
    raw = [e for e in admin.expander if e.label == "rule as the scorer wrote it"]
    assert raw and any("{" in c.value or "re:" in c.value for e in raw for c in e.code)


def test_no_human_score_shows_a_dash_and_an_unchanged_one_no_arrow(tmp_path, monkeypatch):
    db = _db(tmp_path, "centre")
    with store.opened(db) as con:
        unreviewed = con.execute("""SELECT q.call_id FROM queue_store q WHERE q.assignee = 'qa1' AND q.call_id NOT IN
            (SELECT call_id FROM review_store) ORDER BY q.call_id LIMIT 1""").fetchone()[0]
    qa = access.User("qa1", "qa", "qa1", "Team A", None)
    at = _open(_app(db, monkeypatch, qa), "views/review_queue.py")
    table = at.dataframe[0].value
    assert "–" in table["human_score"].tolist() and "None" not in table["human_score"].astype(str).tolist()
    at.text_input(key="rq_typed").input(unreviewed).run()
    human = [m for m in at.metric if m.label == "Human score"][0]
    assert human.value == "–" and not human.delta
    # confirm every finding: the human score equals the automatic one, and no "+0" arrow shows
    at.button(key=f"rv_save_{unreviewed}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    human = [m for m in at.metric if m.label == "Human score"][0]
    automatic = [m for m in at.metric if m.label == "Automatic score"][0]
    assert human.value == automatic.value and not human.delta


def test_agreement_shows_each_item_by_model_version(tmp_path, monkeypatch):
    """Re-scored under a calibrated model version, the reviewed calls' results of the bank
    models are kept, and the team trends page shows each item's agreement for both versions."""
    import numpy as np

    from qa_pipeline.rescoring import rescore
    from qa_pipeline.rubric.learned import ItemModel, models_in_use

    db = _db(tmp_path, "centre")
    # A model version 1 in use (of an encoder no rubric here reads, so the findings stay as they were).
    v1 = ItemModel("C2", "pass", "no-such-encoder", np.zeros(2, np.float32), np.zeros(2, np.float32), 0.0, 3, 3,
                   version="1")
    with store.opened(db) as con, models_in_use([v1]):
        rescore(con, jobs=1)
    at = _open(_app(db, monkeypatch), "views/team_trends.py")
    table = next(d.value for d in at.dataframe if "model" in d.value.columns)
    rows = {(item[:2], model): current for item, model, current in zip(table["item"], table["model"], table["current"])}
    assert not rows[("C3", "exemplar banks")] and rows[("C3", "v1")]  # the version scoring the calls now
    assert {model for _, model in rows} == {"exemplar banks", "v1"}
