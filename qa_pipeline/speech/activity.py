"""Where a channel has speech: Silero VAD, checked against the channel's own energy.

Silero VAD misses speech on some telephone lines: with a steep 300–3400 Hz band limit at
8 kHz (nothing left below about 200 Hz) its default threshold (0.5) can keep half of a
speaker's speech, or a low voice's turns not at all, while the words are perfectly audible
to the recogniser. So the VAD's regions are compared with the frames that carry speech-like
energy (in the telephone band, well above the channel's noise floor); where VAD covers
too little of them, it is run again with a lower threshold, and speech-like stretches it
still leaves out are transcribed too. After recognition,
:func:`untranscribed_seconds` says how much speech-like audio ended up with no words, so a
call with a side mostly missing is flagged rather than scored as if complete.

Energy alone is not speech: ringback, keypad and IVR tones, hold music and VoIP comfort
noise stand as far above a quiet line's floor as a voice does. Counted as speech they
raised "untranscribed" flags on calls with every word recognised, pushed the VAD down to
its lowest threshold and had their stretches decoded (where Whisper invents words). So a
frame counts as speech-like only where Silero, too, finds it at least a little speech-like
(:data:`SPEECH_LIKE_PROB`, near any frame within 0.1 s), judged over stretches of a turn
(:func:`speech_like_frames`): on those tones, music and noise, rendered at 8 kHz, Silero
mostly stays below 0.05, while on the steep-line voices whose speech it scores below its
default threshold it still gives 0.1 or more to 90–99 % of the energetic frames. The limit:
a voice Silero does not hear at all (one rendering of a voice lowered 700 cents on a steep
line: 23 of 135 frames) is undercounted, so it can go unflagged.

Silero runs once per channel: its probabilities serve every threshold tried, the coverage
and the untranscribed measure (bench/asr_overhead.py --activity: these passes cost 2.9 % of
bare faster-whisper's time on the same channels, 0.5 % beyond the VAD pass bare makes too;
running the VAD per threshold and the energy twice cost 5.4 %).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qa_pipeline.records import SideCoverage

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
FRAME = 512  # 32 ms at 16 kHz
BAND_HZ = (250.0, 3500.0)  # what every telephone line carries
# VAD must keep this share of the speech-like frames, or it is retried lower. On rendered
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
# A frame with speech-like energy is speech when Silero gives at least this much to it or a
# frame within SPEECH_LIKE_REACH of it. Rendered at 8 kHz (tests/helpers/line_sounds.py):
# ringback, DTMF, beeps, hold music, comfort and line noise keep at most 1.0 s of 30 s at
# 0.1 (±3 frames; the steady-tone test removes that second, a 450 Hz ring's onset), none at
# 0.2; steep-line voices keep 94-100 % of their energetic frames at 0.1 (a quiet voice
# lowered 400 cents: 81 %), 76-100 % at 0.2.
SPEECH_LIKE_PROB = 0.1
SPEECH_LIKE_REACH = 3  # frames (±0.1 s): Silero dips inside a word, at its consonants
SPEECH_STRETCH_GAP = 16  # frames (0.5 s)
SPEECH_STRETCH_SHARE = 0.3
RESCORE_CONTEXT = 8  # frames (0.26 s) either side of a stretch scored again alone (rescored_alone)


@dataclass(frozen=True)
class SpeechRegions:
    """Speech regions of one channel (sample indices) and how they were found."""

    chunks: tuple[tuple[int, int], ...]
    threshold: float  # the VAD threshold that gave them
    coverage: float  # share of the speech-like frames VAD kept at that threshold (1.0 when there are none)
    energetic_seconds: float  # seconds of speech-like frames (energetic and speech to Silero)
    speech_frames: tuple[tuple[int, int], ...] = ()  # (first, end) frame index of each run of them


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


def speech_probabilities(samples: np.ndarray) -> np.ndarray:
    """Silero's speech probability for each 512-sample frame (one more for the padded tail),
    exactly as faster-whisper's ``get_speech_timestamps`` computes them."""
    from faster_whisper.vad import get_vad_model

    padded = np.pad(samples, (0, FRAME - len(samples) % FRAME))
    return np.asarray(get_vad_model()(padded), dtype=np.float32).reshape(-1)


def vad_chunks(samples: np.ndarray, threshold: float) -> tuple[tuple[int, int], ...]:
    """Silero VAD's speech regions (sample ranges, padded, overlaps merged) at ``threshold``."""
    return chunks_at(speech_probabilities(samples), threshold, len(samples))


