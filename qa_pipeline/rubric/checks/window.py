"""Searched windows quoted as a failed finding's evidence, so a trainer's clip of a failure
has its audio and its words.

A check that found nothing points at no turn. Its evidence is then the stretch of the call
where the thing should have been said, described in words, timed, and quoted turn by turn
with the speakers named::

    agent's last 15 s of speech (01:10–01:25): agent: Right, that's done. / customer: OK. / agent: Mm.

A check that searched a window of the call (the opening, the closing, after the complaint)
quotes that window (:func:`searched_window`). A check that searched the whole call quotes
the span where it should have happened (:func:`where_it_should_have_happened`): the agent's
speech up to where the check started to apply (the account touched, for identity
verification), or else the customer's request and the agent's next 30 s of speech, where a
need is restated, a request is said politely and details are asked for. Metric checks
quote the moment they measured (:mod:`qa_pipeline.rubric.checks.metric`).

The quoted words are the turns as scored: a redacted call (:mod:`qa_pipeline.privacy.redaction`)
gives redacted quotes, exactly as a passing finding's quoted turn is. Shortening never cuts a
placeholder such as ``[CARD ****0128]`` in two.
"""
from __future__ import annotations

import re
from typing import Optional, Sequence

from qa_pipeline.records import Evidence, maker
from qa_pipeline.rubric.view import CallView, TurnView

__all__ = ["WINDOW_CHARS", "TURN_CHARS", "mmss", "quote", "window_evidence", "describe_scope", "named", "searched_window",
           "where_it_should_have_happened", "after_request", "request_turn"]

_make_evidence = maker(Evidence)

WINDOW_CHARS = 300  # the most of a window's words quoted (after its description)
TURN_CHARS = 120  # the most of one turn quoted inside a window of several
AGENT_SECONDS = 30.0  # the agent's speech quoted after the customer's request, or before a check applied
AGENT_TURNS = 4  # the same without turn times
SPAN_SECONDS = 60.0  # the longest window quoted: a clip is at most a minute (review.clips.MAX_CLIP_SECONDS)

_PLACEHOLDER_RE = re.compile(r"\[[^\[\]]{1,24}\]")  # a redaction placeholder: never cut in two
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_WORD_RE = re.compile(r"[A-Za-z0-9']+")
_POSSESSIVE = {"agent": "agent's", "customer": "customer's", "any": "the call's"}


def mmss(seconds: Optional[float]) -> str:
    """``75.4`` → ``'01:15'``."""
    if seconds is None:
        return "--:--"
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def _cut(text: str, limit: int, from_end: bool) -> str:
    """``text`` cut to about ``limit`` characters with "…", keeping its start (or end,
    ``from_end``), at a space where there is one near, never inside a placeholder."""
    if len(text) <= limit:
        return text
    pos = len(text) - limit if from_end else limit
    for m in _PLACEHOLDER_RE.finditer(text):
        if m.start() < pos < m.end():
            pos = m.end() if from_end else m.start()
            break
    if from_end:
        space = text.find(" ", pos, pos + 15)
        pos = space + 1 if space >= 0 else pos
        return "…" + text[pos:]
    space = text.rfind(" ", pos - 15, pos + 1)
    pos = space if space > 0 else pos
    return text[:pos].rstrip() + "…"


def quote(turns: Sequence[TurnView], *, from_end: bool = False, limit: int = WINDOW_CHARS,
          turn_ends: Optional[bool] = None) -> str:
    """The turns' words, ``speaker: words`` joined by `` / ``: each turn cut to
    :data:`TURN_CHARS` when there are several, the whole to ``limit`` characters, keeping the
    start (or the end, ``from_end``: a closing). ``turn_ends``: keep each turn's end rather
    than its start (by default as ``from_end``)."""
    spoken = [t for t in turns if t.text.strip()]
    several = len(spoken) > 1
    turn_ends = from_end if turn_ends is None else turn_ends
    parts, size = [], 0
    for t in (reversed(spoken) if from_end else spoken):  # only as many turns as the quote can hold
        words = _cut(t.text.strip(), TURN_CHARS, turn_ends) if several else t.text.strip()
        parts.append(f"{t.speaker}: {words}")
        size += len(parts[-1]) + 3
        if size > limit:
            break
    if from_end:
        parts.reverse()
    return _cut(" / ".join(parts), limit, from_end)


