"""Where a channel has speech: VAD checked against speech-like energy, retried where it misses
speech, and the untranscribed speech of each side counted and flagged."""
from __future__ import annotations

import numpy as np
import pytest
import voices

from qa_pipeline.records import SideCoverage
from qa_pipeline.speech import activity
from qa_pipeline.speech.activity import (
    FRAME,
    SAMPLE_RATE,
    coverage_flags,
    energetic_frames,
    speech_regions,
    untranscribed_seconds,
)
from qa_pipeline.speech.transcribe import ChunkTimeline

LINE = ("Hi, I am calling because my credit card was declined at the supermarket this morning, "
        "and I would like to know why.")


def tone(seconds: float, db: float, freq: float = 1000.0) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (10 ** (db / 20) * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def noise(seconds: float, db: float = -70.0, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 10 ** (db / 20), int(seconds * SAMPLE_RATE)).astype(np.float32)


def test_energetic_frames_find_a_quiet_sound_above_the_noise_floor_but_not_clicks():
    signal = noise(4.0)
    signal[SAMPLE_RATE:2 * SAMPLE_RATE] += tone(1.0, -45.0)  # quiet, but 25 dB above the floor
    signal[3 * SAMPLE_RATE:3 * SAMPLE_RATE + 160] += 0.5  # a 10 ms click
    frames = energetic_frames(signal)
    seconds = frames.sum() * FRAME / SAMPLE_RATE
    assert 0.9 <= seconds <= 1.05
    assert not frames[int(2.9 * SAMPLE_RATE / FRAME):].any()


def test_energetic_frames_ignore_energy_outside_the_telephone_band():
    signal = noise(3.0)
    signal[SAMPLE_RATE:2 * SAMPLE_RATE] += tone(1.0, -20.0, freq=100.0)  # mains hum
    assert energetic_frames(signal).sum() == 0


@pytest.mark.parametrize(("pitch", "gain"), [(-400, 0.0), (0, 0.0), (0, -30.0)])
def test_vad_is_retried_lower_where_it_misses_speech_on_a_steep_8khz_line(pitch, gain):
    """Steep 300–3400 Hz band limit: Silero's default threshold keeps under half of this
    speech (none of it, lowered in pitch); the retry keeps it all, quiet or not."""
    line = voices.render_line(LINE, pitch_cents=pitch, gain_db=gain)
    samples = np.concatenate([noise(6.0, -75), line, noise(6.0, -75, seed=2)])
    first = activity.vad_chunks(samples, 0.5)
    energetic = energetic_frames(samples)
    default_coverage = (energetic & activity.frames_in(len(energetic), first)).sum() / energetic.sum()

    regions = speech_regions(samples)
    assert regions.coverage >= activity.MIN_COVERAGE
    if default_coverage < activity.MIN_COVERAGE:
        assert regions.threshold < 0.5
    speech_start, speech_end = 6 * SAMPLE_RATE, 6 * SAMPLE_RATE + len(line)
    kept = sum(min(e, speech_end) - max(s, speech_start) for s, e in regions.chunks if e > speech_start)
    assert kept >= 0.98 * len(line)
    # the long silences either side are still cut
    assert regions.chunks[0][0] > 2 * SAMPLE_RATE and regions.chunks[-1][1] < len(samples) - 2 * SAMPLE_RATE


def test_only_long_silences_are_cut():
    # speech at 2–3 s, 3.5–7 s, 9–12 s and 22–24 s of a 26 s channel
    s = SAMPLE_RATE
    regions = activity.close_short_silences(((2 * s, 3 * s), (int(3.5 * s), 7 * s), (9 * s, 12 * s),
                                             (22 * s, 24 * s)), 26 * s)
    # the 2 s lead-in, the 0.5 s pause and the 2 s tail stay; the 2 s and 10 s pauses are cut
    assert regions == ((0, 7 * s), (9 * s, 12 * s), (22 * s, 26 * s))


def test_untranscribed_seconds_count_speech_with_no_word_near_it():
    signal = np.concatenate([noise(1.0), tone(4.0, -20.0), noise(1.0)])
    speech, missing = untranscribed_seconds(signal, [(1.0, 3.0)])
    assert speech == pytest.approx(4.0, abs=0.1)
    assert missing == pytest.approx(1.5, abs=0.1)  # 3.0 + 0.5 margin .. 5.0
    assert untranscribed_seconds(signal, [(11.0, 13.0)], offset=10.0)[1] == pytest.approx(1.5, abs=0.1)


def test_a_side_mostly_without_words_is_flagged():
    assert coverage_flags([SideCoverage("agent", 60.0, 3.0), SideCoverage("customer", 40.0, 31.0)]) == (
        "customer side mostly untranscribed",)
    assert coverage_flags([SideCoverage("agent", 60.0, 25.0)]) == ("agent side partly untranscribed",)
    assert coverage_flags([SideCoverage("unknown", 60.0, 40.0)]) == ("call mostly untranscribed",)
    # a few seconds of a short call, or a small share of a long one, is not worth a flag
    assert coverage_flags([SideCoverage("customer", 6.0, 4.0), SideCoverage("agent", 300.0, 60.0)]) == ()


def test_words_stay_inside_their_speech_chunk_when_times_are_restored():
    # chunks 0–2 s and 10–12 s joined: joined time 2.0 is the seam
    timeline = ChunkTimeline([(0, 2 * SAMPLE_RATE), (10 * SAMPLE_RATE, 12 * SAMPLE_RATE)])
    assert timeline.restore(0.5, 1.0) == (0.5, 1.0)
    assert timeline.restore(2.5, 3.0) == (10.5, 11.0)
    start, end = timeline.restore(1.9, 2.6)  # straddles the seam, mostly in the second chunk
    assert (start, end) == pytest.approx((10.0, 10.6))
    start, end = timeline.restore(1.5, 2.1)  # mostly in the first
    assert (start, end) == pytest.approx((1.5, 2.0))
