"""One call in detail: player, transcript, findings, and the review, dispute and
acknowledgement forms for whoever may use them."""
from __future__ import annotations

import json

import polars as pl
import streamlit as st
from qa_pipeline.dashboards import ui

from qa_pipeline.privacy import access

OUTCOMES = ["pass", "fail", "na"]


def show(call_id: str, *, context: str) -> None:
    """``context``: 'review' (the QA specialist's queue) or 'feedback' (agent / team lead)."""
    db, viewer = ui.db_path(), ui.viewer()
    header = ui.call_header(db, viewer, call_id)
    if header.is_empty():
        st.warning(f"Call {call_id} is not in the calls you may see (or has no scored result).")
        return
    call = header.row(0, named=True)
    me = ui.user()
    key = f"call_{call_id}"
    st.subheader(f"Call {call_id}")
    _summary(call)
    findings = ui.call_findings(db, viewer, call_id, call["rubric_id"], call["rubric_version"])
    playable = call["source"] != "import" and bool(call["source_path"])
    left, right = st.columns([3, 2], gap="large")
    with left:
        ui.audio_player(call, key)
        ui.transcript(ui.call_turns(db, viewer, call_id), key, playable)
        meta = json.loads(call["metadata"]) if call.get("metadata") else {}  # only what the viewer may see
        if meta:
            with st.expander("Call metadata"):
                st.json(meta)
    with right:
        _findings(findings, key, playable)
    disputes = ui.call_disputes(db, viewer, call_id)
    if context == "review" and access.can(me, "review"):
        _review_form(call, findings)
        _resolve_disputes(disputes, findings)
    else:
        _disputes_list(disputes)
    if context == "feedback":
        _agent_actions(call, findings, disputes)


def _summary(call: dict) -> None:
    cols = st.columns([1, 1, 3])
    cols[0].metric("Automatic score", f"{call['score']:.0f}" if call["score"] is not None else "–")
    human = call.get("human_score")
    delta = None if human is None or call["score"] is None else f"{human - call['score']:+.0f}"
    cols[1].metric("Human score", f"{human:.0f}" if human is not None else "–", delta,
                   help=None if human is not None else "not reviewed yet")
    cols[2].markdown(f"**{call['agent_name'] or call['agent_id'] or 'unknown agent'}** · {call['team'] or 'no team'} "
                     f"· language {call['language'] or '–'}")
    bits = [f"started {call['started_at']:%Y-%m-%d %H:%M}" if call["started_at"] else "no start time",
            "imported transcript" if call["source"] == "import" else "recorded call",
            f"rubric {call['rubric_id']} v{call['rubric_version']}"]
    if call["flagged"]:
        bits.append("flagged: " + ", ".join(call["flag_reasons"] or ["yes"]))
    if call["critical_fail"]:
        bits.append(":red[critical item failed]")
    if call.get("reviewer"):
        bits.append(f"reviewed by {call['reviewer']} on {call['reviewed_at']:%Y-%m-%d %H:%M}")
    st.caption(" · ".join(bits))
    if call.get("review_comment"):
        st.info(f"Reviewer's comment: {call['review_comment']}", icon=":material/rate_review:")


def _findings(findings: pl.DataFrame, key: str, playable: bool) -> None:
    st.markdown("**Rubric items**")
    if findings.is_empty():
        st.caption("No findings stored for this call.")
        return
    for f in findings.iter_rows(named=True):
        with st.container(border=True):
            head, play = st.columns([4, 1], vertical_alignment="center")
            crit = " :red[CRITICAL]" if f["critical"] else ""
            shown = ui.OUTCOME_BADGES.get(f["final_outcome"], f["final_outcome"])
            changed = ""
            if f["verdict"] == "override":
                changed = f" (automatic: {f['outcome']}, overridden by {f['reviewer']})"
            elif f["verdict"] == "confirm":
                changed = f" (confirmed by {f['reviewer']})"
            head.markdown(f"**{f['check_id']}** {shown}{crit}{changed}")
            if playable and f["evidence_start"] is not None:
                with play:
                    ui.play_button(f"▶ {ui.mmss(f['evidence_start'])}", f["evidence_start"],
                                   f"{key}_f{f['check_id']}", key)
            if f["evidence_text"]:
                who = f"{f['evidence_speaker']}: " if f["evidence_speaker"] else ""
                st.caption(f"“{who}{f['evidence_text']}”")
            if f["rule"]:
                st.caption(f"why: {f['rule']}")
            if f["review_comment"]:
                st.caption(f"reviewer: {f['review_comment']}")


