"""Signed dashboard sessions: reloading the page or opening a bookmark keeps the user signed in.

After a password sign-in the dashboard puts a token in the page's address (``?session=…``):

    <user name, base64url>.<issued>.<expires>.<id>.<HMAC-SHA256 of the four, base64url>

signed with the server's secret (32 random bytes, kept in the database's ``setting_store``
under ``session_secret``, created by ``qa dashboard`` at start; ``QA_SESSION_SECRET``
overrides it, e.g. for several dashboards on one database). A token is accepted while its
signature holds, it has not expired (``QA_SESSION_HOURS``, default 12), it was not ended by
signing out (its id is kept in ``revoked_sessions`` until it would have expired), and its
user is still active with the same password: removing or disabling a user, or changing
their password, ends their sessions. The user's role and team are read afresh each time,
so a change of role applies at the next page load.

Identity-provider (OIDC) sign-in does not use these tokens: Streamlit keeps that session in
its own signed cookie.

    token = issue(con, "qa.sun")
    verify(con, token)          # User("qa.sun", "qa", ...), or None
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from typing import Optional

import duckdb

from qa_pipeline.privacy.access import User, find_user

__all__ = ["DEFAULT_HOURS", "ensure_secret", "expires_at", "issue", "revoke", "session_hours", "verify"]

DEFAULT_HOURS = 12.0
SECRET_KEY = "session_secret"
REVOKED_KEY = "revoked_sessions"
_MAX_TOKEN = 600


def session_hours() -> float:
    """How long a session lasts: ``QA_SESSION_HOURS`` (a positive number), else 12."""
    try:
        hours = float(os.environ.get("QA_SESSION_HOURS", "") or DEFAULT_HOURS)
    except ValueError:
        return DEFAULT_HOURS
    return hours if hours > 0 else DEFAULT_HOURS


def _setting(con: duckdb.DuckDBPyConnection, key: str):
    row = con.execute("SELECT value FROM setting_store WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row and row[0] is not None else None


def _put_setting(con: duckdb.DuckDBPyConnection, key: str, value) -> None:
    con.execute("DELETE FROM setting_store WHERE key = ?", [key])
    con.execute("INSERT INTO setting_store VALUES (?, ?)", [key, json.dumps(value)])


def _secret(con: duckdb.DuckDBPyConnection) -> Optional[bytes]:
    configured = os.environ.get("QA_SESSION_SECRET", "")
    if configured:
        return configured.encode("utf-8")
    stored = _setting(con, SECRET_KEY)
    return bytes.fromhex(stored) if isinstance(stored, str) and stored else None


def ensure_secret(con: duckdb.DuckDBPyConnection, **_: object) -> None:
    """Create the server's session secret if the database has none (a read-write connection)."""
    if _setting(con, SECRET_KEY) is None:
        _put_setting(con, SECRET_KEY, secrets.token_hex(32))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _password_mark(con: duckdb.DuckDBPyConnection, username: str) -> Optional[str]:
    """A short digest of the user's password hash: a new password ends the old sessions.
    ``None`` for an unknown or inactive user."""
    row = con.execute("SELECT password_hash FROM app_user WHERE username = ? AND active", [username]).fetchone()
    return hashlib.sha256((row[0] or "").encode("utf-8")).hexdigest()[:16] if row else None


def _mac(key: bytes, body: str, mark: str) -> str:
    return _b64(hmac.new(key, f"{body}|{mark}".encode("utf-8"), hashlib.sha256).digest())


def issue(con: duckdb.DuckDBPyConnection, username: str, *, hours: Optional[float] = None,
          now: Optional[float] = None) -> Optional[str]:
    """A signed token for ``username`` lasting ``hours`` (default :func:`session_hours`);
    ``None`` when the database has no session secret yet or the user is not active."""
    key, mark = _secret(con), _password_mark(con, username)
    if key is None or mark is None:
        return None
    issued = int(now if now is not None else time.time())
    expires = issued + int((hours or session_hours()) * 3600)
    body = f"{_b64(username.encode('utf-8'))}.{issued}.{expires}.{secrets.token_hex(8)}"
    return f"{body}.{_mac(key, body, mark)}"


def _parts(token: object) -> Optional[tuple[str, int, int, str, str, str]]:
    """(username, issued, expires, id, body, mac) of a well-formed token, else ``None``."""
    if not isinstance(token, str) or len(token) > _MAX_TOKEN:
        return None
    pieces = token.split(".")
    if len(pieces) != 5:
        return None
    name, issued, expires, token_id, mac = pieces
    try:
        username = _unb64(name).decode("utf-8")
        return username, int(issued), int(expires), token_id, ".".join(pieces[:4]), mac
    except (ValueError, UnicodeDecodeError):
        return None


def expires_at(token: object) -> int:
    """When ``token`` expires (Unix seconds; not checked: see :func:`verify`); 0 if malformed."""
    parts = _parts(token)
    return parts[2] if parts else 0


def verify(con: duckdb.DuckDBPyConnection, token: object, *, now: Optional[float] = None) -> Optional[User]:
    """The signed-in user if ``token`` is genuine, unexpired, not signed out and its user still
    active with the same password; else ``None``."""
    parts = _parts(token)
    key = _secret(con)
    if parts is None or key is None:
        return None
    username, issued, expires, token_id, body, mac = parts
    mark = _password_mark(con, username)
    if mark is None or not hmac.compare_digest(mac, _mac(key, body, mark)):
        return None
    moment = now if now is not None else time.time()
    if moment + 60 < issued or moment >= expires:  # a minute of clock skew between dashboards
        return None
    if token_id in (_setting(con, REVOKED_KEY) or {}):
        return None
    return find_user(con, username=username)


def revoke(con: duckdb.DuckDBPyConnection, token: str, *, now: Optional[float] = None, **_: object) -> None:
    """End ``token``'s session (signing out): it is refused from now on, even from a copy of the
    address. Ids are kept until the token would have expired anyway."""
    parts = _parts(token)
    if parts is None:
        return
    moment = now if now is not None else time.time()
    revoked = {k: v for k, v in (_setting(con, REVOKED_KEY) or {}).items() if v > moment}
    revoked[parts[3]] = parts[2]
    _put_setting(con, REVOKED_KEY, revoked)
