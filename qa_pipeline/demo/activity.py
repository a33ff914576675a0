"""The people side of the demo centre: sign-in users, targets, review queues, reviews,
disputes, acknowledgements and a coaching playlist — all through the same API the
dashboard uses (:mod:`qa_pipeline.privacy.access`, :mod:`qa_pipeline.review.reviews`,
:mod:`qa_pipeline.review.admin`), so the demo shows what real use leaves behind.

The QA specialists review with knowledge of what the script put into each call: where
the automation got an item wrong they override it (and miss about one in seven of those,
which the agents then dispute). So the dashboard's automatic-versus-human agreement is a
real measurement of the rubric on these calls, not a made-up figure.
"""
from __future__ import annotations

import logging
import random
import re
import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Optional

import duckdb

from qa_pipeline.demo.cast import (
    CENTRE,
    OPERATIONS_MANAGER,
    TEAMS,
    CallTruth,
    CentreSummary,
    DemoAgent,
    DemoUser,
)
from qa_pipeline.store import database as store

__all__ = ["DEMO_PASSWORD", "seed_activity", "expected_outcome"]

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo-centre-2026"  # documented in the README; demo databases only

MANAGER = DemoUser("zhou.lixin", "manager", f"{OPERATIONS_MANAGER}（运营经理）")
STAFF: tuple[DemoUser, ...] = (
    DemoUser("admin", "admin", "Demo administrator"),
    MANAGER,
    DemoUser("qa.sun", "qa", "孙悦（质检）", team="热线一组"),
    DemoUser("qa.he", "qa", "何静怡（质检）", team="售后二组"),
    DemoUser("qa.kim", "qa", "Laura Kim (QA)", team="English Line"),
    DemoUser("trainer.tang", "trainer", "唐敏（培训）"),
    DemoUser("lead.chen", "team_lead", "陈静（组长）", team="热线一组"),
    DemoUser("lead.liu", "team_lead", "刘洋（组长）", team="售后二组"),
    DemoUser("lead.clarke", "team_lead", "Megan Clarke (team lead)", team="English Line"),
)

# Which script habit makes a careful specialist fail each item of the standard form.
_HABIT_FAILS = {"A1": ("no_name", "no_company"), "B2": ("forbidden",), "C1": ("no_identity",), "C2": ("no_confirm",),
                "C3": ("no_more_help",), "C4": ("bad_closing",), "D1": ("no_apology",), "D2": ("no_incident_time",),
                "D3": ("no_contact",), "D4": ("vague_reply", "deflect"), "D5": ("deflect",), "E1": ("card_readout",)}
_ITEM_ZH = {"A1": "开场白", "A2": "及时应答", "A3": "开场静默", "B1": "礼貌用语", "B2": "服务禁语", "B3": "抢话",
            "C1": "身份核实", "C2": "确认需求", "C3": "询问其他需求", "C4": "结束语", "C5": "流程顺序",
            "D1": "致歉安抚", "D2": "详细记录", "D3": "联系方式", "D4": "答复时间", "D5": "首问负责", "E1": "信息保密"}
_ITEM_EN = {"A1": "greeting", "A2": "answer speed", "A3": "dead air at the start", "B1": "polite expressions",
            "B2": "forbidden language", "B3": "interrupting", "C1": "identity check", "C2": "confirming the need",
            "C3": "offering more help", "C4": "closing", "C5": "order of the steps", "D1": "apology",
            "D2": "incident details", "D3": "contact details", "D4": "reply time", "D5": "ownership",
            "E1": "confidentiality"}
_CODE = re.compile(r"^([A-E][0-9])")
MAX_REVIEWS = 80  # fully reviewed calls: enough for the agreement figures, quick to write


