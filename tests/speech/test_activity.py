"""Where a channel has speech: VAD checked against speech-like energy, retried where it misses
speech, and the untranscribed speech of each side counted and flagged."""
from __future__ import annotations

import json

import line_sounds
import numpy as np
import pytest
import voices
from faster_whisper.vad import VadOptions, get_speech_timestamps
from shared_data import shared_file

from qa_pipeline.records import SideCoverage
from qa_pipeline.speech import activity, transcribe
from qa_pipeline.speech.activity import (
    FRAME,
    SAMPLE_RATE,
    SpeechRegions,
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
    line = voices.render_line(LINE)
    signal = np.concatenate([noise(2.0), line, noise(2.0)])
    end = 2.0 + len(line) / SAMPLE_RATE
    regions = speech_regions(signal)
    speech, missing = untranscribed_seconds(signal, [(2.0, end)], regions=regions)
    assert speech == regions.energetic_seconds and speech > 0.5 * (end - 2.0)
    assert missing == 0.0
    assert untranscribed_seconds(signal, [], regions=regions) == (speech, speech)
    # words for the first half only: the second half's speech-like frames, past the 0.5 s margin
    half = (2.0 + end) / 2
    speech_mask = activity.frames_in(len(signal) // FRAME, tuple((a * FRAME, b * FRAME)
                                                              for a, b in regions.speech_frames))
    hop = FRAME / SAMPLE_RATE
    expected = speech_mask[int((half + 0.5) / hop) + 1:].sum() * hop
    assert untranscribed_seconds(signal, [(2.0, half)], regions=regions)[1] == pytest.approx(expected, abs=0.05)
    assert expected > 1.0
    # the same in the recording's time, the channel starting 10 s in; measured afresh
    assert untranscribed_seconds(signal, [(12.0, 10.0 + half)], offset=10.0)[1] == pytest.approx(expected, abs=0.05)


