"""A long recording read and transcribed in pieces: the same facts, words and times as decoded
whole, never the whole recording in memory, no word cut at a piece boundary.

The recordings are synthetic minutes of "words" (tone bursts) in turns on the two channels;
the transcriber is a fake at the model boundary that hears each burst as a word, wherever the
piece it is given starts. Piece lengths are lowered (tens of seconds instead of 10 minutes)."""
from __future__ import annotations

import tracemalloc
from typing import Optional, Sequence

import numpy as np
import pytest
import soundfile as sf

from qa_pipeline.pipeline import Models, RunOptions, process_call
from qa_pipeline.records import CallInfo, Word
from qa_pipeline.speakers.separation import SpeakerSeparator
from qa_pipeline.speech import pieces as long_calls
from qa_pipeline.speech.audio import decode, is_dual_mono, is_silent, mono_mix
from qa_pipeline.speech.pieces import pieces, survey
from qa_pipeline.speech.transcribe import Transcript

RATE = 16000


def write_turns(path, *, minutes: float, rate: int = 8000, stereo: bool = True, seed: int = 3,
                same_on_both: bool = False, silent_right: bool = False) -> list[tuple[float, float, int]]:
    """Turns of word-like tone bursts, alternating between the channels, with 0.8-3 s pauses
    between turns; returns each burst's (start, end, channel)."""
    rng = np.random.default_rng(seed)
    n = int(minutes * 60 * rate)
    data = rng.normal(0, 1e-4, (n, 2)).astype(np.float32)
    bursts = []
    at, channel = 0.5, 0
    while True:
        for _ in range(int(rng.integers(3, 12))):
            length = float(rng.uniform(0.25, 0.6))
            if at + length > n / rate - 0.5:
                break
            a, b = int(at * rate), int((at + length) * rate)
            t = np.arange(b - a) / rate
            data[a:b, channel] += (0.2 * np.sin(2 * np.pi * rng.uniform(200, 900) * t)).astype(np.float32)
            bursts.append((at, at + length, channel))
            at += length + float(rng.uniform(0.15, 0.4))
        else:
            at += float(rng.uniform(0.8, 3.0))
            channel = 1 - channel if not silent_right else 0
            continue
        break
    if same_on_both:
        data[:, 1] = data[:, 0] = data.sum(axis=1)
    if silent_right:
        data[:, 1] = 0.0
    sf.write(str(path), data if stereo else data.sum(axis=1), rate)
    return bursts


class BurstTranscriber:
    """Fake at the model boundary: each run of loud 20 ms frames (gaps under 0.1 s bridged) is a
    word, timed in the recording; what it hears does not depend on where its audio starts."""

    model_name = "burst-fake"
    multilingual = True

    def __init__(self):
        self.longest = 0  # the most samples it was given at once

    def detect_language(self, samples: np.ndarray, allowed: Sequence[str] = ("zh", "en")) -> tuple[str, float]:
        return "en", 1.0

    def transcribe_channels(self, channels, *, language: Optional[str] = None, offset: float = 0.0,
                            vocabulary=None) -> list[Transcript]:
        out = []
        for samples, speaker in channels:
            self.longest = max(self.longest, len(samples))
            hop = RATE // 50
            n = len(samples) // hop
            loud = np.sqrt((samples[: n * hop].astype(np.float64).reshape(n, hop) ** 2).mean(axis=1)) > 0.02
            words: list[Word] = []
            for i in np.flatnonzero(loud):
                start, end = round(i * hop / RATE + offset, 3), round((i + 1) * hop / RATE + offset, 3)
                if words and start - words[-1].end < 0.1:
                    words[-1] = Word(words[-1].start, end, "word", 1.0, speaker)
                else:
                    words.append(Word(start, end, "word", 1.0, speaker))
            out.append(Transcript(tuple(words), language or "en", 1.0, speech_seconds=float(loud.sum()) * 0.02))
        return out

    def transcribe(self, samples, *, language=None, speaker="unknown", offset=0.0, vocabulary=None) -> Transcript:
        return self.transcribe_channels([(samples, speaker)], language=language, offset=offset)[0]


class Unsure:
    """A diarizer that finds nothing (so a mono call's words stay ``unknown``), remembering
    how much audio it was given."""

    last_status = "fake: no turns"

    def __init__(self):
        self.given = 0

    def diarize(self, samples, rate):
        self.given = len(samples)
        return []


def test_pieces_put_together_are_the_recording_and_each_is_bounded(tmp_path):
    path = tmp_path / "six-minutes.wav"
    bursts = write_turns(path, minutes=6)
    whole = decode(path)
    cut = list(pieces(path, piece_seconds=40, search_seconds=10))
    assert len(cut) >= 8
    for before, after in zip(cut, cut[1:]):
        assert after.start == pytest.approx(before.start + before.seconds)
        assert 30 <= before.seconds <= 40  # cut within the last 10 s before 40 s
    assert cut[-1].seconds <= 40 * 1.5 + 10  # the rest
    for channel in range(2):
        assert np.array_equal(np.concatenate([p.channels[channel] for p in cut]), whole.channels[channel])
    cuts = [p.start for p in cut[1:]]
    assert not [c for c in cuts for start, end, _ in bursts if start - 0.05 < c < end + 0.05]  # never in a word


