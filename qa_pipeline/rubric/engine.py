"""Score a call against a rubric: every check answered pass/fail/na with evidence, then
the weighted score and the flags, as the QA form says.

Score = 100 × (weights of passed items) / (weights of items that are not na); a failed
CRITICAL item sets the score to 0. Flags come from the rubric's ``flags:`` rules.
"""
from __future__ import annotations

import logging
from typing import Optional, Sequence, Union

from qa_pipeline.records import Call, CallMetrics, CallResult, Finding, maker
from qa_pipeline.rubric.checks.base import Batch, Context, Scope, Verdict
from qa_pipeline.rubric.checks.window import where_it_should_have_happened
from qa_pipeline.rubric.learned import version_in_use
from qa_pipeline.rubric.metrics import compute_metrics
from qa_pipeline.rubric.model import Check, Rubric
from qa_pipeline.rubric.view import CallView
from qa_pipeline.speech.activity import coverage_flags

log = logging.getLogger(__name__)

__all__ = ["score_call", "score_calls", "evaluate_checks", "prepare"]

UNKNOWN_SPEAKERS_REASON = "speakers unknown: agent items could not be judged"
NO_AGENT_REASON = "no agent turns"
NOTHING_TO_SCORE = "nothing could be scored"
# A mono call whose agent/customer decision needs a person: always flagged, whatever the rubric.
ROLES_UNCERTAIN_REASON = "roles uncertain"


_make_finding = maker(Finding)


def _finding(check: Check, outcome: str, verdict: Verdict, judgements: list[tuple[float, bool]] = (),
             view: Optional[CallView] = None, gate: Optional[Verdict] = None) -> Finding:
    confidence = min(c for c, _ in judgements) if judgements else None
    unsure = any(u for _, u in judgements) and outcome != "na"
    evidence = verdict.evidence
    if (view is not None and (outcome == "fail" or unsure) and check.kind == "item"
            and (evidence is None or evidence.start is None)):
        # Nothing quoted, or nothing timed: where the check should have happened, so that a
        # trainer's clip of the failure has its audio and words. A verdict's own timed evidence
        # (a breach, a searched window) is kept; the outcome is never changed.
        window = where_it_should_have_happened(view, gate)
        if window is not None and (evidence is None or window.start is not None):
            evidence = window
    return _make_finding(check.id, outcome, evidence, verdict.rule or None, check.critical, check.weight,
                         confidence, unsure)


_ORDERS: dict[int, tuple[Rubric, tuple[Check, ...]]] = {}


def _in_order(rubric: Rubric) -> tuple[Check, ...]:
    """The rubric's checks in evaluation order (worked out once per rubric object)."""
    cached = _ORDERS.get(id(rubric))
    if cached is None or cached[0] is not rubric:
        by_id = {c.id: c for c in rubric.checks}
        cached = _ORDERS[id(rubric)] = (rubric, tuple(by_id[cid] for cid in rubric.evaluation_order))
    return cached[1]


def prepare(rubric: Rubric) -> None:
    """Work out now what scoring works out on first use and keeps for the process (a learned
    check's model: every condition with a ``prepare()`` method is asked). `qa score` calls it
    before forking its workers, so that they share it instead of each making it again."""
    stack: list = [c.rule for c in rubric.checks] + [c.applies_when for c in rubric.checks]
    stack += list(rubric.conditions.values())
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        ready = getattr(node, "prepare", None)
        if callable(ready):
            ready()
        # The conditions a condition holds: parts, a rule, a scope's after/before (a walk over
        # attributes, so that a new check type with nested conditions needs no entry here).
        for value in getattr(node, "__dict__", {}).values():
            for v in value if isinstance(value, (list, tuple)) else (value,):
                if hasattr(v, "type_id") or isinstance(v, Scope):
                    stack.append(v)


def evaluate_checks(view: CallView, rubric: Rubric, batch: Optional[Batch] = None) -> dict[str, Finding]:
    """Every check's finding for one prepared call, keyed by check id. ``batch``: the calls
    scored with it against the same rubric (:func:`score_calls`); None for this call alone."""
    ctx = Context(view=view, conditions=rubric.conditions, batch=batch if batch is not None else Batch((view,)))
    findings: dict[str, Finding] = {}
    for check in _in_order(rubric):
        cid = check.id
        gate = None
        if check.applies_when is not None:
            gate = check.applies_when.evaluate(ctx)
            if gate.value is not True:
                verdict = Verdict(None, gate.evidence, f"not applicable: {gate.rule}")
                ctx.verdicts[cid] = verdict
                ctx.outcomes[cid] = "na"
                findings[cid] = _finding(check, "na", verdict)
                continue
        made = len(ctx.judgements)
        verdict = check.rule.evaluate(ctx)
        outcome = "na" if verdict.value is None else ("pass" if verdict.value else "fail")
        ctx.verdicts[cid] = verdict
        ctx.outcomes[cid] = outcome
        findings[cid] = _finding(check, outcome, verdict, ctx.judgements[made:], view, gate)
    return findings