def window_evidence(turns: Sequence[TurnView], what: str, *, from_end: bool = False,
                    start: Optional[float] = None, turn_ends: Optional[bool] = None) -> Optional[Evidence]:
    """Evidence quoting ``turns`` (:func:`quote`) under the description ``what``, from the
    first turn's start (or ``start``) to the last one's end."""
    if not turns:
        return None
    first = last = None
    speakers = set()
    for t in turns:
        speakers.add(t.speaker)
        if t.start is not None and (first is None or t.start < first):
            first = t.start
        if t.end is not None and (last is None or t.end > last):
            last = t.end
    first = start if start is not None else first
    when = f" ({mmss(first)}–{mmss(last)})" if first is not None and last is not None else ""
    text = f"{what}{when}: {quote(turns, from_end=from_end, turn_ends=turn_ends)}"
    return _make_evidence(text, next(iter(speakers)) if len(speakers) == 1 else None, first, last)


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _stretch(view: CallView) -> str:
    """How much of the agent's speech :func:`_agent_stretch` quotes, in words."""
    return f"{_seconds(AGENT_SECONDS)} of speech" if view.has_times else f"{AGENT_TURNS} turns"


def named(node, default: str) -> str:
    """What an after/before condition is called: the check it refers to (``complaint``), its
    named condition, or ``default``."""
    return getattr(node, "check_id", None) or getattr(node, "name", None) or default


def describe_scope(scope, timed: bool = True) -> str:
    """A scope in words, as a trainer reads it: "agent's last 15 s of speech", "agent's first
    turn, within 15 s of their first words", "agent's turns after the complaint". ``timed``:
    the call has turn times (without them the time limits do not apply)."""
    who = _POSSESSIVE.get(scope.speaker, f"{scope.speaker}'s")
    nouns, qualifiers = [], []
    if scope.first_run:
        nouns.append("first turn")
    elif scope.first_turns:
        nouns.append("first turn" if scope.first_turns == 1 else f"first {scope.first_turns} turns")
    if scope.last_speech_seconds is not None and timed:
        nouns.append(f"last {_seconds(scope.last_speech_seconds)} of speech")
    elif scope.last_turns:
        nouns.append("last turn" if scope.last_turns == 1 else f"last {scope.last_turns} turns")
    if scope.within_seconds_of_first is not None and timed:
        qualifiers.append(f"within {_seconds(scope.within_seconds_of_first)} of their first words")
    if scope.first_seconds is not None and timed:
        qualifiers.append(f"in the call's first {_seconds(scope.first_seconds)}")
    if scope.last_seconds is not None and timed:
        qualifiers.append(f"in the call's last {_seconds(scope.last_seconds)}")
    text = f"{who} " + (", ".join(nouns) if nouns else "turns")
    if qualifiers:
        text += ("," if nouns else "") + " " + ", ".join(qualifiers)
    if scope.after is not None:
        text += f" after the {named(scope.after, 'trigger')}"
    if scope.before is not None:
        text += f" up to the {named(scope.before, 'reference point')}"
    if scope.mentions is not None:
        text += " that mention the topic"
    return text


def searched_window(scope, view: CallView, turns: Sequence[TurnView]) -> Optional[Evidence]:
    """The window a scoped search found nothing in, described by its scope. A closing keeps
    the end of a long window, anything else its start."""
    from_end = scope.last_turns is not None or scope.last_speech_seconds is not None or scope.last_seconds is not None
    return window_evidence(turns, describe_scope(scope, view.has_times), from_end=from_end)


def _substantial(turn: TurnView) -> bool:
    """A customer turn that says something (not "hello?", "yes", "嗯"): 4 words or 6 characters."""
    text = turn.text
    if text.isascii():
        return len(text.split()) >= 4
    return len(_CJK_RE.findall(text)) >= 6 or len(_WORD_RE.findall(text)) >= 4


def request_turn(view: CallView) -> Optional[TurnView]:
    """The customer's request: their first turn after the agent's first words that says
    something ("Hello? Is anyone there?" before the greeting is none), else their first turn."""
    customers = view.by_role("customer") or ()
    greeted = next((t.index for t in view.turns if t.role == "agent"), -1)
    return next((t for t in customers if t.index > greeted and _substantial(t)), customers[0] if customers else None)


