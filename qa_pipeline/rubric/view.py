"""One call prepared for scoring: turns normalised once, scoped turn selections cached.

Every check of every rubric reads the call through a :class:`CallView`, so the text is
normalised once per call and each (speaker, position) selection is joined into one
string once, then searched with one precompiled regular expression per check.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Callable, Optional

from qa_pipeline.language import lang_family
from qa_pipeline.records import AGENT_SPEAKERS, Call, CallMetrics, Evidence, maker
from qa_pipeline.rubric.matching import padded_english
from qa_pipeline.rubric.text import normalize_many

__all__ = ["CallView", "TurnView", "Segment", "Reply"]


_make_evidence = maker(Evidence)
# An account tagged with @ ("@ShopCare", and "@ Shop Care" as translations write it), not an e-mail address.
_TAG = re.compile(r"(?<![A-Za-z0-9._%+-])@ ?[^\s@]")


def role_of(speaker: str) -> str:
    if speaker in AGENT_SPEAKERS:
        return "agent"
    if speaker == "customer":
        return "customer"
    return "unknown"


class TurnView:
    """One turn as the checks see it: who, when, the text as transcribed and normalised."""

    __slots__ = ("index", "speaker", "role", "start", "end", "text", "norm", "_evidence", "_memo")

    def __init__(self, index: int, speaker: str, role: str, start: Optional[float], end: Optional[float],
                 text: str, norm: str):
        self.index, self.speaker, self.role, self.start, self.end = index, speaker, role, start, end
        self.text, self.norm = text, norm
        self._evidence: Optional[Evidence] = None
        self._memo: Optional[dict] = None

    def memo(self, key: str, make: Callable[[], object]) -> object:
        """``make()`` worked out once per turn and kept under ``key`` (what several checks
        read from the same turn, e.g. the names it introduces)."""
        if self._memo is None:
            self._memo = {}
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = make()
            return value

    def evidence(self) -> Evidence:
        """The turn quoted as evidence (one object per turn, shared by every finding)."""
        if self._evidence is None:
            self._evidence = _make_evidence(self.text, self.speaker, self.start, self.end)
        return self._evidence

    def __repr__(self) -> str:
        return f"TurnView({self.index}, {self.speaker}, {self.start}-{self.end}, {self.text!r})"


class Segment:
    """Selected turns joined by newlines (so no phrase spans two turns), with offsets."""

    __slots__ = ("turns", "text", "_raw", "_starts", "_raw_starts", "_padded")

    def __init__(self, turns: tuple[TurnView, ...]):
        self.turns = turns
        starts, pos = [], 0
        for t in turns:
            starts.append(pos)
            pos += len(t.norm) + 1
        self._starts = starts
        self.text = "\n".join(t.norm for t in turns)
        self._raw: Optional[str] = None  # the texts as transcribed, joined when a check needs them
        self._raw_starts: list[int] = []
        self._padded: Optional[str] | bool = False  # not worked out yet

    @property
    def padded(self) -> Optional[str]:
        """The normalised text with a newline in front when it is clean English, else None
        (:func:`~qa_pipeline.rubric.matching.padded_english`): lets English phrase lists be
        searched only where words start."""
        if self._padded is False:
            self._padded = padded_english(self.text)
        return self._padded  # type: ignore[return-value]

    @property
    def raw(self) -> str:
        """The selected turns as transcribed (not normalised), joined by newlines."""
        if self._raw is None:
            pos = 0
            for t in self.turns:
                self._raw_starts.append(pos)
                pos += len(t.text) + 1
            self._raw = "\n".join(t.text for t in self.turns)
        return self._raw

    def turn_at(self, offset: int, raw: bool = False) -> tuple[TurnView, int]:
        """The turn holding ``offset`` and the offset within that turn."""
        if raw:
            self.raw  # noqa: B018  # makes the offsets
        starts = self._raw_starts if raw else self._starts
        i = bisect_right(starts, offset) - 1
        return self.turns[i], offset - starts[i]

    def next_turn_start(self, turn: TurnView) -> Optional[int]:
        """Offset (in the normalised text) of the turn after ``turn``; None after the last."""
        for i, t in enumerate(self.turns):
            if t is turn:
                return self._starts[i + 1] if i + 1 < len(self.turns) else None
        raise ValueError(f"turn {turn.index} is not in this segment")


@dataclass(frozen=True)
class Reply:
    """The customer's reply to an agent's turn (:meth:`CallView.reply_to`).

    ``turns``: the customer's turns with words from their first after the agent's turn up to the agent's
    next turn (a reply sent as several messages, or cut by the recogniser, is one reply); none if the
    customer does not speak again. ``between``: the agent's own turns after theirs and before the reply
    (none when the customer answers at once)."""

    turns: tuple[TurnView, ...]
    between: tuple[TurnView, ...]

    @property
    def first(self) -> Optional[TurnView]:
        """The customer's first turn of the reply; None if there is none."""
        return self.turns[0] if self.turns else None


