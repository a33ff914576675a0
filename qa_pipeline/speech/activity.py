"""Where a channel has speech: Silero VAD, checked against the channel's own energy.

Silero VAD misses speech on some telephone lines: with a steep 300–3400 Hz band limit at
8 kHz (nothing left below about 200 Hz) its default threshold (0.5) can keep half of a
speaker's speech, or a low voice's turns not at all, while the words are perfectly audible
to the recogniser. So the VAD's regions are compared with the frames that carry speech-like
energy (in the telephone band, well above the channel's noise floor); where VAD covers
too little of them, it is run again with a lower threshold, and energetic stretches it still
leaves out are transcribed too. After recognition,
:func:`untranscribed_seconds` says how much speech-like audio ended up with no words, so a
call with a side mostly missing is flagged rather than scored as if complete.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from qa_pipeline.records import SideCoverage

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
FRAME = 512  # 32 ms at 16 kHz
BAND_HZ = (250.0, 3500.0)  # what every telephone line carries
# VAD must keep this share of the energetic frames, or it is retried lower. On rendered
# steep-band 8 kHz lines the default threshold kept 0-42 % of them, 0.35 kept 70-97 %.
MIN_COVERAGE = 0.85
RETRY_THRESHOLDS = (0.35, 0.2)
# Silero's regions: pauses of 0.5 s split them, 0.4 s of padding either side. Measured on
# the rendered calls of bench/audio_agreement.py, per channel: one speaker's turns with the
# other's cut out decode better than turns left apart by long silences (WER 0.21 vs 0.27-0.30
# on en-ex-02's agent), which Whisper skips or hallucinates in.
MIN_SILENCE_MS = 500
SPEECH_PAD_MS = 400
# But silence shorter than KEEP_GAP_S between regions, and shorter than KEEP_EDGE_S before the
# first or after the last, stays in: trimming even 0.16 s of lead-in changed a word of the
# shared funasr clip, and cutting sub-second pauses cost the shared 8 kHz sales call
# (WER 0.263; 0.250 bare and with them kept).
KEEP_GAP_S = 1.0
KEEP_EDGE_S = 3.0


@dataclass(frozen=True)
class SpeechRegions:
    """Speech regions of one channel (sample indices) and how they were found."""

    chunks: tuple[tuple[int, int], ...]
    threshold: float  # the VAD threshold that gave them
    coverage: float  # share of the energetic frames VAD kept at that threshold (1.0 when there are none)
    energetic_seconds: float


def energetic_frames(samples: np.ndarray, *, floor_margin_db: float = 15.0, min_run: int = 4) -> np.ndarray:
    """One bool per 32 ms frame: speech-like energy in the telephone band.

    A frame counts when its band energy is ``floor_margin_db`` above the channel's noise
    floor (its 10th-percentile frame) and within 45 dB of its loudest frames; runs shorter
    than ``min_run`` frames (clicks) do not count. Level-independent, so a quiet channel's
    speech counts as speech.
    """
    n = len(samples) // FRAME
    if n == 0:
        return np.zeros(0, dtype=bool)
    frames = samples[: n * FRAME].reshape(n, FRAME).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(FRAME), axis=1)) ** 2
    freqs = np.fft.rfftfreq(FRAME, 1 / SAMPLE_RATE)
    band = spectrum[:, (freqs >= BAND_HZ[0]) & (freqs <= BAND_HZ[1])].sum(axis=1)
    db = 10 * np.log10(band + 1e-12)
    floor = np.percentile(db, 10)
    loud = np.percentile(db, 99)
    on = (db > floor + floor_margin_db) & (db > loud - 45.0) & (db > -100.0)
    for start, end in _runs(on):  # clicks and breaths are shorter than a syllable
        if end - start < min_run:
            on[start:end] = False
    return on


def frames_in(n_frames: int, chunks: tuple[tuple[int, int], ...]) -> np.ndarray:
    """One bool per frame: inside one of ``chunks`` (sample ranges)."""
    mask = np.zeros(n_frames, dtype=bool)
    for start, end in chunks:
        mask[start // FRAME: -(-end // FRAME)] = True
    return mask


def vad_chunks(samples: np.ndarray, threshold: float) -> tuple[tuple[int, int], ...]:
    """Silero VAD's speech regions (sample ranges, padded, overlaps merged) at ``threshold``."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    found = get_speech_timestamps(samples, VadOptions(threshold=threshold, min_silence_duration_ms=MIN_SILENCE_MS,
                                                      speech_pad_ms=SPEECH_PAD_MS))
    return _union(tuple((c["start"], c["end"]) for c in found))


