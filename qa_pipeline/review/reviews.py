"""The human side of QA: reviews of findings and calls, disputes and acknowledgements.

Every function takes an open read-write connection first and changes the database in a
few statements; none starts a transaction, so callers can group them::

    with store.opened("qa.duckdb") as con, store.transaction(con):
        reviews.review_finding(con, "call-0042", "C3", reviewer="li.qa", verdict="override",
                               outcome="pass", comment="asked at 03:12 in other words")
        reviews.save_review(con, "call-0042", reviewer="li.qa")   # human score from the findings

The dashboard goes through :func:`qa_pipeline.review.writes.write` instead, which never
loses a write while a batch holds the database. Every change is recorded in the audit log
(:func:`qa_pipeline.privacy.access.audit`). Queues, playlists and targets are in
:mod:`qa_pipeline.review.admin`.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import duckdb

from qa_pipeline.privacy.access import audit
from qa_pipeline.review.actions import ReviewError, action_time, new_id
from qa_pipeline.store import call_facts

__all__ = ["OUTCOMES", "VERDICTS", "ReviewError", "current_result", "review_finding", "human_score", "save_review",
           "review_call", "open_dispute", "resolve_dispute", "acknowledge", "WRITES"]

OUTCOMES = ("pass", "fail", "na")
VERDICTS = ("confirm", "override")


def current_result(con: duckdb.DuckDBPyConnection, call_id: str,
                   rubric: Optional[tuple[str, str]] = None) -> tuple[str, str, float]:
    """``(rubric_id, rubric_version, score)`` of the call's latest scoring (or of ``rubric``)."""
    sql = "SELECT rubric_id, rubric_version, score FROM result_store WHERE call_id = ?"
    params: list[Any] = [call_id]
    if rubric:
        sql += " AND rubric_id = ? AND rubric_version = ?"
        params += list(rubric)
    row = con.execute(sql + " ORDER BY scored_at DESC LIMIT 1", params).fetchone()
    if row is None:
        what = f"rubric {rubric[0]} {rubric[1]}" if rubric else "any rubric"
        raise ReviewError(f"call {call_id} has no result for {what}; score it first (qa run / qa score)")
    return row[0], row[1], row[2]


def review_finding(con: duckdb.DuckDBPyConnection, call_id: str, check_id: str, *, reviewer: str,
                   verdict: str = "confirm", outcome: Optional[str] = None, comment: Optional[str] = None,
                   rubric: Optional[tuple[str, str]] = None, at: Optional[str] = None) -> str:
    """Confirm a finding, or override it with ``outcome`` (pass/fail/na); returns the outcome kept.

    An override needs a comment saying why: the agent and the trainer read it.
    """
    outcome = _review_finding(con, call_id, check_id, reviewer=reviewer, verdict=verdict, outcome=outcome,
                              comment=comment, rubric=rubric, at=at)
    call_facts.refresh(con, [call_id])  # the dashboard counts the reviewed outcome
    return outcome


