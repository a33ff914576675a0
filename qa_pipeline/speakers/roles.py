"""Which diarized speaker of a mono call is the agent, which the customer.

Diarization gives anonymous labels (``SPEAKER_00``...). :func:`assign_roles` scores each
label from what it says and when: the greeting with a company name, "how can I help" /
请问有什么可以帮您, a self-introduction (with the agent's name from the call metadata when
known), asking for verification details vs. describing "my order", and who speaks first.
The score gap between the most agent-like and the most customer-like speaker gives the
confidence; a call below :data:`UNCERTAIN_BELOW` is flagged for review rather than
silently scored.

Example::

    decision = assign_roles(turns, info, "en")
    decision.mapping    # {"SPEAKER_00": "agent", "SPEAKER_01": "customer"}
    decision.uncertain  # False
"""
from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal, Mapping, Optional, Sequence

from qa_pipeline.language import has_chinese
from qa_pipeline.records import CallInfo, Turn
from qa_pipeline.speakers import role_cues

log = logging.getLogger(__name__)

Role = Literal["agent", "customer", "other_agent"]

# Below this confidence the call is flagged for review.
UNCERTAIN_BELOW = 0.8
# Score gap that gives a confidence of about 0.88 (logistic scale).
_MARGIN_SCALE = 1.5
# Whoever speaks first in an inbound call is usually the agent answering it.
_FIRST_SPEAKER_PRIOR = 1.0
# A third speaker with less than this share of speech and no agent cues is treated as a
# piece of the customer that diarization split off, not as a second agent.
_MINOR_SPEAKER_SHARE = 0.2

try:  # traditional -> simplified, so one set of Chinese cues covers both scripts
    import opencc

    _to_simplified = opencc.OpenCC("t2s").convert
except ImportError:  # pragma: no cover - opencc is a core dependency
    def _to_simplified(text: str) -> str:
        return text


@dataclass(frozen=True)
class RoleDecision:
    """The role of each diarized speaker, how sure we are, and why."""

    mapping: dict[str, Role]
    confidence: float  # 0..1
    note: str
    uncertain: bool
    scores: Mapping[str, float] = field(default_factory=dict)  # agent-likeness per label

    def role_of(self, label: str) -> str:
        """The role for a diarization label; ``unknown`` for labels the decision does not cover."""
        return self.mapping.get(label, "unknown")


@dataclass
class _Evidence:
    score: float = 0.0
    seconds: float = 0.0
    first_start: float = math.inf
    polite_you: int = 0  # 您 minus plain 你 (not counting 你们)
    agent_weight: float = 0.0  # sum of the agent cues alone
    customer_weight: float = 0.0  # sum of the customer cues alone (positive)
    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def assign_roles(turns: Sequence[Turn], info: CallInfo, language: str) -> RoleDecision:
    """Map each speaker label in ``turns`` to agent, customer or other_agent.

    ``turns`` carry diarization labels as ``speaker``; turns labelled ``unknown`` (words no
    speaker segment covered) are ignored. ``language`` is the call's detected language;
    cues of both languages are used because calls switch language.
    Metadata ``agent_speaker`` (a label, e.g. set by a reviewer) decides outright;
    ``direction: outbound`` means the customer answers the call.
    """
    labels = sorted({t.speaker for t in turns if t.speaker and t.speaker != "unknown"})
    if not labels:
        return RoleDecision({}, 0.0, "no speech to assign roles to", True)

    forced = str(info.metadata.get("agent_speaker") or "")
    if forced:
        if forced in labels:
            mapping: dict[str, Role] = {label: "customer" for label in labels}
            mapping[forced] = "agent"
            if len(labels) > 2:
                log.info("call %s: agent_speaker given, other speakers taken as customer", info.call_id)
            return RoleDecision(mapping, 1.0, f"agent speaker {forced} from call metadata", False)
        log.warning("call %s: metadata agent_speaker=%r is not one of the speakers %s; deciding from speech",
                    info.call_id, forced, labels)

    evidence = _collect(turns, info)
    outbound = str(info.metadata.get("direction", "")).lower() == "outbound"
    first = min(labels, key=lambda lab: evidence[lab].first_start)
    for label in labels:
        answering = (label == first) != outbound
        if answering:
            evidence[label].score += _FIRST_SPEAKER_PRIOR
            evidence[label].hits["answered the call"] = 1
    scores = {label: round(evidence[label].score, 2) for label in labels}

    if len(labels) == 1:
        return _single_speaker(labels[0], evidence[labels[0]], scores)
    return _several_speakers(labels, evidence, scores)