def _level_for_vad(samples: np.ndarray, energetic: np.ndarray) -> np.ndarray:
    """The channel scaled so its speech peaks near full scale (Silero is level-sensitive;
    a quiet channel is still speech). Only the VAD sees this copy."""
    peak = float(np.abs(samples).max(initial=0.0))
    if peak <= 0 or not energetic.any():
        return samples
    gain = min(0.9 / peak, 100.0)
    return samples * gain if gain > 1.0 else samples


def speech_regions(samples: np.ndarray) -> SpeechRegions:
    """Speech regions of a 16 kHz channel: Silero VAD, retried with a lower threshold while
    it keeps less than ``MIN_COVERAGE`` of the frames with speech-like energy; then every
    energetic stretch it still left out is added (with the same padding), and short
    silences are put back (:func:`close_short_silences`)."""
    energetic = energetic_frames(samples)
    seconds = float(energetic.sum()) * FRAME / SAMPLE_RATE
    vad_input = _level_for_vad(samples, energetic)
    best: SpeechRegions | None = None
    for threshold in (0.5,) + RETRY_THRESHOLDS:
        chunks = vad_chunks(vad_input, threshold)
        covered = float((energetic & frames_in(len(energetic), chunks)).sum())
        coverage = covered / float(energetic.sum()) if energetic.any() else 1.0
        found = SpeechRegions(chunks, threshold, round(coverage, 3), round(seconds, 2))
        if best is None or coverage > best.coverage + 0.02:
            best = found
        if coverage >= MIN_COVERAGE:
            break
        log.info("VAD (threshold %.2f) kept %.0f%% of %.1f s of speech-like audio; retrying lower",
                 threshold, 100 * coverage, seconds)
    assert best is not None
    # Even at a threshold that keeps most speech, VAD can start a turn late (a rendered
    # agent's "Thank you." before a 0.35 region was lost): what it left out of the
    # energetic stretches goes in too.
    pad = SPEECH_PAD_MS * SAMPLE_RATE // 1000
    runs = tuple((max(s * FRAME - pad, 0), min(e * FRAME + pad, len(samples))) for s, e in _runs(energetic))
    chunks = close_short_silences(_union(best.chunks + runs), len(samples))
    return SpeechRegions(chunks, best.threshold, best.coverage, best.energetic_seconds)


def close_short_silences(chunks: tuple[tuple[int, int], ...], n: int) -> tuple[tuple[int, int], ...]:
    """Chunks with the silences between them shorter than ``KEEP_GAP_S``, and those before
    the first or after the last shorter than ``KEEP_EDGE_S``, put back."""
    gap, edge = int(KEEP_GAP_S * SAMPLE_RATE), int(KEEP_EDGE_S * SAMPLE_RATE)
    if not chunks:
        return chunks
    out = [list(chunks[0])]
    if out[0][0] < edge:
        out[0][0] = 0
    for start, end in chunks[1:]:
        if start - out[-1][1] < gap:
            out[-1][1] = end
        else:
            out.append([start, end])
    if n - out[-1][1] < edge:
        out[-1][1] = n
    return tuple((a, b) for a, b in out)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, end) frame indices of each run of True."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def _union(chunks: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for start, end in sorted(chunks):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def untranscribed_seconds(samples: np.ndarray, word_spans: list[tuple[float, float]], *,
                          margin: float = 0.5, offset: float = 0.0) -> tuple[float, float]:
    """(speech-like seconds, of which with no recognised word within ``margin`` seconds).

    ``word_spans`` are the words' (start, end) in the recording's time; ``offset`` is where
    ``samples`` starts in it.
    """
    energetic = energetic_frames(samples)
    covered = np.zeros(len(energetic), dtype=bool)
    hop = FRAME / SAMPLE_RATE
    for start, end in word_spans:
        lo = max(int((start - offset - margin) / hop), 0)
        hi = int((end - offset + margin) / hop) + 1
        covered[lo:hi] = True
    speech = float(energetic.sum()) * hop
    missing = float((energetic & ~covered).sum()) * hop
    return round(speech, 2), round(missing, 2)


# A side is flagged when this share of its speech-like audio, and at least this many
# seconds of it, got no words.
FLAG_SHARE, FLAG_SECONDS = 0.4, 5.0


def coverage_flags(coverage: Sequence[SideCoverage]) -> tuple[str, ...]:
    """Flag reasons for sides whose speech largely has no words, e.g.
    "customer side mostly untranscribed" (over half missing) or "... partly untranscribed"."""
    reasons = []
    for side in coverage:
        if side.untranscribed_seconds >= FLAG_SECONDS and side.share_untranscribed >= FLAG_SHARE:
            who = "call" if side.speaker == "unknown" else f"{side.speaker} side"
            extent = "mostly" if side.share_untranscribed > 0.5 else "partly"
            reasons.append(f"{who} {extent} untranscribed")
    return tuple(reasons)
