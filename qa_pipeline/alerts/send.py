"""`qa alerts send`: raise the alerts stored calls call for, and deliver what is due.

    report = send_due("qa.duckdb", load_config("alerts.yaml"))
    print(report.sent, report.retrying, report.given_up)

The database is shared with ``qa run`` and the dashboard (DuckDB allows one writing process at
a time), so it is opened only for moments: once to raise alerts and read the deliveries due,
then once per attempt to record it. Nothing is sent while the database is open. An attempt
that cannot be recorded at once (a long import holds the file) goes to the pending-writes
journal and is applied at the next read-write open — before the next ``qa alerts send``
reads what is due, so a sent alert is not sent again.

Each delivery (one channel of one alert) is sent until it succeeds: ``retry.attempts`` tries
per run, waiting ``backoff_seconds``, then twice that, …; a delivery still failing waits
for a later run (its ``next_attempt_at`` backs off the same way, at most an hour) and is
given up (``failed``) after ``retry.give_up_after`` tries in all; when every try of one
delivery failed, the other deliveries of that channel wait for the next run instead of each
waiting out the same dead server. Every try is recorded in
``alert_attempt_store`` with its outcome. Two ``qa alerts send`` on one database do not run
at once (a lock file beside it).
"""
from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import duckdb

from qa_pipeline.alerts.channels import DeliveryFailed, email_message, post_webhook, send_email
from qa_pipeline.alerts.config import AlertConfig
from qa_pipeline.alerts.evaluate import raise_alerts
from qa_pipeline.errors import QaError
from qa_pipeline.store import database as store
from qa_pipeline.store import journal
from qa_pipeline.store.batch_lock import LockHeld, exclusive_lock
from qa_pipeline.store.pending import register_writes

log = logging.getLogger(__name__)

__all__ = ["SendReport", "SendRunning", "due_deliveries", "record_attempt", "send_due"]

MAX_WAIT = timedelta(hours=1)


class SendRunning(QaError):
    """Another ``qa alerts send`` is working on this database."""


@dataclass
class SendReport:
    raised: int = 0
    sent: int = 0
    retrying: int = 0   # deliveries that failed this run and will be tried again by a later one
    given_up: int = 0   # deliveries marked failed this run (give_up_after tries reached)
    deferred: int = 0   # not tried this run: their channel failed every try of an earlier delivery
    queued_records: int = 0  # attempts recorded in the pending-writes journal (database busy)
    problems: list[str] = field(default_factory=list)