def _agent_stretch(view: CallView, first: int, last: int, *, from_end: bool) -> list[TurnView]:
    """Turns ``first``..``last`` (indexes) cut to :data:`AGENT_SECONDS` of agent speech (or
    :data:`AGENT_TURNS` agent turns without times) and :data:`SPAN_SECONDS` of call, counted
    from the start (or from the end, ``from_end``); the customer's turns in between are kept."""
    span = list(view.turns[first:last + 1])
    if from_end:
        span.reverse()
    picked: list[TurnView] = []
    spoken, agent_turns = 0.0, 0
    edge = None  # the time the span is counted from
    for t in span:
        if t.start is not None and t.end is not None:
            near, far = (t.end, t.start) if from_end else (t.start, t.end)
            if edge is None:
                edge = near
            elif picked and abs(far - edge) > SPAN_SECONDS:
                break
        picked.append(t)
        if t.role == "agent":
            agent_turns += 1
            if t.start is not None and t.end is not None:
                spoken += max(t.end - t.start, 0.0)
                if spoken >= AGENT_SECONDS:
                    break
            elif agent_turns >= AGENT_TURNS:
                break
    if from_end:
        picked.reverse()
    return picked


def where_it_should_have_happened(view: CallView, gate=None) -> Optional[Evidence]:
    """For a check that searched the whole call and found nothing: the span where it should
    have happened, described in words. ``gate``: the verdict of the check's ``applies_when``;
    when it points at an agent turn (the account touched), the agent's last
    :data:`AGENT_SECONDS` of speech up to that turn; otherwise the customer's request and the
    agent's next :data:`AGENT_SECONDS` of speech. ``None`` for a call with no agent turn."""
    at = getattr(gate, "at", None)
    if at is not None and view.turns[at[0]].role == "agent":
        key = ("window:before", at[0], gate.rule)
        cached = view.cache.get(key)
        if cached is None:
            hit = view.turns[at[0]]
            turns = _agent_stretch(view, 0, hit.index, from_end=True)
            where = f" at {mmss(hit.start)}" if hit.start is not None else ""
            what = (f"{SEARCHED_WHOLE_CALL}; quoted: the agent's last {_stretch(view)} "
                    f"up to where the check applied{where} ({gate.rule})")
            cached = view.cache[key] = (window_evidence(turns, what, from_end=True, turn_ends=False),)
        return cached[0]
    return after_request(view)


SEARCHED_WHOLE_CALL = "whole call searched, none found"


def after_request(view: CallView, lead: str = SEARCHED_WHOLE_CALL) -> Optional[Evidence]:
    """The customer's request and the agent's next :data:`AGENT_SECONDS` of speech, under
    ``lead`` (what was done over the whole call); once per call and lead."""
    key = ("window:request", lead)
    cached = view.cache.get(key)
    if cached is None:
        cached = view.cache[key] = (_after_request(view, lead),)
    return cached[0]


def _after_request(view: CallView, lead: str) -> Optional[Evidence]:
    if not view.has_agent:
        return None
    request = request_turn(view)
    if request is None:  # no customer: the agent's first stretch of speech
        first_agent = next(t for t in view.turns if t.role == "agent")
        turns = _agent_stretch(view, first_agent.index, len(view.turns) - 1, from_end=False)
        return window_evidence(turns, f"{lead}; quoted: the agent's first {_stretch(view)}")
    turns = _agent_stretch(view, request.index, len(view.turns) - 1, from_end=False)
    if not any(t.role == "agent" for t in turns):  # the customer spoke last: the agent's last words before
        last_agent = max(t.index for t in view.turns if t.role == "agent")
        turns = _agent_stretch(view, 0, last_agent, from_end=True)
        return window_evidence(turns, f"{lead}; quoted: the agent's last {_stretch(view)}",
                               from_end=True, turn_ends=False)
    at = f" at {mmss(request.start)}" if request.start is not None else ""
    return window_evidence(turns, f"{lead}; quoted: the customer's request{at} "
                                  f"and the agent's next {_stretch(view)}")