def chunks_at(probs: np.ndarray, threshold: float, n_samples: int) -> tuple[tuple[int, int], ...]:
    """The regions faster-whisper's ``get_speech_timestamps`` finds in ``n_samples`` samples
    with our options (``MIN_SILENCE_MS``, ``SPEECH_PAD_MS``, no length limits) from the
    frames' probabilities: the model runs once per channel, not once per threshold tried
    (tests/speech/test_activity.py checks the regions are the same)."""
    neg_threshold = max(threshold - 0.15, 0.01)
    min_silence = SAMPLE_RATE * MIN_SILENCE_MS / 1000
    speeches: list[list[float]] = []
    start, temp_end, triggered = 0, 0, False
    for i, prob in enumerate(probs.tolist()):
        at = FRAME * i
        if prob >= threshold:
            temp_end = 0
            if not triggered:
                triggered, start = True, at
            continue
        if prob < neg_threshold and triggered:
            temp_end = temp_end or at
            if at - temp_end >= min_silence:
                if temp_end > start:
                    speeches.append([start, temp_end])
                triggered, temp_end = False, 0
    if triggered and n_samples > start:
        speeches.append([start, n_samples])
    pad = SAMPLE_RATE * SPEECH_PAD_MS / 1000
    for i, speech in enumerate(speeches):  # padding as faster-whisper pads
        if i == 0:
            speech[0] = int(max(0, speech[0] - pad))
        if i != len(speeches) - 1:
            silence = speeches[i + 1][0] - speech[1]
            if silence < 2 * pad:
                speech[1] += int(silence // 2)
                speeches[i + 1][0] = int(max(0, speeches[i + 1][0] - silence // 2))
            else:
                speech[1] = int(min(n_samples, speech[1] + pad))
                speeches[i + 1][0] = int(max(0, speeches[i + 1][0] - pad))
        else:
            speech[1] = int(min(n_samples, speech[1] + pad))
    return _union(tuple((int(a), int(b)) for a, b in speeches))


def speech_like_frames(samples: np.ndarray, energetic: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """The energetic frames that Silero finds at least a little speech-like (see
    :data:`SPEECH_LIKE_PROB`): a ringing tone, music or comfort noise is loud, not speech.

    Frames are judged in stretches (energetic runs less than ``SPEECH_STRETCH_GAP`` apart).
    Silero can give a turn's first syllables on a steep line under 0.1 (a customer lowered
    400 cents: 39 of 76 energetic frames of "Great, thank you. Will this ..." counted), so a
    stretch counts whole where ``SPEECH_STRETCH_SHARE`` of it counts. Silero gives the onset
    of a 450 Hz ring up to 0.24, as much as it gives that customer, so a stretch that is one
    steady tone (:func:`_steady_tone`) does not count at all.
    """
    if len(energetic) == 0:
        return energetic
    speech = energetic & _near_speech(probs, len(energetic))
    for start, end in _stretches(energetic):
        found = int(speech[start:end].sum())
        if not found:
            continue
        if _steady_tone(samples[start * FRAME: end * FRAME]):
            speech[start:end] = False
        elif found >= SPEECH_STRETCH_SHARE * energetic[start:end].sum():
            speech[start:end] |= energetic[start:end]
    return speech


def _near_speech(probs: np.ndarray, n: int) -> np.ndarray:
    """One bool per frame: Silero gives it or a frame within ``SPEECH_LIKE_REACH`` at least
    ``SPEECH_LIKE_PROB``."""
    reach = SPEECH_LIKE_REACH
    near = np.lib.stride_tricks.sliding_window_view(np.pad(probs[:n], reach), 2 * reach + 1).max(axis=1)
    return near >= SPEECH_LIKE_PROB


def _stretches(energetic: np.ndarray) -> list[tuple[int, int]]:
    """(first, end) frames of the energetic runs less than ``SPEECH_STRETCH_GAP`` apart, joined."""
    stretches: list[list[int]] = []
    for start, end in _runs(energetic):
        if stretches and start - stretches[-1][1] < SPEECH_STRETCH_GAP:
            stretches[-1][1] = end
        else:
            stretches.append([start, end])
    return [(start, end) for start, end in stretches]


def rescored_alone(samples: np.ndarray, energetic: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """``probs`` with each energetic stretch that Silero, run over the whole channel, does not
    find speech-like (:func:`speech_like_frames`) scored again on its own (and
    ``RESCORE_CONTEXT`` frames either side): where it then counts whole, each frame keeps the
    higher of its two probabilities. Keypad tones scored alone reach 0.2 in a few frames,
    well short of the share a stretch needs, so they stay out.

    Silero carries its state from frame to frame across the whole channel: after a long
    silence on one side of a stereo call (the other side talking) it can stay deaf to a short
    answer. On en-ex-03 rendered (bench/throughput.py, customer 300 cents lower) it gave
    "Yes, this number's fine.", "That would help, yes." and "No, that's all. Thanks." at most
    0.01-0.07 in the channel, 0.59-0.70 alone, so they were never decoded.
    """
    if len(energetic) == 0:
        return probs
    near = _near_speech(probs, len(energetic))
    out = probs.copy()
    for start, end in _stretches(energetic):
        if (near[start:end] & energetic[start:end]).sum() >= SPEECH_STRETCH_SHARE * energetic[start:end].sum():
            continue  # it counts already
        lo, hi = max(start - RESCORE_CONTEXT, 0), min(end + RESCORE_CONTEXT, len(energetic))
        alone = speech_probabilities(samples[lo * FRAME: hi * FRAME])[: hi - lo]
        heard = _near_speech(alone, hi - lo)[start - lo: end - lo] & energetic[start:end]
        if heard.sum() >= SPEECH_STRETCH_SHARE * energetic[start:end].sum():
            out[lo:hi] = np.maximum(out[lo:hi], alone)
    return out


def _steady_tone(samples: np.ndarray) -> bool:
    """Most of the stretch's telephone-band energy in a few frequency bins: ringback, beeps, a
    held keypad tone. A voice's pitch and formants move, spreading it (rendered and recorded
    speech: at most 0.82 of a stretch's energy in the top 6 bins of 31 Hz; tones 0.98-1.0)."""
    n = len(samples) // FRAME
    frames = samples[: n * FRAME].reshape(n, FRAME).astype(np.float64)
    spectrum = (np.abs(np.fft.rfft(frames * np.hanning(FRAME), axis=1)) ** 2).sum(axis=0)
    freqs = np.fft.rfftfreq(FRAME, 1 / SAMPLE_RATE)
    band = np.sort(spectrum[(freqs >= BAND_HZ[0]) & (freqs <= BAND_HZ[1])])[::-1]
    return bool(band[:6].sum() >= 0.9 * band.sum()) if band.sum() > 0 else False


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
    it keeps less than ``MIN_COVERAGE`` of the speech-like frames; then every speech-like
    stretch it still left out is added (with the same padding), and short silences are put
    back (:func:`close_short_silences`). A stretch Silero does not hear in the whole channel
    is heard again on its own (:func:`rescored_alone`)."""
    energetic = energetic_frames(samples)
    leveled = _level_for_vad(samples, energetic)
    probs = speech_probabilities(leveled)
    # The VAD's own regions come from the channel's probabilities; the stretches rescored alone
    # count as speech-like, so they go in padded below (scored alone, keypad tones reach the
    # VAD's thresholds in places, but not the share that makes a stretch speech-like).
    speech = speech_like_frames(samples, energetic, rescored_alone(leveled, energetic, probs))
    seconds = float(speech.sum()) * FRAME / SAMPLE_RATE
    best: SpeechRegions | None = None
    for threshold in (0.5,) + RETRY_THRESHOLDS:
        chunks = chunks_at(probs, threshold, len(samples))
        covered = float((speech & frames_in(len(speech), chunks)).sum())
        coverage = covered / float(speech.sum()) if speech.any() else 1.0
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
    # speech-like stretches goes in too.
    pad = SPEECH_PAD_MS * SAMPLE_RATE // 1000
    runs = _runs(speech)
    padded = tuple((max(s * FRAME - pad, 0), min(e * FRAME + pad, len(samples))) for s, e in runs)
    chunks = close_short_silences(_union(best.chunks + padded), len(samples))
    return SpeechRegions(chunks, best.threshold, best.coverage, best.energetic_seconds, tuple(runs))


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
                          margin: float = 0.5, offset: float = 0.0,
                          regions: SpeechRegions | None = None) -> tuple[float, float]:
    """(speech-like seconds, of which with no recognised word within ``margin`` seconds).

    ``word_spans`` are the words' (start, end) in the recording's time; ``offset`` is where
    ``samples`` starts in it. ``regions``: :func:`speech_regions` of the same samples, whose
    speech-like frames are then not measured again.
    """
    if regions is None:
        regions = speech_regions(samples)
    energetic = np.zeros(len(samples) // FRAME, dtype=bool)
    for start, end in regions.speech_frames:
        energetic[start:end] = True
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
