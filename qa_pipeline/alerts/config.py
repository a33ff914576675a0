"""The alerts configuration file: rules (which calls are critical), and where alerts go.

A YAML file (see docs/alerts.md)::

    email:                       # optional: the centre's SMTP server
      host: smtp.centre.example
      port: 587
      starttls: true
      username: qa-alerts        # optional
      password_env: QA_SMTP_PASSWORD   # the *name* of an environment variable, never the password
      from: qa-alerts@centre.example
      to: [qa-leads@centre.example]
    webhook:                     # optional: a JSON POST per alert
      url: https://hooks.centre.example/qa
      token_env: QA_WEBHOOK_TOKEN      # optional: sent as "Authorization: Bearer <token>"
    rules:
      - id: critical-item
        title: A critical item failed
        when: {critical_failed: true}
      - id: complaint-no-reply-time
        when: {complaint: true, items_failed: [D4]}
        teams: [Team A]

:func:`load_config` validates the whole file at once and raises :class:`AlertConfigError`
naming the file, the rule and what is allowed.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Optional

import yaml

from qa_pipeline.errors import InputError
from qa_pipeline.textio import read_text_file

__all__ = ["AlertConfig", "AlertConfigError", "Conditions", "EmailSettings", "Retry", "Rule", "WebhookSettings",
           "load_config", "parse_config"]

CHANNELS = ("email", "webhook")
CONDITIONS = ("critical_failed", "score_below", "items_failed", "complaint", "flagged")
_TOP = ("rules", "email", "webhook", "retry", "since", "dashboard_url")
_RULE = ("id", "title", "when", "teams", "queues", "send", "email_to")
_EMAIL = ("host", "port", "starttls", "ssl", "username", "password_env", "from", "to", "team_contacts",
          "timeout_seconds")
_WEBHOOK = ("url", "token_env", "timeout_seconds")
_RETRY = ("attempts", "backoff_seconds", "give_up_after")
_RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class AlertConfigError(InputError):
    """The alerts configuration file is wrong: names the file, the place and what is allowed."""


@dataclass(frozen=True)
class Conditions:
    """What a call must show for a rule to raise an alert; every condition set must hold."""

    critical_failed: Optional[bool] = None
    score_below: Optional[float] = None
    items_failed: tuple[str, ...] = ()  # any of these check ids failed
    complaint: Optional[bool] = None
    flagged: Optional[bool] = None


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    when: Conditions
    teams: tuple[str, ...] = ()   # empty: every team
    queues: tuple[str, ...] = ()  # the call's `queue` metadata column; empty: every queue
    send: tuple[str, ...] = CHANNELS  # the outward channels (the dashboard always shows the alert)
    email_to: tuple[str, ...] = ()  # instead of email.to for this rule


@dataclass(frozen=True)
class EmailSettings:
    host: str
    sender: str
    to: tuple[str, ...] = ()
    port: int = 587
    starttls: bool = True
    ssl: bool = False  # SMTP over TLS from the first byte (port 465) instead of STARTTLS
    username: Optional[str] = None
    password_env: Optional[str] = None
    team_contacts: bool = False  # also the call's team's QA specialists and team lead (their user e-mails)
    timeout_seconds: float = 10.0

    def password(self) -> Optional[str]:
        """The SMTP password, read from the environment variable named in the config."""
        if not self.password_env:
            return None
        value = os.environ.get(self.password_env)
        if value is None:
            raise InputError(self.password_env, "the environment variable named by email.password_env is not set; "
                                                "set it to the SMTP password before `qa alerts send`")
        return value


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    token_env: Optional[str] = None
    timeout_seconds: float = 10.0

    def token(self) -> Optional[str]:
        if not self.token_env:
            return None
        value = os.environ.get(self.token_env)
        if value is None:
            raise InputError(self.token_env, "the environment variable named by webhook.token_env is not set")
        return value


@dataclass(frozen=True)
class Retry:
    attempts: int = 3            # tries per `qa alerts send`, waiting backoff, 2×backoff, … between them
    backoff_seconds: float = 2.0
    give_up_after: int = 10      # tries in all (over every run) before a delivery is marked failed


@dataclass(frozen=True)
class AlertConfig:
    path: str
    rules: tuple[Rule, ...]
    email: Optional[EmailSettings] = None
    webhook: Optional[WebhookSettings] = None
    retry: Retry = field(default_factory=Retry)
    since: Optional[datetime] = None  # calls started before this raise no alerts
    dashboard_url: Optional[str] = None

    def channels(self, rule: Rule) -> tuple[str, ...]:
        """The outward channels of ``rule`` that are configured."""
        configured = {"email": self.email is not None, "webhook": self.webhook is not None}
        return tuple(c for c in rule.send if configured[c])


def load_config(path: str | os.PathLike) -> AlertConfig:
    """Read and validate an alerts configuration file."""
    try:
        text = read_text_file(Path(path))
    except OSError as exc:
        raise AlertConfigError(path, f"cannot read the alerts configuration ({exc.strerror or exc})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AlertConfigError(path, f"not valid YAML: {exc}") from exc
    return parse_config(data, str(path))


def parse_config(data: Any, path: str = "<alerts config>") -> AlertConfig:
    """Validate the parsed YAML ``data`` of the file ``path`` (named in every error)."""
    p = _Problems(path)
    if not isinstance(data, dict):
        raise AlertConfigError(path, "expected a mapping with `rules:` (and `email:` and/or `webhook:`) at the top")
    p.keys(data, _TOP, "the top level")
    email = _email(p, data.get("email")) if data.get("email") is not None else None
    webhook = _webhook(p, data.get("webhook")) if data.get("webhook") is not None else None
    retry = _retry(p, data.get("retry")) if data.get("retry") is not None else Retry()
    since = _since(p, data.get("since"))
    dashboard_url = data.get("dashboard_url")
    if dashboard_url is not None and not (isinstance(dashboard_url, str) and dashboard_url.startswith(("http://",
                                                                                                        "https://"))):
        p.add(f"dashboard_url: expected an http:// or https:// address, got {dashboard_url!r}")
    raw_rules = data.get("rules")
    rules: list[Rule] = []
    if not isinstance(raw_rules, list) or not raw_rules:
        p.add("rules: expected a list of at least one rule (each with `id` and `when`)")
    else:
        seen: set[str] = set()
        for n, raw in enumerate(raw_rules, start=1):
            rule = _rule(p, raw, n)
            if rule is None:
                continue
            if rule.id in seen:
                p.add(f"rule {rule.id!r}: the id is used twice; every rule needs its own id")
            seen.add(rule.id)
            rules.append(rule)
    config = AlertConfig(path, tuple(rules), email, webhook, retry, since,
                         dashboard_url if isinstance(dashboard_url, str) else None)
    for rule in rules:
        if rule.email_to and email is None:
            p.add(f"rule {rule.id!r}: email_to is set but there is no `email:` section with the SMTP server")
    p.raise_any()
    return config


class _Problems:
    """Collects every problem of a file, so one run of the command shows them all."""

    def __init__(self, path: str) -> None:
        self.path, self.found = path, []

    def add(self, problem: str) -> None:
        self.found.append(problem)

    def keys(self, mapping: dict, allowed: tuple[str, ...], where: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.add(f"{where}: unknown key {key!r}; allowed: {', '.join(allowed)}")

    def raise_any(self) -> None:
        if self.found:
            raise AlertConfigError(self.path, "; ".join(self.found) if len(self.found) == 1
                                   else f"{len(self.found)} problems:\n  " + "\n  ".join(self.found))


def _strings(p: _Problems, value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) and str(v).strip() for v in value):
        p.add(f"{where}: expected a list of names, got {value!r}")
        return ()
    return tuple(str(v).strip() for v in value)


def _bool(p: _Problems, value: Any, where: str) -> Optional[bool]:
    if not isinstance(value, bool):
        p.add(f"{where}: expected true or false, got {value!r}")
        return None
    return value


def _number(p: _Problems, value: Any, where: str, low: float, high: float) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        p.add(f"{where}: expected a number from {low:g} to {high:g}, got {value!r}")
        return None
    return float(value)


def _rule(p: _Problems, raw: Any, n: int) -> Optional[Rule]:
    if not isinstance(raw, dict):
        p.add(f"rule {n}: expected a mapping with id and when, got {raw!r}")
        return None
    rid = raw.get("id")
    if not isinstance(rid, str) or not _RULE_ID.match(rid):
        p.add(f"rule {n}: id must be 1–64 letters, digits, '.', '_' or '-', got {rid!r}")
        return None
    where = f"rule {rid!r}"
    p.keys(raw, _RULE, where)
    when = raw.get("when")
    if not isinstance(when, dict) or not when:
        p.add(f"{where}: `when` must list at least one condition; allowed: {', '.join(CONDITIONS)}")
        return None
    p.keys(when, CONDITIONS, f"{where}: when")
    if not any(key in when for key in CONDITIONS):
        p.add(f"{where}: `when` has no known condition, so it would match every call; allowed: {', '.join(CONDITIONS)}")
    cond = Conditions(
        critical_failed=_bool(p, when["critical_failed"], f"{where}: critical_failed")
        if "critical_failed" in when else None,
        score_below=_number(p, when["score_below"], f"{where}: score_below", 0, 100) if "score_below" in when else None,
        items_failed=_strings(p, when["items_failed"], f"{where}: items_failed (check ids such as D4)")
        if "items_failed" in when else (),
        complaint=_bool(p, when["complaint"], f"{where}: complaint") if "complaint" in when else None,
        flagged=_bool(p, when["flagged"], f"{where}: flagged") if "flagged" in when else None,
    )
    send = _strings(p, raw["send"], f"{where}: send") if "send" in raw else CHANNELS
    for channel in send:
        if channel not in CHANNELS:
            p.add(f"{where}: send: unknown channel {channel!r}; allowed: {', '.join(CHANNELS)}")
    email_to = _strings(p, raw["email_to"], f"{where}: email_to") if "email_to" in raw else ()
    for address in email_to:
        if not _ADDRESS.match(address):
            p.add(f"{where}: email_to: {address!r} is not an e-mail address")
    title = raw.get("title", rid)
    if not isinstance(title, str):
        p.add(f"{where}: title must be text, got {title!r}")
        title = rid
    return Rule(rid, title, cond,
                teams=_strings(p, raw["teams"], f"{where}: teams") if "teams" in raw else (),
                queues=_strings(p, raw["queues"], f"{where}: queues") if "queues" in raw else (),
                send=tuple(c for c in send if c in CHANNELS), email_to=email_to)


def _env_name(p: _Problems, value: Any, where: str) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or not _ENV_NAME.match(value):
        p.add(f"{where}: expected the name of an environment variable (letters, digits, '_'), got {value!r}; "
              "never put the secret itself in the file")
        return None
    return value


def _email(p: _Problems, raw: Any) -> Optional[EmailSettings]:
    if not isinstance(raw, dict):
        p.add(f"email: expected a mapping with host, from and to; got {raw!r}")
        return None
    p.keys(raw, _EMAIL, "email")
    if "password" in raw:
        p.add("email: a password must not be written in the file; put it in an environment variable and name "
              "that with password_env")
    host, sender = raw.get("host"), raw.get("from")
    if not isinstance(host, str) or not host.strip():
        p.add(f"email: host: expected the SMTP server's name, got {host!r}")
    if not isinstance(sender, str) or not _ADDRESS.match(sender):
        p.add(f"email: from: expected the sender's e-mail address, got {sender!r}")
    to = _strings(p, raw["to"], "email: to") if "to" in raw else ()
    for address in to:
        if not _ADDRESS.match(address):
            p.add(f"email: to: {address!r} is not an e-mail address")
    port = raw.get("port", 587)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        p.add(f"email: port: expected a port number from 1 to 65535, got {port!r}")
        port = 587
    starttls = _bool(p, raw.get("starttls", True), "email: starttls")
    ssl = _bool(p, raw.get("ssl", False), "email: ssl")
    if starttls and ssl:
        p.add("email: choose starttls or ssl, not both (ssl is for port 465)")
    username = raw.get("username")
    if username is not None and not isinstance(username, str):
        p.add(f"email: username: expected text, got {username!r}")
        username = None
    team_contacts = _bool(p, raw.get("team_contacts", False), "email: team_contacts")
    timeout = _number(p, raw.get("timeout_seconds", 10), "email: timeout_seconds", 0.1, 300)
    if not to and not team_contacts:
        p.add("email: to: list at least one recipient (or set team_contacts: true)")
    return EmailSettings(str(host or ""), str(sender or ""), to, port, bool(starttls), bool(ssl),
                         username, _env_name(p, raw.get("password_env"), "email: password_env"),
                         bool(team_contacts), timeout or 10.0)


def _webhook(p: _Problems, raw: Any) -> Optional[WebhookSettings]:
    if not isinstance(raw, dict):
        p.add(f"webhook: expected a mapping with url; got {raw!r}")
        return None
    p.keys(raw, _WEBHOOK, "webhook")
    url = raw.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        p.add(f"webhook: url: expected an http:// or https:// address, got {url!r}")
        url = ""
    timeout = _number(p, raw.get("timeout_seconds", 10), "webhook: timeout_seconds", 0.1, 300)
    return WebhookSettings(url, _env_name(p, raw.get("token_env"), "webhook: token_env"), timeout or 10.0)


def _retry(p: _Problems, raw: Any) -> Retry:
    if not isinstance(raw, dict):
        p.add(f"retry: expected a mapping with {', '.join(_RETRY)}; got {raw!r}")
        return Retry()
    p.keys(raw, _RETRY, "retry")
    attempts = _number(p, raw.get("attempts", 3), "retry: attempts", 1, 20)
    backoff = _number(p, raw.get("backoff_seconds", 2.0), "retry: backoff_seconds", 0, 600)
    give_up = _number(p, raw.get("give_up_after", 10), "retry: give_up_after", 1, 1000)
    for name, value in (("attempts", attempts), ("give_up_after", give_up)):
        if value is not None and value != int(value):
            p.add(f"retry: {name}: expected a whole number, got {value:g}")
    return Retry(int(attempts or 3), 2.0 if backoff is None else backoff, int(give_up or 10))


def _since(p: _Problems, raw: Any) -> Optional[datetime]:
    if raw is None:
        return None
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, date):
        value = datetime(raw.year, raw.month, raw.day)
    else:
        try:
            value = datetime.fromisoformat(str(raw))
        except ValueError:
            p.add(f"since: expected a date or time such as 2026-12-01 or 2026-12-01T08:00:00+08:00, got {raw!r}")
            return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