def record_attempt(con: duckdb.DuckDBPyConnection, *, alert_id: str, channel: str, attempt: int,
                   attempted_at: str, ok: bool, detail: str, status: str,
                   next_attempt_at: Optional[str]) -> None:
    """Record one try of one delivery and the delivery's new state (a registered write, so it
    can wait in the pending-writes journal)."""
    con.execute(
        "INSERT INTO alert_attempt_store (attempt_id, alert_id, channel, attempt, attempted_at, ok, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [f"{alert_id}:{channel}:{attempt}", alert_id, channel, attempt, attempted_at, ok, detail])
    con.execute(
        "UPDATE alert_delivery_store SET attempts = greatest(attempts, ?), status = ?, next_attempt_at = ?, "
        "sent_at = CASE WHEN ? THEN ?::TIMESTAMPTZ ELSE sent_at END, "
        "last_error = CASE WHEN ? THEN NULL ELSE ? END WHERE alert_id = ? AND channel = ? AND status <> 'sent'",
        [attempt, status, next_attempt_at, ok, attempted_at, ok, detail, alert_id, channel])


register_writes({"alerts.record_attempt": record_attempt})


def due_deliveries(con: duckdb.DuckDBPyConnection, now: datetime) -> list[dict[str, Any]]:
    """The pending deliveries whose time has come, each with the alert's fields (the webhook payload)."""
    rows = con.execute(
        """SELECT d.alert_id, d.channel, d.target, d.attempts, a.rule_id, a.title, a.call_id, a.team, a.agent_id,
                  c.agent_name, json_extract_string(c.metadata, '$.queue') AS queue, c.started_at, a.score,
                  a.rubric_id, a.rubric_version, a.reasons, a.raised_at
           FROM alert_delivery_store d JOIN alert_store a USING (alert_id)
           LEFT JOIN call_store c ON c.call_id = a.call_id
           WHERE d.status = 'pending' AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)
           ORDER BY a.raised_at, a.call_id, a.rule_id, d.channel""", [now]).fetchall()
    names = ["alert_id", "channel", "target", "attempts", "rule", "title", "call_id", "team", "agent_id",
             "agent_name", "queue", "started_at", "score", "rubric_id", "rubric_version", "reasons", "raised_at"]
    due = []
    for row in rows:
        d = dict(zip(names, row))
        for key in ("started_at", "raised_at"):
            d[key] = d[key].isoformat() if d[key] is not None else None
        d["reasons"] = list(d["reasons"] or [])
        due.append(d)
    return due


@contextmanager
def _one_sender(db_path: str | os.PathLike) -> Iterator[None]:
    try:
        with exclusive_lock(Path(f"{db_path}.alerts.lock"), "alerts"):
            yield
    except LockHeld:
        raise SendRunning(f"{db_path}: another `qa alerts send` is delivering alerts of this database; "
                          "let it finish (run it from one scheduler only)") from None


def _payload(delivery: dict[str, Any], config: AlertConfig) -> dict[str, Any]:
    payload = {k: v for k, v in delivery.items() if k not in ("channel", "target", "attempts")}
    payload["dashboard_url"] = config.dashboard_url
    return payload


def _check_secrets(config: AlertConfig) -> None:
    """Fail before sending anything when a named environment variable is missing."""
    used = {c for rule in config.rules for c in config.channels(rule)}
    if "email" in used and config.email is not None:
        config.email.password()
    if "webhook" in used and config.webhook is not None:
        config.webhook.token()


def _send_once(config: AlertConfig, delivery: dict[str, Any]) -> str:
    payload = _payload(delivery, config)
    if delivery["channel"] == "email":
        assert config.email is not None
        to = [a.strip() for a in (delivery["target"] or "").split(",") if a.strip()]
        return send_email(config.email, email_message(config.email, to, payload, config.dashboard_url))
    if config.webhook is None:
        raise DeliveryFailed("the configuration has no `webhook:` section any more")
    return post_webhook(config.webhook, payload)


def send_due(db_path: str | os.PathLike, config: AlertConfig, *, now: Optional[datetime] = None,
             sleep: Callable[[float], None] = time.sleep,
             clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> SendReport:
    """Raise new alerts for the stored calls and send every delivery that is due (see the
    module's description). ``sleep`` and ``clock`` are for tests."""
    _check_secrets(config)
    report = SendReport()
    with _one_sender(db_path):
        with store.opened(db_path) as con:
            report.raised = len(raise_alerts(con, config, now or clock()))
            due = due_deliveries(con, now or clock())
        down: set[str] = set()  # a server that failed every try now is not tried for the next alert too
        for delivery in due:
            if delivery["channel"] == "email" and config.email is None:
                report.problems.append(f"alert {delivery['alert_id']}: e-mail is no longer configured; not sent")
                continue
            if delivery["channel"] in down:
                report.deferred += 1
                continue
            if not _deliver(db_path, config, delivery, report, sleep, clock):
                down.add(delivery["channel"])
    if report.deferred:
        report.problems.append(f"{report.deferred} more delivery(ies) left for the next run: their server is failing")
    return report


def _deliver(db_path: str | os.PathLike, config: AlertConfig, delivery: dict[str, Any], report: SendReport,
             sleep: Callable[[float], None], clock: Callable[[], datetime]) -> bool:
    """Try one delivery up to ``retry.attempts`` times; False when every try failed."""
    retry = config.retry
    attempt = int(delivery["attempts"])
    for i in range(retry.attempts):
        attempt += 1
        at = clock()
        try:
            detail, ok = _send_once(config, delivery), True
        except DeliveryFailed as exc:
            detail, ok = str(exc), False
        if ok:
            status, next_at = "sent", None
        elif attempt >= retry.give_up_after:
            status, next_at = "failed", None
        else:
            status = "pending"
            next_at = (at + min(timedelta(seconds=retry.backoff_seconds * 2 ** (attempt - 1)), MAX_WAIT)).isoformat()
        receipt = journal.write(db_path, "alerts.record_attempt", dict(
            alert_id=delivery["alert_id"], channel=delivery["channel"], attempt=attempt, attempted_at=at.isoformat(),
            ok=ok, detail=detail[:2000], status=status, next_attempt_at=next_at))
        report.queued_records += not receipt.saved
        log_level = logging.INFO if ok else logging.WARNING
        log.log(log_level, "alert %s (%s, call %s) %s try %d: %s", delivery["rule"], delivery["channel"],
                delivery["call_id"], "sent on" if ok else "failed on", attempt, detail)
        if ok:
            report.sent += 1
            return True
        if status == "failed":
            report.given_up += 1
            report.problems.append(f"{delivery['channel']} alert {delivery['rule']} for call {delivery['call_id']}: "
                                   f"given up after {attempt} tries: {detail}")
            return False
        if i < retry.attempts - 1:
            sleep(retry.backoff_seconds * 2 ** i)
    report.retrying += 1
    report.problems.append(f"{delivery['channel']} alert {delivery['rule']} for call {delivery['call_id']}: "
                           f"{detail}; tried again by the next `qa alerts send`")
    return False
