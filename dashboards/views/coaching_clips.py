"""Coaching clips (trainers): find findings by item, outcome, team, agent, language and words;
play each as a short clip; collect clips into playlists and export them; see which items fail
most, per team and over time, with example clips — the starting point for a course."""
import altair as alt
import polars as pl
import streamlit as st
from qa_pipeline.dashboards import ui

from qa_pipeline.insights import items as rubric_items
from qa_pipeline.insights import report
from qa_pipeline.insights.aggregates import WORDS_CALLS_FOUND, WORDS_CALLS_SEARCHED
from qa_pipeline.insights.queries import PAGE_SIZE
from qa_pipeline.privacy import access
from qa_pipeline.review import clips

st.title("Coaching clips")
ui.pending_banner()
me = ui.user()
db, viewer = ui.db_path(), ui.viewer()
f = ui.call_filter("cc", items=False)
view = st.segmented_control("View", ["Find clips", "Playlists", "Training needs"], default="Find clips",
                            key="cc_view", label_visibility="collapsed") or "Find clips"


@st.cache_data(ttl=300, max_entries=32, show_spinner=False)
def _clip(db: str, call_id: str, source_path: str, start: float, end: float, pad: float) -> bytes | None:
    return clips.clip_audio(db, call_id, source_path, start, end, pad)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def play_clip(row: dict, pad: float = clips.CLIP_PAD_SECONDS) -> None:
    """A few seconds around the evidence (for a failed finding, the window searched), bleeped
    where redacted; the quote and why there is no audio for findings without any."""
    quote = f"“{row['evidence_text']}”" if row.get("evidence_text") else ""
    start, end = row.get("evidence_start"), row.get("evidence_end")
    if start is not None:
        quote = f"{ui.mmss(start)}–{ui.mmss(end if end is not None else start)} {quote}".strip()
    if row.get("source") == "import" or not row.get("source_path") or start is None:
        why = clips.why_no_clip(db, row.get("source_path"), start)
        st.caption(f"{quote} · {why}" if quote else _sentence(why))
        return
    try:
        data = _clip(db, row["call_id"], row["source_path"], start, end, pad)
    except access.PathNotAllowed as exc:
        st.warning(clips.not_allowed_message(exc))
        return
    except Exception as exc:
        st.warning(f"The recording cannot be played: {exc}")
        return
    if quote:
        st.caption(quote)
    if data:
        st.audio(data, format="audio/wav")
    else:
        st.caption(_sentence(clips.why_no_clip(db, row["source_path"], start)))


def _with_paths(rows: pl.DataFrame) -> pl.DataFrame:
    headers = {cid: ui.call_header(db, viewer, cid) for cid in rows["call_id"].unique().to_list()}
    paths = {cid: (h["source_path"][0] if h.height else None) for cid, h in headers.items()}
    return rows.with_columns(pl.col("call_id").replace_strict(paths, default=None, return_dtype=pl.String)
                             .alias("source_path"))


