"""What every check type shares: option schemas, verdicts, scopes, the evaluation context.

A check type (one module each, the yamllint pattern) declares ``ID``, ``OPTIONS`` (name →
:class:`Option`) and ``build(options, builder) -> Node``; its docstring shows PASS and
FAIL examples. The loader validates options against ``OPTIONS`` before ``build`` runs, so
``build`` trusts its input.

Conditions are three-valued: ``True`` (found / holds), ``False`` (not found / broken) and
``None`` (cannot be judged: no times, no agent turns, unknown speakers, missing
metadata). A check whose rule is ``None`` is answered ``na``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Optional, Protocol

from qa_pipeline.records import Evidence
from qa_pipeline.rubric.view import CallView, TurnView

SPEAKER_CHOICES = ("agent", "customer", "any")


@dataclass(frozen=True)
class Option:
    """One option of a check type: accepted Python types, default, allowed values, help."""

    types: tuple[type, ...]
    default: Any = None
    required: bool = False
    choices: Optional[tuple[Any, ...]] = None
    help: str = ""
    items: Optional[tuple[type, ...]] = None  # element types for list options
    node: bool = False  # the value is a condition (a mapping) or a list of them
    empty: bool = True  # a list option may be empty (required ones never)

    def describe(self) -> str:
        if self.choices:
            return "one of " + ", ".join(map(str, self.choices))
        if self.node:
            return "a condition (a mapping with 'type:' or all/any/not/check/use)"
        names = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
                 list: "a list", dict: "a mapping"}
        desc = " or ".join(names.get(t, t.__name__) for t in self.types)
        if self.items:
            desc += " of " + " or ".join(names.get(t, t.__name__) for t in self.items)
        return desc


class Verdict:
    """A condition's answer with the quote that shows it and where it was said.

    A plain class with slots, not a dataclass: dozens are made for every call scored, and
    a frozen dataclass costs several times more to create. Treat it as immutable."""

    __slots__ = ("value", "evidence", "rule", "at")

    def __init__(self, value: Optional[bool], evidence: Optional[Evidence] = None, rule: str = "",
                 at: Optional[tuple[int, int]] = None):
        self.value = value
        self.evidence = evidence
        self.rule = rule
        self.at = at  # (turn index, offset in turn) of the hit

    def negate(self, rule: str) -> "Verdict":
        value = None if self.value is None else not self.value
        return Verdict(value, self.evidence, rule, self.at)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return (self.value, self.evidence, self.rule, self.at) == (other.value, other.evidence, other.rule, other.at)

    __hash__ = None  # type: ignore[assignment]  # compared by value, like the dataclass it was

    def __repr__(self) -> str:
        return f"Verdict({self.value!r}, {self.evidence!r}, {self.rule!r}, {self.at!r})"


class Node(Protocol):
    type_id: str

    def evaluate(self, ctx: "Context") -> Verdict: ...

    def check_refs(self) -> set[str]: ...


class Batch:
    """The calls scored together against one rubric (one, or a worker's share of a re-score):
    what a check works out once for all of them, e.g. a learned judgement's one product over
    every sentence of every call (:meth:`memo`). A check reads from it only values that do not
    depend on which other calls are in the batch, so a call scores the same alone."""

    __slots__ = ("views", "_memo")

    def __init__(self, views: tuple[CallView, ...]):
        self.views = views
        self._memo: dict = {}

    def memo(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()`` worked out once per batch and kept under ``key``."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = make()
            return value

    def made(self, key: Any) -> bool:
        """Whether :meth:`memo` has worked out ``key`` already."""
        return key in self._memo


@dataclass
class Context:
    """Evaluation state of one call against one rubric."""

    view: CallView
    verdicts: dict[str, Verdict] = field(default_factory=dict)  # check id → rule verdict
    outcomes: dict[str, str] = field(default_factory=dict)  # check id → pass/fail/na
    conditions: dict[str, Node] = field(default_factory=dict)  # named shared conditions
    # (confidence, unsure) of every learned judgement made, in order: the engine gives each
    # check the ones made while its rule was evaluated.
    judgements: list[tuple[float, bool]] = field(default_factory=list)
    batch: Optional[Batch] = None  # the calls scored with this one (None: this call alone)
    # True in the complaint acts' trial (checks/acts.Trial): the trigger is held where the acts put it
    held_by_acts: ClassVar[bool] = False

    def use(self, name: str) -> Verdict:
        key = ("use", name)
        cached = self.view.cache.get(key)
        if cached is None:
            cached = self.view.cache[key] = self.conditions[name].evaluate(self)
        return cached


# --- scopes -----------------------------------------------------------------------------

SCOPE_OPTIONS: dict[str, Option] = {
    "speaker": Option((str,), "agent", choices=SPEAKER_CHOICES,
                      help="whose words count; agent includes other agents on the call"),
    "first_turns": Option((int,), help="only the speaker's first N turns"),
    "first_run": Option((bool,), False, help="only the speaker's first turns before anyone else speaks "
                                             "(a first turn the recogniser split in two)"),
    "last_turns": Option((int,), help="only the speaker's last N turns"),
    "last_speech_seconds": Option((int, float),
                                  help="only the speaker's last N s of speech, however many turns it was cut into "
                                       "(counted back from their last words; without turn times last_turns applies)"),
    "first_seconds": Option((int, float), help="only turns starting in the first N s of the recording"),
    "last_seconds": Option((int, float), help="only turns ending in the last N s of the recording"),
    "within_seconds_of_first": Option((int, float),
                                      help="only turns starting within N s of the speaker's first words"),
    "after": Option((dict,), node=True, help="only turns from the hit of this condition on"),
    "before": Option((dict,), node=True, help="only turns up to the hit of this condition"),
    "mentions": Option((list,), items=(str,), empty=False,
                       help="only turns (of those the other options pick) that hold one of these phrases: what the "
                            "turn must be about, e.g. the trouble, so an opening \"how can I help?\" is not asking "
                            "for its details"),
}


@dataclass(frozen=True)
class Scope:
    speaker: str = "agent"
    first_turns: Optional[int] = None
    first_run: bool = False
    last_turns: Optional[int] = None
    last_speech_seconds: Optional[float] = None
    first_seconds: Optional[float] = None
    last_seconds: Optional[float] = None
    within_seconds_of_first: Optional[float] = None
    after: Optional[Node] = None
    before: Optional[Node] = None
    mentions: Optional[Any] = None  # a phrase matcher: only turns it finds something in

    def __post_init__(self) -> None:
        # The cache key of a selection that depends on the call alone (no after/before).
        key = None
        if self.after is None and self.before is None:
            key = ("scope", self.speaker, self.first_turns, self.first_run, self.last_turns, self.last_speech_seconds,
                   self.first_seconds, self.last_seconds, self.within_seconds_of_first, self.mentions)
        object.__setattr__(self, "_key", key)

    @classmethod
    def from_options(cls, options: dict, builder: "Builder") -> "Scope":
        return cls(
            speaker=options.get("speaker", "agent"),
            first_turns=options.get("first_turns"), first_run=options.get("first_run", False),
            last_turns=options.get("last_turns"), last_speech_seconds=options.get("last_speech_seconds"),
            first_seconds=options.get("first_seconds"), last_seconds=options.get("last_seconds"),
            within_seconds_of_first=options.get("within_seconds_of_first"),
            after=builder.node(options["after"]) if options.get("after") else None,
            before=builder.node(options["before"]) if options.get("before") else None,
            mentions=builder.matcher(options["mentions"], fuzzy=False) if options.get("mentions") else None,
        )

    def describe(self) -> str:
        parts = [self.speaker if self.speaker != "any" else "anyone"]
        if self.first_turns:
            parts.append(f"first {self.first_turns} turn(s)")
        if self.first_run:
            parts.append("first turn")
        if self.last_speech_seconds is not None:
            parts.append(f"last {self.last_speech_seconds:g} s of speech")
        elif self.last_turns:
            parts.append(f"last {self.last_turns} turn(s)")
        if self.first_seconds is not None:
            parts.append(f"first {self.first_seconds:g} s")
        if self.last_seconds is not None:
            parts.append(f"last {self.last_seconds:g} s")
        if self.after:
            parts.append("after the trigger")
        if self.before:
            parts.append("before the reference")
        if self.mentions is not None:
            parts.append("turns that mention the topic")
        return ", ".join(parts)

    def check_refs(self) -> set[str]:
        refs: set[str] = set()
        for n in (self.after, self.before):
            if n is not None:
                refs |= n.check_refs()
        return refs

    def select(self, ctx: Context) -> Optional[tuple[TurnView, ...]]:
        """The turns in scope; None when they cannot be known (speakers unknown)."""
        key = self._key
        if key is not None:  # a pure function of the call: cache it
            cache = ctx.view.cache
            try:
                return cache[key]
            except KeyError:
                turns = cache[key] = self._select(ctx)
                return turns
        return self._select(ctx)

    def _select(self, ctx: Context) -> Optional[tuple[TurnView, ...]]:
        view = ctx.view
        turns = view.by_role(self.speaker)
        if turns is None:
            return None
        if self.first_turns:
            turns = turns[: self.first_turns]
        if self.first_run and turns:
            run, first = [], turns[0].index
            for t in view.turns[first:]:
                if t.role != turns[0].role and t.text.strip():
                    break
                if t.role == turns[0].role:
                    run.append(t)
            turns = tuple(run)
        if self.last_speech_seconds is not None and turns and all(t.end is not None and t.start is not None
                                                                  for t in turns):
            turns = _last_speech(turns, self.last_speech_seconds)
        elif self.last_turns:
            turns = turns[-self.last_turns:]
        if self.first_seconds is not None and view.call_start is not None:
            turns = tuple(t for t in turns if t.start is None or t.start <= self.first_seconds)
        if self.last_seconds is not None and view.call_end is not None:
            limit = view.call_end - self.last_seconds
            turns = tuple(t for t in turns if t.end is None or t.end >= limit)
        if self.within_seconds_of_first is not None and turns and turns[0].start is not None:
            limit = turns[0].start + self.within_seconds_of_first
            turns = tuple(t for t in turns if t.start is None or t.start <= limit)
        if self.after is not None:
            hit = self.after.evaluate(ctx)
            if hit.at is None:
                return ()
            turns = tuple(t for t in turns if t.index >= hit.at[0])
        if self.before is not None:
            hit = self.before.evaluate(ctx)
            if hit.at is not None:
                turns = tuple(t for t in turns if t.index <= hit.at[0])
        if self.mentions is not None:  # last: "the first turns" are the speaker's, not the first that mention it
            found_in = self.mentions.found_in
            turns = tuple(t for t in turns if found_in(t.norm))
        return turns


def _last_speech(turns: tuple[TurnView, ...], seconds: float) -> tuple[TurnView, ...]:
    """The last turns holding ``seconds`` of speech: counted back from the last words, a turn
    kept whole once it starts inside the window (a closing cut into "thank you" / "bye" by the
    recogniser, or with a customer's "bye" in between, stays one stretch)."""
    picked: list[TurnView] = []
    spoken = 0.0
    for t in reversed(turns):
        picked.append(t)
        spoken += max(t.end - t.start, 0.0)  # type: ignore[operator]
        if spoken >= seconds:
            break
    return tuple(reversed(picked))


class Builder(Protocol):
    """What ``build`` gets from the loader: nested conditions and compiled phrase lists."""

    synonyms: dict

    def node(self, spec: Any) -> Node: ...

    def matcher(self, phrases: list, *, fuzzy: bool = True, gap: Optional[int] = None): ...

    def when_built(self, link: Callable[[Optional[str], dict, tuple[str, ...]], None]) -> None: ...


BuildFn = Callable[[dict, Builder], Node]