def _review_finding(con: duckdb.DuckDBPyConnection, call_id: str, check_id: str, *, reviewer: str, verdict: str,
                    outcome: Optional[str], comment: Optional[str], rubric: Optional[tuple[str, str]],
                    at: Optional[str]) -> str:
    """:func:`review_finding` without refreshing the call's facts (the caller does, once)."""
    if verdict not in VERDICTS:
        raise ReviewError(f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    rubric_id, version, _ = current_result(con, call_id, rubric)
    row = con.execute(
        "SELECT outcome FROM check_store WHERE call_id = ? AND rubric_id = ? AND rubric_version = ? AND check_id = ?",
        [call_id, rubric_id, version, check_id]).fetchone()
    if row is None:
        raise ReviewError(f"call {call_id} has no finding {check_id} under rubric {rubric_id} {version}")
    auto = row[0]
    if verdict == "confirm":
        outcome = auto
    elif outcome not in OUTCOMES:
        raise ReviewError(f"an override needs an outcome, one of {', '.join(OUTCOMES)} (got {outcome!r})")
    elif not (comment or "").strip():
        raise ReviewError(f"say why {check_id} is overridden: a comment is required")
    con.execute("DELETE FROM finding_review_store WHERE call_id = ? AND rubric_id = ? AND rubric_version = ? "
                "AND check_id = ?", [call_id, rubric_id, version, check_id])
    con.execute("INSERT INTO finding_review_store VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [call_id, rubric_id, version, check_id, verdict, auto, outcome, comment, reviewer, action_time(at)])
    audit(con, reviewer, f"finding.{verdict}", call_id,
          {"check_id": check_id, "rubric": [rubric_id, version], "auto": auto, "outcome": outcome,
           "comment": comment})
    return outcome


def human_score(con: duckdb.DuckDBPyConnection, call_id: str, rubric_id: str, version: str) -> Optional[float]:
    """The QA form's score over the outcomes a person stands by (reviewed where reviewed):
    100 × passed weight / weight of items not na; 0 when a critical item fails."""
    row = con.execute(
        """SELECT bool_or(critical AND final_outcome = 'fail'),
                  sum(CASE WHEN final_outcome = 'pass' THEN weight ELSE 0 END),
                  sum(CASE WHEN final_outcome <> 'na' THEN weight ELSE 0 END)
           FROM final_check_results WHERE call_id = ? AND rubric_id = ? AND rubric_version = ?""",
        [call_id, rubric_id, version]).fetchone()
    if row is None or row[2] is None:
        return None
    critical_fail, passed, counted = row
    if critical_fail:
        return 0.0
    return round(100.0 * passed / counted, 1) if counted else None


def save_review(con: duckdb.DuckDBPyConnection, call_id: str, *, reviewer: str,
                score: Optional[float] = None, comment: Optional[str] = None,
                rubric: Optional[tuple[str, str]] = None, at: Optional[str] = None) -> float | None:
    """Mark the call reviewed, keeping the automatic score beside the human one.

    ``score`` defaults to :func:`human_score` over the reviewed findings. Returns it.
    A reviewed call leaves its reviewer's open queue (unless a dispute reopens it).
    """
    rubric_id, version, auto = current_result(con, call_id, rubric)
    if score is None:
        score = human_score(con, call_id, rubric_id, version)
    elif not 0 <= float(score) <= 100:
        raise ReviewError(f"a score is between 0 and 100 (got {score})")
    con.execute("DELETE FROM review_store WHERE call_id = ? AND rubric_id = ? AND rubric_version = ?",
                [call_id, rubric_id, version])
    con.execute("INSERT INTO review_store VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [call_id, rubric_id, version, reviewer, auto, score, comment, action_time(at)])
    call_facts.refresh_queue(con, [call_id])  # reviewed: out of the open queue
    audit(con, reviewer, "review.save", call_id,
          {"rubric": [rubric_id, version], "auto_score": auto, "human_score": score, "comment": comment})
    return score


def review_call(con: duckdb.DuckDBPyConnection, call_id: str, *, reviewer: str, findings: Sequence[dict] = (),
                comment: Optional[str] = None, score: Optional[float] = None,
                rubric: Optional[tuple[str, str]] = None, at: Optional[str] = None) -> float | None:
    """A whole review in one go (what the dashboard's review form saves, as one transaction):
    each ``{"check_id", "outcome", "comment"}`` in ``findings`` confirms the finding when the
    outcome equals the automatic one and overrides it otherwise; then the call is marked
    reviewed (:func:`save_review`). Returns the human score."""
    rubric_id, version, _ = current_result(con, call_id, rubric)
    autos = dict(con.execute("SELECT check_id, outcome FROM check_store WHERE call_id = ? AND rubric_id = ? "
                             "AND rubric_version = ?", [call_id, rubric_id, version]).fetchall())
    for f in findings:
        check_id, outcome = f["check_id"], f.get("outcome")
        verdict = "confirm" if outcome in (None, autos.get(check_id)) else "override"
        _review_finding(con, call_id, check_id, reviewer=reviewer, verdict=verdict, outcome=outcome,
                        comment=f.get("comment"), rubric=(rubric_id, version), at=at)
    if findings:  # once for the whole form, not once per finding (each refresh reads the large tables)
        call_facts.refresh(con, [call_id])
    return save_review(con, call_id, reviewer=reviewer, score=score, comment=comment,
                       rubric=(rubric_id, version), at=at)


def open_dispute(con: duckdb.DuckDBPyConnection, call_id: str, *, opened_by: str, reason: str,
                 check_id: Optional[str] = None, dispute_id: Optional[str] = None,
                 at: Optional[str] = None) -> str:
    """An agent (or team lead) disputes a finding — or the whole review when ``check_id`` is None.
    The same person disputing the same finding with the same words while that dispute is open
    is refused (:class:`ReviewError`): a second click must not file it twice.

    The call reappears in the queue it was reviewed from (or, if it was never queued, in its
    reviewer's queue with reason 'dispute') until the dispute is resolved.
    Returns the dispute id.
    """
    if not (reason or "").strip():
        raise ReviewError("a dispute needs a reason the reviewer can answer")
    rubric_id, version, _ = current_result(con, call_id)
    if check_id is not None and con.execute(
            "SELECT 1 FROM check_store WHERE call_id = ? AND rubric_id = ? AND rubric_version = ? AND check_id = ?",
            [call_id, rubric_id, version, check_id]).fetchone() is None:
        raise ReviewError(f"call {call_id} has no finding {check_id} to dispute")
    same = con.execute(
        "SELECT dispute_id FROM dispute_store WHERE call_id = ? AND check_id IS NOT DISTINCT FROM ? AND opened_by = ? "
        "AND status = 'open' AND lower(regexp_replace(trim(reason), '\\s+', ' ', 'g')) = ?",
        [call_id, check_id, opened_by, " ".join(reason.split()).lower()]).fetchone()
    if same is not None and same[0] != dispute_id:
        what = f"finding {check_id}" if check_id else "the whole review"
        raise ReviewError(f"You already disputed {what} of call {call_id} with these words; that dispute is still "
                          "open and waits for the reviewer's answer.")
    dispute_id = dispute_id or new_id("dispute")
    when = action_time(at)
    con.execute(
        "INSERT INTO dispute_store (dispute_id, call_id, rubric_id, rubric_version, check_id, opened_by, reason, "
        "opened_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open')",
        [dispute_id, call_id, rubric_id, version, check_id, opened_by, reason.strip(), when])
    if con.execute("SELECT 1 FROM queue_store WHERE call_id = ?", [call_id]).fetchone() is None:
        reviewer = con.execute("SELECT reviewer FROM review_store WHERE call_id = ? ORDER BY reviewed_at DESC LIMIT 1",
                               [call_id]).fetchone()
        if reviewer:  # back to whoever reviewed it; an open dispute keeps it in their queue
            con.execute("INSERT INTO queue_store VALUES (?, ?, 'dispute', ?)", [call_id, reviewer[0], when])
    call_facts.refresh_queue(con, [call_id])  # back in the open queue
    audit(con, opened_by, "dispute.open", call_id, {"dispute_id": dispute_id, "check_id": check_id, "reason": reason})
    return dispute_id


def resolve_dispute(con: duckdb.DuckDBPyConnection, dispute_id: str, *, resolved_by: str, upheld: bool,
                    resolution: str, outcome: Optional[str] = None, at: Optional[str] = None) -> None:
    """Close a dispute. Upheld with an ``outcome``: the finding is overridden to it and the
    human score recomputed. Rejected: the finding stands. The resolution is shown to the agent."""
    row = con.execute("SELECT call_id, check_id, status FROM dispute_store WHERE dispute_id = ?",
                      [dispute_id]).fetchone()
    if row is None:
        raise ReviewError(f"no dispute {dispute_id}")
    call_id, check_id, status = row
    if status != "open":
        raise ReviewError(f"dispute {dispute_id} is already {status}")
    if not (resolution or "").strip():
        raise ReviewError("say how the dispute was decided: the agent reads it")
    if upheld and check_id and outcome:
        review_finding(con, call_id, check_id, reviewer=resolved_by, verdict="override", outcome=outcome,
                       comment=f"dispute upheld: {resolution}", at=at)
        if con.execute("SELECT 1 FROM review_store WHERE call_id = ?", [call_id]).fetchone():
            save_review(con, call_id, reviewer=resolved_by, comment=f"re-scored after dispute: {resolution}", at=at)
    con.execute("UPDATE dispute_store SET status = ?, resolved_by = ?, resolution = ?, resolved_outcome = ?, "
                "resolved_at = ? WHERE dispute_id = ?",
                ["upheld" if upheld else "rejected", resolved_by, resolution.strip(), outcome, action_time(at),
                 dispute_id])
    call_facts.refresh_queue(con, [call_id])
    audit(con, resolved_by, "dispute.resolve", call_id,
          {"dispute_id": dispute_id, "upheld": upheld, "outcome": outcome, "resolution": resolution})


def acknowledge(con: duckdb.DuckDBPyConnection, call_id: str, *, username: str,
                comment: Optional[str] = None, at: Optional[str] = None) -> None:
    """The agent confirms they have read the review of this call."""
    if con.execute("SELECT 1 FROM review_store WHERE call_id = ?", [call_id]).fetchone() is None:
        raise ReviewError(f"call {call_id} has not been reviewed yet; there is nothing to acknowledge")
    con.execute("DELETE FROM acknowledgement_store WHERE call_id = ? AND username = ?", [call_id, username])
    con.execute("INSERT INTO acknowledgement_store VALUES (?, ?, ?, ?)", [call_id, username, comment, action_time(at)])
    audit(con, username, "review.acknowledge", call_id, {"comment": comment})


# The actions above that the dashboard applies by name (qa_pipeline.review.writes).
WRITES = {
    "review_finding": review_finding,
    "save_review": save_review,
    "review_call": review_call,
    "open_dispute": open_dispute,
    "resolve_dispute": resolve_dispute,
    "acknowledge": acknowledge,
}

