"""Fakes at the model boundary: a transcriber that "hears" a script and a diarizer that gives
fixed speaker turns. Everything after them (turns, roles, redaction, scoring, storage) is real.
The batch tests use QA_FAKE_ASR's recogniser instead (the ``fake_asr`` fixture, tests/pipeline/conftest.py)
with :data:`BATCH_OPTIONS`."""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import soundfile as sf

from qa_pipeline.pipeline import RunOptions
from qa_pipeline.records import SpeakerSegment, Word
from qa_pipeline.speech.transcribe import Transcript

# (speaker, start seconds, text): a short English service call
SCRIPT = (
    ("agent", 0.5, "Thank you for calling Acme, my name is Sarah, how can I help you today?"),
    ("customer", 5.0, "Hi, I would like to check my last bill please."),
    ("agent", 8.5, "Of course, thank you for waiting. Is there anything else I can help with? Goodbye."),
)

# a batch compared with one process's: English, no diarizer, one thread a process (workers share 2 cores)
BATCH_OPTIONS = RunOptions(language="en", diarize=False, threads=1)


class ScriptedTranscriber:
    """Returns the words of SCRIPT said by ``speaker`` (all of them for a mono mix), one word
    every 0.3 s from each line's start; records what it was asked."""

    model_name = "scripted-fake"

    def __init__(self, script: Sequence[tuple[str, float, str]] = SCRIPT, language: str = "en"):
        self.script = script
        self.language = language
        self.calls: list[str] = []

    def detect_language(self, samples: np.ndarray, allowed: Sequence[str] = ("zh", "en")) -> tuple[str, float]:
        return self.language, 1.0

    def transcribe(self, samples: np.ndarray, *, language: Optional[str] = None, speaker: str = "unknown",
                   offset: float = 0.0, vocabulary=None) -> Transcript:
        self.calls.append(speaker)
        words = []
        for who, start, text in self.script:
            if speaker not in ("unknown", who):
                continue
            for i, token in enumerate(text.split()):
                t = round(start + 0.3 * i, 3)
                words.append(Word(t, round(t + 0.25, 3), token, 0.95, speaker))
        return Transcript(tuple(words), self.language if language in (None, "auto") else language, 1.0)

    def transcribe_channels(self, channels, *, language: Optional[str] = None, offset: float = 0.0,
                            vocabulary=None) -> list[Transcript]:
        return [self.transcribe(samples, language=language, speaker=speaker, offset=offset, vocabulary=vocabulary)
                for samples, speaker in channels]


class FakeDiarizer:
    """Gives fixed speaker turns, as pyannote would."""

    def __init__(self, segments: Sequence[SpeakerSegment]):
        self.segments = list(segments)
        self.last_status = "no speech found by diarization"

    def diarize(self, samples: np.ndarray, sample_rate: int) -> list[SpeakerSegment]:
        return list(self.segments)


def script_segments(script: Sequence[tuple[str, float, str]] = SCRIPT) -> list[SpeakerSegment]:
    """The script's lines as diarization turns, agent SPEAKER_01, customer SPEAKER_00."""
    label = {"agent": "SPEAKER_01", "customer": "SPEAKER_00"}
    return [SpeakerSegment(start, round(start + 0.3 * len(text.split()), 3), label[who])
            for who, start, text in script]


def write_call(path, *, stereo: bool = True, seconds: float = 14.0, rate: int = 8000) -> None:
    """A small telephone-like recording with sound on both channels (different on each), or mono."""
    rng = np.random.default_rng(7)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    left = (0.2 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 0.3 * t) > 0)).astype(np.float32)
    right = (0.2 * np.sin(2 * np.pi * 330 * t) * (np.sin(2 * np.pi * 0.3 * t) <= 0)).astype(np.float32)
    noise = rng.normal(0, 0.003, (n, 2)).astype(np.float32)
    data = np.stack([left, right], axis=1) + noise
    sf.write(str(path), data if stereo else data.mean(axis=1), rate)
