"""Who may see and do what: dashboard users, roles, viewers, the audit log, safe paths.

The dashboard codes against this module only:

    user = authenticate(con, "li.na", password)          # None: refused
    viewer = Viewer.of(user)                              # scope "team", team "T1", identifiers masked?
    rows = queries.search_findings(db, viewer, CallFilter())   # only the viewer's calls, masked for them
    if can(user, "review"): ...
    audit(con, user.username, "review.save", call_id, {"score": 85})

Roles (see docs/privacy.md): an agent sees only their own calls, a team lead their team,
admin/manager/qa/trainer everything; trainers do not see customer identifiers (long numbers
are masked by :func:`mask_identifiers`, metadata keys hidden by :func:`visible_metadata`).
Passwords are stored as bcrypt hashes; users who sign in through the company identity
provider (OIDC) have no password and are looked up by e-mail with :func:`find_user`.
"""
from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable, Literal, Optional

import bcrypt
import duckdb

from qa_pipeline.errors import QaError

log = logging.getLogger(__name__)

__all__ = [
    "ACTIONS",
    "LOCAL_USER",
    "OWNER",
    "ROLES",
    "AccessError",
    "Account",
    "PathNotAllowed",
    "User",
    "Viewer",
    "add_user",
    "audit",
    "audit_entries",
    "authenticate",
    "can",
    "deactivate_user",
    "find_user",
    "list_users",
    "mask_identifiers",
    "safe_path",
    "set_password",
    "set_role",
    "visible_metadata",
]

ROLES: tuple[str, ...] = ("admin", "manager", "qa", "trainer", "team_lead", "agent")

# action -> roles allowed. Agents dispute and acknowledge their own feedback; team leads may
# dispute on behalf of their team. Trainers work with clips but never see customer identifiers.
_PERMISSIONS: dict[str, frozenset[str]] = {
    "review": frozenset({"admin", "manager", "qa"}),
    "dispute": frozenset({"admin", "team_lead", "agent"}),
    "acknowledge": frozenset({"agent"}),
    "see_customer_ids": frozenset({"admin", "manager", "qa"}),
    "manage_users": frozenset({"admin"}),
    "export_clips": frozenset({"admin", "manager", "qa", "trainer", "team_lead"}),
}
ACTIONS: tuple[str, ...] = tuple(_PERMISSIONS)

_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_MIN_PASSWORD = 8
_MAX_PASSWORD_BYTES = 72  # bcrypt uses only the first 72 bytes; bcrypt>=5 refuses longer ones
BCRYPT_ROUNDS = 12  # ~0.25 s per check: slow for guessing, fine for a sign-in
# Compared against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH: list[bytes] = []  # made on the first sign-in, not at import (every `qa` command imports this)


def _dummy_hash() -> bytes:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(rounds=12)))
    return _DUMMY_HASH[0]


class AccessError(QaError):
    """A user-management problem (unknown user, bad role, weak password ...)."""


class PathNotAllowed(QaError):
    """A file path outside the configured recordings / export folders."""


@dataclass(frozen=True)
class User:
    """A signed-in person. ``team`` matters for team leads, ``agent_id`` for agents."""

    username: str
    role: str
    display_name: Optional[str] = None
    team: Optional[str] = None
    agent_id: Optional[str] = None


@dataclass(frozen=True)
class Account:
    """A row of the user list, as an admin sees it (never the password hash)."""

    user: User
    active: bool
    email: Optional[str]
    has_password: bool
    created_at: Optional[datetime]


LOCAL_USER = User("local", "admin", "Local user (single-user mode)")
"""The user of an explicitly started single-user dashboard (``--local``): an admin."""


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccessError(f"unknown role {role!r}; choose one of: {', '.join(ROLES)}")


def _check_username(username: str) -> None:
    if not isinstance(username, str) or not _USERNAME_RE.match(username):
        raise AccessError(
            f"invalid user name {str(username)[:80]!r}: use 1–64 letters, digits, '.', '_', '-' or '@', "
            "starting with a letter or digit"
        )


