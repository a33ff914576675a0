"""The QA dashboard: sign-in, then one page per job.

Started by ``qa dashboard --db qa.duckdb`` (which sets ``QA_DB`` and, with ``--local``,
``QA_DASHBOARD_LOCAL=1``). Sign-in: the company identity provider through ``st.login`` when
``.streamlit/secrets.toml`` has an ``[auth]`` section, else the local user list (bcrypt
hashes in the database). Nothing but the sign-in form is shown before sign-in, except in
the explicitly started single-user mode.
"""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
from qa_pipeline.dashboards import ui

from qa_pipeline.privacy import access
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
                st.rerun()


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
    st.caption(f"Signed in as **{user.display_name or user.username}** ({user.role}"
               + (f", {user.team}" if user.team else "") + ")")
    st.selectbox("Item titles in", list(ui.LANGUAGES), index=list(ui.LANGUAGES).index(ui.language()),
                 format_func=ui.LANGUAGES.get, key="item_language")
    if user is not access.LOCAL_USER and st.button("Sign out", type="tertiary"):
        st.session_state.pop("user", None)
        if _oidc_configured() and st.user.get("is_logged_in"):
            st.logout()
        st.rerun()
nav = st.navigation([st.Page(_home, title="Home", default=True, visibility="hidden")] + pages, position="top")
try:
    nav.run()
except StoreError as exc:  # e.g. a long import holds the database: say so instead of a traceback
    st.warning(f"The database is busy or unreadable right now ({exc}). Reload the page in a moment; "
               "changes saved while it was busy wait in the pending-writes journal.", icon=":material/hourglass:")
