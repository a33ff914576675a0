"""Speech recognition with faster-whisper: word times in the recording, long silences cut
(speech found by :mod:`qa_pipeline.speech.activity`), Mandarin as Chinese readers expect it
(:mod:`qa_pipeline.speech.chinese_text`), the centre's vocabulary as hotwords.

The model loads once per batch (:class:`Transcriber`). With ``batch_size`` above 1 the speech of
every channel of a call (of several calls: :meth:`Transcriber.transcribe_calls`) is cut into
windows of up to 30 s and decoded together by faster-whisper's ``BatchedInferencePipeline``
(see :func:`speech_windows`). Setting
``QA_FAKE_ASR=1`` swaps in
a deterministic fake at this model boundary, for tests that exercise everything else
(kill -9 recovery, concurrency) without spending minutes on recognition.
"""
from __future__ import annotations

import functools
import logging
import os
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np

from qa_pipeline.records import Word
from qa_pipeline.speech.activity import SpeechRegions, speech_regions, untranscribed_seconds
from qa_pipeline.speech.chinese_text import chinese_words, words_with_digits
from qa_pipeline.speech.settings import BEAM_SIZE
from qa_pipeline.speech.vocabulary import Vocabulary

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
WINDOW = 30 * SAMPLE_RATE  # Whisper hears at most 30 s at a time
LANGUAGES = ("zh", "en")  # what language="auto" chooses between: the centre's languages


@dataclass(frozen=True)
class Transcript:
    """One channel's (or a mono mix's) words, and how much of its speech got none."""

    words: tuple[Word, ...]
    language: str
    language_probability: Optional[float] = None
    speech_seconds: float = 0.0  # speech-like audio in the channel (see speech.activity)
    untranscribed_seconds: float = 0.0  # of it, with no recognised word near it
    vad_threshold: Optional[float] = None  # the VAD threshold the regions came from


@dataclass(frozen=True, eq=False)
class CallSpeech:
    """What :meth:`Transcriber.transcribe_calls` hears of one call: its ``(samples, speaker)``
    channels (16 kHz mono arrays), the language (``"zh"``, ``"en"``, ``"auto"`` or ``None``, see
    :meth:`Transcriber.transcribe`), where the call starts (``offset``) and its vocabulary."""

    channels: tuple[tuple[np.ndarray, str], ...]
    language: Optional[str] = None
    offset: float = 0.0
    vocabulary: Optional[Vocabulary] = None


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


def pad_or_trim(features: np.ndarray) -> np.ndarray:
    """faster-whisper's: features padded or cut to one 30 s window."""
    from faster_whisper.audio import pad_or_trim as whisper_pad_or_trim

    return whisper_pad_or_trim(features)


def _reusing_whisper():
    """faster-whisper's ``WhisperModel``, whose next encoder call on one given window can
    return an output already computed (faster-whisper is imported on first use: it is heavy)."""
    import faster_whisper

    return _reusing(faster_whisper.WhisperModel)  # looked up each time: tests stand in for it


@functools.cache
def _reusing(model_class: type) -> type:
    class ReusingWhisper(model_class):
        # Language detection encodes the first window that decoding encodes again, and
        # encoding a window costs about as much as decoding it with beam 5: in the
        # bench/throughput.py profile, detection was a sixth of recognition time.
        _reuse: Optional[tuple[np.ndarray, Any]] = None

        def reuse_next(self, features: Optional[np.ndarray], encoded: Any) -> None:
            """The next :meth:`encode` of exactly ``features`` returns ``encoded`` (None: forget it)."""
            self._reuse = None if features is None else (features, encoded)

        def encode(self, features: np.ndarray):
            kept = self._reuse
            if kept is not None and kept[0].shape == features.shape and np.array_equal(kept[0], features):
                self._reuse = None
                return kept[1]
            return super().encode(features)

    return ReusingWhisper