def find_clips() -> None:
    opts = ui.options()
    a, b, c = st.columns([1, 1, 2])
    item = a.selectbox("Item", [None] + opts["items"], format_func=ui.item_label, key="cc_item")
    outcome = b.selectbox("Outcome", [None, "pass", "fail", "na"], format_func=lambda v: v or "any outcome",
                          key="cc_outcome")
    words = c.text_input("Words said in the call", max_chars=200, key="cc_words",
                         placeholder="e.g. 投诉 or complaint")
    page = st.session_state.get("cc_page", 0)
    # the calls said it once per search, not once per page (cached like the page)
    found = ui.calls_said(db, viewer, f, words, item=item, outcome=outcome) if words.strip() else None
    rows, total, searched_from = ui.search_findings(db, viewer, f, item=item, outcome=outcome, words=words or None,
                                                    page=page, found=found)
    st.caption(f"{total} finding(s)" + (f" · page {page + 1}" if total > PAGE_SIZE else ""))
    if searched_from is not None:
        st.caption(f"Only the newest calls that said it, back to {searched_from:%Y-%m-%d}, were searched (at most "
                   f"{WORDS_CALLS_FOUND:,} calls found, {WORDS_CALLS_SEARCHED:,} searched): narrow the dates, "
                   "team or agent in the sidebar to find older ones.")
    if rows.is_empty():
        st.info("No findings match. Widen the filters or the dates in the sidebar.", icon=":material/search_off:")
        return
    shown = ui.with_item_labels(rows).with_columns(
        pl.col("evidence_text").fill_null(""),
        pl.struct("check_id", "outcome").map_elements(lambda r: rubric_items.outcome_words(r["check_id"], r["outcome"]),
                                                      return_dtype=pl.String).alias("outcome"),
    ).drop("evidence_end", "evidence_speaker", "check_id")
    shown = shown.select("call_id", "started_at", "team", "agent_name", "language", "item",
                         pl.exclude("call_id", "started_at", "team", "agent_name", "language", "item"))
    picked = st.dataframe(shown, hide_index=True, on_select="rerun",
                          selection_mode="single-row", key="cc_table",
                          column_config={"call_id": "call", "agent_name": "agent",
                                         "evidence_text": st.column_config.TextColumn("evidence", width="large"),
                                         "started_at": st.column_config.DatetimeColumn("started", format="YYYY-MM-DD"),
                                         "evidence_start": st.column_config.NumberColumn("at (s)", format="%.1f")})
    p1, p2, p3 = st.columns([1, 1, 6])
    if p1.button("◀ Previous", disabled=page == 0, key="cc_prev"):
        st.session_state["cc_page"] = page - 1
        st.rerun()
    if p2.button("Next ▶", disabled=(page + 1) * PAGE_SIZE >= total, key="cc_next"):
        st.session_state["cc_page"] = page + 1
        st.rerun()
    with p3:
        ui.csv_button(rows, "findings", "cc_csv")
    if not (picked and picked.selection and picked.selection.rows):
        st.caption("Select a row to play its clip and add it to a playlist.")
        return
    row = _with_paths(rows[picked.selection.rows[0]]).row(0, named=True)
    st.markdown(f"**{ui.item_label(row['check_id'])} · {rubric_items.outcome_words(row['check_id'], row['outcome'])}**"
                f" — `{row['call_id']}` {row['agent_name'] or ''}")
    play_clip(row)
    lists = ui.playlists(db)
    if lists.is_empty():
        st.caption("Create a playlist under 'Playlists' to collect clips.")
        return
    with st.form("cc_add"):
        names = dict(zip(lists["playlist_id"].to_list(), lists["name"].to_list()))
        target = st.selectbox("Playlist", list(names), format_func=names.get)
        note = st.text_input("Note for the course (optional)", max_chars=500)
        if st.form_submit_button("Add clip to playlist"):
            start, end = row["evidence_start"], row["evidence_end"]
            window = clips.clip_window(start, end) if start is not None else (None, None)
            ui.save("add_clip", f"Added to {names[target]}", playlist_id=target, call_id=row["call_id"],
                    added_by=me.username, check_id=row["check_id"], start=window[0], end=window[1],
                    note=note.strip() or None)


def playlists() -> None:
    with st.expander("New playlist"):
        with st.form("cc_new"):
            name = st.text_input("Name", max_chars=200, placeholder="complaint handling — good examples")
            desc = st.text_input("Description", max_chars=1000)
            if st.form_submit_button("Create"):
                if ui.save("create_playlist", f"Playlist “{name}” created", name=name, owner=me.username,
                           description=desc.strip() or None):
                    st.rerun()
    lists = ui.playlists(db)
    if lists.is_empty():
        st.info("No playlists yet.", icon=":material/queue_music:")
        return
    names = dict(zip(lists["playlist_id"].to_list(), lists["name"].to_list()))
    chosen = st.selectbox("Playlist", list(names), format_func=lambda p: f"{names[p]}", key="cc_playlist")
    items = ui.playlist_clips(db, viewer, chosen)
    st.caption(f"{items.height} clip(s) you may see")
    for n, c in enumerate(items.iter_rows(named=True), start=1):
        if c["start_s"] is None and c["check_id"]:  # saved without times: the finding's searched window
            found = clips.finding_evidence(db, c["call_id"], c["check_id"])
            if found and found[1] is not None:
                c["start_s"], c["end_s"] = found[1], found[2]
        with st.container(border=True):
            st.markdown(f"**{n}. {ui.item_label(c['check_id']) if c['check_id'] else 'clip'}** — `{c['call_id']}` {c['agent_name'] or ''} · "
                        f"{ui.mmss(c['start_s'])}–{ui.mmss(c['end_s'])}" + (f"  \n{c['note']}" if c["note"] else ""))
            header = ui.call_header(db, viewer, c["call_id"])
            lines = ui.clip_excerpt(db, viewer, c["call_id"], c["start_s"], c["end_s"])
            if c["source"] == "import" or not (header.height and header["source_path"][0]):
                st.caption("Imported transcript: no audio. " + ("The stretch of the call:" if lines else ""))
            elif c["start_s"] is None:
                st.caption(_sentence(clips.why_no_clip(db, header["source_path"][0], None)))
            else:
                play_clip({"call_id": c["call_id"], "source": c["source"], "source_path": header["source_path"][0],
                           "evidence_start": c["start_s"], "evidence_end": c["end_s"],
                           "evidence_text": None}, pad=0.0)
            for line in lines:
                st.markdown(f"<small>{ui.escape(line)}</small>", unsafe_allow_html=True)
            if st.button("Remove", key=f"rm_{c['clip_id']}", type="tertiary"):
                if ui.save("remove_clip", "Clip removed", clip_id=c["clip_id"], actor=me.username):
                    st.rerun()
    if access.can(me, "export_clips") and items.height:
        if st.button("Export playlist (WAV clips + transcript excerpts)", key="cc_export"):
            specs = []
            for c in items.iter_rows(named=True):
                header = ui.call_header(db, viewer, c["call_id"])
                specs.append(clips.ClipSpec(c["call_id"], c["check_id"], c["start_s"], c["end_s"], c["note"],
                                            header["source_path"][0] if header.height else None))
            folder = clips.export_playlist(db, names[chosen], specs, mask=viewer.masks_identifiers)
            st.session_state["cc_zip"] = (folder.name, clips.zip_folder(folder))
            st.success(f"Exported to {folder}")
        if "cc_zip" in st.session_state:
            name, data = st.session_state["cc_zip"]
            st.download_button("Download the export (.zip)", data, file_name=f"{name}.zip", mime="application/zip")


