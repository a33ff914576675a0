"""The agent's complaint-handling acts: the learned complaint check's ``acts`` option.

Where the classifier is unsure of the customer's best sentence (a probability inside the band), or
may only flag it (``decides: false``, at or above the band), the agent's own reaction can settle
it: an agent who apologises, promises a reply by a concrete time and takes the case on is handling
a complaint. ``acts: {checks: [D1, D4, D5], at_least: 3}`` scores the named checks as if the
trigger held at the best sentence's turn (their ``after: {check: complaint}`` windows start
there) and finds the trigger where at least ``at_least`` of them pass. The finding's evidence stays
the customer's sentence, its reason quotes the acts, and it stays unsure (flagged for review): a
decision made from the agent's side is worth a specialist's look.

.. code-block:: yaml

    - id: complaint
      kind: trigger
      rule:
        type: learned
        item: complaint
        decides: false
        acts: {checks: [D1, D4, D5], at_least: 3}

FOUND (customer, unsure): "The engineer was meant to come on Tuesday and nobody turned up." —
agent: "I'm so sorry about that. I'll chase it myself and ring you back by 4 pm today."
NOT FOUND: the same call without "by 4 pm today" (D4, a concrete reply time, does not pass).

``start: first`` takes the trigger to hold at the first customer turn with a sentence above the band's
low end instead of the best sentence's: a complaint stated calmly first and more plainly after the
agent's apology ("…I paid for a careful job") is handled from where it began. ``unless: [PHRASE, ...]``:
an act whose evidence has a sentence holding one of these does not count — an apology that opens a
refusal ("sorry, we can't collect it without a deposit") is courtesy, not the handling of a complaint.
``need: [CHECK, ...]``: named checks that must be among those passing — at 2 of D1, D4, D5 a return filed
with a pickup time (D4, D5) is service, not the handling of a complaint; with ``need: [D1]`` an apology must
be one.
``likely: any`` tries the acts where any customer sentence scores above the band's low end by the classifier
alone, not only where the best sentence stays likely once its nearest exemplars are read: a calm complaint in
dialect or without a grievance word scores under the customer's thanks at the end ("you sorted that out
nicely"), whose nearest exemplars are harmless; the agent's handling then shows what the call was.
"""
from __future__ import annotations

from typing import Callable, Optional

from qa_pipeline.rubric.checks.base import Builder, Context, Verdict
from qa_pipeline.rubric.learned import split_sentences
from qa_pipeline.rubric.text import normalize

ALLOWED = ("{checks: [CHECK, ...], at_least: N, start: best|first, unless: [PHRASE, ...], need: [CHECK, ...]}: "
           "the ids of checks of this rubric whose rule or applies_when refers to this check (the complaint's "
           "handling items, e.g. D1, D4, D5), each once, N a whole number from 1 to how many are named, and (optional) where the trigger is taken to hold: at the best "
           "sentence's turn (best, the default) or at the first customer turn with a sentence above the band's low "
           "end (first); (optional) phrases that keep an act from counting where its evidence holds one (an apology "
           "that opens a refusal is no handling of a complaint); (optional) named checks that must be among those "
           "passing (an apology: a return filed with a pickup time is service, not complaint handling); (optional) "
           "likely: best|any, whether the best sentence as its nearest exemplars leave it (best, the default) or any "
           "customer sentence by the classifier alone must score above the band's low end for the acts to be tried")
STARTS = ("best", "first")
LIKELY = ("best", "any")


