"""The QA dashboard: sign-in, then one page per job.

Started by ``qa dashboard --db qa.duckdb`` (which sets ``QA_DB`` and, with ``--local``,
``QA_DASHBOARD_LOCAL=1``). Sign-in: the company identity provider through ``st.login`` when
``.streamlit/secrets.toml`` has an ``[auth]`` section, else the local user list (bcrypt
hashes in the database). Nothing but the sign-in form is shown before sign-in, except in
the explicitly started single-user mode. A password sign-in is kept across reloads and
bookmarks by a signed, expiring token in a cookie (:mod:`qa_pipeline.privacy.sessions`; not
in the address, so a copied link never carries it), ended by "Sign out"; the identity
provider's sign-in is kept by Streamlit's own cookie.
"""
from __future__ import annotations

import hashlib
import json
import os
from email.utils import formatdate
from pathlib import Path

import streamlit as st
from qa_pipeline.dashboards import ui

from qa_pipeline.privacy import access, sessions
from qa_pipeline.review import writes
from qa_pipeline.store import journal as shared_db  # noqa: E402
from qa_pipeline.store.database import StoreError  # noqa: E402

HERE = Path(__file__).resolve().parent
PAGES = {  # title -> (script, roles that see it)
    "Review queue": ("views/review_queue.py", {"admin", "manager", "qa"}),
    "Agent feedback": ("views/agent_feedback.py", {"admin", "manager", "qa", "team_lead", "agent"}),
    "Coaching clips": ("views/coaching_clips.py", {"admin", "manager", "qa", "trainer", "team_lead"}),
    "Team trends": ("views/team_trends.py", {"admin", "manager", "qa", "trainer", "team_lead"}),
    "Alerts": ("views/alerts.py", {"admin", "manager", "qa", "team_lead"}),
}
LANDING = {"manager": "Team trends"}  # where a role starts; everyone else on their first page
ICONS = {"Review queue": ":material/fact_check:", "Agent feedback": ":material/person:",
         "Coaching clips": ":material/headphones:", "Team trends": ":material/monitoring:",
         "Alerts": ":material/notifications:"}

st.set_page_config(page_title="Call QA", page_icon=":material/support_agent:", layout="wide")


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _sign_in_form() -> None:
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        _sign_in_fields()


def _sign_in_fields() -> None:
    st.title("Call QA dashboard")
    note = st.session_state.pop("session_note", None)
    if note:
        st.info(note, icon=":material/lock_clock:")
    with st.form("sign_in"):
        username = st.text_input("User name", max_chars=64)
        password = st.text_input("Password", type="password", max_chars=200)
        if st.form_submit_button("Sign in", type="primary"):
            try:
                with shared_db.read_connection(ui.db_path()) as con:
                    found = access.authenticate(con, username.strip(), password)
            except StoreError as exc:
                st.error(f"The database cannot be read right now: {exc}")
                return
            if found is None:
                st.error("Wrong user name or password.")
            else:
                st.session_state["user"] = found
                st.session_state.pop("session_ended", None)
                _keep_session(found)
                st.rerun()


def _cookie_name() -> str:
    # One cookie per database: two dashboards on one machine (other ports, other databases) keep
    # their own sessions instead of refusing each other's token.
    return "qa_session_" + hashlib.sha256(str(ui.db_path()).encode("utf-8")).hexdigest()[:12]


def _cookie() -> str | None:
    value = st.context.cookies.get(_cookie_name())
    return value if isinstance(value, str) and value else None  # (a test harness has no real cookies)


def _write_cookie(token: str | None) -> None:
    """Set (or, with ``token`` None, delete) the session cookie in the browser, expiring with the
    token: Streamlit only reads cookies, so a zero-height component sets it on the page's origin.
    Its text is the same on every run, so the browser runs it once."""
    expires = formatdate(sessions.expires_at(token) if token else 0, usegmt=True)
    cookie = f"{_cookie_name()}={token or ''}; path=/; expires={expires}; SameSite=Strict"
    st.iframe("<script>const c = " + json.dumps(cookie) + " + (window.parent.location.protocol === "
              "'https:' ? '; Secure' : ''); window.parent.document.cookie = c;</script>", height=1)


def _keep_session(found: access.User) -> None:
    """Sign ``found`` a session token, kept in a cookie, so a reload or a bookmark keeps them signed in."""
    db = ui.db_path()
    try:
        with shared_db.read_connection(db) as con:
            token = sessions.issue(con, found.username)
        if token is None:  # a database the dashboard was not started on by `qa dashboard`: no secret yet
            writes.write(db, "ensure_session_secret")
            with shared_db.read_connection(db) as con:
                token = sessions.issue(con, found.username)
    except (StoreError, OSError):
        token = None
    if token is not None:  # else the database stays busy: this sign-in lasts until the page is reloaded
        st.session_state["session_token"] = token