class CallView:
    """A call as the checks see it. ``cache`` holds per-call results of named conditions."""

    def __init__(self, call: Call, metrics: Optional[CallMetrics] = None, norms: Optional[list[str]] = None):
        """``norms``: the turns' texts already normalised (stored with the call), if known."""
        self.call = call
        self.family = lang_family(call.language)
        if norms is None or len(norms) != len(call.turns):
            norms = normalize_many([t.text or "" for t in call.turns])
        self.turns: tuple[TurnView, ...] = tuple(
            TurnView(i, t.speaker, role_of(t.speaker), t.start, t.end, t.text or "", norm)
            for i, (t, norm) in enumerate(zip(call.turns, norms))
        )
        roles = {t.role for t in self.turns}
        self.has_agent = "agent" in roles
        self.has_customer = "customer" in roles
        self.speakers_known = self.has_agent or self.has_customer
        self.has_times = call.has_times
        self.metrics = metrics
        self.cache: dict = {}
        self._segments: dict = {}
        self._by_role: dict = {}
        timed = [t for t in self.turns if t.start is not None]
        self.call_start = min((t.start for t in timed), default=None)
        ends = [t.end for t in self.turns if t.end is not None]
        self.call_end = max(ends, default=None)
        self._public: Optional[bool] = None

    @property
    def public_thread(self) -> bool:
        """A turn tags an account (``@name``): a public post on Weibo, a forum or social media
        naming the company, with the replies under it — not a call."""
        if self._public is None:
            self._public = any(_TAG.search(t.text or "") for t in self.turns)
        return self._public

    def by_role(self, speaker: str) -> Optional[tuple[TurnView, ...]]:
        """Turns of ``speaker`` ('agent', 'customer', 'any'); None when roles are unknown."""
        if speaker == "any":
            return self.turns
        if not self.speakers_known:
            return None
        turns = self._by_role.get(speaker)
        if turns is None:
            turns = self._by_role[speaker] = tuple(t for t in self.turns if t.role == speaker)
        return turns

    def reply_to(self, turn: TurnView) -> Reply:
        """The customer's reply to ``turn`` and the agent's turns before it. Turns of nobody's (a caption)
        and blank ones neither start nor end the reply."""
        between: list[TurnView] = []
        reply: list[TurnView] = []
        for t in self.turns[turn.index + 1:]:
            if t.role == "agent":
                if reply:
                    break
                between.append(t)
            elif t.role == "customer" and t.text.strip():
                reply.append(t)
        return Reply(tuple(reply), tuple(between))

    def segment(self, turns: tuple[TurnView, ...]) -> Segment:
        key = id(turns)  # scopes are cached, so equal selections are mostly the same tuple
        seg = self._segments.get(key)
        if seg is not None and seg.turns is turns:
            return seg
        key = tuple(t.index for t in turns)
        seg = self._segments.get(key)
        if seg is None:
            seg = self._segments[key] = Segment(turns)
        self._segments[id(turns)] = seg
        return seg
