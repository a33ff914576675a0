"""all / any / not / absence, and references to other checks (check) and named conditions (use).

Three-valued: ``all`` is false when one part is false, unknown when one is unknown, else
true; ``any`` is true when one part is true, unknown when one is unknown, else false.

.. code-block:: yaml

    all:                                  # a greeting and the company's name, both (A1's shape)
      - {use: greeting}
      - {type: detect, detector: organisation, first_turns: 1}
    any:                                  # an apology or a word of empathy, either will do
      - {type: phrases, phrases: [抱歉, sorry]}
      - {type: phrases, phrases: [理解您的心情, i understand how you feel]}
    not: {type: phrases, phrases: [稍等, hold on]}     # must not hold (unknown stays unknown)
    absence:                              # B2: pass only if no forbidden phrase is found
      type: phrases
      phrases: [不归我管, "not my problem"]
    check: greeting                       # true when the check `greeting` passed (outcome: [pass, na] widens it)
    use: greeting                         # the rubric's named condition `greeting` (under conditions:)

PASS ``all`` (agent): "Good morning, Brightline Energy, how can I help?"  FAIL ``all``: "Good morning, how can I help?"
PASS ``any`` (agent): "I'm so sorry about the wait."  FAIL ``any``: "Let me check that for you."
PASS ``not`` (agent): "Let me look into it."  FAIL ``not``: "Hold on a second."
PASS ``absence`` (agent): "这个问题我帮您查一下。"  FAIL ``absence``: "这个不归我管。"
PASS ``check`` (agent): "您好，请问有什么可以帮您？"  FAIL ``check``: "喂？说吧。"
PASS ``use`` (agent): "Hello, thanks for holding."  FAIL ``use``: "Yeah, go ahead."
(In these examples the rubric defines the condition ``greeting`` — a greeting phrase — and a
check ``greeting`` that uses it.)
"""
from __future__ import annotations

from typing import Optional

from qa_pipeline.rubric.checks.base import Builder, Context, Option, Verdict

OUTCOMES = ("pass", "fail", "na")


class _Combination:
    """A condition over several parts (all/any)."""

    def __init__(self, parts: list, label: str = ""):
        self.parts = parts
        self.label = label

    def check_refs(self) -> set[str]:
        return set().union(*(p.check_refs() for p in self.parts))


class AllNode(_Combination):
    type_id = "all"

    def evaluate(self, ctx: Context) -> Verdict:
        unknown: Optional[Verdict] = None
        last: Optional[Verdict] = None
        first_hit: Optional[Verdict] = None
        for p in self.parts:
            v = p.evaluate(ctx)
            if v.value is False:
                return v
            if v.value is None and unknown is None:
                unknown = v
            if v.value:
                first_hit = first_hit or v
                if last is None or (v.at or (-1, -1)) > (last.at or (-1, -1)):
                    last = v
        if unknown is not None:
            return unknown
        rules = f"{self.label}: all found" if self.label else "all found"
        evidence = first_hit.evidence if first_hit else None
        return Verdict(True, evidence, rules, last.at if last else None)


class AnyNode(_Combination):
    type_id = "any"

    def evaluate(self, ctx: Context) -> Verdict:
        unknown = None
        falses = []
        for p in self.parts:
            v = p.evaluate(ctx)
            if v.value:
                return v
            if v.value is None:
                unknown = unknown or v
            else:
                falses.append(v)
        if unknown is not None:
            return unknown
        reasons = "; ".join(v.rule for v in falses if v.rule)
        evidence = next((v.evidence for v in falses if v.evidence), None)
        return Verdict(False, evidence, f"{self.label}: {reasons}" if self.label else reasons)


class NotNode:
    type_id = "not"

    def __init__(self, part, label: str = "", absence: bool = False):
        self.part = part
        self.label = label
        self.absence = absence

    def check_refs(self) -> set[str]:
        return self.part.check_refs()

    def evaluate(self, ctx: Context) -> Verdict:
        v = self.part.evaluate(ctx)
        if v.value is None:
            return v
        if v.value:
            what = "must never happen" if self.absence else "must not hold"
            return Verdict(False, v.evidence, f"{self.label or what}: {v.rule}", v.at)
        return Verdict(True, None, f"{self.label or 'none found'}: {v.rule}" if v.rule else "none found")


