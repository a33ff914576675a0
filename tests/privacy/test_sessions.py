"""Signed dashboard sessions: genuine tokens verify; tampered, expired, signed-out ones and
those of removed, disabled or re-passworded users are refused."""
from __future__ import annotations

import base64
import json

import pytest

from qa_pipeline.privacy import access, sessions
from qa_pipeline.store import database as store

NOW = 1_800_000_000.0


def _setting(con, key):
    row = con.execute("SELECT value FROM setting_store WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else None


@pytest.fixture
def con(monkeypatch):
    monkeypatch.delenv("QA_SESSION_SECRET", raising=False)
    monkeypatch.delenv("QA_SESSION_HOURS", raising=False)
    con = store.connect(":memory:")
    access.add_user(con, "qa.sun", "secret-pass", "qa", team="Team A")
    access.add_user(con, "lead.li", "other-pass", "team_lead", team="Team A")
    sessions.ensure_secret(con)
    yield con
    con.close()


def test_a_genuine_token_gives_its_user_until_it_expires(con):
    token = sessions.issue(con, "qa.sun", now=NOW)
    assert sessions.verify(con, token, now=NOW + 60) == access.find_user(con, username="qa.sun")
    assert sessions.expires_at(token) == NOW + 12 * 3600
    assert sessions.verify(con, token, now=NOW + 12 * 3600 - 1) is not None
    assert sessions.verify(con, token, now=NOW + 12 * 3600) is None
    assert sessions.verify(con, token, now=NOW - 3600) is None  # issued in the future: refused


def test_expiry_is_configurable(con, monkeypatch):
    monkeypatch.setenv("QA_SESSION_HOURS", "0.5")
    token = sessions.issue(con, "qa.sun", now=NOW)
    assert sessions.verify(con, token, now=NOW + 29 * 60) is not None
    assert sessions.verify(con, token, now=NOW + 31 * 60) is None
    assert sessions.verify(con, sessions.issue(con, "qa.sun", hours=48, now=NOW), now=NOW + 47 * 3600)


def _swap(token: str, index: int, value: str) -> str:
    parts = token.split(".")
    parts[index] = value
    return ".".join(parts)


def test_tampered_tokens_are_refused(con):
    token = sessions.issue(con, "qa.sun", now=NOW)
    name = base64.urlsafe_b64encode(b"lead.li").rstrip(b"=").decode()
    expires = int(token.split(".")[2])
    forged = [
        _swap(token, 0, name),  # another user's name under qa.sun's signature
        _swap(token, 2, str(expires + 10 * 24 * 3600)),  # a longer life
        _swap(token, 3, "0" * 16),  # another id (dodging a sign-out)
        _swap(token, 4, token.split(".")[4][::-1]),  # a made-up signature
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        token + ".x", token.replace(".", "", 1), "", "x" * 5000, None, 42, "a.b.c.d.e",
    ]
    for bad in forged:
        assert sessions.verify(con, bad, now=NOW + 60) is None, bad
    other = store.connect(":memory:")  # the same user on another server: another secret
    access.add_user(other, "qa.sun", "secret-pass", "qa", team="Team A")
    sessions.ensure_secret(other)
    assert sessions.verify(other, token, now=NOW + 60) is None
    other.close()


def test_signing_out_ends_that_session_only(con):
    first = sessions.issue(con, "qa.sun", now=NOW)
    second = sessions.issue(con, "qa.sun", now=NOW)
    sessions.revoke(con, first, now=NOW + 10)
    assert sessions.verify(con, first, now=NOW + 20) is None
    assert sessions.verify(con, second, now=NOW + 20) is not None
    later = sessions.issue(con, "qa.sun", now=NOW + 13 * 3600)
    sessions.revoke(con, later, now=NOW + 13 * 3600)  # the first id has expired: it is dropped from the list
    revoked = _setting(con, sessions.REVOKED_KEY)
    assert list(revoked) == [later.split(".")[3]]


def test_removed_disabled_or_new_password_users_are_signed_out(con):
    token = sessions.issue(con, "qa.sun", now=NOW)
    lead = sessions.issue(con, "lead.li", now=NOW)
    access.set_password(con, "qa.sun", "a-new-password", actor="admin")
    assert sessions.verify(con, token, now=NOW + 60) is None
    assert sessions.verify(con, sessions.issue(con, "qa.sun", now=NOW), now=NOW + 60) is not None
    access.deactivate_user(con, "lead.li", actor="admin")
    assert sessions.verify(con, lead, now=NOW + 60) is None
    assert sessions.issue(con, "lead.li", now=NOW) is None
    fresh = sessions.issue(con, "qa.sun", now=NOW)
    con.execute("DELETE FROM app_user WHERE username = 'qa.sun'")
    assert sessions.verify(con, fresh, now=NOW + 60) is None


def test_a_role_change_applies_without_signing_in_again(con):
    token = sessions.issue(con, "qa.sun", now=NOW)
    con.execute("UPDATE app_user SET role = 'trainer' WHERE username = 'qa.sun'")
    assert sessions.verify(con, token, now=NOW + 60).role == "trainer"


def test_no_secret_no_token_and_the_secret_is_kept(con, monkeypatch):
    bare = store.connect(":memory:")
    access.add_user(bare, "qa.sun", "secret-pass", "qa", team="Team A")
    assert sessions.issue(bare, "qa.sun") is None
    sessions.ensure_secret(bare)
    secret = _setting(bare, sessions.SECRET_KEY)
    sessions.ensure_secret(bare)
    assert _setting(bare, sessions.SECRET_KEY) == secret and len(secret) == 64
    monkeypatch.setenv("QA_SESSION_SECRET", "configured-elsewhere")
    token = sessions.issue(bare, "qa.sun", now=NOW)
    monkeypatch.delenv("QA_SESSION_SECRET")
    assert sessions.verify(bare, token, now=NOW + 60) is None  # signed with the configured secret
    bare.close()
