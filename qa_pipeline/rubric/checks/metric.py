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
"""
from __future__ import annotations

from typing import Optional

from qa_pipeline.rubric.checks.base import Builder, Context, Option, Verdict
from qa_pipeline.rubric.metrics import talkovers
from qa_pipeline.rubric.view import CallView

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
        return Verdict(ok, None, f"{self.label} = {value:g} (needs {bounds})")


def build(options: dict, builder: Builder):
    return MetricNode(options["metric"], options.get("min"), options.get("max"),
                      float(options.get("overlap_seconds", 1.0)), options.get("name", ""))
