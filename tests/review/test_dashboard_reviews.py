"""The write side of the dashboard: reviews, overrides, disputes, queues, playlists, targets,
and the journal that keeps a write when a batch holds the database."""
from __future__ import annotations

import json

import pytest
from dashboard_fixtures import add_users, batch_holding_the_lock, build_centre

from qa_pipeline.review import admin as review_admin
from qa_pipeline.review import reviews, writes
from qa_pipeline.review.actions import ReviewError
from qa_pipeline.store import database as store
from qa_pipeline.store import journal as shared_db


@pytest.fixture
def con():
    con = store.connect(":memory:")
    build_centre(con, n=12)
    add_users(con)
    yield con
    con.close()


def test_override_keeps_both_scores_and_who(con):
    auto = con.execute("SELECT score FROM call_results WHERE call_id = 'call-0000'").fetchone()[0]
    reviews.review_finding(con, "call-0000", "C3", reviewer="qa1", verdict="override", outcome="pass",
                           comment="asked in other words")
    reviews.review_finding(con, "call-0000", "D4", reviewer="qa1", verdict="confirm")
    score = reviews.save_review(con, "call-0000", reviewer="qa1", comment="good call overall")
    row = con.execute("SELECT auto_score, human_score, reviewer, reviewed_at IS NOT NULL FROM reviews "
                      "WHERE call_id = 'call-0000'").fetchone()
    assert row == (auto, score, "qa1", True)
    assert score > auto  # C3 (weight 5) now passes
    final = dict(con.execute("SELECT check_id, final_outcome FROM final_check_results "
                             "WHERE call_id = 'call-0000'").fetchall())
    assert final["C3"] == "pass" and final["D4"] == "fail"
    actions = [r[0] for r in con.execute("SELECT action FROM audit_log WHERE target = 'call-0000' ORDER BY id").fetchall()]
    assert actions == ["finding.override", "finding.confirm", "review.save"]


def test_override_needs_outcome_and_comment(con):
    with pytest.raises(ReviewError, match="comment"):
        reviews.review_finding(con, "call-0000", "C3", reviewer="qa1", verdict="override", outcome="pass")
    with pytest.raises(ReviewError, match="outcome"):
        reviews.review_finding(con, "call-0000", "C3", reviewer="qa1", verdict="override", outcome="maybe",
                               comment="x")
    with pytest.raises(ReviewError, match="no finding"):
        reviews.review_finding(con, "call-0000", "'; DROP TABLE review_store; --", reviewer="qa1")
    assert con.execute("SELECT count(*) FROM review_store").fetchone()[0] == 0


def test_dispute_returns_to_queue_and_upheld_changes_score(con):
    review_admin.assign_queue(con, by="team", sample_share=0.0, actor="mgr")
    reviews.save_review(con, "call-0000", reviewer="qa1")
    con.execute("DELETE FROM queue_store WHERE call_id = 'call-0000'")
    before = con.execute("SELECT human_score FROM reviews WHERE call_id = 'call-0000'").fetchone()[0]
    did = reviews.open_dispute(con, "call-0000", opened_by="a01", reason="I did give a reply time", check_id="D4")
    assert con.execute("SELECT assignee, reason FROM review_queue WHERE call_id = 'call-0000'").fetchone() == (
        "qa1", "dispute")
    reviews.resolve_dispute(con, did, resolved_by="qa1", upheld=True, resolution="reply time at 00:12",
                            outcome="pass")
    status, outcome = con.execute("SELECT status, resolved_outcome FROM disputes WHERE dispute_id = ?",
                                  [did]).fetchone()
    assert (status, outcome) == ("upheld", "pass")
    after = con.execute("SELECT human_score FROM reviews WHERE call_id = 'call-0000'").fetchone()[0]
    assert after > before
    assert con.execute("SELECT count(*) FROM disputes WHERE call_id = 'call-0000' AND status = 'open'").fetchone()[0] == 0
    with pytest.raises(ReviewError, match="already upheld"):
        reviews.resolve_dispute(con, did, resolved_by="qa1", upheld=False, resolution="again")


