"""Delivering one alert outward: an e-mail through the centre's SMTP server, a JSON POST to a
webhook. Each function sends once and raises :class:`DeliveryFailed` (with a reason a person
understands) when the other side did not take it; retrying is the caller's
(:mod:`qa_pipeline.alerts.send`).

What goes out names the call, team, agent, score and what failed — never transcript text or
evidence, which may hold customer details.
"""
from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from typing import Any, Optional

from qa_pipeline import __version__
from qa_pipeline.alerts.config import EmailSettings, WebhookSettings

__all__ = ["DeliveryFailed", "email_message", "post_webhook", "send_email"]


class DeliveryFailed(Exception):
    """The SMTP server or the webhook did not accept the alert; ``str()`` says why."""


def email_message(settings: EmailSettings, to: list[str], alert: dict[str, Any],
                  dashboard_url: Optional[str] = None) -> EmailMessage:
    """The e-mail for ``alert`` (the webhook payload's fields)."""
    msg = EmailMessage()
    who = alert.get("agent_name") or alert.get("agent_id") or "unknown agent"
    msg["Subject"] = f"[QA alert] {alert['title']}: call {alert['call_id']} ({alert.get('team') or 'no team'}, {who})"
    msg["From"] = settings.sender
    msg["To"] = ", ".join(to)
    msg["X-QA-Alert-Id"] = alert["alert_id"]
    score = alert.get("score")
    lines = [
        f"Rule: {alert['title']} ({alert['rule']})",
        f"Call: {alert['call_id']}",
        f"Team: {alert.get('team') or '-'}",
        f"Agent: {who}",
        f"Queue: {alert.get('queue') or '-'}",
        f"Started: {alert.get('started_at') or '-'}",
        f"Score: {'-' if score is None else f'{score:g}'} ({alert['rubric_id']} {alert['rubric_version']})",
        "Why: " + ("; ".join(alert.get("reasons") or []) or "-"),
    ]
    if dashboard_url:
        lines.append(f"Dashboard: {dashboard_url.rstrip('/')}/review_queue (search for the call id)")
    # quoted-printable: 7-bit safe for servers without 8BITMIME, whatever the team's or agent's name
    msg.set_content("\n".join(lines) + "\n", cte="quoted-printable")
    return msg


def send_email(settings: EmailSettings, msg: EmailMessage) -> str:
    """Hand ``msg`` to the SMTP server (STARTTLS and login when configured). Returns the
    server's answer in a few words."""
    password = settings.password()
    try:
        if settings.ssl:
            server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_seconds,
                                                    context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
        with server:
            if settings.starttls and not settings.ssl:
                server.starttls(context=ssl.create_default_context())
            if settings.username:
                server.login(settings.username, password or "")
            refused = server.send_message(msg)
    except smtplib.SMTPException as exc:
        raise DeliveryFailed(f"SMTP {settings.host}:{settings.port}: {exc}") from exc
    except OSError as exc:  # refused connection, timeout, TLS failure
        raise DeliveryFailed(f"SMTP {settings.host}:{settings.port}: {exc.strerror or exc}") from exc
    if refused:
        raise DeliveryFailed(f"SMTP {settings.host}:{settings.port} refused: {', '.join(refused)}")
    return f"accepted by {settings.host}:{settings.port}"


def post_webhook(settings: WebhookSettings, payload: dict[str, Any]) -> str:
    """POST ``payload`` as JSON; a 2xx answer is success. Returns the status in a few words."""
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": f"qa-pipeline/{__version__}",
               "Idempotency-Key": payload["alert_id"]}
    token = settings.token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(settings.url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                     headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout_seconds) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"webhook answered HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise DeliveryFailed(f"webhook unreachable: {exc.reason}") from exc
    except OSError as exc:  # a timeout while reading the answer
        raise DeliveryFailed(f"webhook: {exc}") from exc
    if not 200 <= status < 300:
        raise DeliveryFailed(f"webhook answered HTTP {status}")
    return f"HTTP {status}"