def _flag_reasons(rubric: Rubric, view: CallView, findings: list[Finding], score: Optional[float],
                  metrics: CallMetrics) -> list[str]:
    rules = rubric.flags
    reasons = []
    if rules.critical_fail:
        for f in findings:
            if f.critical and f.outcome == "fail":
                reasons.append(f"critical fail: {f.check_id}")
    if score is None:
        reasons.append(NOTHING_TO_SCORE)
    elif rules.score_below is not None and score < rules.score_below:
        reasons.append(f"score {score:.0f} below {rules.score_below:g}")
    for f in findings:
        if f.unsure:
            reasons.append(f"unsure: {f.check_id}")
    by_id = {f.check_id: f for f in findings}
    for t in rules.triggers:
        if by_id.get(t) is not None and by_id[t].outcome == "pass":
            reasons.append(f"{t} call" if t == "complaint" else f"trigger: {t}")
    for m in rules.metrics:
        value = view.call.info.ring_seconds if m.metric == "ring_seconds" else getattr(metrics, m.metric, None)
        if value is None:
            continue
        if (m.above is not None and value > m.above) or (m.below is not None and value < m.below):
            reasons.append(f"{m.reason} ({value:g})")
    if rules.unknown_speakers and view.turns:
        if not view.speakers_known:
            reasons.append(UNKNOWN_SPEAKERS_REASON)
        elif not view.has_agent:
            reasons.append(NO_AGENT_REASON)
    if view.call.roles_uncertain:
        reasons.append(ROLES_UNCERTAIN_REASON)
    reasons.extend(coverage_flags(view.call.coverage))  # a side of the call largely without words
    return reasons


def score_call(call: Call, rubric: Rubric, *, metrics: Optional[CallMetrics] = None,
               sentiment: Optional[float] = None, norms: Optional[list[str]] = None) -> CallResult:
    """Score one call. ``metrics``/``sentiment``/``norms``: already computed values to reuse
    (re-scoring reuses the stored customer sentiment and normalised turn texts, which only
    depend on the transcript). The same as :func:`score_calls` with a batch of one."""
    return score_calls([call], rubric, metrics=[metrics], sentiments=[sentiment], norms=[norms])[0]


def score_calls(calls: Sequence[Call], rubrics: Union[Rubric, Sequence[Rubric]], *,
                metrics: Optional[Sequence[Optional[CallMetrics]]] = None,
                sentiments: Optional[Sequence[Optional[float]]] = None,
                norms: Optional[Sequence[Optional[list[str]]]] = None) -> list[CallResult]:
    """Score calls together, each against its rubric (one for all, or one per call), in order.

    The calls of each rubric are one batch: a learned judgement scores every sentence of the
    batch whose vector is known (stored or cached) in one product per item, and each call
    reads its own from there (:class:`~qa_pipeline.rubric.checks.base.Batch`). A call's
    result does not depend on the calls scored with it: :func:`score_call` is this function
    with a batch of one. ``metrics``/``sentiments``/``norms``: per call, as for :func:`score_call`."""
    n = len(calls)
    per_call = [rubrics] * n if isinstance(rubrics, Rubric) else list(rubrics)
    if len(per_call) != n:
        raise ValueError(f"{n} calls and {len(per_call)} rubrics: give one rubric, or one per call")
    metrics = metrics if metrics is not None else [None] * n
    sentiments = sentiments if sentiments is not None else [None] * n
    norms = norms if norms is not None else [None] * n
    views = [CallView(call, m if m is not None else compute_metrics(call, sentiment=s), nm)
             for call, m, s, nm in zip(calls, metrics, sentiments, norms)]
    groups: dict[int, list[int]] = {}
    for i, rubric in enumerate(per_call):
        groups.setdefault(id(rubric), []).append(i)
    results: list[Optional[CallResult]] = [None] * n
    for members in groups.values():
        batch = Batch(tuple(views[i] for i in members))
        for i in members:
            results[i] = _result(views[i], per_call[i], batch)
    return results  # type: ignore[return-value]


def _result(view: CallView, rubric: Rubric, batch: Batch) -> CallResult:
    call, metrics = view.call, view.metrics
    assert metrics is not None
    by_id = evaluate_checks(view, rubric, batch)
    findings = [by_id[c.id] for c in rubric.checks]
    scored = [f for f, c in zip(findings, rubric.checks) if c.kind == "item" and f.outcome != "na"]
    denominator = sum(f.weight for f in scored)
    critical_fail = any(f.critical and f.outcome == "fail" for f in findings)
    score: Optional[float]
    if critical_fail:
        score = 0.0
    elif denominator > 0:
        score = round(100.0 * sum(f.weight for f in scored if f.outcome == "pass") / denominator, 2)
    else:
        score = None
    reasons = _flag_reasons(rubric, view, findings, score, metrics)
    # A complaint call: a trigger check named complaint, or one built on the complaint type, fired.
    complaint = any(by_id[c.id].outcome == "pass" for c in rubric.checks
                    if c.kind == "trigger" and (c.id == "complaint" or c.rule.type_id == "complaint"))
    return CallResult(
        call_id=call.call_id, rubric_id=rubric.id, rubric_version=rubric.version,
        score=score if score is not None else 0.0, flagged=bool(reasons), flag_reasons=tuple(reasons),
        findings=tuple(findings), complaint=complaint, metrics=metrics, model_version=version_in_use(),
    )