def test_acknowledge_only_reviewed_calls(con):
    with pytest.raises(ReviewError, match="not been reviewed"):
        reviews.acknowledge(con, "call-0004", username="a01")
    reviews.save_review(con, "call-0004", reviewer="qa1")
    reviews.acknowledge(con, "call-0004", username="a01", comment="understood")
    assert con.execute("SELECT comment FROM acknowledgements").fetchone()[0] == "understood"


def test_queue_by_team_and_sample(con):
    counts = review_admin.assign_queue(con, by="team", sample_share=1.0, actor="mgr")
    flagged = con.execute("SELECT count(*) FROM call_results WHERE flagged").fetchone()[0]
    assert counts == {"flagged": flagged, "sample": 12 - flagged}
    rows = con.execute("SELECT q.assignee, c.team FROM review_queue q JOIN calls c USING (call_id)").fetchall()
    assert {(a, t) for a, t in rows} == {("qa1", "Team A"), ("qa2", "Team B")}
    assert review_admin.assign_queue(con, by="team", sample_share=1.0) == {"flagged": 0, "sample": 0}


def test_queue_in_turn_with_small_sample_is_reproducible():
    con = store.connect(":memory:")
    build_centre(con, n=300)
    review_admin.assign_queue(con, by="turn", sample_share=0.1, specialists=[("x", None), ("y", None), ("z", None)])
    load = [n for _, n in con.execute("SELECT assignee, count(*) FROM review_queue GROUP BY ALL").fetchall()]
    assert len(load) == 3 and max(load) - min(load) <= 1
    flagged = con.execute("SELECT count(*) FROM review_queue WHERE reason = 'flagged'").fetchone()[0]
    assert flagged == 100
    sample = con.execute("SELECT count(*) FROM review_queue WHERE reason = 'sample'").fetchone()[0]
    assert 5 <= sample <= 40  # ~10 % of 200 unflagged
    con2 = store.connect(":memory:")
    build_centre(con2, n=300)
    review_admin.assign_queue(con2, by="turn", sample_share=0.1, specialists=[("x", None)])
    assert con2.execute("SELECT count(*) FROM review_queue WHERE reason = 'sample'").fetchone()[0] == sample


def test_playlist_and_targets(con):
    pid = review_admin.create_playlist(con, "complaint handling — good examples", owner="trainer")
    review_admin.add_clip(con, pid, "call-0001", added_by="trainer", check_id="D4", start=1.0, end=6.0)
    with pytest.raises(ReviewError):
        review_admin.add_clip(con, pid, "no-such-call", added_by="trainer")
    review_admin.set_target(con, "team", "Team A", "score", 85, set_by="mgr")
    review_admin.set_target(con, "team", "Team A", "score", 88, set_by="mgr")
    assert con.execute("SELECT target FROM quality_targets").fetchall() == [(88.0,)]
    with pytest.raises(ReviewError):
        review_admin.set_target(con, "team", "Team A", "pass_rate", 7, set_by="mgr")


def test_write_through_file_applies_and_journal_replays_once(tmp_path):
    db = tmp_path / "qa.duckdb"
    with store.opened(db) as con:
        build_centre(con, n=6)
    receipt = writes.write(db, "save_review", call_id="call-0000", reviewer="qa1", comment="ok")
    assert receipt.saved
    entry = {"write_id": "w1", "op": "open_dispute",
             "kwargs": {"call_id": "call-0000", "opened_by": "a01", "reason": "r", "dispute_id": "d1",
                        "at": "2026-11-01T10:00:00+00:00"}}
    shared_db.append_pending(db, entry)
    shared_db.append_pending(db, entry)  # a duplicate line must not apply twice
    shared_db.append_pending(db, {"write_id": "w2", "op": "acknowledge",
                                  "kwargs": {"call_id": "call-0003", "username": "a01"}})  # not reviewed
    with store.opened(db) as con:  # store.connect replays the journal: w1 once, w2 rejected
        assert con.execute("SELECT dispute_id, opened_at::VARCHAR FROM disputes").fetchall() == [
            ("d1", "2026-11-01 10:00:00+00")]
    assert shared_db.pending_count(db) == 0
    rejected = [json.loads(x) for x in open(f"{db}.rejected.jsonl")]
    assert rejected[0]["write_id"] == "w2" and "not been reviewed" in rejected[0]["rejected"]


