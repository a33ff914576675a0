"""detect: a built-in detector for things a phrase list cannot enumerate.

Detectors (see :mod:`qa_pipeline.rubric.detectors`): ``organisation`` (a company or
department name), ``agent_name`` (the agent's own name or employee number),
``reply_time`` (a concrete time for a follow-up), ``need_echo`` (a check question that
repeats the customer's request), ``sensitive_number`` (a full card
number, an 18-character ID number or a one-time code read out).

.. code-block:: yaml

    type: detect
    detector: reply_time
    speaker: agent

PASS (agent): "我们会在三个工作日内给您回电。" / "Billing will call you by Friday."
FAIL (agent): "我们会尽快处理。" / "We'll get back to you as soon as possible."
"""
from __future__ import annotations

from qa_pipeline.rubric.checks.base import SCOPE_OPTIONS, Builder, Option, Scope
from qa_pipeline.rubric.checks.phrases import unless_test
from qa_pipeline.rubric.checks.scan import TextNode
from qa_pipeline.rubric.detectors import DETECTORS

ID = "detect"
OPTIONS = {
    "detector": Option((str,), required=True, choices=tuple(sorted(DETECTORS)), help="which detector"),
    "unless": Option((list,), items=(str,), help="phrases that cancel a hit in the same turn"),
    **SCOPE_OPTIONS,
}


def build(options: dict, builder: Builder):
    name = options["detector"]
    detector = DETECTORS[name]

    key = ("detect", name)

    def find(seg, view):
        for turn in seg.turns:
            # A detector's answer depends on the turn and its call alone: worked out once per
            # turn, however many checks ask (E1 asks personal_data twice, in two scopes).
            hit = turn.memo(key, lambda turn=turn: detector(turn, view))
            if hit is not None:
                yield turn, hit[0], hit[1]

    return TextNode(ID, find, Scope.from_options(options, builder), label=options.get("name") or name,
                    unless=unless_test(builder, options.get("unless")))