def _review_form(call: dict, findings: pl.DataFrame) -> None:
    st.markdown("#### Your review")
    with st.form(f"review_{call['call_id']}"):
        choices = []
        for f in findings.iter_rows(named=True):
            a, b = st.columns([1, 3])
            current = f["human_outcome"] or f["outcome"]
            outcome = a.selectbox(f"{f['check_id']} (automatic: {f['outcome']})", OUTCOMES,
                                  index=OUTCOMES.index(current) if current in OUTCOMES else 0,
                                  key=f"rv_{call['call_id']}_{f['check_id']}")
            note = b.text_input("Comment (required when you change the outcome)", value=f["review_comment"] or "",
                                max_chars=1000, key=f"rc_{call['call_id']}_{f['check_id']}")
            choices.append({"check_id": f["check_id"], "outcome": outcome, "comment": note.strip() or None})
        overall = st.text_area("Comment for the agent and team lead", value=call.get("review_comment") or "",
                               max_chars=4000)
        if st.form_submit_button("Save review and mark reviewed", type="primary"):
            missing = [c["check_id"] for c, f in zip(choices, findings.iter_rows(named=True))
                       if c["outcome"] != f["outcome"] and not c["comment"]]
            if missing:
                st.error(f"Say why you changed {', '.join(missing)}: a comment is required for each override.")
            elif ui.save("review_call", f"Review of {call['call_id']} saved", call_id=call["call_id"],
                         reviewer=ui.user().username, findings=choices, comment=overall.strip() or None,
                         rubric=[call["rubric_id"], call["rubric_version"]]):
                st.rerun()


def _disputes_list(disputes: pl.DataFrame) -> None:
    if disputes.is_empty():
        return
    st.markdown("#### Disputes")
    for d in disputes.iter_rows(named=True):
        what = d["check_id"] or "the whole review"
        text = f"**{what}** — {d['opened_by']}: “{d['reason']}” · {d['status']}"
        if d["status"] != "open":
            text += f" by {d['resolved_by']}: {d['resolution']}"
        st.markdown(text)


def _resolve_disputes(disputes: pl.DataFrame, findings: pl.DataFrame) -> None:
    _disputes_list(disputes)
    for d in disputes.filter(pl.col("status") == "open").iter_rows(named=True):
        with st.form(f"resolve_{d['dispute_id']}"):
            st.markdown(f"Decide the dispute on **{d['check_id'] or 'the whole review'}**")
            upheld = st.radio("Decision", ["uphold (the agent is right)", "reject (the finding stands)"],
                              horizontal=True, key=f"dec_{d['dispute_id']}")
            outcome = None
            if d["check_id"]:
                outcome = st.selectbox("Outcome if upheld", OUTCOMES, key=f"out_{d['dispute_id']}")
            resolution = st.text_input("Answer to the agent", max_chars=1000, key=f"res_{d['dispute_id']}")
            if st.form_submit_button("Record decision"):
                if ui.save("resolve_dispute", "Dispute decided", dispute_id=d["dispute_id"],
                           resolved_by=ui.user().username, upheld=upheld.startswith("uphold"),
                           resolution=resolution, outcome=outcome if upheld.startswith("uphold") else None):
                    st.rerun()


def _agent_actions(call: dict, findings: pl.DataFrame, disputes: pl.DataFrame) -> None:
    me = ui.user()
    if call.get("reviewer") is None:
        st.caption("Not reviewed yet: acknowledgement and disputes open once a QA specialist has reviewed it.")
        return
    acks = ui.call_acknowledgements(ui.db_path(), ui.viewer(), call["call_id"])
    if access.can(me, "acknowledge"):
        if me.username in acks["username"].to_list():
            st.success("You acknowledged this review.", icon=":material/task_alt:")
        elif st.button("Acknowledge this review", key=f"ack_{call['call_id']}", type="primary"):
            if ui.save("acknowledge", "Review acknowledged", call_id=call["call_id"], username=me.username):
                st.rerun()
    if access.can(me, "dispute"):
        with st.form(f"dispute_{call['call_id']}"):
            st.markdown("**Dispute a finding**")
            options = [None] + findings["check_id"].to_list()
            check = st.selectbox("Finding", options, format_func=lambda v: v or "the whole review")
            reason = st.text_area("Why is it wrong?", max_chars=2000)
            if st.form_submit_button("Send dispute"):
                if ui.save("open_dispute", "Dispute sent to the reviewer", call_id=call["call_id"],
                           opened_by=me.username, reason=reason, check_id=check):
                    st.rerun()