def _collect(turns: Sequence[Turn], info: CallInfo) -> dict[str, _Evidence]:
    evidence: dict[str, _Evidence] = defaultdict(_Evidence)
    name_patterns = _agent_name_patterns(info.agent_name)
    for index, turn in enumerate(turns):
        if not turn.speaker or turn.speaker == "unknown":
            continue
        ev = evidence[turn.speaker]
        start = turn.start if turn.start is not None else float(index)
        ev.first_start = min(ev.first_start, start)
        if turn.start is not None and turn.end is not None:
            ev.seconds += max(0.0, turn.end - turn.start)
        else:
            ev.seconds += len(turn.text) / 10.0
        text = _to_simplified(turn.text.strip()).lower()
        ev.polite_you += text.count("您") - (text.count("你") - text.count("你们"))
        for cue in role_cues.CUES:
            if ev.hits[cue.name] < role_cues.MAX_HITS_PER_CUE and cue.pattern.search(text):
                ev.hits[cue.name] += 1
                ev.score += cue.weight
                if cue.weight > 0:
                    ev.agent_weight += cue.weight
                else:
                    ev.customer_weight -= cue.weight
        for pattern in name_patterns:
            if ev.hits["says the agent's name"] == 0 and pattern.search(text):
                ev.hits["says the agent's name"] += 1
                ev.score += role_cues.AGENT_NAME_WEIGHT
    for ev in evidence.values():
        polite = role_cues.POLITE_YOU_WEIGHT * ev.polite_you
        ev.score += max(-role_cues.POLITE_YOU_CAP, min(role_cues.POLITE_YOU_CAP, polite))
    return evidence


def _agent_name_patterns(agent_name: Optional[str]) -> list[re.Pattern[str]]:
    if not agent_name or not agent_name.strip():
        return []
    name = _to_simplified(agent_name.strip()).lower()
    names = {name}
    if " " in name:  # "Sarah Lee": agents introduce themselves by first name
        names.add(name.split()[0])
    patterns = []
    for n in names:
        escaped = re.escape(n)
        template = role_cues.SELF_INTRO_ZH if has_chinese(n) else role_cues.SELF_INTRO_EN
        patterns.append(re.compile(template.format(name=escaped)))
    return patterns


def _confidence(margin: float) -> float:
    return round(1.0 / (1.0 + math.exp(-margin / _MARGIN_SCALE)), 3)


def _why(label: str, ev: _Evidence) -> str:
    cues = [name for name, count in ev.hits.items() if count]
    return f"{label} ({ev.score:+.1f}: {', '.join(cues) if cues else 'no cues'})"


def _single_speaker(label: str, ev: _Evidence, scores: dict[str, float]) -> RoleDecision:
    role: Role = "agent" if ev.score > 0 else "customer"
    confidence = min(_confidence(abs(ev.score)), 0.6)
    note = f"only one speaker found; {_why(label, ev)} taken as the {role}"
    if min(ev.agent_weight, ev.customer_weight) >= 3.0:
        # A greeting and a complaint from one voice: two people diarization could not tell apart.
        note += "; it says both agent and customer things, so two voices were probably merged"
    return RoleDecision({label: role}, confidence, note, True, scores)


def _several_speakers(labels: list[str], evidence: dict[str, _Evidence], scores: dict[str, float]) -> RoleDecision:
    ranked = sorted(labels, key=lambda lab: evidence[lab].score, reverse=True)
    agent, customer = ranked[0], ranked[-1]
    mapping: dict[str, Role] = {agent: "agent", customer: "customer"}
    total = sum(evidence[lab].seconds for lab in labels) or 1.0
    confidence = _confidence(evidence[agent].score - evidence[customer].score)
    extras = []
    for label in ranked[1:-1]:
        ev = evidence[label]
        minor = ev.seconds / total < _MINOR_SPEAKER_SHARE
        if ev.score <= 0 and minor:
            # More likely the customer split in two by diarization than a silent supervisor.
            mapping[label] = "customer"
        else:
            mapping[label] = "other_agent"
        if abs(ev.score - evidence[customer].score) < _MARGIN_SCALE and mapping[label] == "other_agent":
            confidence = round(confidence * 0.85, 3)
        extras.append(f"{_why(label, ev)} -> {mapping[label]}")
    note = f"agent {_why(agent, evidence[agent])}; customer {_why(customer, evidence[customer])}"
    if extras:
        note += "; " + "; ".join(extras)
    uncertain = confidence < UNCERTAIN_BELOW
    if uncertain:
        note = "roles uncertain, review: " + note
    return RoleDecision(mapping, confidence, note, uncertain, scores)
