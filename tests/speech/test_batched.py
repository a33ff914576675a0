"""Batched recognition: both channels' speech cut into windows of up to 30 s, decoded together,
each word given back to its channel at its time in the recording."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from qa_pipeline.speech.transcribe import SAMPLE_RATE, WINDOW, speech_windows

S = SAMPLE_RATE


def test_chunks_are_packed_in_order_into_windows_of_at_most_30_s():
    chunks = [(i * 20 * S, i * 20 * S + 10 * S) for i in range(5)]  # 10 s of speech every 20 s
    windows = speech_windows(np.zeros(100 * S, dtype=np.float32), chunks)
    assert windows == [tuple(chunks[:3]), tuple(chunks[3:])]


def test_a_chunk_longer_than_a_window_is_cut_in_its_pauses():
    rng = np.random.default_rng(1)
    samples = rng.normal(0, 0.1, 70 * S).astype(np.float32)
    for pause in (24, 47):  # a short breath in the speech at 24 s and 47 s
        samples[pause * S: pause * S + S // 4] *= 0.001
    windows = speech_windows(samples, [(0, len(samples))])
    pieces = [piece for window in windows for piece in window]
    assert [len(w) for w in windows] == [1, 1, 1]
    assert pieces[0][0] == 0 and pieces[-1][1] == len(samples)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))  # nothing lost, nothing twice
    assert all(end - start <= WINDOW for start, end in pieces)
    cuts = [start / S for start, _ in pieces[1:]]
    assert 24 < cuts[0] < 24.25 and 47 < cuts[1] < 47.25


@pytest.mark.slow
def test_batched_words_keep_their_channel_and_their_time_in_the_call(transcriber):
    import voices

    script = voices.CARD_CALL[:6]
    left, right, said = voices.stereo_call(script, customer_pitch=-300, gap=6.0)  # long gaps: many chunks
    batched = copy.copy(transcriber)
    batched.batch_size = 4

    agent, customer = batched.transcribe_channels([(left, "agent"), (right, "customer")], language="en",
                                                  offset=100.0)

    for transcript, side in ((agent, "agent"), (customer, "customer")):
        turns = [(u.start + 100.0, u.end + 100.0) for u in said if u.speaker == side]
        assert len(transcript.words) > 20
        for w in transcript.words:
            assert w.speaker == side
            assert any(start - 0.5 <= w.start and w.end <= end + 0.5 for start, end in turns), w
        assert transcript.untranscribed_seconds < 0.2 * transcript.speech_seconds
    heard = " ".join(w.text for w in customer.words).lower()
    assert "supermarket" in heard and "spain" in heard


class _LevelPipeline:
    """faster-whisper's BatchedInferencePipeline faked: one word at the start of every run of
    equal samples in a clip, named after that level (each chunk of the test audio has its own),
    0.05-0.25 s into the run; records every decoding."""

    decodings: list[list[dict]] = []

    def __init__(self, model):
        self.model = model

    def transcribe(self, audio, *, language, clip_timestamps, batch_size, **options):
        from types import SimpleNamespace

        assert options["word_timestamps"] and not options["vad_filter"]
        self.decodings.append(clip_timestamps)
        segments = []
        for clip in clip_timestamps:
            assert clip["end"] - clip["start"] <= 30.0
            lo, hi = round(clip["start"] * S), round(clip["end"] * S)
            runs = [lo] + [lo + int(i) + 1 for i in np.flatnonzero(np.diff(audio[lo:hi]) != 0)]
            words = [SimpleNamespace(word=f" c{round(float(audio[r]) * 1000)}", start=r / S + 0.05, end=r / S + 0.25,
                                     probability=0.9) for r in runs]
            segments.append(SimpleNamespace(start=clip["start"], end=clip["end"], words=words))
        return iter(segments), SimpleNamespace(language=language, language_probability=0.8)


class _NoModel:
    def __init__(self, *args, **kwargs):
        from types import SimpleNamespace

        self.model = SimpleNamespace(is_multilingual=True)


@pytest.fixture
def level_transcriber(monkeypatch):
    """A Transcriber with batch size 4 whose model is faked (see _LevelPipeline), its speech
    regions those the test gives each array (``regions[id(samples)]``)."""
    import faster_whisper

    from qa_pipeline.speech import transcribe
    from qa_pipeline.speech.activity import SpeechRegions

    monkeypatch.setattr(faster_whisper, "WhisperModel", _NoModel)
    monkeypatch.setattr(faster_whisper, "BatchedInferencePipeline", _LevelPipeline)
    monkeypatch.setattr(_LevelPipeline, "decodings", [])
    regions: dict[int, SpeechRegions] = {}
    monkeypatch.setattr(transcribe, "speech_regions", lambda samples: regions[id(samples)])
    heard = transcribe.Transcriber("fake", batch_size=4)
    return heard, regions


def _channel(code: int, chunks, seconds: float, regions) -> np.ndarray:
    """``seconds`` of silence with each chunk (start, end seconds) at a level of its own: code*10 + chunk."""
    from qa_pipeline.speech.activity import SpeechRegions

    samples = np.zeros(int(seconds * S), dtype=np.float32)
    spans = tuple((int(a * S), int(b * S)) for a, b in chunks)
    for i, (a, b) in enumerate(spans):
        samples[a:b] = (code * 10 + i + 1) / 1000
    regions[id(samples)] = SpeechRegions(spans, 0.5, 1.0, 0.0)
    return samples


def test_several_calls_decoded_together_give_each_call_what_it_gets_alone(level_transcriber):
    from qa_pipeline.speech.transcribe import CallSpeech

    heard, regions = level_transcriber
    stereo = CallSpeech(((_channel(1, [(1, 4), (10, 12)], 15, regions), "agent"),
                         (_channel(2, [(5, 9)], 15, regions), "customer")), "en")
    # 44 s of speech in one channel: two windows; the call starts 100 s into a longer recording
    mono = CallSpeech(((_channel(3, [(0, 20), (25, 45), (50, 54)], 60, regions), "unknown"),), "en", offset=100.0)
    quiet = CallSpeech(((_channel(4, [(2, 3)], 5, regions), "agent"), (_channel(5, [], 5, regions), "customer")), "en")
    calls = [stereo, mono, quiet]

    together = heard.transcribe_calls(calls)
    assert len(_LevelPipeline.decodings) == 1  # one batched decoding for the three calls
    assert len(_LevelPipeline.decodings[0]) == 1 + 1 + 2 + 1  # windows: agent, customer, mono (2), quiet agent

    alone = [heard.transcribe_calls([call])[0] for call in calls]
    assert together == alone
    said = {w.text: (w.start, w.end, w.speaker) for transcripts in together for t in transcripts for w in t.words}
    assert said == {
        "c11": (1.05, 1.25, "agent"), "c12": (10.05, 10.25, "agent"), "c21": (5.05, 5.25, "customer"),
        "c31": (100.05, 100.25, "unknown"), "c32": (125.05, 125.25, "unknown"), "c33": (150.05, 150.25, "unknown"),
        "c41": (2.05, 2.25, "agent"),
    }
    assert [[w.text for w in t.words] for t in together[0]] == [["c11", "c12"], ["c21"]]
    assert together[2][1].words == () and together[2][1].language == "en"


def test_calls_in_other_languages_or_with_other_hotwords_are_decoded_apart(level_transcriber):
    from qa_pipeline.speech.transcribe import CallSpeech
    from qa_pipeline.speech.vocabulary import Vocabulary

    heard, regions = level_transcriber
    acme = Vocabulary(("Acme",))
    calls = [CallSpeech(((_channel(1, [(1, 2)], 3, regions), "agent"),), "en"),
             CallSpeech(((_channel(2, [(1, 2)], 3, regions), "agent"),), "zh"),
             CallSpeech(((_channel(3, [(1, 2)], 3, regions), "agent"),), "en", vocabulary=acme),
             CallSpeech(((_channel(4, [(0, 1)], 3, regions), "agent"),), "en"),
             CallSpeech(((_channel(5, [(1, 2)], 3, regions), "agent"),), "en", vocabulary=acme)]

    together = heard.transcribe_calls(calls)

    assert sorted(len(clips) for clips in _LevelPipeline.decodings) == [1, 2, 2]
    assert [t.language for [t] in together] == ["en", "zh", "en", "en", "en"]
    assert [[w.text for w in t.words] for [t] in together] == [["c11"], ["c21"], ["c31"], ["c41"], ["c51"]]


@pytest.mark.slow
def test_two_real_calls_decoded_together_get_the_words_each_gets_alone(transcriber):
    import voices

    from qa_pipeline.speech.transcribe import CallSpeech

    calls = []
    for n, script in enumerate((voices.CARD_CALL[:2], voices.CARD_CALL[2:4])):
        left, right, _ = voices.stereo_call(script, customer_pitch=-300)
        calls.append(CallSpeech(((left, "agent"), (right, "customer")), "en", offset=10.0 * n))
    batched = copy.copy(transcriber)
    batched.batch_size = 4

    together = batched.transcribe_calls(calls)
    alone = [batched.transcribe_calls([call])[0] for call in calls]

    for call_together, call_alone in zip(together, alone):
        for t, a in zip(call_together, call_alone, strict=True):
            assert [(w.text, w.speaker) for w in t.words] == [(w.text, w.speaker) for w in a.words]
            assert len(t.words) > 3
            assert all(abs(x.start - y.start) < 0.05 and abs(x.end - y.end) < 0.05 for x, y in zip(t.words, a.words))
            assert (t.language, t.speech_seconds) == (a.language, a.speech_seconds)