def test_reading_in_pieces_never_holds_the_whole_recording(tmp_path):
    path = tmp_path / "ten-minutes.wav"
    write_turns(path, minutes=10)
    whole_bytes = 10 * 60 * RATE * 2 * 4  # float32 stereo at 16 kHz: 77 MB
    tracemalloc.start()
    try:
        largest = 0
        for piece in pieces(path, piece_seconds=30, search_seconds=10):
            largest = max(largest, sum(ch.nbytes for ch in piece.channels))
            del piece
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    bound = 55 * RATE * 2 * 4  # one and a half pieces and a 10 s block: 7 MB
    assert largest <= bound
    # the pieces held, the one being cut and the block being read: a few pieces, not the recording
    assert peak < min(3 * bound, whole_bytes / 3), f"peak {peak / 1e6:.0f} MB reading pieces of a {whole_bytes / 1e6:.0f} MB recording"


@pytest.mark.parametrize("kind", ["stereo", "mono", "dual-mono", "one-side-silent"])
def test_the_survey_finds_what_decoding_whole_finds(tmp_path, kind):
    path = tmp_path / f"{kind}.wav"
    write_turns(path, minutes=2, stereo=kind != "mono", same_on_both=kind == "dual-mono",
                silent_right=kind == "one-side-silent")
    whole, found = decode(path), survey(path)
    assert (found.sha256, found.source_sample_rate, found.channel_count) == \
           (whole.sha256, whole.source_sample_rate, whole.channel_count)
    assert found.duration == whole.duration
    assert found.silent == tuple(is_silent(ch) for ch in whole.channels)
    assert found.dual_mono == is_dual_mono(whole) == (kind == "dual-mono")


@pytest.fixture
def short_pieces(monkeypatch):
    """Recordings over 1 minute read in pieces of 30 s."""
    monkeypatch.setattr(long_calls, "LONG_CALL_SECONDS", 60.0)
    monkeypatch.setattr(long_calls, "PIECE_SECONDS", 30.0)


def _process(path, *, diarizer=None):
    transcriber = BurstTranscriber()
    options = RunOptions(language="en", diarize=diarizer is not None, redact=False, score=False)
    models = Models(options, transcriber=transcriber,
                    separator=SpeakerSeparator(enabled=diarizer is not None, diarizer=diarizer))
    return process_call(path, CallInfo("long"), models, options), transcriber


def test_a_long_stereo_call_in_pieces_has_the_words_and_times_of_the_whole_call(tmp_path, monkeypatch):
    path = tmp_path / "five-minutes.wav"
    bursts = write_turns(path, minutes=5)
    whole, heard_whole = _process(path)
    monkeypatch.setattr(long_calls, "LONG_CALL_SECONDS", 60.0)
    monkeypatch.setattr(long_calls, "PIECE_SECONDS", 30.0)
    in_pieces, heard = _process(path)
    assert heard_whole.longest == 5 * 60 * RATE and heard.longest <= 55 * RATE  # it really was cut
    assert in_pieces.turns == whole.turns  # every word, its time and its speaker
    assert len([w for t in whole.turns for w in t.words]) == len(bursts)
    assert (in_pieces.duration, in_pieces.channels, in_pieces.sha256, in_pieces.sample_rate) == \
           (whole.duration, whole.channels, whole.sha256, whole.sample_rate)
    assert [(c.speaker, c.speech_seconds) for c in in_pieces.coverage] == \
           [(c.speaker, pytest.approx(c.speech_seconds, abs=0.05)) for c in whole.coverage]


def test_a_long_mono_call_in_pieces_gives_the_diarizer_the_whole_call(tmp_path, short_pieces):
    path = tmp_path / "mono.wav"
    write_turns(path, minutes=3, stereo=False)
    diarizer = Unsure()
    in_pieces, heard = _process(path, diarizer=diarizer)
    assert heard.longest <= 55 * RATE
    assert diarizer.given == 3 * 60 * RATE  # speaker turns need the whole call
    whole = decode(path)
    words = [w for t in in_pieces.turns for w in t.words]
    expected = BurstTranscriber().transcribe(whole.channels[0]).words
    assert [(w.start, w.end, w.speaker) for w in words] == [(w.start, w.end, "unknown") for w in expected]


class Keeping(Unsure):
    """:class:`Unsure`, keeping what it was given."""

    def diarize(self, samples, rate):
        self.samples = samples
        return super().diarize(samples, rate)


@pytest.mark.parametrize("stereo", [False, True])
def test_the_diarizer_gets_the_mix_of_the_whole_call_as_decoding_it_whole_gives(tmp_path, short_pieces, stereo):
    path = tmp_path / "long.wav"
    write_turns(path, minutes=2.5, stereo=stereo, same_on_both=stereo)  # dual mono: diarized as mono
    diarizer = Keeping()
    _, heard = _process(path, diarizer=diarizer)
    assert heard.longest <= 55 * RATE  # transcribed in pieces
    assert diarizer.samples.dtype == np.float32
    assert np.array_equal(diarizer.samples, mono_mix(decode(path)))


def test_a_diarized_long_mono_call_holds_its_mix_once(tmp_path, short_pieces):
    path = tmp_path / "six-minutes.wav"
    write_turns(path, minutes=6, stereo=False)
    mix_bytes = 6 * 60 * RATE * 4  # float32 at 16 kHz: 23 MB
    tracemalloc.start()
    try:
        _process(path, diarizer=Unsure())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the mix, the pieces being read and the words: 39 MB; the pieces kept and joined at the end: 74 MB
    assert peak < 2 * mix_bytes, f"peak {peak / 1e6:.0f} MB for a {mix_bytes / 1e6:.0f} MB mix"


def test_a_short_call_is_decoded_whole_as_before(tmp_path, short_pieces):
    path = tmp_path / "short.wav"
    write_turns(path, minutes=0.9)
    _, heard = _process(path)
    assert heard.longest == int(0.9 * 60 * RATE)
