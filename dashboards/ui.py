"""What every dashboard page shares: the signed-in user and their viewer, cached queries,
filters, the player and the transcript.

Pages call the query functions below (:mod:`qa_pipeline.insights.queries` and
:mod:`~qa_pipeline.insights.aggregates`, wrapped in ``st.cache_data``) with the database and
:func:`viewer`; the rows come back in the viewer's scope and already masked for them, so pages
show them as they are. Queries are cached for a short time (``TTL`` seconds) per viewer scope
and arguments, so a page re-renders from memory while the people using it click around; every
write clears the cache so the writer sees their change at once.
"""
from __future__ import annotations

import os
from datetime import timedelta
from typing import Any, Callable, Optional, TypeVar

import polars as pl
import streamlit as st

from qa_pipeline.insights import aggregates, items, queries
from qa_pipeline.insights.filters import CallFilter
from qa_pipeline.privacy import access
from qa_pipeline.privacy.access import User, Viewer
from qa_pipeline.review import clips, reviews, writes
from qa_pipeline.store import journal as shared_db
from qa_pipeline.store.database import StoreError

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


def viewer() -> Viewer:
    """Who is looking: the signed-in user's scope and whether identifiers are masked for them."""
    return Viewer.of(user())


def _what_they_see(v: Viewer) -> tuple:
    # Cache per scope and masking, not per person: every manager shares one cached answer.
    return v.scope, v.team, v.agent_id, v.masks_identifiers


Q = TypeVar("Q", bound=Callable[..., Any])


def cached(query: Q, ttl: int = TTL, max_entries: int = 256) -> Q:
    """``query`` cached for ``ttl`` seconds per viewer scope and arguments."""
    return st.cache_data(query, ttl=ttl, max_entries=max_entries, show_spinner=False,  # type: ignore[return-value]
                         hash_funcs={Viewer: _what_they_see})


# The queries the pages run (db, viewer, ... as in qa_pipeline.insights).
review_queue = cached(queries.review_queue)
flagged_unqueued = cached(queries.flagged_unqueued)
call_header = cached(queries.call_header)
call_turns = cached(queries.call_turns)
call_findings = cached(queries.call_findings)
call_disputes = cached(queries.call_disputes)
call_acknowledgements = cached(queries.call_acknowledgements)
specialists = cached(queries.specialists)
setting = cached(queries.setting)
agent_calls_failing = cached(queries.agent_calls_failing)
agent_reviews = cached(queries.agent_reviews)
search_findings = cached(queries.search_findings)
calls_said = cached(queries.calls_said)
playlists = cached(queries.playlists)
playlist_clips = cached(queries.playlist_clips)
clip_excerpt = cached(queries.clip_excerpt, ttl=300, max_entries=64)
agreement = cached(queries.agreement)
agreement_by_model = cached(queries.agreement_by_model)
score_agreement = cached(queries.score_agreement)
filter_options = cached(aggregates.filter_options, ttl=300, max_entries=64)
weekly_trends = cached(aggregates.weekly_trends)
agent_weekly = cached(aggregates.agent_weekly)
agent_items = cached(aggregates.agent_items)
training_needs = cached(aggregates.training_needs)
item_pass_by_team = cached(aggregates.item_pass_by_team)
new_agents = cached(aggregates.new_agents)
targets = cached(aggregates.targets)
LANGUAGES = {"en": "English", "zh": "中文"}


def language() -> str:
    """The language item titles are shown in: the one picked in the sidebar, else the browser's."""
    picked = st.session_state.get("item_language")
    if picked in LANGUAGES:
        return picked
    locale = (getattr(st.context, "locale", None) or "en").lower()
    return "zh" if locale.startswith("zh") else "en"


def item_label(check_id: Optional[str]) -> str:
    """``"C2 Confirm the need"``: the item's code and its title in the user's language."""
    return items.item_label(check_id, language()) if check_id else "any item"


def with_item_labels(df: pl.DataFrame, column: str = "check_id", name: str = "item") -> pl.DataFrame:
    """``df`` with a column ``name`` holding the item labels of ``column``."""
    codes = df[column].unique().to_list() if column in df.columns else []
    labels = {c: items.item_label(c, language()) for c in codes if c is not None}
    return df.with_columns(pl.col(column).replace_strict(labels, default=None, return_dtype=pl.String).alias(name))


def score_text(column: str) -> pl.Expr:
    """A score column as text for a table: the whole number, or a dash where there is none."""
    return pl.col(column).round(0).cast(pl.Int64).cast(pl.String).fill_null("–").alias(column)


def options() -> dict:
    """The filters' choices for the viewer (teams, agents, languages, items, dates), kept 5 minutes."""
    return filter_options(db_path(), viewer())


def save(op: str, success: str, **kwargs: Any) -> bool:
    """Apply a review action durably; tells the user whether it is saved or queued."""
    try:
        receipt = writes.write(db_path(), op, **kwargs)
    except reviews.ReviewError as exc:
        st.error(str(exc))
        return False
    except (StoreError, OSError) as exc:  # not a busy database (that is journaled): say it is not saved
        st.error(f"Not saved: {exc}")
        return False
    st.cache_data.clear()
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


def call_filter(key: str, *, items: bool = True, default_weeks: Optional[int] = None) -> CallFilter:
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
        item = sb.selectbox("Failed item", [None] + opts["items"], format_func=item_label, key=f"{key}_item")
    return CallFilter(tuple(teams), tuple(agents), date_from, date_to, tuple(languages), reason, item)


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
        st.warning(clips.not_allowed_message(exc))
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
            left, right = st.columns([1.4, 8.6], vertical_alignment="top")
            with left:
                if t["start"] is not None and playable:
                    play_button(mmss(t["start"]), t["start"], f"{player_key}_turn{t['turn']}", player_key)
                else:
                    st.caption(mmss(t["start"]))
            colour = SPEAKER_COLOURS.get(t["speaker"], SPEAKER_COLOURS["unknown"])
            right.markdown(f"<span style='color:{colour};font-weight:600'>{t['speaker']}</span> "
                           f"{escape(t['text'] or '')}", unsafe_allow_html=True)


def escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("$", "&#36;").replace("*", "&#42;").replace("_", "&#95;").replace("[", "&#91;"))