def training_needs() -> None:
    needs = ui.training_needs(db, viewer, f)
    if needs.is_empty():
        st.info("No scored findings in this period.", icon=":material/inbox:")
        return
    by_team = ui.with_item_labels(needs.group_by("check_id", "team").agg(
        pl.col("checked").sum(), pl.col("failed").sum()).with_columns(
        (pl.col("failed") / pl.col("checked")).alias("fail_rate")).sort("check_id"))
    st.markdown("**Fail rate per item and team** (reviewed outcomes count where reviewed)")
    order = by_team["item"].unique(maintain_order=True).to_list()
    cells = alt.Chart(by_team).encode(
        y=alt.Y("item:N", title=None, sort=order, axis=alt.Axis(labelLimit=280)),
        x=alt.X("team:N", title=None, axis=alt.Axis(labelAngle=0, orient="top")))
    st.altair_chart((cells.mark_rect().encode(
        color=alt.Color("fail_rate:Q", title="fail rate", scale=alt.Scale(scheme="orangered"),
                        legend=alt.Legend(format="%", orient="bottom")),
        tooltip=["item", "team", alt.Tooltip("fail_rate:Q", format=".0%"), "failed", "checked"])
        + cells.mark_text(fontSize=11).encode(
            text=alt.Text("fail_rate:Q", format=".0%"),
            color=alt.condition(alt.datum.fail_rate > 0.4, alt.value("white"), alt.value("black"))))
        .properties(height=alt.Step(24)), width="stretch")
    overall = by_team.group_by("check_id").agg(pl.col("failed").sum(), pl.col("checked").sum()).with_columns(
        (pl.col("failed") / pl.col("checked")).alias("fail_rate")).sort("fail_rate", descending=True)
    top = overall.head(5)["check_id"].to_list()
    weekly = report.with_week_labels(ui.with_item_labels(needs.filter(pl.col("check_id").is_in(top)).group_by(
        "check_id", "week").agg(pl.col("failed").sum(), pl.col("checked").sum()).with_columns(
        (pl.col("failed") / pl.col("checked")).alias("fail_rate")).sort("week")))
    st.markdown("**The five items failing most, week by week**")
    st.altair_chart(alt.Chart(weekly).mark_line(point=True).encode(
        x=report.week_x(), y=alt.Y("fail_rate:Q", title="fail rate", axis=alt.Axis(format="%")),
        color=alt.Color("item:N", title=None, legend=alt.Legend(orient="bottom", columns=3, labelLimit=260)),
        tooltip=["item", alt.Tooltip("week:T", title="week of", format="%d %b %Y"),
                 alt.Tooltip("fail_rate:Q", format=".0%")]), width="stretch")
    ui.csv_button(by_team, "training-needs", "cc_needs_csv")
    st.markdown("**Example clips for each**")
    for item in top:
        rate = overall.filter(pl.col("check_id") == item)["fail_rate"][0]
        with st.expander(f"{ui.item_label(item)}: fails in {rate:.0%} of calls"):
            examples = ui.search_findings(db, viewer, f, item=item, outcome="fail").rows
            examples = _with_paths(examples.head(3)) if examples.height else examples
            for row in examples.iter_rows(named=True):
                st.markdown(f"`{row['call_id']}` {row['agent_name'] or ''} · {row['team'] or ''}")
                play_clip(row)


{"Find clips": find_clips, "Playlists": playlists, "Training needs": training_needs}[view]()