def _hash_password(password: str) -> str:
    raw = password.encode("utf-8")
    if len(password) < _MIN_PASSWORD:
        raise AccessError(f"the password is too short: use at least {_MIN_PASSWORD} characters")
    if len(raw) > _MAX_PASSWORD_BYTES:
        raise AccessError(f"the password is too long: bcrypt uses at most {_MAX_PASSWORD_BYTES} bytes (UTF-8)")
    return bcrypt.hashpw(raw, bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode("ascii")


def _row_to_user(row: tuple) -> User:
    username, role, display_name, team, agent_id = row[:5]
    return User(username, role, display_name, team, agent_id)


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str) -> Optional[User]:
    """The user if the name and password match an active account, else ``None``.

    Takes the same time whether the user exists or not (a bcrypt check always runs)."""
    row = None
    if isinstance(username, str) and _USERNAME_RE.match(username):
        row = con.execute(
            "SELECT username, role, display_name, team, agent_id, password_hash, active "
            "FROM app_user WHERE username = ?", [username]
        ).fetchone()
    raw = password.encode("utf-8") if isinstance(password, str) else b""
    usable = row is not None and row[5] is not None and 0 < len(raw) <= _MAX_PASSWORD_BYTES
    stored = row[5].encode("ascii") if usable else _dummy_hash()
    ok = bcrypt.checkpw(raw[:_MAX_PASSWORD_BYTES] or b"\0", stored)
    if not (usable and ok and row[6]):
        log.info("sign-in refused for %r", str(username)[:64])
        return None
    return _row_to_user(row)


def add_user(
    con: duckdb.DuckDBPyConnection,
    username: str,
    password: Optional[str],
    role: str,
    *,
    team: Optional[str] = None,
    agent_id: Optional[str] = None,
    display_name: Optional[str] = None,
    email: Optional[str] = None,
    actor: str = "cli",
) -> User:
    """Create a user. ``password=None`` makes an OIDC-only user (signs in through the identity
    provider, matched by ``email``). Agents need ``agent_id``; team leads need ``team``."""
    _check_username(username)
    _check_role(role)
    if role == "agent" and not agent_id:
        raise AccessError(f"user {username}: an agent needs --agent-id (their id in the call metadata)")
    if role == "team_lead" and not team:
        raise AccessError(f"user {username}: a team lead needs --team")
    if password is None and not email:
        raise AccessError(f"user {username}: give a password, or an e-mail for sign-in through the identity provider")
    hashed = _hash_password(password) if password is not None else None
    if con.execute("SELECT 1 FROM app_user WHERE username = ?", [username]).fetchone():
        raise AccessError(f"user {username} already exists; use `qa users set-role` to change it")
    con.execute(
        "INSERT INTO app_user (username, display_name, role, team, agent_id, password_hash, email, active) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, TRUE)",
        [username, display_name, role, team, agent_id, hashed, email],
    )
    audit(con, actor, "user.add", username, {"role": role, "team": team, "agent_id": agent_id})
    return User(username, role, display_name, team, agent_id)


def _require_user(con: duckdb.DuckDBPyConnection, username: str) -> tuple:
    row = con.execute(
        "SELECT username, role, display_name, team, agent_id, active FROM app_user WHERE username = ?",
        [username],
    ).fetchone()
    if row is None:
        raise AccessError(f"no user {str(username)[:80]!r}; see `qa users list`")
    return row