@pytest.mark.parametrize("threshold", [0.5, 0.35, 0.2])
def test_regions_from_the_probabilities_are_faster_whispers_own(threshold):
    """The VAD runs once per channel; the regions at each threshold are those faster-whisper
    would find running it again."""
    line = voices.render_line(LINE, pitch_cents=-400)
    samples = np.concatenate([noise(3.0), line, noise(1.2, seed=3), line[: len(line) // 2], noise(2.0)])
    theirs = get_speech_timestamps(samples, VadOptions(threshold=threshold, min_silence_duration_ms=activity.MIN_SILENCE_MS,
                                                       speech_pad_ms=activity.SPEECH_PAD_MS))
    assert theirs  # the comparison is not between two empty lists
    ours = activity.chunks_at(activity.speech_probabilities(samples), threshold, len(samples))
    assert ours == activity._union(tuple((c["start"], c["end"]) for c in theirs))


HOLD_SOUNDS = {
    "hold music": lambda: line_sounds.hold_music(30.0),
    "slow hold music": lambda: line_sounds.hold_music(30.0, tempo=0.6, seed=2),
    "loud hold music": lambda: line_sounds.hold_music(30.0, db=-1.0, seed=3),
    "ringback 450 Hz": lambda: line_sounds.ringback(30.0),
    "ringback 440+480 Hz": lambda: line_sounds.ringback(30.0, freqs=(440.0, 480.0), pattern=(2.0, 4.0)),
    "ringback UK": lambda: line_sounds.ringback(30.0, freqs=(400.0, 450.0), pattern=(0.4, 0.2, 0.4, 2.0)),
    "DTMF": lambda: line_sounds.dtmf("0123456789*#", repeat=3),
    "IVR beeps": lambda: line_sounds.beeps(30.0),
    "recording tone": lambda: line_sounds.beeps(30.0, freq=1400.0, on=0.5, every=5.0, db=-20.0),
    "comfort noise": lambda: line_sounds.comfort_noise(30.0),
    "line noise": lambda: line_sounds.line_noise(30.0),
}


@pytest.mark.parametrize("sound", HOLD_SOUNDS)
def test_tones_music_and_noise_are_not_speech(sound):
    """Before, these counted as 3-30 s of speech-like audio on a quiet line: a call with every
    word recognised was flagged, and the VAD retried down to 0.2 with the tones decoded."""
    quiet = line_sounds.line(np.zeros(5 * line_sounds.LINE_RATE))
    sounds = line_sounds.line(HOLD_SOUNDS[sound]())
    channel = np.concatenate([quiet, sounds, quiet])
    assert energetic_frames(channel).sum() * FRAME / SAMPLE_RATE > 2.5  # loud enough to have been taken for speech
    regions = speech_regions(channel)
    assert regions.energetic_seconds <= 0.5  # DTMF: 0.2 s
    assert sum(e - s for s, e in regions.chunks) <= 1.5 * SAMPLE_RATE  # hardly any of it sent to the recogniser
    speech, missing = untranscribed_seconds(channel, [], regions=regions)
    assert coverage_flags([SideCoverage("agent", speech, missing)]) == ()


def _hold_call():
    """The agent's channel of a call: ringback, two turns, hold music and keypad tones, two
    more turns; and where each turn is."""
    script = [("agent", "Thank you for calling Northwind Bank, my name is Sarah. How can I help you today?"),
              ("agent", "I am sorry to hear that. Can I have your full name, please?"),
              ("agent", "Thank you. I can see a temporary block on the card after an unusual payment abroad."),
              ("agent", "Understood. I have removed the block, so the card will work again in a few minutes.")]
    agent, _, turns = voices.stereo_call(script, agent_pitch=-400)
    cut = int((turns[1].end + 0.4) * SAMPLE_RATE)
    sounds = [line_sounds.line(s) for s in (line_sounds.ringback(11.0), line_sounds.hold_music(25.0),
                                             line_sounds.dtmf("4471", gap=2.0), line_sounds.comfort_noise(8.0))]
    channel = np.concatenate([sounds[0], agent[:cut], sounds[1], sounds[2], sounds[3], agent[cut:]])
    moved = len(sounds[1]) + len(sounds[2]) + len(sounds[3])
    shift = [len(sounds[0]) / SAMPLE_RATE + (moved / SAMPLE_RATE if t.start * SAMPLE_RATE > cut else 0.0)
             for t in turns]
    return channel, [(t.start + d, t.end + d) for t, d in zip(turns, shift)]


def test_a_side_with_hold_sounds_is_flagged_only_when_its_speech_has_no_words():
    channel, turns = _hold_call()
    regions = speech_regions(channel)
    said = sum(end - start for start, end in turns)
    assert 0.6 * said <= regions.energetic_seconds <= said + 1.0  # the speech, not the 45 s of tones and music
    speech, missing = untranscribed_seconds(channel, turns, regions=regions)
    assert missing < 0.05 * speech
    assert coverage_flags([SideCoverage("agent", speech, missing)]) == ()
    # the speech of the last two turns with no words: flagged
    speech, missing = untranscribed_seconds(channel, turns[:2], regions=regions)
    assert coverage_flags([SideCoverage("agent", speech, missing)]) == ("agent side mostly untranscribed",)
    # and what the recogniser is given is the speech, not the hold
    sent = activity.frames_in(len(channel) // FRAME, regions.chunks)
    hold = slice(int(turns[1][1] + 1.0) * SAMPLE_RATE // FRAME, int(turns[2][0] - 1.0) * SAMPLE_RATE // FRAME)
    assert sent[hold].mean() < 0.1


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


class ScriptedWhisper:
    """At the model boundary: faster-whisper's WhisperModel giving words at set times in the
    audio it is given (the channel's speech chunks joined)."""

    said = (("fine.", 1.0, 1.4), ("Yes,", 2.9, 3.3), ("this", 3.5, 3.8), ("one", 2.6, 3.1))

    def __init__(self, model, **kwargs):
        self.model = type("Model", (), {"is_multilingual": True})()
        self.heard = []

    def transcribe(self, audio, **kwargs):
        self.heard.append(len(audio) / SAMPLE_RATE)
        word = lambda text, start, end: type("Word", (), {"word": text, "start": start, "end": end, "probability": 0.9})
        segment = type("Segment", (), {"words": [word(*w) for w in self.said]})
        return iter([segment]), type("Info", (), {"language": "en", "language_probability": 1.0})()


def test_words_come_back_at_their_time_in_the_call_from_a_channel_with_silence_cut(monkeypatch):
    """Speech at 2-5 s and 20-22 s of a 30 s channel: the model hears 5 s, and each word goes
    back to the chunk holding most of it (a turn's first word straddling the seam goes to
    that turn, not to the end of the same side's previous turn)."""
    import faster_whisper

    monkeypatch.setattr(faster_whisper, "WhisperModel", ScriptedWhisper)
    chunks = ((2 * SAMPLE_RATE, 5 * SAMPLE_RATE), (20 * SAMPLE_RATE, 22 * SAMPLE_RATE))
    monkeypatch.setattr(transcribe, "speech_regions", lambda samples: SpeechRegions(chunks, 0.5, 1.0, 4.0))
    model = transcribe.Transcriber("scripted")

    words = model.transcribe(np.zeros(30 * SAMPLE_RATE, dtype=np.float32), language="en", speaker="customer",
                             offset=100.0).words

    assert model.whisper.heard == [5.0]
    at = {w.text: (w.start, w.end) for w in words}
    assert at["fine."] == pytest.approx((103.0, 103.4))
    assert at["Yes,"] == pytest.approx((120.0, 120.3))  # 0.1 s before the seam, 0.3 s after
    assert at["this"] == pytest.approx((120.5, 120.8))
    assert at["one"] == pytest.approx((104.6, 105.0))  # mostly before it: kept inside the first chunk
    assert {w.speaker for w in words} == {"customer"}


def test_a_deep_voices_turn_counts_whole_where_silero_doubts_its_start():
    """Lowered 400 cents on a steep line, Silero gives the first words of these turns under
    0.1; before stretches were judged whole, half of the second turn did not count."""
    _, right, turns = voices.stereo_call(voices.CARD_CALL, customer_pitch=-400, agent_gain_db=-30.0)
    regions = speech_regions(right)
    speech = activity.frames_in(len(right) // FRAME, tuple((a * FRAME, b * FRAME) for a, b in regions.speech_frames))
    energetic = energetic_frames(right)
    for turn in (t for t in turns if t.speaker == "customer"):
        span = slice(int(turn.start * SAMPLE_RATE) // FRAME, int(turn.end * SAMPLE_RATE) // FRAME)
        assert speech[span].sum() >= 0.95 * energetic[span].sum(), turn.text


def test_short_answers_after_long_silence_are_speech():
    """en-ex-03 rendered as bench/throughput.py renders it: over the whole customer channel
    Silero gave "That would help, yes." and "No, that's all. Thanks." at most 0.07 (after
    the agent's long turns its state stays deaf), so they were never decoded; scored alone
    they reach 0.6-0.7 (:func:`activity.rescored_alone`)."""
    example = json.loads(shared_file("qa-examples", "en-ex-03.json").read_text(encoding="utf-8"))
    _, right, turns = voices.stereo_call([(t["speaker"], t["text"]) for t in example["turns"]], customer_pitch=-300)
    regions = speech_regions(right)
    n = len(right) // FRAME
    speech = activity.frames_in(n, tuple((a * FRAME, b * FRAME) for a, b in regions.speech_frames))
    decoded = activity.frames_in(n, regions.chunks)
    energetic = energetic_frames(right)
    for turn in (t for t in turns if t.speaker == "customer"):
        span = slice(int(turn.start * SAMPLE_RATE) // FRAME, int(turn.end * SAMPLE_RATE) // FRAME)
        assert speech[span].sum() >= 0.95 * energetic[span].sum(), turn.text
        assert decoded[span].all(), turn.text


def test_keypad_tones_scored_alone_stay_out():
    """Scored alone, a run of keypad tones gets 0.2 from Silero in a few frames: too few for
    the stretch to count, so the rescoring leaves it as it was."""
    quiet = line_sounds.line(np.zeros(5 * line_sounds.LINE_RATE))
    channel = np.concatenate([quiet, line_sounds.line(line_sounds.dtmf("0123456789*#", repeat=3)), quiet])
    energetic = energetic_frames(channel)
    probs = activity.speech_probabilities(channel)
    assert np.array_equal(activity.rescored_alone(channel, energetic, probs), probs)
