"""One call in detail: player, transcript, findings, and the review, dispute and
acknowledgement forms for whoever may use them."""
from __future__ import annotations

import json

import polars as pl
import streamlit as st
from qa_pipeline.dashboards import ui

from qa_pipeline.insights import items
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
    reviewing = context == "review" and access.can(me, "review")
    # A reviewer needs room for a verdict beside each finding's evidence.
    left, right = st.columns([2, 3] if reviewing else [3, 2], gap="large")
    with left:
        ui.audio_player(call, key)
        ui.transcript(ui.call_turns(db, viewer, call_id), key, playable)
        meta = json.loads(call["metadata"]) if call.get("metadata") else {}  # only what the viewer may see
        if meta:
            with st.expander("Call metadata"):
                st.json(meta)
    with right:
        _findings(findings, key, playable, call if reviewing else None)
    disputes = ui.call_disputes(db, viewer, call_id)
    if reviewing:
        _resolve_disputes(disputes, findings)
    else:
        _disputes_list(disputes)
    if context == "feedback":
        _agent_actions(call, findings, disputes)


def _summary(call: dict) -> None:
    cols = st.columns([1, 1, 3])
    cols[0].metric("Automatic score", f"{call['score']:.0f}" if call["score"] is not None else "–")
    human = call.get("human_score")
    change = None if human is None or call["score"] is None else round(human - call["score"])
    delta = f"{change:+d} vs automatic" if change else None  # an unchanged score shows no arrow
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


def outcome_badge(check_id: str, outcome: str) -> str:
    """The outcome as a badge; a trigger (the complaint) reads 'complaint call: yes/no', not pass/fail."""
    if items.is_trigger(check_id):
        words = items.outcome_words(check_id, outcome)
        return f":blue-badge[{words}]" if outcome == "pass" else f":gray-badge[{words}]"
    return ui.OUTCOME_BADGES.get(outcome, outcome)


def _findings(findings: pl.DataFrame, key: str, playable: bool, review_of: dict | None) -> None:
    """Each item with its outcome, evidence and why; for a reviewer (``review_of`` the call)
    their verdict and comment sit beside the evidence, saved with one button at the end."""
    st.markdown("**Rubric items**" if review_of is None else "**Rubric items — your review**")
    if findings.is_empty():
        st.caption("No findings stored for this call.")
        return
    lang = ui.language()
    admin = ui.user().role == "admin"
    # The trigger first: whether it is a complaint call decides what the D items mean.
    findings = findings.sort(pl.col("check_id").map_elements(items.is_trigger, return_dtype=pl.Boolean),
                             "check_id", descending=[True, False])
    choices = []
    for f in findings.iter_rows(named=True):
        with st.container(border=True):
            if review_of is None:
                evidence, verdict = st.container(), None
            else:
                evidence, verdict = st.columns([3, 2], gap="small")
            with evidence:
                _finding_text(f, key, playable, lang, admin)
            if verdict is not None:
                with verdict:
                    choices.append(_verdict(review_of["call_id"], f))
    if review_of is not None:
        _save_review(review_of, findings, choices)


def _finding_text(f: dict, key: str, playable: bool, lang: str, admin: bool) -> None:
    crit = " :red[CRITICAL]" if f["critical"] else ""
    changed = ""
    if f["verdict"] == "override":
        changed = f" (automatic: {items.outcome_words(f['check_id'], f['outcome'])}, overridden by {f['reviewer']})"
    elif f["verdict"] == "confirm":
        changed = f" (confirmed by {f['reviewer']})"
    head, play = st.columns([4, 1], vertical_alignment="center")
    head.markdown(f"**{ui.escape(items.item_label(f['check_id'], lang))}** "
                  f"{outcome_badge(f['check_id'], f['final_outcome'])}{crit}{changed}")
    if playable and f["evidence_start"] is not None:
        with play:
            ui.play_button(f"▶ {ui.mmss(f['evidence_start'])}", f["evidence_start"], f"{key}_f{f['check_id']}", key)
    if f["evidence_text"]:
        who = f"{f['evidence_speaker']}: " if f["evidence_speaker"] else ""
        st.caption(f"“{ui.escape(who + f['evidence_text'])}”")
    why = items.explain(f["rule"], f["check_id"], f["outcome"], lang)
    if why and why != items.outcome_words(f["check_id"], f["outcome"]):  # not the badge again
        st.caption(f"why: {ui.escape(why)}")
    if admin and f["rule"] and f["rule"] != why:
        with st.expander("rule as the scorer wrote it"):
            st.code(f["rule"], language=None, wrap_lines=True)
    if f["review_comment"]:
        st.caption(f"reviewer: {ui.escape(f['review_comment'])}")


