"""Separate the speakers of a mono call and decide who is the agent.

Stereo calls never come here: their channels are the speakers. For a mono call,
pyannote.audio finds who spoke when (:mod:`qa_pipeline.speakers.diarization`, an optional extra),
each word goes to the speaker whose turn overlaps it most, and :mod:`qa_pipeline.speakers.roles`
decides from what each speaker says which one is the agent. Without the extra, or when
diarization finds nothing, the words stay speaker ``unknown`` with the reason.

This is the one path from diarization to roles: the pipeline, the tests and
``bench/diarization.py`` all go through :meth:`SpeakerSeparator.separate`.

Example (``diarizer`` is anything with ``diarize(samples, rate) -> [SpeakerSegment]``)::

    separator = SpeakerSeparator(diarizer=diarizer)
    words, separation = separator.separate(samples, transcript.words, CallInfo("c1"), "en")
    separation.decision.mapping   # {"SPEAKER_00": "agent", "SPEAKER_01": "customer"}
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

import numpy as np

from qa_pipeline.records import CallInfo, SpeakerSegment, Word
from qa_pipeline.speakers.diarization import Diarizer, assign_speakers, diarization_available
from qa_pipeline.speakers.roles import RoleDecision, assign_roles
from qa_pipeline.speakers.turns import build_turns

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Separation:
    """What separating a mono call found: the diarization turns, the role decision (``None``
    when the speakers stayed unknown) and, in words, what happened."""

    note: str
    decision: Optional[RoleDecision] = None
    segments: tuple[SpeakerSegment, ...] = ()

    @property
    def confidence(self) -> Optional[float]:
        return self.decision.confidence if self.decision is not None else None

    @property
    def uncertain(self) -> bool:
        """The agent/customer decision needs a person to check it."""
        return self.decision.uncertain if self.decision is not None else False


def _no_step(name: str) -> None:
    """The default step hook: does nothing."""


class SpeakerSeparator:
    """Holds the diarization pipeline for the batch (loaded once, on first use), or the
    ``diarizer`` it is given (a loaded :class:`Diarizer`, or a fake at the model boundary)."""

    def __init__(self, *, enabled: bool = True, pipeline: Optional[str] = None, device: str = "cpu",
                 diarizer: Optional[Any] = None):
        self.enabled = enabled
        self.pipeline = pipeline
        self.device = device
        self._diarizer = diarizer
        self._unavailable: Optional[str] = None if enabled else "diarization turned off (--no-diarize)"

    @property
    def diarizer(self) -> Optional[Any]:
        """The diarizer, loaded on first use; ``None`` when diarization is off or not installed."""
        if self._diarizer is None and self._unavailable is None:
            ok, reason = diarization_available()
            if not ok:
                self._unavailable = reason
                log.warning("mono calls keep speaker 'unknown': %s", reason)
            else:
                self._diarizer = Diarizer(self.pipeline, device=self.device)
        return self._diarizer if self._unavailable is None else None

    def separate(self, samples: np.ndarray, words: Sequence[Word], info: CallInfo, language: str, *,
                 on_step: Callable[[str], None] = _no_step) -> tuple[list[Word], Separation]:
        """Words with speaker agent/customer/other_agent (or ``unknown``) and the decision.

        ``on_step("diarize")`` and ``on_step("roles")`` are called as those steps begin."""
        diarizer = self.diarizer
        if diarizer is None:
            return _unknown(words), Separation(f"speakers unknown: {self._unavailable}")
        if not words:
            return [], Separation("no words recognised; nothing to separate")
        on_step("diarize")
        segments = diarizer.diarize(samples, 16000)
        if not segments:
            reason = getattr(diarizer, "last_status", None) or "diarization found no speech turns"
            return _unknown(words), Separation(f"speakers unknown: {reason}")
        on_step("roles")
        labelled = assign_speakers(words, segments)
        decision = assign_roles(build_turns(labelled), info, language)
        roles = [Word(w.start, w.end, w.text, w.probability, decision.role_of(w.speaker)) for w in labelled]
        return roles, Separation(decision.note, decision, tuple(segments))


def _unknown(words: Sequence[Word]) -> list[Word]:
    return [Word(w.start, w.end, w.text, w.probability, "unknown") for w in words]