def expected_outcome(check_id: str, truth: CallTruth) -> Optional[str]:
    """What a careful specialist answers for this item of this call, where the script
    decides it ('pass' / 'fail'); None where it takes judgement (timing, order, courtesy,
    whether a curt "anything else?" counts, whether an answer's own date is a reply time)."""
    m = _CODE.match(check_id.upper())
    if not m or m.group(1) not in _HABIT_FAILS:
        return None
    code = m.group(1)
    if code.startswith("D") and not truth.complaint:
        return None
    if code == "C1" and not truth.account:
        return None
    if code == "C3" and "curt" in truth.defects:
        return None
    if code == "D4" and any(h in truth.defects for h in ("vague_reply", "deflect")):
        return None  # the answer itself may name a day ("the engineer comes tomorrow")
    if code == "D5" and "vague_reply" in truth.defects:
        return None  # "I've passed it on" is escalation to some, not to others
    return "fail" if any(h in truth.defects for h in _HABIT_FAILS[code]) else "pass"


def _disagree(expected: Optional[str], auto: str) -> bool:
    """A specialist overrides only a pass/na against a fail or the other way round:
    pass against na is a reading of the form, not an error."""
    return expected is not None and expected != auto and "fail" in (expected, auto)


def _name(check_id: str, language: str) -> str:
    m = _CODE.match(check_id.upper())
    code = m.group(1) if m else check_id
    return (_ITEM_ZH if language == "zh" else _ITEM_EN).get(code, check_id)


def _iso(when: datetime) -> str:
    return when.isoformat()


def seed_activity(con: duckdb.DuckDBPyConnection, summary: CentreSummary, agents: list[DemoAgent],
                  truths: dict[str, CallTruth], *, rng: random.Random, now: datetime) -> CentreSummary:
    """Add users, then (for scored calls) targets, queues, reviews, disputes and a playlist."""
    notes = list(summary.notes)
    try:
        from qa_pipeline.privacy import access
    except ImportError:
        notes.append("no sign-in users: qa_pipeline.privacy.access is not available")
        return replace(summary, notes=tuple(notes))
    agent_users = _agent_users(agents)
    started = time.monotonic()
    with store.transaction(con):
        for u in STAFF + agent_users:
            access.add_user(con, u.username, DEMO_PASSWORD, u.role, team=u.team, agent_id=u.agent_id,
                            display_name=u.display_name, actor="demo")
    summary = replace(summary, users=STAFF + agent_users, password=DEMO_PASSWORD)
    log.info("%d users added in %.1f s", len(summary.users), time.monotonic() - started)
    if not summary.scored:
        notes.append("no reviews or disputes: the calls are not scored")
        return replace(summary, notes=tuple(notes))
    from qa_pipeline.review import admin as review_admin

    # Thousands of one-row statements: one DuckDB thread each is faster than waking a pool.
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute("SET threads TO 1")
    try:
        with store.transaction(con):
            targets, reviewed, disputes = _activity(con, review_admin, rng, agents, truths, agent_users, now)
    finally:
        con.execute(f"SET threads TO {int(threads)}")
    log.info("targets, queues, %d reviews and %d disputes written in %.1f s", reviewed, disputes,
             time.monotonic() - started)
    return replace(summary, reviews=reviewed, disputes=disputes, targets=targets, notes=tuple(notes))


def _activity(con: duckdb.DuckDBPyConnection, review_admin: Any, rng: random.Random, agents: list[DemoAgent],
              truths: dict[str, CallTruth], agent_users: tuple[DemoUser, ...], now: datetime) -> tuple[int, int, int]:
    """Targets, the review queues, reviews with disputes, a playlist: (targets, reviews, disputes)."""
    targets = _set_targets(con, review_admin, agents, now)
    review_admin.assign_queue(con, by="team", actor=MANAGER.username, at=_iso(now - timedelta(hours=1)))
    reviewed, disputes = _review(con, rng, truths, agent_users, now)
    _playlist(con, review_admin, now)
    return targets, reviewed, disputes


def _agent_users(agents: list[DemoAgent]) -> tuple[DemoUser, ...]:
    """Sign-ins for two coached agents (one Mandarin, one English): they have feedback to read."""
    picked = []
    for language in ("zh", "en"):
        coached = [a for a in agents if a.language == language and a.coached_on]
        if coached:
            a = coached[0]
            picked.append(DemoUser(f"agent.{a.agent_id.lower()}", "agent", a.name, team=a.team, agent_id=a.agent_id))
    return tuple(picked)


