"""order: the hit of ``first`` comes before the hit of ``then``.

Positions are (turn, offset in turn). When either side has no hit, ``missing`` decides:
``na`` (default: the missing item already fails on its own), ``pass`` or ``fail``.

.. code-block:: yaml

    type: order
    first: {type: phrases, phrases: [还有其他, anything else]}     # offer more help (in a rubric: {check: C3})
    then: {type: phrases, phrases: [感谢您的来电, thank you for calling]}  # the closing ({check: C4})

PASS: "还有其他可以帮您的吗？" … "感谢您的来电，再见。"
FAIL: "感谢您的来电，再见。" … then "还有其他问题吗？"
NA: "Thank you for calling, goodbye." — nothing asked, so the order cannot be judged (``missing: na``).
"""
from __future__ import annotations

from qa_pipeline.rubric.checks.base import Builder, Context, Option, Verdict

ID = "order"
OPTIONS = {
    "first": Option((dict,), required=True, node=True, help="what must come first"),
    "then": Option((dict,), required=True, node=True, help="what must come after it"),
    "missing": Option((str,), "na", choices=("na", "pass", "fail"), help="answer when either side is missing"),
}
_MISSING = {"na": None, "pass": True, "fail": False}


class OrderNode:
    type_id = ID

    def __init__(self, first, then, missing: str, label: str):
        self.first = first
        self.then = then
        self.missing = missing
        self.label = label or "order"

    def check_refs(self) -> set[str]:
        return self.first.check_refs() | self.then.check_refs()

    def evaluate(self, ctx: Context) -> Verdict:
        a = self.first.evaluate(ctx)
        b = self.then.evaluate(ctx)
        if not a.value or not b.value or a.at is None or b.at is None:
            missing = a if (not a.value or a.at is None) else b
            return Verdict(_MISSING[self.missing], None, f"{self.label}: not judged, missing ({missing.rule})")
        if a.at < b.at:
            return Verdict(True, b.evidence, f"{self.label}: in order", b.at)
        return Verdict(False, b.evidence, f"{self.label}: came too early ({b.rule}) before ({a.rule})", b.at)


def build(options: dict, builder: Builder):
    return OrderNode(builder.node(options["first"]), builder.node(options["then"]),
                     options.get("missing", "na"), options.get("name", ""))