class Transcriber:
    """Loads a faster-whisper model once and transcribes 16 kHz mono arrays.

    Decoding options are faster-whisper's own defaults (the previous text as context,
    temperature fallback, no prompt) but for a beam of 2, not 5 (:data:`BEAM_SIZE`: as
    accurate on the benchmark calls, a sixth less CPU): on the shared Mandarin and English clips
    every other departure from them tried (no context between windows, a "以下是普通话的句子。"
    prompt, cutting 0.5 s pauses) cost accuracy; tests/speech/test_never_worse.py keeps it so.
    """

    def __init__(self, model: str, *, device: str = "cpu", compute_type: str = "int8",
                 cpu_threads: int = 0, beam_size: int = BEAM_SIZE, batch_size: int = 1):
        self.model_name = model
        self.beam_size = beam_size
        self.batch_size = batch_size  # 1: faster-whisper's own sequential decoding
        self.whisper = _reusing_whisper()(  # faster-whisper itself, for callers that time it bare
            model, device=device, compute_type=compute_type, cpu_threads=cpu_threads)
        self.multilingual = bool(getattr(self.whisper.model, "is_multilingual", True))

    def detect_language(self, samples: np.ndarray, allowed: Sequence[str] = LANGUAGES) -> tuple[str, float]:
        """Most likely language among ``allowed`` (a call centre serving zh+en), from the
        first 30 s of speech (ringing and hold silence skipped).

        :meth:`transcribe` and :meth:`transcribe_channels` detect it themselves when given
        ``language="auto"``, for less: the 30 s they detect on are the first window they
        decode, encoded once for both."""
        if not self.multilingual:
            return "en", 1.0
        regions = speech_regions(samples)
        return self._detected(_joined(samples, regions.chunks) if regions.chunks else samples, allowed)

    def _detected(self, speech: np.ndarray, allowed: Sequence[str] = LANGUAGES, *,
                  reuse: bool = False) -> tuple[str, float]:
        """The language of ``speech`` (joined speech chunks) from its first 30 s. ``reuse``:
        the encoding is kept for the decoding of the same ``speech`` that follows."""
        # The features and the first window exactly as faster-whisper's transcribe makes them
        # (its log-mel is clamped to the whole input's peak, and it leaves out the last frame),
        # so that its encoder call for that window finds this one's output.
        features = self.whisper.feature_extractor(speech)
        first = pad_or_trim(features[:, : min(self.whisper.feature_extractor.nb_max_frames, features.shape[-1] - 1)])
        encoded = self.whisper.encode(first)
        if reuse:
            self.whisper.reuse_next(first, encoded)
        probs = [(token[2:-2], float(p)) for token, p in self.whisper.model.detect_language(encoded)[0]]
        ranked = [(lang, p) for lang, p in probs if lang in allowed] or probs
        return max(ranked, key=lambda lp: lp[1])

    def transcribe(self, samples: np.ndarray, *, language: Optional[str] = None, speaker: str = "unknown",
                   offset: float = 0.0, vocabulary: Optional[Vocabulary] = None) -> Transcript:
        """Words of one channel (or a mono mix), with times in the recording plus ``offset``.

        Pauses of a second or more between speech regions are cut out, short ones and up to
        3 s at either end kept (see :mod:`qa_pipeline.speech.activity`): a short clip is
        decoded as bare faster-whisper would decode it.
        ``language``: ``"zh"``, ``"en"``, or ``"auto"`` to detect Mandarin or English from the
        first 30 s of speech (``None``: faster-whisper's own detection, any language).
        ``vocabulary``: the centre's names and greeting, given as hotwords, and how Mandarin
        numbers are written (:mod:`qa_pipeline.speech.vocabulary`).
        """
        return self.transcribe_channels([(samples, speaker)], language=language, offset=offset,
                                        vocabulary=vocabulary)[0]

    def transcribe_channels(self, channels: Sequence[tuple[np.ndarray, str]], *, language: Optional[str] = None,
                            offset: float = 0.0, vocabulary: Optional[Vocabulary] = None) -> list[Transcript]:
        """One :class:`Transcript` per ``(samples, speaker)`` channel of a call, all in one language
        (``"auto"``: detected on the channel with the most speech, see :meth:`transcribe`).

        With ``batch_size`` above 1 the speech windows of all channels (see
        :func:`speech_windows`) are decoded together, ``batch_size`` at a time: both sides of
        a stereo call are mostly silence, so each alone rarely fills a batch. Otherwise each
        channel is decoded on its own, by faster-whisper's sequential loop.
        """
        return self.transcribe_calls([CallSpeech(tuple(channels), language, offset, vocabulary)])[0]

    def transcribe_calls(self, calls: Sequence[CallSpeech]) -> list[list[Transcript]]:
        """:meth:`transcribe_channels` for several calls at once: one list of transcripts per call,
        the same as each call transcribed alone would give.

        With ``batch_size`` above 1 the speech windows of every call that has the same language
        and the same hotwords (its vocabulary's) share the batches, so that calls with little
        speech fill them; each window is still decoded on its own and each word goes back to its
        call, channel and time. A call whose language is left to faster-whisper (``None``, or
        ``"auto"`` with no speech) is decoded alone. With ``batch_size`` 1 each call is decoded
        as :meth:`transcribe_channels` decodes it.
        """
        if self.batch_size <= 1:
            return [self._sequential_call(call) for call in calls]
        heard = [self._heard(call, reuse=False) for call in calls]
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i, (call, (_, language, _)) in enumerate(zip(calls, heard)):
            hotwords = call.vocabulary.hotwords() if call.vocabulary else None
            groups.setdefault((language, hotwords) if language is not None else (None, i), []).append(i)
        out: list[list[Transcript]] = [[] for _ in calls]
        for (language, _), members in groups.items():
            transcripts = self._batched([(calls[i], heard[i][0], heard[i][2]) for i in members], language)
            for i, said in zip(members, transcripts):
                out[i] = said
        return out

    def _heard(self, call: CallSpeech, *, reuse: bool) -> tuple[list[SpeechRegions], Optional[str], Optional[float]]:
        """Each channel's speech regions, the language to decode in and, when it was detected
        here, its probability. ``reuse``: the detection's encoding is kept for the decoding."""
        regions = [speech_regions(samples) for samples, _ in call.channels]
        language = self._checked_language(call.language)
        probability: Optional[float] = None
        if language == "auto":
            spoken = [i for i, r in enumerate(regions) if r.chunks]
            if not spoken:
                return regions, None, None
            most = max(spoken, key=lambda i: sum(end - start for start, end in regions[i].chunks))
            language, probability = self._detected(_joined(call.channels[most][0], regions[most].chunks),
                                                   reuse=reuse)
        return regions, language, probability

    def _sequential_call(self, call: CallSpeech) -> list[Transcript]:
        reused = call.language == "auto" and self.multilingual  # the detection's encoding waits for the decoding
        regions, language, probability = self._heard(call, reuse=reused)
        try:
            return [self._sequential(samples, r, language, speaker, call.offset, call.vocabulary, probability)
                    for (samples, speaker), r in zip(call.channels, regions)]
        finally:
            if reused:  # not used (the decoding stopped early, or no speech): not kept for another call
                self.whisper.reuse_next(None, None)

    def _sequential(self, samples: np.ndarray, regions: SpeechRegions, language: Optional[str], speaker: str,
                    offset: float, vocabulary: Optional[Vocabulary], probability: Optional[float]) -> Transcript:
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
        speech, missing = untranscribed_seconds(samples, [(w.start, w.end) for w in words], offset=offset,
                                                regions=regions)
        if missing > 0.3 * speech and speech > 5:
            log.warning("%s: %.0f of %.0f s of speech-like audio have no words", speaker, missing, speech)
        found = probability if probability is not None else float(info.language_probability or 0.0)
        return Transcript(tuple(words), info.language, found, speech, missing, regions.threshold)

    def _batched(self, calls: Sequence[tuple[CallSpeech, Sequence[SpeechRegions], Optional[float]]],
                 language: Optional[str]) -> list[list[Transcript]]:
        """The speech windows of every channel of ``calls`` (each with its channels' regions and
        its detected language's probability), all with one language and the same hotwords, in
        one batched decoding; the words split back per call and channel."""
        from faster_whisper import BatchedInferencePipeline

        channels = [(c, samples, speaker) for c, (call, _, _) in enumerate(calls) for samples, speaker in call.channels]
        regions = [r for _, call_regions, _ in calls for r in call_regions]
        layout = _WindowLayout([speech_windows(samples, r.chunks) for (_, samples, _), r in zip(channels, regions)])
        vocabulary = calls[0][0].vocabulary  # the same hotwords for all (see transcribe_calls)
        words: list[list[Word]] = [[] for _ in channels]
        info = None
        if layout.clips:
            # A pipeline per decoding: it carries the last word's time from one decoding to the next.
            segments, info = BatchedInferencePipeline(self.whisper).transcribe(
                layout.joined([samples for _, samples, _ in channels]),
                language=language if self.multilingual else "en", clip_timestamps=layout.clips, vad_filter=False,
                word_timestamps=True, batch_size=self.batch_size, beam_size=self.beam_size,
                hotwords=vocabulary.hotwords() if vocabulary else None,
            )
            for seg in segments:
                channel, timeline, window_start = layout.window_at(seg.start)
                c, _, speaker = channels[channel]
                offset = calls[c][0].offset
                for w in seg.words or ():
                    text = chinese_words(w.word) if info.language == "zh" else w.word
                    if text.strip():
                        start, end = timeline.restore(w.start - window_start, w.end - window_start)
                        words[channel].append(Word(round(start + offset, 3), round(end + offset, 3), text.strip(),
                                                   round(float(w.probability), 4), speaker))
        found = info.language if info is not None else (language or "unknown")
        out: list[list[Transcript]] = [[] for _ in calls]
        for (c, samples, speaker), said, r in zip(channels, words, regions):
            call, _, probability = calls[c]
            if probability is None and info is not None:
                probability = float(info.language_probability or 0.0)
            if found == "zh" and call.vocabulary and call.vocabulary.numbers == "digits":
                said = words_with_digits(said)
            speech, missing = untranscribed_seconds(samples, [(w.start, w.end) for w in said], offset=call.offset,
                                                    regions=r)
            if missing > 0.3 * speech and speech > 5:
                log.warning("%s: %.0f of %.0f s of speech-like audio have no words", speaker, missing, speech)
            out[c].append(Transcript(tuple(said), found, probability, speech, missing, r.threshold))
        return out

    def _checked_language(self, language: Optional[str]) -> Optional[str]:
        if language == "auto" and not self.multilingual:
            language = "en"
        if not self.multilingual and language not in (None, "en"):
            raise ValueError(f"{self.model_name} is English-only; it cannot transcribe {language!r}")
        return language