def _set_targets(con: duckdb.DuckDBPyConnection, admin: Any, agents: list[DemoAgent], now: datetime) -> int:
    at = _iso(now - timedelta(days=80))
    admin.set_target(con, "centre", "", "score", 85, set_by=MANAGER.username, at=at)
    n = 1
    for team in TEAMS:
        admin.set_target(con, "team", team.name, "score", 88 if team.name == "热线一组" else 85,
                         set_by=MANAGER.username, at=at)
        admin.set_target(con, "team", team.name, "flagged_rate", 0.35, set_by=MANAGER.username, at=at)
        n += 2
    for a in agents:
        if a.coached_on:
            admin.set_target(con, "agent", a.agent_id, "score", 80, set_by=f"lead.{_lead_user(a.team)}",
                             at=_iso(datetime.combine(a.coached_on, now.timetz())))
            n += 1
    return n


def _lead_user(team: str) -> str:
    return {"热线一组": "chen", "售后二组": "liu"}.get(team, "clarke")


def _review(con: duckdb.DuckDBPyConnection, rng: random.Random, truths: dict[str, CallTruth],
            agent_users: tuple[DemoUser, ...], now: datetime) -> tuple[int, int]:
    """Specialists work through the older part of their queues; agents dispute what was missed."""
    from qa_pipeline.review import reviews

    queued = con.execute(
        "SELECT q.call_id, q.assignee, c.agent_id, c.team, c.language, c.started_at FROM queue_store q "
        "JOIN call_store c USING (call_id) ORDER BY c.started_at, q.call_id").fetchall()
    user_of_agent = {u.agent_id: u.username for u in agent_users}
    reviewed = 0
    missed: list[tuple[str, str, str, str, datetime]] = []  # call, check, who disputes, language, when reviewed
    rightly_failed: list[tuple[str, str, str, str, datetime]] = []
    # A specialist reviews some 15 calls a day: the older part of the queue is mostly done.
    weights = [_age_weight((now - row[5]).days) for row in queued]
    picked = set()
    candidates = [i for i, w in enumerate(weights) if w > 0]
    for _ in range(min(MAX_REVIEWS, len(candidates) // 3)):
        i = rng.choices(candidates, [weights[j] for j in candidates])[0]
        picked.add(i)
        candidates.remove(i)
    for i, (call_id, assignee, agent_id, team, language, started) in enumerate(queued):
        if i not in picked:
            continue
        truth = truths.get(call_id)
        if truth is None:
            continue
        when = min(started + timedelta(hours=rng.uniform(18, 72)), now - timedelta(hours=2))
        disputer = user_of_agent.get(agent_id) or f"lead.{_lead_user(team)}"
        failed_items = []
        for check_id, auto in con.execute("SELECT check_id, outcome FROM check_store WHERE call_id = ? "
                                          "ORDER BY check_id", [call_id]).fetchall():
            if not _CODE.match(check_id.upper()):
                continue  # e.g. the 'complaint' trigger: not an item of the form
            expected = expected_outcome(check_id, truth)
            if not _disagree(expected, auto):
                if auto != "na":  # the specialist goes through every item that applies
                    reviews.review_finding(con, call_id, check_id, reviewer=assignee, at=_iso(when))
                if auto == "fail":
                    failed_items.append(check_id)
                    if expected == "fail":
                        rightly_failed.append((call_id, check_id, disputer, language, when))
                continue
            if rng.random() < 0.15:  # the specialist misses it too
                reviews.review_finding(con, call_id, check_id, reviewer=assignee, at=_iso(when))
                if auto == "fail":
                    failed_items.append(check_id)
                    missed.append((call_id, check_id, disputer, language, when))
                continue
            name = _name(check_id, language)
            comment = (f"复核：{name}{'已做到，系统没有识别出这种说法' if expected == 'pass' else '实际未做到'}"
                       if language == "zh" else
                       f"Reviewed: {name} {'was done; the automation missed the wording' if expected == 'pass' else 'was not done'}")
            reviews.review_finding(con, call_id, check_id, reviewer=assignee, verdict="override", outcome=expected,
                                   comment=comment, at=_iso(when))
            if expected == "fail":
                failed_items.append(check_id)
        names = "、".join(_name(c, "zh") for c in failed_items) if language == "zh" else \
            ", ".join(_name(c, "en") for c in failed_items)
        comment = ((f"需改进：{names}。一对一辅导时跟进。" if names else "整体规范，继续保持。") if language == "zh" else
                   (f"To work on: {names}. Follow up in the one-on-one." if names else "Solid call, keep it up."))
        reviews.save_review(con, call_id, reviewer=assignee, comment=comment, at=_iso(when))
        reviewed += 1
        agent_user = user_of_agent.get(agent_id)
        if agent_user and rng.random() < 0.7:
            reviews.acknowledge(con, call_id, username=agent_user, at=_iso(when + timedelta(hours=20)))
    disputes = _disputes(con, rng, missed, rightly_failed, now)
    return reviewed, disputes


def _age_weight(age_days: int) -> float:
    return 4.0 if age_days > 21 else 2.0 if age_days > 7 else 0.6 if age_days > 2 else 0.0


def _disputes(con: duckdb.DuckDBPyConnection, rng: random.Random, missed: list, rightly_failed: list,
              now: datetime) -> int:
    """Agents dispute the findings the specialists missed (upheld) and a few fair ones (rejected);
    the newest few are still open."""
    from qa_pipeline.review import reviews

    chosen = [(c, True) for c in rng.sample(missed, min(len(missed), 10))]
    chosen += [(c, False) for c in rng.sample(rightly_failed, min(len(rightly_failed), 4))]
    chosen.sort(key=lambda item: item[0][4])
    still_open = max(1, len(chosen) // 4)
    for i, ((call_id, check_id, who, language, reviewed_at), wrongly_failed) in enumerate(chosen):
        opened = min(reviewed_at + timedelta(hours=rng.uniform(20, 50)), now - timedelta(hours=1))
        name = _name(check_id, language)
        reason = (f"{name}这一项我做到了，请再听一下录音。" if language == "zh"
                  else f"I did cover the {name} on this call, please check again.")
        dispute_id = reviews.open_dispute(con, call_id, opened_by=who, reason=reason, check_id=check_id,
                                          at=_iso(opened))
        if i >= len(chosen) - still_open:
            continue
        resolved = _iso(min(opened + timedelta(hours=rng.uniform(4, 40)), now - timedelta(minutes=30)))
        reviewer = con.execute("SELECT reviewer FROM review_store WHERE call_id = ?", [call_id]).fetchone()[0]
        if wrongly_failed:
            reviews.resolve_dispute(con, dispute_id, resolved_by=reviewer, upheld=True, outcome="pass", at=resolved,
                                    resolution="复核属实，已改为通过。" if language == "zh"
                                    else "Checked again: you did, the finding is now a pass.")
        else:
            reviews.resolve_dispute(con, dispute_id, resolved_by=reviewer, upheld=False, at=resolved,
                                    resolution="复核后维持原判：通话中没有这一步。" if language == "zh"
                                    else "Checked again: it is not in the call, the finding stands.")
    return len(chosen)


def _playlist(con: duckdb.DuckDBPyConnection, admin: Any, now: datetime) -> None:
    """The trainer's first playlist: well-handled complaints, audio calls first."""
    created = now - timedelta(days=3)
    rows = con.execute(
        """SELECT k.call_id, k.check_id, k.evidence_start, k.evidence_end FROM check_store k JOIN call_store c USING (call_id)
           JOIN result_store r USING (call_id)
           WHERE r.complaint AND k.outcome = 'pass' AND k.evidence_start IS NOT NULL AND upper(k.check_id) LIKE 'D1%'
             AND c.started_at < ?
           ORDER BY c.source = 'audio' DESC, r.score DESC, k.call_id LIMIT 6""", [created]).fetchall()
    if not rows:
        return
    at = _iso(created)
    playlist = admin.create_playlist(con, "投诉处理 — 优秀示例 / complaint handling — good examples",
                                     owner="trainer.tang", description=f"{CENTRE}: apologies that calmed the caller",
                                     at=at)
    for call_id, check_id, start, end in rows:
        admin.add_clip(con, playlist, call_id, added_by="trainer.tang", check_id=check_id, start=max(0.0, start - 3),
                       end=(end or start) + 3, note="apology and empathy", at=at)