def set_role(
    con: duckdb.DuckDBPyConnection,
    username: str,
    role: str,
    *,
    actor: str,
    team: Optional[str] = None,
    agent_id: Optional[str] = None,
) -> User:
    """Change a user's role (and team / agent id when given); recorded in the audit log."""
    _check_role(role)
    old = _require_user(con, username)
    team = team if team is not None else old[3]
    agent_id = agent_id if agent_id is not None else old[4]
    if role == "agent" and not agent_id:
        raise AccessError(f"user {username}: an agent needs --agent-id")
    if role == "team_lead" and not team:
        raise AccessError(f"user {username}: a team lead needs --team")
    con.execute("UPDATE app_user SET role = ?, team = ?, agent_id = ? WHERE username = ?",
                [role, team, agent_id, username])
    audit(con, actor, "user.role", username,
          {"from": old[1], "to": role, "team": team, "agent_id": agent_id})
    return User(username, role, old[2], team, agent_id)


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str, *, actor: str) -> None:
    _require_user(con, username)
    con.execute("UPDATE app_user SET password_hash = ? WHERE username = ?", [_hash_password(password), username])
    audit(con, actor, "user.password", username, {})


def deactivate_user(con: duckdb.DuckDBPyConnection, username: str, *, actor: str) -> None:
    """Refuse further sign-ins; the user's history (reviews, audit entries) is kept."""
    _require_user(con, username)
    con.execute("UPDATE app_user SET active = FALSE WHERE username = ?", [username])
    audit(con, actor, "user.deactivate", username, {})


def list_users(con: duckdb.DuckDBPyConnection) -> list[Account]:
    rows = con.execute(
        "SELECT username, role, display_name, team, agent_id, active, email, password_hash IS NOT NULL, "
        "created_at FROM app_user ORDER BY username"
    ).fetchall()
    return [Account(_row_to_user(r), bool(r[5]), r[6], bool(r[7]), r[8]) for r in rows]


def find_user(con: duckdb.DuckDBPyConnection, *, username: Optional[str] = None,
              email: Optional[str] = None) -> Optional[User]:
    """An active user by name or by e-mail (for identity-provider sign-in), else ``None``."""
    if username is not None:
        row = con.execute("SELECT username, role, display_name, team, agent_id FROM app_user "
                          "WHERE username = ? AND active", [username]).fetchone()
    elif email:
        row = con.execute("SELECT username, role, display_name, team, agent_id FROM app_user "
                          "WHERE lower(email) = lower(?) AND active", [email]).fetchone()
    else:
        return None
    return _row_to_user(row) if row else None


def can(user: User, action: str) -> bool:
    """Whether ``user`` may do ``action`` (one of :data:`ACTIONS`)."""
    try:
        allowed = _PERMISSIONS[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}; one of: {', '.join(ACTIONS)}") from None
    return user.role in allowed


_SEE_EVERY_CALL = frozenset({"admin", "manager", "qa", "trainer"})


@dataclass(frozen=True)
class Viewer:
    """Who is looking at calls, and what they may see. Built from the signed-in user with
    :meth:`of` and handed to every dashboard query (:mod:`qa_pipeline.insights`), which keeps
    to the viewer's scope and returns text already masked for them.

    ``scope``: 'all' calls, the 'team''s calls (``team``), the 'agent''s own (``agent_id``),
    or 'none' (an unknown role or an incomplete user sees nothing rather than everything)."""

    username: str
    role: str
    scope: Literal["all", "team", "agent", "none"]
    team: Optional[str] = None
    agent_id: Optional[str] = None
    masks_identifiers: bool = True  # long numbers masked, customer metadata hidden

    @classmethod
    def of(cls, user: User) -> Viewer:
        """The viewer ``user`` is: an agent sees their own calls, a team lead their team, admin,
        manager, qa and trainer every call; only roles with ``see_customer_ids`` see identifiers."""
        masks = not can(user, "see_customer_ids")
        if user.role in _SEE_EVERY_CALL:
            return cls(user.username, user.role, "all", masks_identifiers=masks)
        if user.role == "team_lead" and user.team:
            return cls(user.username, user.role, "team", team=user.team, masks_identifiers=masks)
        if user.role == "agent" and user.agent_id:
            return cls(user.username, user.role, "agent", agent_id=user.agent_id, masks_identifiers=masks)
        return cls(user.username, user.role, "none", masks_identifiers=masks)