def _verdict(call_id: str, f: dict) -> dict:
    current = f["human_outcome"] or f["outcome"]
    words = {o: items.outcome_words(f["check_id"], o) for o in OUTCOMES}
    outcome = st.selectbox("Your verdict", OUTCOMES, help=f"automatic: {words.get(f['outcome'], f['outcome'])}",
                           index=OUTCOMES.index(current) if current in OUTCOMES else 0, format_func=words.get,
                           key=f"rv_{call_id}_{f['check_id']}")
    note = st.text_input("Comment", value=f["review_comment"] or "", max_chars=1000,
                         key=f"rc_{call_id}_{f['check_id']}", placeholder="why, if you change it")
    return {"check_id": f["check_id"], "outcome": outcome, "comment": note.strip() or None}


def _save_review(call: dict, findings: pl.DataFrame, choices: list[dict]) -> None:
    overall = st.text_area("Comment for the agent and team lead", value=call.get("review_comment") or "",
                           max_chars=4000, key=f"rv_overall_{call['call_id']}")
    if st.button("Save review and mark reviewed", type="primary", key=f"rv_save_{call['call_id']}"):
        missing = [items.item_label(c["check_id"], ui.language()) for c, f in
                   zip(choices, findings.iter_rows(named=True)) if c["outcome"] != f["outcome"] and not c["comment"]]
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
        what = items.item_label(d["check_id"], ui.language()) if d["check_id"] else "the whole review"
        text = f"**{what}** — {d['opened_by']}: “{d['reason']}” · {d['status']}"
        if d["status"] != "open":
            text += f" by {d['resolved_by']}: {d['resolution']}"
        st.markdown(text)


def _resolve_disputes(disputes: pl.DataFrame, findings: pl.DataFrame) -> None:
    _disputes_list(disputes)
    for d in disputes.filter(pl.col("status") == "open").iter_rows(named=True):
        with st.form(f"resolve_{d['dispute_id']}"):
            what = items.item_label(d["check_id"], ui.language()) if d["check_id"] else "the whole review"
            st.markdown(f"Decide the dispute on **{what}**")
            upheld = st.radio("Decision", ["uphold (the agent is right)", "reject (the finding stands)"],
                              horizontal=True, key=f"dec_{d['dispute_id']}")
            outcome = None
            if d["check_id"]:
                outcome = st.selectbox("Outcome if upheld", OUTCOMES, key=f"out_{d['dispute_id']}",
                                       format_func=lambda o, c=d["check_id"]: items.outcome_words(c, o))
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
        # A new form (new key) after each dispute sent: the sent text does not stay to be sent twice.
        sent = st.session_state.get(f"disputes_sent_{call['call_id']}", 0)
        with st.form(f"dispute_{call['call_id']}_{sent}"):
            st.markdown("**Dispute a finding**")
            options = [None] + findings["check_id"].to_list()
            check = st.selectbox("Finding", options,
                                 format_func=lambda v: items.item_label(v, ui.language()) if v else "the whole review")
            reason = st.text_area("Why is it wrong?", max_chars=2000)
            if st.form_submit_button("Send dispute") and ui.save(
                    "open_dispute", "Dispute sent to the reviewer", call_id=call["call_id"], opened_by=me.username,
                    reason=reason, check_id=check):
                st.session_state[f"disputes_sent_{call['call_id']}"] = sent + 1
                st.rerun()
