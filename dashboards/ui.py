"""What every dashboard page shares: the signed-in user, cached queries, filters, the call view.

Queries are cached for a short time (``TTL`` seconds) per viewer scope and filter, so a page
re-renders from memory while the people using it click around; every write clears the
cache so the writer sees their change at once.
"""
from __future__ import annotations

import os
from datetime import timedelta
from typing import Any, Optional

import polars as pl
import streamlit as st

from qa_pipeline.insights import facts, queries
from qa_pipeline.privacy import access
from qa_pipeline.privacy.access import User
from qa_pipeline.review import clips, reviews, writes
from qa_pipeline.store import journal as shared_db

TTL = 30
SPEAKER_COLOURS = {"agent": "#1f6fb2", "other_agent": "#5b8fc7", "customer": "#c2570c", "unknown": "#6b7280"}
OUTCOME_BADGES = {"pass": ":green-badge[pass]", "fail": ":red-badge[fail]", "na": ":gray-badge[n/a]"}


def db_path() -> str:
    path = os.environ.get("QA_DB", "")
    if not path:
        st.error("No database: start the dashboard with `qa dashboard --db qa.duckdb`.")
        st.stop()
    return path


def user() -> User:
    u = st.session_state.get("user")
    if u is None:  # pages are only reachable after sign-in; this guards direct script runs
        st.error("Please sign in.")
        st.stop()
    return u


def scope() -> tuple[str, tuple]:
    where, params = access.call_scope(user())
    return where, tuple(params)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=256)
def cached(name: str, *args: Any, **kwargs: Any) -> Any:
    """``queries.<name>(*args, **kwargs)``, cached for ``TTL`` seconds."""
    return getattr(queries, name)(*args, **kwargs)


def q(name: str, *args: Any, **kwargs: Any) -> Any:
    """Run a cached query for the current database and the viewer's scope."""
    return cached(name, db_path(), scope(), *args, **kwargs)


@st.cache_data(ttl=300, show_spinner=False, max_entries=64)
def _options(db: str, scope: tuple) -> dict:
    return queries.filter_options(db, scope)


def options() -> dict:
    """The filters' choices for the viewer (teams, agents, languages, items, dates), kept 5 minutes."""
    return _options(db_path(), scope())


def q_plain(name: str, *args: Any, **kwargs: Any) -> Any:
    """A cached query that takes no scope (the caller has checked the call is in scope)."""
    return cached(name, db_path(), *args, **kwargs)


def save(op: str, success: str, **kwargs: Any) -> bool:
    """Apply a review action durably; tells the user whether it is saved or queued."""
    from qa_pipeline.store.database import StoreError

    try:
        receipt = writes.write(db_path(), op, **kwargs)
    except reviews.ReviewError as exc:
        st.error(str(exc))
        return False
    except (StoreError, OSError) as exc:  # not a busy database (that is journaled): say it is not saved
        st.error(f"Not saved: {exc}")
        return False
    st.cache_data.clear()
    facts.refresh(db_path())
    if receipt.saved:
        st.toast(success, icon=":material/check:")
    else:
        st.toast("A batch is writing to the database: your change is kept in the pending-writes journal "
                 "and will be applied as soon as it finishes.", icon=":material/schedule:")
        st.session_state.setdefault("pending_notes", []).append(success)
    return True


def pending_banner() -> None:
    n = shared_db.pending_count(db_path())
    if n:
        st.info(f"{n} change(s) wait in the pending-writes journal while a batch writes; "
                "they are applied automatically.", icon=":material/schedule:")


def mmss(seconds: Optional[float]) -> str:
    if seconds is None:
        return "--:--"
    return f"{int(seconds // 60):02d}:{int(seconds % 60):02d}"


def csv_button(df: pl.DataFrame, name: str, key: str) -> None:
    flat = df.with_columns([pl.col(c).cast(pl.List(pl.String)).list.join("; ")
                            for c, t in df.schema.items() if isinstance(t, pl.List)])
    st.download_button("Download CSV", flat.write_csv().encode("utf-8-sig"), file_name=f"{name}.csv",
                       mime="text/csv", key=key, icon=":material/download:")


