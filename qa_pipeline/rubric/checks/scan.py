"""The scan shared by text check types: select scoped turns, find hits, build a verdict."""
from __future__ import annotations

from typing import Callable, Iterator, Optional

from qa_pipeline.rubric.checks.base import Context, Scope, Verdict
from qa_pipeline.rubric.checks.window import named, searched_window
from qa_pipeline.rubric.view import CallView, Segment, TurnView

# A finder yields (turn, offset in the turn's normalised text, label) for every hit.
Finder = Callable[[Segment, CallView], Iterator[tuple[TurnView, int, str]]]
UNKNOWN_SPEAKERS = "speakers unknown: cannot tell the agent's words from the customer's"


def with_public(find: Finder, find_public: Finder) -> Finder:
    """``find``'s hits, and in a public thread (:attr:`CallView.public_thread`) ``find_public``'s too, each
    labelled "(public post)": words that mean one thing in a written public thread and another on
    the phone."""

    def both(seg: Segment, view: CallView):
        yield from find(seg, view)
        if view.public_thread:
            for turn, offset, phrase in find_public(seg, view):
                yield turn, offset, f"{phrase} (public post)"

    return both


def regex_finder(regex, labels: Optional[tuple[str, ...]] = None, raw: bool = False) -> Finder:
    """Hits of one compiled regex (named groups p0.. map to ``labels``) over a segment."""

    def find(seg: Segment, view: CallView):
        text = seg.raw if raw else seg.text
        for m in regex.finditer(text):
            turn, offset = seg.turn_at(m.start(), raw=raw)
            if labels is not None and m.lastgroup:
                label = labels[int(m.lastgroup[1:])]
            else:
                label = m.group()
            yield turn, offset, label

    return find


def phrase_finder(matcher) -> Finder:
    """Hits of a compiled :class:`~qa_pipeline.rubric.matching.PhraseMatcher` over a segment."""

    def find(seg: Segment, view: CallView):
        for hit in matcher.finditer(seg.text):
            turn, offset = seg.turn_at(hit.start)
            yield turn, offset, hit.phrase

    def first(seg: Segment, view: CallView, pos: int = 0):
        hit = matcher.first(seg.text, pos, seg.padded)
        if hit is None:
            return None
        turn, offset = seg.turn_at(hit.start)
        return turn, offset, hit.phrase

    find.first = first  # type: ignore[attr-defined]  # the one-search path TextNode takes when it can
    return find


class TextNode:
    """Found when ``finder`` hits at least ``min_count`` times in the scoped turns; a hit in a
    turn that also matches ``unless`` does not count."""

    def __init__(self, type_id: str, finder: Finder, scope: Scope, *, label: str,
                 unless: Optional[Callable[[TurnView], bool]] = None, min_count: int = 1):
        self.type_id = type_id
        self.finder = finder
        self.scope = scope
        self.label = label
        self.unless = unless
        self.min_count = min_count
        # One search instead of iterating over every hit, when only the first valid hit counts.
        self._first = getattr(finder, "first", None) if min_count == 1 else None
        count = f" {min_count} times" if min_count > 1 else ""
        self._not_found = f"{label}: not found{count} ({scope.describe()})"  # the scope never changes
        # A window of the call (the opening, the closing, after the complaint) is quoted when
        # nothing is found in it; the whole call's turns are not (no clip to make of them, and
        # quoting them on every failed condition costs a tenth of `qa score`'s time).
        self._windowed = any(v not in (None, False) for v in (
            scope.first_turns, scope.first_run, scope.last_turns, scope.last_speech_seconds, scope.first_seconds,
            scope.last_seconds, scope.within_seconds_of_first, scope.after, scope.before))
        # What the window's quote depends on besides its turns: the scope, its after/before by name.
        self._window = (scope.speaker, scope.first_turns, scope.first_run, scope.last_turns, scope.last_speech_seconds,
                        scope.first_seconds, scope.last_seconds, scope.within_seconds_of_first,
                        scope.after and named(scope.after, ""), scope.before and named(scope.before, ""),
                        scope.mentions)

    def check_refs(self) -> set[str]:
        return self.scope.check_refs()

    def hits(self, ctx: Context) -> Optional[list[tuple[TurnView, int, str]]]:
        turns = self.scope.select(ctx)
        if turns is None:
            return None
        if not turns:
            return []
        if self._first is not None:
            hit = self._first_hit(ctx.view.segment(turns), ctx.view)
            return [] if hit is None else [hit]
        found = []
        for turn, offset, label in self.finder(ctx.view.segment(turns), ctx.view):
            if self.unless is not None and self.unless(turn):
                continue
            found.append((turn, offset, label))
            if len(found) >= self.min_count:
                break
        return found

    def _first_hit(self, seg: Segment, view: CallView) -> Optional[tuple[TurnView, int, str]]:
        """The first hit in a turn ``unless`` does not cancel: searched again from the start of
        the next turn when it does (a cancelled turn's other hits are cancelled too)."""
        hit = self._first(seg, view)
        if self.unless is None:
            return hit
        while hit is not None and self.unless(hit[0]):
            pos = seg.next_turn_start(hit[0])
            if pos is None:
                return None
            hit = self._first(seg, view, pos)
        return hit

    def evaluate(self, ctx: Context) -> Verdict:
        if self._first is not None:  # the common case, inlined: one search, no list
            turns = self.scope.select(ctx)
            if turns is None:
                return Verdict(None, rule=UNKNOWN_SPEAKERS)
            hit = self._first_hit(ctx.view.segment(turns), ctx.view) if turns else None
            if hit is not None:
                turn, offset, label = hit
                return Verdict(True, turn.evidence(), f"{self.label}: found '{label}'", (turn.index, offset))
            return self._not_found_in(ctx, turns)
        found = self.hits(ctx)
        if found is None:
            return Verdict(None, rule=UNKNOWN_SPEAKERS)
        if len(found) >= self.min_count:
            turn, offset, label = found[0] if self.min_count == 1 else found[-1]
            return Verdict(True, turn.evidence(), f"{self.label}: found '{label}'", (turn.index, offset))
        return self._not_found_in(ctx, self.scope.select(ctx))

    def _not_found_in(self, ctx: Context, turns) -> Verdict:
        """Nothing found: the evidence is the window that was searched, described, timed and
        quoted (:mod:`qa_pipeline.rubric.checks.window`), so a trainer's clip of the failure has
        its audio and words. A search of the whole call quotes nothing here: the engine quotes
        where the check should have happened, once per failed finding rather than per condition."""
        if not turns or not self._windowed:
            return Verdict(False, None, self._not_found)
        key = ("window", id(turns), self._window)  # several checks search the same window (D1–D5)
        cached = ctx.view.cache.get(key)
        if cached is None or cached[0] is not turns:
            cached = ctx.view.cache[key] = (turns, searched_window(self.scope, ctx.view, turns))
        evidence = cached[1]
        if evidence.start is None or evidence.end is None:
            return Verdict(False, evidence, self._not_found)
        return Verdict(False, evidence, f"{self._not_found[:-1]}: {evidence.start:.1f}–{evidence.end:.1f} s)")