class Acts:
    """The ``acts`` option once the rubric is built: the named checks, how many must pass, and the
    id of the check (the trigger) whose learned rule carries it."""

    def __init__(self, names: tuple[str, ...], at_least: int, start: str = "best", unless=None,
                 need: tuple[str, ...] = (), likely: str = "best"):
        self.names = names
        self.at_least = at_least
        # where the trigger is taken to hold: the best sentence's turn, or the first likely one's
        self.start = start
        # a matcher (``found_in`` on normalised text): an act whose evidence holds one of its phrases does not count
        self.unless = unless
        # checks that must be among those passing
        self.need = need
        # which sentence must be likely for the acts to be tried: the best as read with its neighbours, or any
        self.likely = likely
        self.trigger: Optional[str] = None
        self.checks: tuple = ()

    def link(self, error: Callable[[str], Exception], trigger: Optional[str], checks: dict,
             order: tuple[str, ...]) -> None:
        """Resolve the named checks once the rubric's checks are built (the loader's ``when_built``);
        ``error`` makes the loader's error for a problem, naming the file and the check."""
        if trigger is None:
            raise error(f"acts is an option of a check's own learned rule, not of a named condition; {ALLOWED}")
        before = set(order[: order.index(trigger)])
        for name in self.names:
            check = checks.get(name)
            if check is None:
                raise error(f"acts names '{name}', which this rubric does not define; {ALLOWED}")
            refs = check.rule.check_refs() | (check.applies_when.check_refs() if check.applies_when else set())
            if trigger not in refs:
                raise error(f"acts names '{name}', whose rule does not refer to check '{trigger}' (scored as if "
                            f"'{trigger}' held, it would not change); {ALLOWED}")
            later = sorted(refs - before - {trigger})
            if later:
                raise error(f"acts names '{name}', which refers to check(s) {', '.join(later)} scored after "
                            f"'{trigger}'; {ALLOWED}")
        self.trigger = trigger
        self.checks = tuple(checks[name] for name in self.names)

    def handled(self, ctx: Context, verdict: Verdict) -> Optional[list[tuple[str, Verdict]]]:
        """The named checks that pass with the trigger taken to hold as ``verdict`` says (its ``at``:
        where the windows after it start), each with its verdict; None where fewer than
        ``at_least`` pass. Scored in a context of its own: nothing of it reaches the call's."""
        trial = Trial(view=ctx.view, verdicts={**ctx.verdicts, self.trigger: verdict},
                       outcomes={**ctx.outcomes, self.trigger: "pass"}, conditions=ctx.conditions, batch=ctx.batch)
        passed = []
        for check in self.checks:
            if check.applies_when is not None and check.applies_when.evaluate(trial).value is not True:
                continue
            v = check.rule.evaluate(trial)
            if v.value is True and not self._cancelled(v):
                passed.append((check.id, v))
        ids = {cid for cid, _ in passed}
        return passed if len(passed) >= self.at_least and all(n in ids for n in self.need) else None

    def _cancelled(self, verdict: Verdict) -> bool:
        """Whether a sentence of the act's evidence holds one of the ``unless`` phrases (it then does not
        count); sentence by sentence, so "sorry this happened. We can't …" is two sentences, not one."""
        return (self.unless is not None and verdict.evidence is not None
                and any(self.unless.found_in(normalize(s)) for s in split_sentences(verdict.evidence.text)))


class Trial(Context):
    """A context in which the trigger is taken to hold: a named condition that refers to a check is
    evaluated afresh here, never read from or kept in the call's cache (it may depend on the trigger). The trigger
    is held where the acts' ``start`` puts it: a reference's own placement (``call: from_first_turn``) does not
    move it (the agent's acts from the first turn on would make a service call with an early apology a complaint)."""

    held_by_acts = True

    def use(self, name: str) -> Verdict:
        node = self.conditions[name]
        if node.check_refs():
            return node.evaluate(self)
        return super().use(name)


def acts_option(value: Optional[dict], builder: Builder) -> Optional[Acts]:
    """The ``acts`` option, validated, linked to the rubric's checks once they are built; None when not set."""
    if value is None:
        return None
    names, at_least, start = value.get("checks"), value.get("at_least"), value.get("start", "best")
    unless, need, likely = value.get("unless", []), value.get("need", []), value.get("likely", "best")
    if (set(value) - {"checks", "at_least", "start", "unless", "need", "likely"} or start not in STARTS
            or likely not in LIKELY
            or not isinstance(need, list) or not all(n in (names or []) for n in need)
            or not isinstance(unless, list) or not all(isinstance(u, str) and u for u in unless)
            or not isinstance(names, list) or not names
            or not all(isinstance(n, str) and n for n in names) or len(set(names)) != len(names)
            or isinstance(at_least, bool) or not isinstance(at_least, int) or not 1 <= at_least <= len(names)):
        raise builder.error(f"acts must be {ALLOWED}; got {value}")  # type: ignore[attr-defined]
    acts = Acts(tuple(names), at_least, start, builder.matcher(unless, fuzzy=False) if unless else None,
                tuple(need), likely)
    error = builder.error  # type: ignore[attr-defined]
    builder.when_built(lambda trigger, checks, order: acts.link(error, trigger, checks, order))
    return acts