def call_filter(key: str, *, items: bool = True, default_weeks: Optional[int] = None) -> queries.CallFilter:
    """Sidebar filters: team, agent, dates, language, flag reason, failed item."""
    opts = options()
    sb = st.sidebar
    teams = sb.multiselect("Team", opts["teams"], key=f"{key}_teams")
    agents_df: pl.DataFrame = opts["agents"]
    if teams:
        agents_df = agents_df.filter(pl.col("team").is_in(teams))
    names = {r["agent_id"]: f"{r['agent_name'] or r['agent_id']} ({r['agent_id']})" for r in agents_df.iter_rows(named=True)}
    agents = sb.multiselect("Agent", list(names), format_func=names.get, key=f"{key}_agents")
    first, last = opts["first"], opts["last"]
    date_from = date_to = None
    if first and last:
        start = max(first, last - timedelta(weeks=default_weeks)) if default_weeks else first
        picked = sb.date_input("Dates", (start, last), min_value=first, max_value=last, key=f"{key}_dates")
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            date_from, date_to = picked
    languages = sb.multiselect("Language", opts["languages"], key=f"{key}_langs")
    reason = item = None
    if items:
        reason = sb.selectbox("Flag reason", [None] + opts["flag_reasons"], format_func=lambda v: v or "any",
                              key=f"{key}_reason")
        item = sb.selectbox("Failed item", [None] + opts["items"], format_func=lambda v: v or "any", key=f"{key}_item")
    return queries.CallFilter(tuple(teams), tuple(agents), date_from, date_to, tuple(languages), reason, item)


@st.cache_data(ttl=300, max_entries=8, show_spinner="Loading the recording…")
def _audio(db: str, call_id: str, source_path: Optional[str]) -> Optional[bytes]:
    return clips.call_audio(db, call_id, source_path)


def audio_player(call: dict, key: str) -> None:
    """The recording (bleeped where redacted), from the time last clicked."""
    if call.get("source") == "import" or not call.get("source_path"):
        st.caption("Imported transcript: no recording to play.")
        return
    try:
        data = _audio(db_path(), call["call_id"], call["source_path"])
    except access.PathNotAllowed as exc:
        st.warning(f"The recording is outside the configured recordings folders: {exc}")
        return
    except Exception as exc:  # a broken file must not take the page down
        st.warning(f"The recording cannot be played: {exc}")
        return
    if data is None:
        st.caption("The recording file is not available on this server.")
        return
    start = float(st.session_state.get(f"{key}_t", 0.0))
    st.audio(data, format="audio/wav", start_time=int(start), autoplay=start > 0)


def play_button(label: str, seconds: Optional[float], key: str, player_key: str, disabled: bool = False) -> None:
    if st.button(label, key=key, disabled=disabled or seconds is None, type="tertiary",
                 help="Play the recording from here"):
        st.session_state[f"{player_key}_t"] = seconds or 0.0
        st.rerun()


def transcript(turns: pl.DataFrame, player_key: str, playable: bool) -> None:
    """Turns with speaker colours and times; each time plays the audio from there."""
    if turns.is_empty():
        st.caption("No transcript stored for this call.")
        return
    with st.container(height=420):
        for t in turns.iter_rows(named=True):
            left, right = st.columns([1, 9], vertical_alignment="top")
            with left:
                if t["start"] is not None and playable:
                    play_button(mmss(t["start"]), t["start"], f"{player_key}_turn{t['turn']}", player_key)
                else:
                    st.caption(mmss(t["start"]))
            colour = SPEAKER_COLOURS.get(t["speaker"], SPEAKER_COLOURS["unknown"])
            right.markdown(f"<span style='color:{colour};font-weight:600'>{t['speaker']}</span> "
                           f"{escape(shown(t['text']))}", unsafe_allow_html=True)


def shown(text: Optional[str]) -> str:
    """Text as this viewer may see it: long numbers masked for roles without customer identifiers."""
    return (text or "") if access.can(user(), "see_customer_ids") else clips.mask_identifiers(text or "")


def escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("$", "&#36;").replace("*", "&#42;").replace("_", "&#95;").replace("[", "&#91;"))


def visible_metadata(meta: Optional[str]) -> dict:
    """Call metadata the viewer may see: no customer identifiers without ``see_customer_ids``."""
    import json

    try:
        data = json.loads(meta) if meta else {}
    except ValueError:
        return {}
    if access.can(user(), "see_customer_ids"):
        return data
    hidden = ("customer", "caller", "phone", "ani", "number", "account", "email", "card", "id_no", "name")
    return {k: v for k, v in data.items() if not any(h in k.lower() for h in hidden) or k.startswith("agent")}

