"""Separate the speakers of a mono call and decide who is the agent.

Stereo calls never come here: their channels are the speakers. For a mono call,
pyannote.audio finds who spoke when (:mod:`qa_pipeline.speakers.diarization`, an optional extra),
each word goes to the speaker whose turn overlaps it most, and :mod:`qa_pipeline.speakers.roles`
decides from what each speaker says which one is the agent. Without the extra, or when
diarization finds nothing, the words stay speaker ``unknown`` with the reason.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from qa_pipeline.records import CallInfo, Word
from qa_pipeline.speakers.turns import build_turns

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Separation:
    confidence: Optional[float]
    note: str
    uncertain: bool = False


class SpeakerSeparator:
    """Holds the diarization pipeline for the batch (loaded once, on first use)."""

    def __init__(self, *, enabled: bool = True, pipeline: Optional[str] = None, device: str = "cpu"):
        self.enabled = enabled
        self.pipeline = pipeline
        self.device = device
        self._diarizer = None
        self._unavailable: Optional[str] = None if enabled else "diarization turned off (--no-diarize)"

    def _load(self):
        if self._diarizer is None and self._unavailable is None:
            from qa_pipeline.speakers.diarization import Diarizer, diarization_available

            ok, reason = diarization_available()
            if not ok:
                self._unavailable = reason
                log.warning("mono calls keep speaker 'unknown': %s", reason)
            else:
                self._diarizer = Diarizer(self.pipeline, device=self.device)
        return self._diarizer

    def separate(self, samples: np.ndarray, words: Sequence[Word], info: CallInfo,
                 language: str) -> tuple[list[Word], Separation]:
        diarizer = self._load()
        if diarizer is None:
            return _unknown(words), Separation(None, f"speakers unknown: {self._unavailable}")
        if not words:
            return [], Separation(None, "no words recognised; nothing to separate")
        from qa_pipeline.speakers.diarization import assign_speakers
        from qa_pipeline.speakers.roles import assign_roles

        segments = diarizer.diarize(samples, 16000)
        if not segments:
            reason = getattr(diarizer, "last_status", None) or "diarization found no speech turns"
            return _unknown(words), Separation(None, f"speakers unknown: {reason}")
        labelled = assign_speakers(words, segments)
        decision = assign_roles(build_turns(labelled), info, language)
        roles = [Word(w.start, w.end, w.text, w.probability, decision.role_of(w.speaker)) for w in labelled]
        return roles, Separation(decision.confidence, decision.note, decision.uncertain)


def _unknown(words: Sequence[Word]) -> list[Word]:
    return [Word(w.start, w.end, w.text, w.probability, "unknown") for w in words]
