"""metric: a conversation metric within bounds (``min`` ≤ value ≤ ``max``).

Metrics: ``ring_seconds`` (call metadata), ``first_agent_words_seconds``,
``longest_silence_seconds``, ``silences_over_5s``, ``agent_talkovers`` (agent starting more
than ``overlap_seconds`` before the customer's turn ends), ``talk_ratio`` (agent share of
talk), ``speech_rate`` (agent chars/min or words/min), ``agent_talk_seconds``,
``customer_talk_seconds``, ``customer_sentiment``. A metric that cannot be measured (no
ring time, no turn times, no agent turns) makes the condition unknown, so the check is na.

.. code-block:: yaml

    type: metric
    metric: ring_seconds
    max: 15

PASS: ring_seconds 15.  FAIL: ring_seconds 18.  NA: no ring_seconds in the metadata.

A failed metric quotes the moment it measured, timed, for a trainer's clip: the opening up to
the agent's first words (``first_agent_words_seconds``, ``ring_seconds``), the talk-overs
(``agent_talkovers``), the turns either side of the silence (``longest_silence_seconds``,
``silences_over_5s``). A metric of the whole call (talk ratio, speech rate) quotes the
customer's request and the agent's answer (:func:`~qa_pipeline.rubric.checks.window.after_request`).
"""
from __future__ import annotations

from typing import Optional

from qa_pipeline.records import Evidence
from qa_pipeline.rubric.checks.base import Builder, Context, Option, Verdict
from qa_pipeline.rubric.checks.window import SPAN_SECONDS, after_request, mmss, window_evidence
from qa_pipeline.rubric.metrics import SILENCE_REPORT_SECONDS, talkovers
from qa_pipeline.rubric.view import CallView, TurnView

ID = "metric"
METRICS = ("ring_seconds", "first_agent_words_seconds", "longest_silence_seconds", "silences_over_5s",
           "agent_talkovers", "talk_ratio", "speech_rate", "agent_talk_seconds", "customer_talk_seconds",
           "customer_sentiment")
OPTIONS = {
    "metric": Option((str,), required=True, choices=METRICS, help="which metric"),
    "min": Option((int, float), help="lowest value that holds"),
    "max": Option((int, float), help="highest value that holds"),
    "overlap_seconds": Option((int, float), 1.0, help="agent_talkovers: overlap that counts"),
}


def metric_value(view: CallView, name: str, overlap_seconds: float = 1.0) -> Optional[float]:
    if name == "ring_seconds":
        return view.call.info.ring_seconds
    if name == "agent_talkovers":
        if not view.has_times or not view.has_agent:
            return None
        return talkovers(view.call, overlap_seconds)
    if view.metrics is None:
        return None
    return getattr(view.metrics, name)


class MetricNode:
    type_id = ID

    def __init__(self, metric: str, low, high, overlap: float, label: str):
        self.metric, self.low, self.high, self.overlap = metric, low, high, overlap
        self.label = label or metric.replace("_", " ")

    def check_refs(self) -> set[str]:
        return set()

    def evaluate(self, ctx: Context) -> Verdict:
        value = metric_value(ctx.view, self.metric, self.overlap)
        if value is None:
            return Verdict(None, rule=f"{self.label}: not measurable for this call")
        ok = (self.low is None or value >= self.low) and (self.high is None or value <= self.high)
        bounds = " and ".join(x for x in (
            f">= {self.low:g}" if self.low is not None else "", f"<= {self.high:g}" if self.high is not None else "")
            if x)
        evidence = None if ok else measured_moment(ctx.view, self.metric, value, self.overlap)
        return Verdict(ok, evidence, f"{self.label} = {value:g} (needs {bounds})")


def _timed_turns(view: CallView) -> list[TurnView]:
    return sorted((t for t in view.turns if t.start is not None and t.end is not None), key=lambda t: t.start)


def _opening(view: CallView, what: str) -> Optional[Evidence]:
    """From the recording's start to the end of the agent's first turn."""
    turns = _timed_turns(view)
    first = next((t for t in turns if t.role == "agent"), None)
    if first is None:
        return None
    return window_evidence([t for t in turns if t.start <= first.start], what, start=0.0)


def _talkovers(view: CallView, overlap: float) -> Optional[Evidence]:
    """The customer's turns the agent talked over and the agent's turns that did, as far as a
    minute from the first reaches (the sweep of :func:`qa_pipeline.rubric.metrics.talkovers`)."""
    turns = _timed_turns(view)
    pairs, latest = [], None
    customers = [t for t in turns if t.role == "customer"]
    i = 0
    for agent in (t for t in turns if t.role == "agent"):
        while i < len(customers) and customers[i].start < agent.start:
            if latest is None or customers[i].end > latest.end:
                latest = customers[i]
            i += 1
        if latest is not None and latest.end - agent.start > overlap:
            pairs.append((latest, agent))
    if not pairs:
        return None
    first = pairs[0][0].start
    shown = [p for p in pairs if p[1].end - first <= SPAN_SECONDS] or pairs[:1]
    quoted = sorted({t.index: t for pair in shown for t in pair}.values(), key=lambda t: t.index)
    what = (f"the agent talking over the customer, {len(pairs)} time(s); "
            + (f"the first {len(shown)} quoted" if len(shown) < len(pairs) else "all quoted"))
    return window_evidence(quoted, what)


def _silence(view: CallView, longest: bool) -> Optional[Evidence]:
    """The turns either side of the longest silence (or of the first one over 5 s)."""
    turns = _timed_turns(view)
    found, spoken_until, before = None, None, None
    for t in turns:
        if spoken_until is not None and t.start > spoken_until:
            gap = t.start - spoken_until
            if (longest and (found is None or gap > found[0])) or (not longest and gap > SILENCE_REPORT_SECONDS):
                found = (gap, before, t)
                if not longest:
                    break
        if spoken_until is None or t.end >= spoken_until:
            spoken_until, before = t.end, t
    if found is None:
        return None
    gap, before, after = found
    what = f"{'the longest silence' if longest else 'a silence'}, {gap:.1f} s from {mmss(before.end)} to {mmss(after.start)}"
    return window_evidence([before, after], what)


def measured_moment(view: CallView, metric: str, value: float, overlap: float = 1.0) -> Optional[Evidence]:
    """The moment of the call a failed metric measured, quoted and timed; for a metric of the
    whole call, the customer's request and the agent's answer; ``None`` without turn times."""
    if not view.has_times:
        return None
    if metric == "first_agent_words_seconds":
        return _opening(view, f"dead air: the recording's start to the agent's first words at {mmss(value)}")
    if metric == "ring_seconds":
        return _opening(view, f"the answer after {value:g} s of ringing (the ringing is before the recording): "
                              "the agent's first words")
    if metric == "agent_talkovers":
        return _talkovers(view, overlap)
    if metric in ("longest_silence_seconds", "silences_over_5s"):
        return _silence(view, longest=metric == "longest_silence_seconds")
    return after_request(view, "measured over the whole call")  # talk ratio, speech rate: no one moment


def build(options: dict, builder: Builder):
    return MetricNode(options["metric"], options.get("min"), options.get("max"),
                      float(options.get("overlap_seconds", 1.0)), options.get("name", ""))
