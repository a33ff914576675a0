"""No speech silently dropped on a narrow telephone line: a stereo call rendered with a neural
voice, band-limited with steep edges to 300–3400 Hz at 8 kHz, through `qa run`'s path.

Before the speech-activity check, `qa run` kept 10 of the agent's 79 words and 5–37 of the
customer's 62 on these calls (Silero VAD at its default threshold)."""
from __future__ import annotations

import re

import line_sounds
import numpy as np
import pytest
import voices
from rapidfuzz.distance import Levenshtein

from qa_pipeline.pipeline import Models, RunOptions, process_call, score
from qa_pipeline.records import CallInfo
from qa_pipeline.speech.activity import coverage_flags

pytestmark = pytest.mark.slow

OPTIONS = RunOptions(redact=False, score=False, diarize=False)

SCRIPT = voices.CARD_CALL


def words(text: str) -> list[str]:
    return re.sub(r"[^\w\s']", " ", text.lower()).split()


def wer(reference: str, hypothesis: str) -> float:
    return Levenshtein.distance(words(reference), words(hypothesis)) / len(words(reference))


def assert_both_sides_heard(call) -> None:
    """Each side's words of SCRIPT recognised, nearly word for word."""
    for side in ("agent", "customer"):
        said = " ".join(text for speaker, text in SCRIPT if speaker == side)
        heard = " ".join(t.text for t in call.turns if t.speaker == side)
        assert wer(said, heard) < (0.1 if voices.voice_name() == "piper" else 0.3), f"{side}: {heard}"


@pytest.fixture(scope="module")
def models(transcriber):
    m = Models(OPTIONS)
    m._transcriber = transcriber
    return m


@pytest.mark.parametrize(("customer_pitch", "agent_gain_db"), [(-400, -30.0), (0, 0.0), (300, 0.0)],
                         ids=["deep-customer-quiet-agent", "unshifted", "high-customer"])
def test_both_sides_transcribed_on_a_steep_8khz_line(tmp_path, models, customer_pitch, agent_gain_db):
    left, right, _ = voices.stereo_call(SCRIPT, customer_pitch=customer_pitch, agent_gain_db=agent_gain_db)
    path = voices.write_stereo(tmp_path / "call.wav", left, right)

    call = process_call(path, CallInfo("narrowband"), models, OPTIONS)

    assert_both_sides_heard(call)
    assert {c.speaker for c in call.coverage} == {"agent", "customer"}
    assert coverage_flags(call.coverage) == ()
    assert all(c.untranscribed_seconds < 0.2 * c.speech_seconds for c in call.coverage), call.coverage


def test_ringback_hold_music_and_keypad_tones_are_neither_flagged_nor_transcribed(tmp_path, models):
    """Ringback before the answer on the customer's channel; hold music, keypad tones and
    comfort noise mid-call on the agent's. Before, they counted as untranscribed speech: 47.2 s
    of the agent's "speech", 30.8 s of it without words, flagged "agent side mostly untranscribed"."""
    left, right, turns = voices.stereo_call(SCRIPT, customer_pitch=-400)
    cut = int((turns[3].end + 0.4) * voices.RATE)
    ring = line_sounds.line(line_sounds.ringback(11.0))
    hold = np.concatenate([line_sounds.line(s) for s in (line_sounds.hold_music(25.0), line_sounds.dtmf("4471", gap=2.0),
                                                         line_sounds.comfort_noise(8.0))])
    quiet_ring, quiet_hold = (line_sounds.line(np.zeros(len(x) // 2), seed=5) for x in (ring, hold))
    agent = np.concatenate([quiet_ring, left[:cut], hold, left[cut:]])
    customer = np.concatenate([ring, right[:cut], quiet_hold, right[cut:]])
    path = voices.write_stereo(tmp_path / "call.wav", agent, customer)

    call = process_call(path, CallInfo("on-hold"), models, OPTIONS)

    assert_both_sides_heard(call)
    assert coverage_flags(call.coverage) == (), call.coverage
    ring_end = len(ring) / voices.RATE
    hold_start, hold_end = (len(ring) + cut) / voices.RATE, (len(ring) + cut + len(hold)) / voices.RATE
    invented = [t for t in call.turns if t.start < ring_end - 0.5 or hold_start + 1.0 < t.start < hold_end - 1.0]
    assert invented == []


class FirstChannelOnly:
    """At the model boundary: recognises the first channel it is given (the agent's, left)
    and hears nothing on the next."""

    def __init__(self, model):
        self.model, self.calls = model, 0

    def transcribe(self, audio, **options):
        self.calls += 1
        segments, info = self.model.transcribe(audio, **options)
        return (segments if self.calls == 1 else iter(())), info


def test_a_side_that_gets_no_words_is_flagged_on_the_call(tmp_path, transcriber, monkeypatch):
    """Where recognition still ends with no words for a side, the call says so instead of
    being scored as if complete."""
    left, right, _ = voices.stereo_call(SCRIPT)
    path = voices.write_stereo(tmp_path / "call.wav", left, right)
    monkeypatch.setattr(transcriber, "whisper", FirstChannelOnly(transcriber.whisper))
    models = Models(OPTIONS)
    models._transcriber = transcriber

    call = process_call(path, CallInfo("deaf", language="en"), models, OPTIONS)

    customer = next(c for c in call.coverage if c.speaker == "customer")
    assert customer.speech_seconds > 10 and customer.untranscribed_seconds == customer.speech_seconds
    agent = next(c for c in call.coverage if c.speaker == "agent")
    assert agent.untranscribed_seconds < 0.2 * agent.speech_seconds
    [result] = score(call)
    assert result.flagged and "customer side mostly untranscribed" in result.flag_reasons
    assert not any("agent" in reason for reason in result.flag_reasons)