def speech_windows(samples: np.ndarray, chunks: Sequence[tuple[int, int]]) -> list[tuple[tuple[int, int], ...]]:
    """A channel's speech chunks (sample ranges) packed in order into windows of at most 30 s
    of speech, the unit batched decoding works on: each window is decoded on its own, with
    no previous text as context, and the silence between its chunks cut out (as
    :meth:`Transcriber.transcribe` cuts it). A chunk longer than a window is cut at its
    quietest 0.1 s between 15 and 30 s in, so that no word is cut in two.
    """
    pieces: list[tuple[int, int]] = []
    for start, end in chunks:
        while end - start > WINDOW:
            cut = _quietest(samples, start + WINDOW // 2, start + WINDOW)
            pieces.append((start, cut))
            start = cut
        pieces.append((start, end))
    windows: list[tuple[tuple[int, int], ...]] = []
    current: list[tuple[int, int]] = []
    size = 0
    for start, end in pieces:
        if current and size + end - start > WINDOW:
            windows.append(tuple(current))
            current, size = [], 0
        current.append((start, end))
        size += end - start
    if current:
        windows.append(tuple(current))
    return windows


def _quietest(samples: np.ndarray, lo: int, hi: int) -> int:
    """The middle of the quietest 0.1 s in ``samples[lo:hi]`` (20 ms steps)."""
    hop = SAMPLE_RATE // 50
    n = (hi - lo) // hop
    frames = samples[lo: lo + n * hop].astype(np.float64).reshape(n, hop)
    energy = np.convolve((frames ** 2).mean(axis=1), np.ones(5) / 5, mode="same")
    return lo + int(np.argmin(energy[2:-2]) + 2) * hop + hop // 2


class _WindowLayout:
    """Every channel's speech windows laid end to end in one array for one batched call, and
    the way back from a time in it to the channel and the time in the recording."""

    def __init__(self, windows_per_channel: Sequence[Sequence[tuple[tuple[int, int], ...]]]):
        self.windows_per_channel = windows_per_channel
        self.clips: list[dict[str, float]] = []
        self.starts: list[float] = []
        self.owners: list[tuple[int, ChunkTimeline]] = []
        pos = 0
        for channel, windows in enumerate(windows_per_channel):
            for window in windows:
                size = sum(end - start for start, end in window)
                self.clips.append({"start": pos / SAMPLE_RATE, "end": (pos + size) / SAMPLE_RATE})
                self.starts.append(pos / SAMPLE_RATE)
                self.owners.append((channel, ChunkTimeline(window)))
                pos += size

    def joined(self, channels: Sequence[np.ndarray]) -> np.ndarray:
        return np.concatenate([channels[c][start:end] for c, windows in enumerate(self.windows_per_channel)
                               for window in windows for start, end in window])

    def window_at(self, seconds: float) -> tuple[int, ChunkTimeline, float]:
        """(channel, its window's timeline, where the window starts in the joined array)."""
        i = max(bisect_right(self.starts, seconds + 0.01) - 1, 0)
        channel, timeline = self.owners[i]
        return channel, timeline, self.starts[i]


def _joined(samples: np.ndarray, chunks: Sequence[tuple[int, int]]) -> np.ndarray:
    if len(chunks) == 1 and chunks[0] == (0, len(samples)):
        return samples
    return np.concatenate([samples[start:end] for start, end in chunks])


class FakeTranscriber:
    """Deterministic stand-in at the model boundary: one word per 0.4 s of voiced audio."""

    model_name = "fake-asr"
    multilingual = True

    def detect_language(self, samples: np.ndarray, allowed: Sequence[str] = LANGUAGES) -> tuple[str, float]:
        return "en", 1.0

    def transcribe(self, samples: np.ndarray, *, language: Optional[str] = None, speaker: str = "unknown",
                   offset: float = 0.0, vocabulary: Optional[Vocabulary] = None) -> Transcript:
        language = None if language == "auto" else language
        hop = int(0.4 * SAMPLE_RATE)
        words = []
        for i in range(0, len(samples) - hop + 1, hop):
            chunk = samples[i:i + hop]
            if float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2))) > 0.01:
                start = i / SAMPLE_RATE + offset
                words.append(Word(round(start, 3), round(start + 0.35, 3), f"w{len(words)}", 1.0, speaker))
        return Transcript(tuple(words), language or "en", 1.0)

    def transcribe_channels(self, channels: Sequence[tuple[np.ndarray, str]], *, language: Optional[str] = None,
                            offset: float = 0.0, vocabulary: Optional[Vocabulary] = None) -> list[Transcript]:
        return [self.transcribe(samples, language=language, speaker=speaker, offset=offset)
                for samples, speaker in channels]

    def transcribe_calls(self, calls: Sequence[CallSpeech]) -> list[list[Transcript]]:
        return [self.transcribe_channels(call.channels, language=call.language, offset=call.offset,
                                         vocabulary=call.vocabulary) for call in calls]


def load_transcriber(model_dir: str, *, device: str = "cpu", compute_type: str = "int8", cpu_threads: int = 0,
                     batch_size: int = 1, beam_size: int = BEAM_SIZE):
    if os.environ.get("QA_FAKE_ASR") == "1":
        return FakeTranscriber()
    return Transcriber(model_dir, device=device, compute_type=compute_type, cpu_threads=cpu_threads,
                       batch_size=batch_size, beam_size=beam_size)
