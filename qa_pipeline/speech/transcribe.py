"""Speech recognition with faster-whisper: word times in the recording, long silences cut
(speech found by :mod:`qa_pipeline.speech.activity`), Mandarin as Chinese readers expect it
(:mod:`qa_pipeline.speech.chinese_text`), the centre's vocabulary as hotwords.

The model loads once per batch (:class:`Transcriber`). Setting ``QA_FAKE_ASR=1`` swaps in
a deterministic fake at this model boundary, for tests that exercise everything else
(kill -9 recovery, concurrency) without spending minutes on recognition.
"""
from __future__ import annotations

import logging
import os
from bisect import bisect_right
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from qa_pipeline.records import Word
from qa_pipeline.speech.activity import speech_regions, untranscribed_seconds
from qa_pipeline.speech.chinese_text import chinese_words, words_with_digits
from qa_pipeline.speech.vocabulary import Vocabulary

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class Transcript:
    """One channel's (or a mono mix's) words, and how much of its speech got none."""

    words: tuple[Word, ...]
    language: str
    language_probability: Optional[float] = None
    speech_seconds: float = 0.0  # speech-like audio in the channel (see speech.activity)
    untranscribed_seconds: float = 0.0  # of it, with no recognised word near it
    vad_threshold: Optional[float] = None  # the VAD threshold the regions came from


class ChunkTimeline:
    """Maps times in the joined speech chunks (sample ranges) back to the recording."""

    def __init__(self, chunks: Sequence[tuple[int, int]]):
        self.joined_starts: list[float] = []  # where each chunk starts in the joined audio
        self.original: list[tuple[float, float]] = []
        pos = 0
        for start, end in chunks:
            self.joined_starts.append(pos / SAMPLE_RATE)
            self.original.append((start / SAMPLE_RATE, end / SAMPLE_RATE))
            pos += end - start
        self.joined_end = pos / SAMPLE_RATE

    def restore(self, start: float, end: float) -> tuple[float, float]:
        """A word belongs to the chunk holding most of it; it is kept inside that chunk."""
        first = max(bisect_right(self.joined_starts, start) - 1, 0)
        last = max(bisect_right(self.joined_starts, max(end - 1e-6, start)) - 1, 0)
        best, best_len = first, -1.0
        for i in range(first, last + 1):
            lo = self.joined_starts[i]
            hi = self.joined_starts[i + 1] if i + 1 < len(self.joined_starts) else self.joined_end
            overlap = min(end, hi) - max(start, lo)
            if overlap > best_len:
                best, best_len = i, overlap
        lo = self.joined_starts[best]
        o_start, o_end = self.original[best]
        shift = o_start - lo
        new_start = min(max(start + shift, o_start), o_end)
        new_end = min(max(end + shift, new_start), o_end)
        return new_start, new_end


