"""Conversation metrics of one call, from its turn times: talk time, silences, talk-overs.

All timing metrics are ``None`` when the transcript has no times (an imported chat log);
agent and customer metrics are ``None`` when no turn carries that role (a mono call whose
speakers are unknown).

>>> from qa_pipeline.records import Call, CallInfo, Turn
>>> call = Call(CallInfo("c1"), "en", (Turn("agent", 1.0, 4.0, "hello there"),
...                                     Turn("customer", 4.5, 6.0, "hi")))
>>> compute_metrics(call, sentiment=0.0).first_agent_words_seconds
1.0
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from qa_pipeline.language import CHINESE_CHARACTER
from qa_pipeline.records import AGENT_SPEAKERS, Call, CallMetrics, Turn

__all__ = ["compute_metrics", "talkovers", "silences", "SILENCE_REPORT_SECONDS", "METRICS_VERSION"]

SILENCE_REPORT_SECONDS = 5.0
# The metrics stored with a call (metric_store.metrics_version) were computed by this
# version: raise it whenever compute_metrics gives other values for the same turns
# (tests/test_metrics.py keeps a fingerprint and says so). Re-scoring reuses stored
# metrics of this version and computes the others again.
METRICS_VERSION = 1
_WORD = re.compile(r"[A-Za-z0-9']+")


def _timed(turns: Iterable[Turn]) -> list[Turn]:
    return [t for t in turns if t.start is not None and t.end is not None]


def _talk(turns: list[Turn], roles: frozenset[str]) -> Optional[float]:
    chosen = [t for t in turns if t.speaker in roles]
    if not chosen:
        return None
    return round(sum(max(0.0, t.end - t.start) for t in chosen), 3)


def silences(call: Call) -> list[float]:
    """Gaps in seconds where nobody speaks, between the first and the last speech."""
    turns = sorted(_timed(call.turns), key=lambda t: t.start)
    gaps, spoken_until = [], None
    for t in turns:
        if spoken_until is not None and t.start > spoken_until:
            gaps.append(round(t.start - spoken_until, 3))
        spoken_until = t.end if spoken_until is None else max(spoken_until, t.end)
    return gaps


def talkovers(call: Call, min_overlap: float = 1.0) -> Optional[int]:
    """How many times an agent starts speaking more than ``min_overlap`` seconds before the
    customer's turn ends. The customer talking over the agent never counts."""
    turns = _timed(call.turns)
    customers = sorted((t.start, t.end) for t in turns if t.speaker == "customer")
    agents = sorted(t.start for t in turns if t.speaker in AGENT_SPEAKERS)
    if not agents:
        return None
    # An agent turn starting at s talks over the customer when a customer turn started
    # before s and ends after s + min_overlap: the latest end among the customer turns
    # started before s says it. One sweep over both, in order of start.
    count, i, latest_end = 0, 0, float("-inf")
    for s in agents:
        while i < len(customers) and customers[i][0] < s:
            latest_end = max(latest_end, customers[i][1])
            i += 1
        if latest_end - s > min_overlap:
            count += 1
    return count


def _units(text: str) -> int:
    cjk = len(CHINESE_CHARACTER.findall(text))
    return cjk + len(_WORD.findall(CHINESE_CHARACTER.sub(" ", text))) if cjk else len(_WORD.findall(text))


def compute_metrics(call: Call, *, sentiment: Optional[float] = None, compute_sentiment: bool = True,
                    talkover_seconds: float = 1.0) -> CallMetrics:
    """Metrics of ``call``. ``sentiment``: a customer sentiment already known (a stored one
    when re-scoring); otherwise computed with :mod:`qa_pipeline.rubric.sentiment` unless
    ``compute_sentiment`` is false."""
    if sentiment is None and compute_sentiment:
        from qa_pipeline.rubric.sentiment import customer_sentiment

        sentiment = customer_sentiment(call)
    turns = _timed(call.turns)
    if not turns:
        return CallMetrics(customer_sentiment=sentiment)
    agent = _talk(turns, AGENT_SPEAKERS)
    customer = _talk(turns, frozenset({"customer"}))
    ratio = None
    if agent is not None and customer is not None and agent + customer > 0:
        ratio = round(agent / (agent + customer), 3)
    elif agent is not None and customer is None and agent > 0:
        ratio = 1.0
    gaps = silences(call)
    agent_turns = [t for t in turns if t.speaker in AGENT_SPEAKERS]
    rate = unit = None
    if agent_turns and agent:
        chinese = any(CHINESE_CHARACTER.search(t.text) for t in agent_turns)
        unit = "chars/min" if chinese else "words/min"
        rate = round(sum(_units(t.text) for t in agent_turns) / (agent / 60.0), 1)
    first_agent = min((t.start for t in agent_turns), default=None)
    return CallMetrics(
        agent_talk_seconds=agent,
        customer_talk_seconds=customer,
        talk_ratio=ratio,
        longest_silence_seconds=max(gaps, default=0.0),
        silences_over_5s=sum(1 for g in gaps if g > SILENCE_REPORT_SECONDS),
        agent_talkovers=talkovers(call, talkover_seconds) if agent_turns else None,
        speech_rate=rate,
        speech_rate_unit=unit,
        first_agent_words_seconds=first_agent,
        customer_sentiment=sentiment,
    )