class CheckRef:
    """True when the check's outcome is one of ``outcomes``; placed where the check passed (for
    ``after``/``before``). With ``from_opening_post`` a public thread (a post tagging the company,
    and the replies under it: :attr:`CallView.public_thread`) is placed at the customer's first
    post even when the check passed on a later one: a written thread is one grievance, and what
    the agent replied to it counts from the post that opened it."""
    type_id = "check"

    def __init__(self, check_id: str, outcomes: tuple[str, ...], from_opening_post: bool = False,
                 from_first_turn: bool = False):
        self.check_id = check_id
        self.outcomes = outcomes
        self.from_opening_post = from_opening_post
        # in a call (not a public thread): placed at the customer's first turn, where a caller says why they called
        self.from_first_turn = from_first_turn

    def check_refs(self) -> set[str]:
        return {self.check_id}

    def _from_customers_first_turn(self, ctx: Context) -> bool:
        """Whether this reference is placed at the customer's first turn: a public thread's opening post
        (``from_opening_post``), or a call's first turn (``from_first_turn``) unless the complaint acts hold
        the trigger where their own ``start`` puts it."""
        if ctx.view.public_thread:
            return self.from_opening_post
        return self.from_first_turn and not ctx.held_by_acts

    def evaluate(self, ctx: Context) -> Verdict:
        outcome = ctx.outcomes[self.check_id]
        v = ctx.verdicts.get(self.check_id, Verdict(None))
        ok = outcome in self.outcomes
        at = v.at if outcome == "pass" else None
        if at is not None and self._from_customers_first_turn(ctx):
            said = ctx.view.by_role("customer")
            if said and said[0].index < at[0]:
                at = (said[0].index, 0)
        return Verdict(ok, v.evidence, f"{self.check_id} is {outcome}", at)


class UseRef:
    type_id = "use"

    def __init__(self, name: str, refs: set[str]):
        self.name = name
        self._refs = refs

    def check_refs(self) -> set[str]:
        return self._refs

    def evaluate(self, ctx: Context) -> Verdict:
        return ctx.use(self.name)


ALL_OPTIONS = {"of": Option((list,), required=True, node=True, help="the conditions")}
NOT_OPTIONS = {"of": Option((dict,), required=True, node=True, help="the condition")}
CHECK_OPTIONS = {
    "check": Option((str,), required=True, help="id of another check in this rubric"),
    "outcome": Option((list, str), ["pass"], items=(str,), choices=OUTCOMES,
                      help="outcomes that make this true"),
    "public_thread": Option((str,), choices=("from_opening_post",),
                            help="in a public thread (a turn tags an account with @), placed at the customer's "
                                 "first post rather than where the check passed"),
    "call": Option((str,), choices=("from_first_turn",),
                   help="in a call (not a public thread), placed at the customer's first turn rather than where the "
                        "check passed: a complaint found in a later, plainer sentence began where the caller said why "
                        "they called"),
}
USE_OPTIONS = {"use": Option((str,), required=True, help="name of a condition under 'conditions:'")}


def build_all(options: dict, builder: Builder):
    return AllNode([builder.node(p) for p in options["of"]], options.get("name", ""))


def build_any(options: dict, builder: Builder):
    return AnyNode([builder.node(p) for p in options["of"]], options.get("name", ""))


def build_not(options: dict, builder: Builder):
    return NotNode(builder.node(options["of"]), options.get("name", ""))


def build_absence(options: dict, builder: Builder):
    return NotNode(builder.node(options["of"]), options.get("name", ""), absence=True)


def build_check(options: dict, builder: Builder):
    outcome = options.get("outcome", ["pass"])
    return CheckRef(options["check"], (outcome,) if isinstance(outcome, str) else tuple(outcome),
                    from_opening_post=options.get("public_thread") == "from_opening_post",
                    from_first_turn=options.get("call") == "from_first_turn")


def build_use(options: dict, builder: Builder):
    return builder.use(options["use"])