def test_a_journaled_write_no_one_here_knows_waits_for_its_owner(tmp_path):
    """Storage applies the writes their owner registered; a write of an operation unknown to
    this process (journaled by a newer version, or with the owner not imported) is neither
    applied nor rejected: it stays in the journal, line for line, and the others apply."""
    db = tmp_path / "qa.duckdb"
    with store.opened(db) as con:
        build_centre(con, n=3)
    unknown = {"write_id": "w9", "op": "pin_call", "kwargs": {"call_id": "call-0001"}, "queued_at": "x"}
    shared_db.append_pending(db, unknown)
    shared_db.append_pending(db, {"write_id": "w8", "kwargs": {}})  # no operation at all: rejected
    shared_db.append_pending(db, {"write_id": "w1", "op": "save_review",
                                  "kwargs": {"call_id": "call-0000", "reviewer": "qa1", "at": "2026-11-01T10:00:00"}})
    with store.opened(db) as con:
        assert con.execute("SELECT reviewer FROM reviews").fetchall() == [("qa1",)]
    assert shared_db.pending_count(db) == 1
    assert [json.loads(x) for x in open(shared_db.journal_path(db), encoding="utf-8")] == [unknown]
    assert [json.loads(x)["write_id"] for x in open(f"{db}.rejected.jsonl", encoding="utf-8")] == ["w8"]


def test_an_operation_name_belongs_to_one_owner():
    from qa_pipeline.store.pending import register_writes

    register_writes({"save_review": reviews.save_review})  # the same again: fine
    with pytest.raises(ValueError, match="registered already"):
        register_writes({"save_review": reviews.acknowledge})
    assert set(writes.WRITES) == set(reviews.WRITES) | set(review_admin.ADMIN_WRITES)


def test_review_saved_while_a_batch_holds_the_database_is_not_lost(tmp_path):
    db = str(tmp_path / "qa.duckdb")
    with store.opened(db) as con:
        build_centre(con, n=6)
    with batch_holding_the_lock(db):
        receipt = shared_db.write(db, "save_review",
                                  {"call_id": "call-0000", "reviewer": "qa1", "comment": "while busy",
                                   "at": "2026-11-02T09:00:00+00:00"}, wait_seconds=0.5)
        assert not receipt.saved and shared_db.pending_count(db) == 1
    # the next open by anyone (here: the batch's own store.connect) applies it
    with store.opened(db) as con:
        row = con.execute("SELECT reviewer, comment FROM reviews WHERE call_id = 'call-0000'").fetchone()
    assert row == ("qa1", "while busy")
    assert shared_db.pending_count(db) == 0


BATCH = """
import sys, time
sys.path.insert(0, sys.argv[2])
from dashboard_fixtures import make_call
from datetime import datetime, timezone
from qa_pipeline.store import database as store
print("started", flush=True)
for i in range(100, 160):  # like `qa run`: open, store one call, close; transcription time between
    call, result = make_call(i, team="Team A", agent="a01", imported=True, flagged=i % 2 == 0,
                             when=datetime(2026, 11, 20, tzinfo=timezone.utc))
    with store.opened(sys.argv[1]) as con:
        store.save_call(con, call, [result])
    time.sleep(0.02)
"""


def test_reviews_saved_during_a_running_batch_all_land(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    db = str(tmp_path / "qa.duckdb")
    with store.opened(db) as con:
        ids = build_centre(con, n=24)
    batch = subprocess.Popen([sys.executable, "-c", BATCH, db, str(Path(__file__).resolve().parents[1] / "helpers")], stdout=subprocess.PIPE,
                             text=True)
    assert batch.stdout.readline().strip() == "started"
    for n, cid in enumerate(ids):
        writes.write(db, "save_review", call_id=cid, reviewer="qa1", comment=f"review {n}")
    assert batch.wait(120) == 0
    with store.opened(db) as con:  # applies anything journaled
        saved = con.execute("SELECT count(*) FROM reviews").fetchone()[0]
        calls = con.execute("SELECT count(*) FROM calls").fetchone()[0]
    assert saved == len(ids) and calls == 24 + 60
    assert shared_db.pending_count(db) == 0
