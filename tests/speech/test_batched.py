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