def _end_session() -> None:
    """Sign out: the token is refused from now on (even a copy of the cookie) and the cookie deleted."""
    token = st.session_state.pop("session_token", None) or _cookie()
    st.session_state.pop("user", None)
    st.session_state["session_ended"] = True
    if token:
        try:
            writes.write(ui.db_path(), "end_session", token=token)  # journaled while a batch holds the file
        except (StoreError, OSError):
            pass  # the cookie is deleted; the token expires on its own


def _session_user() -> access.User | None:
    """The user of the signed session token of this tab or of the browser's cookie (a reload, a
    bookmark, a new tab); ``None`` without one, or when it is refused (expired, signed out,
    tampered with, user removed or disabled)."""
    if st.session_state.get("session_ended"):
        return None  # signed out in this tab: the old cookie is no longer read, even before it is deleted
    token = st.session_state.get("session_token") or _cookie()
    if not token:
        return None
    try:
        with shared_db.read_connection(ui.db_path()) as con:
            found = sessions.verify(con, token)
    except StoreError:  # a busy database signs nobody out
        return st.session_state.get("user")
    if found is None:
        st.session_state.pop("session_token", None)
        st.session_state.pop("user", None)
        st.session_state["session_ended"] = True
        st.session_state["session_note"] = "Your session has ended (it expired or was signed out): sign in again."
        return None
    st.session_state["session_token"] = token
    return found


def _oidc_user() -> access.User | None:
    if not st.user.get("is_logged_in"):
        st.title("Call QA dashboard")
        st.button("Sign in with your company account", on_click=st.login, type="primary")
        return None
    with shared_db.read_connection(ui.db_path()) as con:
        found = access.find_user(con, email=st.user.get("email"))
    if found is None:
        st.error(f"{st.user.get('email')} has no dashboard role yet: ask an administrator to add you "
                 "(`qa users add --email ...`).")
        st.button("Sign out", on_click=st.logout)
    return found


def _signed_in_user() -> access.User | None:
    if os.environ.get("QA_DASHBOARD_LOCAL") == "1":
        return access.LOCAL_USER
    signed = _session_user()
    if signed is not None:
        return signed
    if "user" in st.session_state:
        return st.session_state["user"]
    if _oidc_configured():
        return _oidc_user()
    return None


def _path(title: str) -> str:
    return title.lower().replace(" ", "_")


user = _signed_in_user()
if user is None:
    # Every page's address answers with the sign-in form, so a bookmarked page opens after sign-in.
    sign_in = [st.Page(_sign_in_form, title="Sign in", icon=":material/login:", default=True)]
    sign_in += [st.Page(_sign_in_form, title=title, url_path=_path(title)) for title in PAGES]
    nav = st.navigation(sign_in, position="hidden")
    if st.session_state.get("session_ended"):
        _write_cookie(None)
    if not _oidc_configured():
        nav.run()
    st.stop()
st.session_state["user"] = user

pages = [st.Page(str(HERE / script), title=title, icon=ICONS[title], url_path=_path(title))
         for title, (script, roles) in PAGES.items() if user.role in roles]
if not pages:
    st.error(f"Your role ({user.role}) has no pages in this dashboard.")
    st.stop()


def _home() -> None:
    landing = LANDING.get(user.role)
    st.switch_page(next((p for p in pages if p.title == landing), pages[0]))


with st.sidebar:
    if st.session_state.get("session_token"):  # the same content each run: the browser sets it once
        _write_cookie(st.session_state["session_token"])
    st.caption(f"Signed in as **{user.display_name or user.username}** ({user.role}"
               + (f", {user.team}" if user.team else "") + ")")
    st.selectbox("Item titles in", list(ui.LANGUAGES), index=list(ui.LANGUAGES).index(ui.language()),
                 format_func=ui.LANGUAGES.get, key="item_language")
    if user is not access.LOCAL_USER and st.button("Sign out", type="tertiary"):
        _end_session()
        if _oidc_configured() and st.user.get("is_logged_in"):
            st.logout()
        st.rerun()
nav = st.navigation([st.Page(_home, title="Home", default=True, visibility="hidden")] + pages, position="top")
try:
    nav.run()
except StoreError as exc:  # e.g. a long import holds the database: say so instead of a traceback
    st.warning(f"The database is busy or unreadable right now ({exc}). Reload the page in a moment; "
               "changes saved while it was busy wait in the pending-writes journal.", icon=":material/hourglass:")
