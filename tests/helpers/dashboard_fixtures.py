"""Hand-made calls for the dashboard tests: a small centre with audio and imported calls.

Built through the public storage API (``store.save_call``) so the tests see what
``qa run`` and ``qa import`` store.
"""
from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, Optional

import duckdb

from qa_pipeline.records import Call, CallInfo, CallResult, Evidence, Finding, Turn, Word
from qa_pipeline.review import admin as review_admin
from qa_pipeline.review import reviews
from qa_pipeline.store import database as store

CHECKS = [("A1", 10, False), ("B1", 10, False), ("B2", 0, True), ("C2", 10, False), ("C3", 5, False),
          ("C4", 10, False), ("D4", 5, False)]
TEAMS = {"Team A": ["a01", "a02"], "Team B": ["b01", "b02"]}


def _turns(language: str, timed: bool) -> tuple[Turn, ...]:
    lines = ([("agent", "您好，这里是星河银行客服中心，工号1024，请问有什么可以帮您？"),
              ("customer", "我的信用卡被多扣了一笔钱，太差了，我要投诉。"),
              ("agent", "非常抱歉给您带来不便，我跟您确认一下，是昨天的那笔消费对吗？"),
              ("customer", "对，就是昨天。"),
              ("agent", "好的，我们会在24小时内给您回复。还有什么可以帮您？感谢您的来电，再见。")]
             if language == "zh" else
             [("agent", "Hello, thank you for calling Star Bank, my name is Tom."),
              ("customer", "I was charged twice, this is unacceptable."),
              ("agent", "I'm sorry about that. Just to confirm, the charge from yesterday?"),
              ("customer", "Yes, yesterday."),
              ("agent", "We will reply within 24 hours. Anything else? Thank you for calling, goodbye.")])
    turns, t = [], 0.0
    for speaker, text in lines:
        start, end = (t, t + 3.0) if timed else (None, None)
        words = (Word(t, t + 1.5, text[: len(text) // 2], 0.9, speaker),
                 Word(t + 1.5, t + 3.0, text[len(text) // 2:], 0.9, speaker)) if timed else ()
        turns.append(Turn(speaker, start, end, text, words))
        t += 3.2
    return tuple(turns)


def make_call(i: int, *, team: str, agent: str, imported: bool, flagged: bool,
              when: datetime, audio: Optional[str] = None) -> tuple[Call, CallResult]:
    language = "zh" if i % 2 else "en"
    call_id = f"call-{i:04d}"
    info = CallInfo(call_id=call_id, source_path=None if imported else audio, agent_id=agent,
                    agent_name=f"Agent {agent.upper()}", team=team, started_at=when.isoformat(),
                    metadata={"ring_seconds": 5})
    call = Call(info=info, language=language, turns=_turns(language, timed=not imported),
                duration=None if imported else 16.0, source="import" if imported else "audio")
    findings = []
    for j, (check, weight, critical) in enumerate(CHECKS):
        fails = flagged and check in ("C3", "D4") or (i + j) % 7 == 0 and not critical
        outcome = "fail" if fails else "pass"
        ev = Evidence(text=call.turns[min(j, 4)].text[:20], speaker="agent",
                      start=call.turns[min(j, 4)].start, end=call.turns[min(j, 4)].end)
        findings.append(Finding(check, outcome, ev, rule="fixture", critical=critical, weight=weight))
    counted = sum(w for c, w, _ in CHECKS)
    passed = sum(w for (c, w, _), f in zip(CHECKS, findings) if f.outcome == "pass")
    result = CallResult(call_id, "standard", "1", round(100 * passed / counted, 1), flagged,
                        ("low score",) if flagged else (), tuple(findings), complaint=True)
    return call, result


def build_centre(con: duckdb.DuckDBPyConnection, *, n: int = 24, imported_only: bool = False,
                 audio: Optional[str] = None) -> list[str]:
    """``n`` calls over four weeks in two teams; every third flagged. Returns the call ids."""
    store.save_roster(con, [
        {"agent_id": a, "agent_name": f"Agent {a.upper()}", "team": team, "team_lead": f"lead {team}",
         "hire_date": "2026-09-01" if a.endswith("2") else "2025-01-10", "centre": "Shanghai"}
        for team, agents in TEAMS.items() for a in agents])
    start = datetime(2026, 10, 26, 9, tzinfo=timezone.utc)
    ids = []
    roster = [(team, a) for team, agents in TEAMS.items() for a in agents]
    for i in range(n):
        team, agent = roster[i % len(roster)]
        imported = imported_only or i % 3 == 1
        call, result = make_call(i, team=team, agent=agent, imported=imported, flagged=i % 3 == 0,
                                 when=start + timedelta(days=i), audio=audio)
        store.save_call(con, call, [result])
        ids.append(call.call_id)
    return ids


def add_users(con: duckdb.DuckDBPyConnection) -> None:
    """Users of every role, with password 'secret-pass' where the access module can hash it."""
    rows = [("admin", "admin", None, None), ("mgr", "manager", None, None), ("qa1", "qa", "Team A", None),
            ("qa2", "qa", "Team B", None), ("trainer", "trainer", None, None),
            ("leadA", "team_lead", "Team A", None), ("a01", "agent", "Team A", "a01")]
    try:
        from qa_pipeline.privacy import access
    except ImportError:
        access = None
    rounds = getattr(access, "BCRYPT_ROUNDS", None)
    if access is not None:
        access.BCRYPT_ROUNDS = 4  # fast hashes for tests; sign-in still checks them
    for username, role, team, agent_id in rows:
        if access is not None and hasattr(access, "add_user"):
            access.add_user(con, username, "secret-pass", role, display_name=username, team=team, agent_id=agent_id)
        else:
            con.execute("INSERT INTO app_user (username, display_name, role, team, agent_id) VALUES (?, ?, ?, ?, ?)",
                        [username, username, role, team, agent_id])
    if access is not None:
        access.BCRYPT_ROUNDS = rounds


def build_reviewed_centre(con: duckdb.DuckDBPyConnection, *, n: int = 48, audio: Optional[str] = None) -> list[str]:
    """A centre with users, shared-out queues, reviews (one override), a dispute, a playlist and targets."""
    ids = build_centre(con, n=n, audio=audio)
    add_users(con)
    review_admin.assign_queue(con, by="team", sample_share=0.2, actor="mgr")
    reviews.review_call(con, ids[0], reviewer="qa1", comment="Reply time missing; otherwise good.",
                        findings=[{"check_id": "C3", "outcome": "pass", "comment": "asked at the end"},
                                  {"check_id": "D4", "outcome": "fail"}])
    reviews.review_call(con, ids[3], reviewer="qa2")
    reviews.open_dispute(con, ids[0], opened_by="a01", reason="I promised a reply within 24 hours", check_id="D4")
    playlist = review_admin.create_playlist(con, "complaint handling — good examples", owner="trainer")
    review_admin.add_clip(con, playlist, ids[1], added_by="trainer", check_id="D4", start=10.8, end=17.8,
                          note="concrete reply time")
    review_admin.add_clip(con, playlist, ids[2], added_by="trainer", check_id="C3")
    review_admin.set_target(con, "team", "Team A", "score", 85, set_by="mgr")
    review_admin.set_target(con, "centre", "", "flagged_rate", 0.2, set_by="mgr")
    return ids


@contextmanager
def batch_holding_the_lock(db: str | Path) -> Iterator[None]:
    """Another process holding the database open for writing, as `qa run` does while it
    stores a call (here: until the block ends)."""
    code = ("import sys; from qa_pipeline.store import database as store; con = store.connect(sys.argv[1]); "
            "print('ready', flush=True); sys.stdin.readline(); con.close()")
    proc = subprocess.Popen([sys.executable, "-c", code, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "ready", "the batch process could not open the database"
        yield
    finally:
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait(60)
