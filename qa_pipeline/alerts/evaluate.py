"""Which stored calls raise an alert: the rules of the configuration over each call's latest
result, recorded once per call and rule.

    with store.opened("qa.duckdb") as con:
        new = raise_alerts(con, load_config("alerts.yaml"))   # [Alert(...), ...] raised now

A rule applies to the calls stored since it was first used (its id first seen by
:func:`raise_alerts`), or, with ``since:`` in the file, to the calls started since then, so a new
rule does not flood the team with the history, and re-scoring old calls raises nothing new.
A call is judged by its latest stored result (``qa run``, ``qa import`` and ``qa score`` all
write there) and its automatic findings. An alert is raised once per call and rule: the
``alert_store`` key (call_id, rule_id) holds it, so re-running or re-scoring a call never raises
it again, even when the call still (or again) matches. Each new alert gets one delivery per
configured channel, which :mod:`qa_pipeline.alerts.send` sends.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

import duckdb

from qa_pipeline.alerts.config import AlertConfig, Rule
from qa_pipeline.store.rows import columns_of, insert_rows
from qa_pipeline.store.transactions import transaction

log = logging.getLogger(__name__)

__all__ = ["Alert", "matching_calls", "raise_alerts"]

# The latest result of every call (a re-score adds a rubric version; the newest counts).
_LATEST = ("(SELECT * FROM result_store QUALIFY row_number() OVER "
           "(PARTITION BY call_id ORDER BY scored_at DESC, rubric_version DESC) = 1)")
_FAILED = ("EXISTS (SELECT 1 FROM check_store k WHERE k.call_id = r.call_id AND k.rubric_id = r.rubric_id "
           "AND k.rubric_version = r.rubric_version AND k.outcome = 'fail' AND {what})")


@dataclass(frozen=True)
class Alert:
    alert_id: str
    call_id: str
    rule_id: str
    title: str
    rubric_id: str
    rubric_version: str
    team: Optional[str]
    agent_id: Optional[str]
    score: Optional[float]
    reasons: tuple[str, ...]
    raised_at: datetime


def _rule_sql(rule: Rule, config: AlertConfig) -> tuple[list[str], list]:
    """The rule as SQL conditions over ``r`` (the latest result) and ``c`` (the call), with
    parameters. The SQL text comes from fixed pieces; values from the file are parameters."""
    w = rule.when
    clauses: list[str] = ["c.status = 'done'"]
    args: list = []
    if w.critical_failed is not None:
        clauses.append(("" if w.critical_failed else "NOT ") + _FAILED.format(what="k.critical"))
    if w.score_below is not None:
        clauses.append("r.score < ?")
        args.append(w.score_below)
    if w.items_failed:
        clauses.append(_FAILED.format(what="k.check_id IN (SELECT unnest(?))"))
        args.append(list(w.items_failed))
    if w.complaint is not None:
        clauses.append("coalesce(r.complaint, FALSE) = ?")
        args.append(w.complaint)
    if w.flagged is not None:
        clauses.append("coalesce(r.flagged, FALSE) = ?")
        args.append(w.flagged)
    if rule.teams:
        clauses.append("c.team IN (SELECT unnest(?))")
        args.append(list(rule.teams))
    if rule.queues:
        clauses.append("json_extract_string(c.metadata, '$.queue') IN (SELECT unnest(?))")
        args.append(list(rule.queues))
    if config.since is not None:
        clauses.append("coalesce(c.started_at, c.processed_at) >= ?")
        args.append(config.since)
    else:  # a new rule does not alert on the history: only on calls stored since its first use
        clauses.append("c.processed_at >= (SELECT first_used_at FROM alert_rule_store WHERE rule_id = ?)")
        args.append(rule.id)
    return clauses, args


def matching_calls(con: duckdb.DuckDBPyConnection, config: AlertConfig, rule: Rule, *,
                   new_only: bool = True) -> list[tuple]:
    """(call_id, rubric_id, rubric_version, team, agent_id, score, complaint) of the calls that
    match ``rule``; ``new_only``: only those with no alert for the rule yet."""
    clauses, args = _rule_sql(rule, config)
    if new_only:
        clauses.append("NOT EXISTS (SELECT 1 FROM alert_store a WHERE a.call_id = r.call_id AND a.rule_id = ?)")
        args.append(rule.id)
    return con.execute(
        f"""SELECT r.call_id, r.rubric_id, r.rubric_version, c.team, c.agent_id, r.score, r.complaint
            FROM {_LATEST} r JOIN call_store c ON c.call_id = r.call_id
            WHERE {' AND '.join(clauses)} ORDER BY r.call_id""", args).fetchall()


def _failed_items(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> dict[str, list[tuple[str, bool]]]:
    """call_id → [(check_id, critical)] of the failed items of the matched calls' results (one query)."""
    con.register("_matched", columns_of([r[:3] for r in rows], ("call_id", "rubric_id", "rubric_version")))
    try:
        found = con.execute(
            "SELECT k.call_id, k.check_id, k.critical FROM check_store k "
            "JOIN _matched m ON k.call_id = m.call_id AND k.rubric_id = m.rubric_id "
            "AND k.rubric_version = m.rubric_version WHERE k.outcome = 'fail' ORDER BY k.call_id, k.check_id"
        ).fetchall()
    finally:
        con.unregister("_matched")
    failed: dict[str, list[tuple[str, bool]]] = {}
    for call_id, check_id, critical in found:
        failed.setdefault(call_id, []).append((check_id, bool(critical)))
    return failed


