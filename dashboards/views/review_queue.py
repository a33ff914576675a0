"""Review queue (QA specialists): the flagged and sampled calls shared out to each
specialist, newest or worst first; a call opens below with player, transcript and findings."""
import streamlit as st
from qa_pipeline.dashboards import call_view, ui

from qa_pipeline.insights.queries import PAGE_SIZE
from qa_pipeline.privacy import access

st.title("Review queue")
ui.pending_banner()
me = ui.user()
db, viewer = ui.db_path(), ui.viewer()
f = ui.call_filter("rq")
people = ui.specialists(db)

c1, c2, c3 = st.columns(3)
whose_options = (["mine"] if me.username in people else []) + ["everyone"] + [p for p in people if p != me.username]
whose = c1.selectbox("Queue", whose_options, key="rq_whose",
                     format_func=lambda v: {"mine": f"my queue ({me.username})", "everyone": "all queues"}.get(v, v))
status = c2.segmented_control("Show", ["open", "reviewed", "all"], default="open", key="rq_status") or "open"
order = c3.segmented_control("Order", ["newest", "worst"], default="newest", key="rq_order",
                             format_func={"newest": "newest first", "worst": "worst score first"}.get) or "newest"
assignee = me.username if whose == "mine" else None if whose == "everyone" else whose

if access.can(me, "review"):
    waiting = ui.flagged_unqueued(db, viewer)
    with st.expander(f"Share out new calls ({waiting} flagged call(s) not in a queue yet)"):
        share_now = ui.setting(db, "sample_share")
        a, b, c = st.columns([2, 2, 1], vertical_alignment="bottom")
        mode = a.radio("Share out", ["team", "turn"], horizontal=True, key="rq_mode",
                       format_func={"team": "by team (specialists' team)", "turn": "in turn"}.get)
        share = b.number_input("Random sample of unflagged calls (%)", 0.0, 100.0,
                               float(share_now) * 100 if share_now else 2.0, step=0.5, key="rq_share")
        if c.button("Share out", type="primary", disabled=not people,
                    help=None if people else "Add users with role 'qa' first"):
            ok = ui.save("set_setting", "Sample share saved", key="sample_share", value=share / 100,
                         actor=me.username)
            if ok and ui.save("assign_queue", "New calls shared out", by=mode, sample_share=share / 100,
                              actor=me.username):
                st.rerun()

page = st.session_state.get("rq_page", 0)
rows, total = ui.review_queue(db, viewer, f, assignee=assignee, status=status, order=order, page=page)
pages = max(1, -(-total // PAGE_SIZE))
st.caption(f"{total} call(s) · page {min(page, pages - 1) + 1} of {pages}")
if total == 0:
    st.info("No calls in this queue. Flagged calls appear here once they are shared out "
            "(above), and reviewed calls under 'Show: reviewed'.", icon=":material/inbox:")
else:
    shown = rows.select("call_id", "started_at", "team", "agent_name", "language", "auto_score", "human_score",
                        "flag_reasons", "queued_for", "assignee", "open_disputes", "source").with_columns(
        ui.score_text("human_score"))  # a dash, not "None", for a call nobody has reviewed
    picked = st.dataframe(
        shown, hide_index=True, on_select="rerun", selection_mode="single-row", key="rq_table",
        column_config={
            "call_id": "call", "agent_name": "agent", "queued_for": "queued for",
            "started_at": st.column_config.DatetimeColumn("started", format="YYYY-MM-DD HH:mm"),
            "auto_score": st.column_config.ProgressColumn("auto score", min_value=0, max_value=100, format="%.0f"),
            "human_score": st.column_config.TextColumn("human score"),
            "flag_reasons": st.column_config.ListColumn("flagged for"),
            "open_disputes": st.column_config.NumberColumn("disputes"),
        })
    nav1, nav2, nav3 = st.columns([1, 1, 6], vertical_alignment="center")
    if nav1.button("◀ Previous", disabled=page <= 0, key="rq_prev"):
        st.session_state["rq_page"] = page - 1
        st.rerun()
    if nav2.button("Next ▶", disabled=page >= pages - 1, key="rq_next"):
        st.session_state["rq_page"] = page + 1
        st.rerun()
    with nav3:
        ui.csv_button(rows, "review-queue", "rq_csv")
    selected = picked.selection.rows if picked and picked.selection else []
    if selected:
        st.session_state["rq_call"] = rows["call_id"][selected[0]]

typed = st.text_input("Open a call by id", key="rq_typed", max_chars=200)
call_id = typed.strip() or st.session_state.get("rq_call")
if call_id:
    st.divider()
    call_view.show(call_id, context="review")