OWNER = Viewer("cli", "admin", "all", masks_identifiers=False)
"""Whoever runs ``qa`` on the database file (e.g. ``qa report``): every call, every identifier."""


_LONG_NUMBER = re.compile(r"(?<![A-Za-z0-9*])[A-Za-z]{0,3}\d(?:[\d -]{4,}\d)(?![A-Za-z0-9])")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def mask_identifiers(text: Optional[str]) -> str:
    """Long numbers (order, account, phone numbers a redaction left) masked to their last
    four digits, for viewers who may not see customer identifiers (trainers)::

        mask_identifiers("My order number is OR08409328.")  # "My order number is ****9328."
    """
    def mask(m: re.Match) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) < 6 or _DATE.fullmatch(m.group(0).strip()):
            return m.group(0)
        return "****" + digits[-4:]

    return _LONG_NUMBER.sub(mask, text or "")


_CUSTOMER_KEYS = ("customer", "caller", "phone", "ani", "number", "account", "email", "card", "id_no", "name")


def visible_metadata(viewer: Viewer, meta: dict) -> dict:
    """Call metadata ``viewer`` may see: no customer identifiers (caller, phone, account ...
    keys; ``agent…`` keys stay) for viewers who mask them."""
    if not viewer.masks_identifiers:
        return meta
    return {k: v for k, v in meta.items() if not any(h in k.lower() for h in _CUSTOMER_KEYS) or k.startswith("agent")}


def audit(con: duckdb.DuckDBPyConnection, actor: str, action: str, target: Optional[str], detail: dict) -> None:
    """Record who did what to which call or user (the time is added by the database)."""
    con.execute(
        "INSERT INTO audit_log (actor, action, target, detail) VALUES (?, ?, ?, ?)",
        [actor, action, target, json.dumps(detail or {}, ensure_ascii=False, default=str)],
    )


def audit_entries(con: duckdb.DuckDBPyConnection, *, target: Optional[str] = None,
                  actor: Optional[str] = None, limit: int = 200) -> list[tuple]:
    """Latest audit entries, newest first: (logged_at, actor, action, target, detail dict)."""
    rows = con.execute(
        "SELECT logged_at, actor, action, target, detail FROM audit_log "
        "WHERE (? IS NULL OR target = ?) AND (? IS NULL OR actor = ?) ORDER BY id DESC LIMIT ?",
        [target, target, actor, actor, int(limit)],
    ).fetchall()
    return [(t, a, act, tg, json.loads(d) if d else {}) for t, a, act, tg, d in rows]


_MAX_PATH = 4096


def safe_path(base_dirs: Iterable[str | os.PathLike], candidate: str | os.PathLike) -> Path:
    """``candidate`` resolved (symlinks followed) if it lies inside one of ``base_dirs``.

    A relative candidate is taken relative to each folder in turn. Raises
    :class:`PathNotAllowed` for ``../`` escapes, symlinks pointing outside, NUL bytes and
    over-long paths. The file need not exist (clips are written to such paths)."""
    text = os.fspath(candidate)
    if not isinstance(text, str) or not text or "\0" in text or len(text) > _MAX_PATH:
        raise PathNotAllowed(f"{text[:80]!r}: not a usable file path")
    bases = [Path(b).expanduser().resolve() for b in base_dirs]
    if not bases:
        raise PathNotAllowed(f"{text[:200]}: no recordings or export folder is configured")
    cand = Path(text).expanduser()
    tries = [cand] if cand.is_absolute() else [b / cand for b in bases]
    for path in tries:
        resolved = path.resolve()
        if any(resolved == b or resolved.is_relative_to(b) for b in bases):
            return resolved
    raise PathNotAllowed(
        f"{text[:200]}: outside the configured folders ({', '.join(map(str, bases))}); "
        "only files in the recordings and export folders can be opened"
    )