class Transcriber:
    """Loads a faster-whisper model once and transcribes 16 kHz mono arrays.

    Decoding options are faster-whisper's own defaults (beam 5, the previous text as
    context, temperature fallback, no prompt): on the shared Mandarin and English clips
    every departure from them tried (no context between windows, a "以下是普通话的句子。"
    prompt, cutting 0.5 s pauses) cost accuracy; tests/speech/test_never_worse.py keeps it so.
    """

    def __init__(self, model: str, *, device: str = "cpu", compute_type: str = "int8",
                 cpu_threads: int = 0, beam_size: int = 5):
        from faster_whisper import WhisperModel

        self.model_name = model
        self.beam_size = beam_size
        self.whisper = WhisperModel(  # faster-whisper itself, for callers that time it bare
            model, device=device, compute_type=compute_type, cpu_threads=cpu_threads)
        self.multilingual = bool(getattr(self.whisper.model, "is_multilingual", True))

    def detect_language(self, samples: np.ndarray, allowed: Sequence[str] = ("zh", "en")) -> tuple[str, float]:
        """Most likely language among ``allowed`` (a call centre serving zh+en), from the
        first 30 s of speech (ringing and hold silence skipped)."""
        if not self.multilingual:
            return "en", 1.0
        regions = speech_regions(samples)
        speech = _joined(samples, regions.chunks) if regions.chunks else samples
        _, _, probs = self.whisper.detect_language(speech[: 30 * SAMPLE_RATE])
        ranked = [(lang, p) for lang, p in probs if lang in allowed] or list(probs)
        lang, p = max(ranked, key=lambda lp: lp[1])
        return lang, float(p)

    def transcribe(self, samples: np.ndarray, *, language: Optional[str] = None, speaker: str = "unknown",
                   offset: float = 0.0, vocabulary: Optional[Vocabulary] = None) -> Transcript:
        """Words of one channel (or a mono mix), with times in the recording plus ``offset``.

        Pauses of a second or more between speech regions are cut out, short ones and up to
        3 s at either end kept (see :mod:`qa_pipeline.speech.activity`): a short clip is
        decoded as bare faster-whisper would decode it.
        ``vocabulary``: the centre's names and greeting, given as hotwords, and how Mandarin
        numbers are written (:mod:`qa_pipeline.speech.vocabulary`).
        """
        if language in (None, "auto"):
            language = None
        if not self.multilingual and language not in (None, "en"):
            raise ValueError(f"{self.model_name} is English-only; it cannot transcribe {language!r}")
        regions = speech_regions(samples)
        if not regions.chunks:
            return Transcript((), language or "unknown", None, regions.energetic_seconds,
                              regions.energetic_seconds, regions.threshold)
        # VAD is done here rather than by faster-whisper (vad_filter) so that word times can
        # be restored correctly: faster-whisper maps a word that straddles two joined speech
        # chunks by its middle, which can stretch it across the silence that was cut out (on
        # a per-channel transcript, across the other speaker's whole turn).
        segments, info = self.whisper.transcribe(
            _joined(samples, regions.chunks), language=language if self.multilingual else "en",
            word_timestamps=True, vad_filter=False, beam_size=self.beam_size,
            hotwords=vocabulary.hotwords() if vocabulary else None,
        )
        timeline = ChunkTimeline(regions.chunks)
        words = []
        for seg in segments:
            for w in seg.words or ():
                text = chinese_words(w.word) if info.language == "zh" else w.word
                if text.strip():
                    start, end = timeline.restore(w.start, w.end)
                    words.append(Word(round(start + offset, 3), round(end + offset, 3), text.strip(),
                                      round(float(w.probability), 4), speaker))
        if info.language == "zh" and vocabulary and vocabulary.numbers == "digits":
            words = words_with_digits(words)
        speech, missing = untranscribed_seconds(samples, [(w.start, w.end) for w in words], offset=offset)
        if missing > 0.3 * speech and speech > 5:
            log.warning("%s: %.0f of %.0f s of speech-like audio have no words", speaker, missing, speech)
        return Transcript(tuple(words), info.language, float(info.language_probability or 0.0),
                          speech, missing, regions.threshold)


def _joined(samples: np.ndarray, chunks: Sequence[tuple[int, int]]) -> np.ndarray:
    if len(chunks) == 1 and chunks[0] == (0, len(samples)):
        return samples
    return np.concatenate([samples[start:end] for start, end in chunks])


class FakeTranscriber:
    """Deterministic stand-in at the model boundary: one word per 0.4 s of voiced audio."""

    model_name = "fake-asr"
    multilingual = True

    def detect_language(self, samples: np.ndarray, allowed: Sequence[str] = ("zh", "en")) -> tuple[str, float]:
        return "en", 1.0

    def transcribe(self, samples: np.ndarray, *, language: Optional[str] = None, speaker: str = "unknown",
                   offset: float = 0.0, vocabulary: Optional[Vocabulary] = None) -> Transcript:
        hop = int(0.4 * SAMPLE_RATE)
        words = []
        for i in range(0, len(samples) - hop + 1, hop):
            chunk = samples[i:i + hop]
            if float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2))) > 0.01:
                start = i / SAMPLE_RATE + offset
                words.append(Word(round(start, 3), round(start + 0.35, 3), f"w{len(words)}", 1.0, speaker))
        return Transcript(tuple(words), language or "en", 1.0)


def load_transcriber(model_dir: str, *, device: str = "cpu", compute_type: str = "int8", cpu_threads: int = 0):
    if os.environ.get("QA_FAKE_ASR") == "1":
        return FakeTranscriber()
    return Transcriber(model_dir, device=device, compute_type=compute_type, cpu_threads=cpu_threads)