def _reasons(rule: Rule, row: tuple, failed: list[tuple[str, bool]]) -> tuple[str, ...]:
    """What made the call match, in words: the failed items, the score, the complaint."""
    score, complaint = row[5], row[6]
    w = rule.when
    reasons = []
    if w.critical_failed:
        reasons.append("critical item failed: " + ", ".join(c for c, critical in failed if critical))
    if w.items_failed:
        reasons.append("failed: " + ", ".join(c for c, _ in failed if c in w.items_failed))
    if w.score_below is not None:
        reasons.append(f"score {score:g} below {w.score_below:g}")
    if w.complaint and complaint:
        reasons.append("complaint call")
    if w.flagged:
        reasons.append("flagged")
    return tuple(reasons)


class _Recipients:
    """The e-mail recipients of a rule's alert for a team (team contacts looked up once per team)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, config: AlertConfig) -> None:
        self.con, self.config, self.teams = con, config, {}

    def __call__(self, rule: Rule, team: Optional[str]) -> list[str]:
        email = self.config.email
        assert email is not None
        to = list(rule.email_to or email.to)
        if email.team_contacts and team:
            if team not in self.teams:
                self.teams[team] = [e for (e,) in self.con.execute(
                    "SELECT email FROM app_user WHERE active AND team = ? AND role IN ('qa', 'team_lead') "
                    "AND email IS NOT NULL ORDER BY email", [team]).fetchall()]
            to += [e for e in self.teams[team] if e not in to]
        return to


def _webhook_target(url: str) -> str:
    # The address without its path: webhook paths often carry the secret (Slack, Teams).
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


_ALERT_COLUMNS = ("alert_id", "call_id", "rule_id", "title", "rubric_id", "rubric_version", "team", "agent_id",
                  "score", "reasons", "raised_at")
_DELIVERY_COLUMNS = ("alert_id", "channel", "target", "status", "attempts", "next_attempt_at", "last_error")
_NO_RECIPIENT = ("no recipient: the rule has no email_to, email.to is empty and the team has no QA specialist or "
                 "team lead with an e-mail")


def raise_alerts(con: duckdb.DuckDBPyConnection, config: AlertConfig,
                 now: Optional[datetime] = None) -> list[Alert]:
    """Record an alert for every call that matches a rule and has none for it yet, with one
    pending delivery per configured channel, in one transaction. Returns the new alerts."""
    now = now or datetime.now(timezone.utc)
    raised: list[Alert] = []
    recipients = _Recipients(con, config)
    with transaction(con):
        for rule in config.rules:
            con.execute("INSERT INTO alert_rule_store (rule_id, first_used_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                        [rule.id, now])
            rows = matching_calls(con, config, rule)
            if not rows:
                continue
            failed = _failed_items(con, rows)
            channels = config.channels(rule)
            alerts, deliveries = [], []
            for row in rows:
                call_id, rubric_id, version, team, agent_id, score, _ = row
                alert = Alert(uuid.uuid4().hex, call_id, rule.id, rule.title, rubric_id, version, team, agent_id,
                              score, _reasons(rule, row, failed.get(call_id, [])), now)
                alerts.append((alert.alert_id, call_id, rule.id, rule.title, rubric_id, version, team, agent_id,
                               score, list(alert.reasons), now))
                for channel in channels:
                    if channel == "email":
                        target = ", ".join(recipients(rule, team))
                    else:
                        target = _webhook_target(config.webhook.url)  # type: ignore[union-attr]
                    deliveries.append((alert.alert_id, channel, target, "pending" if target else "failed", 0, now,
                                       None if target else _NO_RECIPIENT))
                raised.append(alert)
            insert_rows(con, "alert_store", alerts, _ALERT_COLUMNS)
            insert_rows(con, "alert_delivery_store", deliveries, _DELIVERY_COLUMNS)
    if raised:
        log.info("raised %d alert(s)", len(raised))
    return raised
