"""Real recordings through the default model: accuracy, Simplified Chinese, channels → roles."""
from __future__ import annotations

import re

import pytest
from rapidfuzz.distance import Levenshtein
from shared_data import audio_file

from qa_pipeline.pipeline import Models, RunOptions, process_call
from qa_pipeline.records import CallInfo

pytestmark = [pytest.mark.slow, pytest.mark.shared_data("data", "audio")]

OPTIONS = RunOptions(redact=False, score=False, diarize=False)


def words(text: str) -> list[str]:
    return re.sub(r"[^\w\s']", " ", text.lower()).split()


def wer(ref: str, hyp: str) -> float:
    return Levenshtein.distance(words(ref), words(hyp)) / len(words(ref))


def cer(ref: str, hyp: str) -> float:
    strip = lambda s: re.sub(r"[\W_]", "", s)  # noqa: E731
    return Levenshtein.distance(strip(ref), strip(hyp)) / len(strip(ref))


@pytest.fixture(scope="module")
def models(transcriber):
    return Models(OPTIONS, transcriber=transcriber)


def text_of(call) -> str:
    return " ".join(t.text for t in call.turns)


def test_jfk_within_5_percent_wer_and_dual_mono_is_one_call(models):
    call = process_call(audio_file("jfk.flac"), CallInfo("jfk"), models, OPTIONS)
    ref = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."
    assert call.language == "en"
    assert wer(ref, text_of(call)) <= 0.05
    # Same signal on both channels: a mono call, so no agent/customer split is invented.
    assert {t.speaker for t in call.turns} == {"unknown"}


def test_aishell_in_simplified_chinese_within_20_percent_cer(models):
    call = process_call(audio_file("aishell_BAC009S0724W0121.wav"), CallInfo("aishell"), models, OPTIONS)
    text = text_of(call)
    assert call.language == "zh"
    assert "廣" not in text and "広" not in text
    assert cer("广州市房地产中介协会分析", text) <= 0.20


def test_stereo_channels_become_agent_and_customer(models):
    call = process_call(audio_file("stereo_diarization.wav"), CallInfo("stereo"), models, OPTIONS)
    agent = " ".join(t.text for t in call.turns if t.speaker == "agent")
    customer = " ".join(t.text for t in call.turns if t.speaker == "customer")
    assert wer("He began a confused complaint against the wizard, who had vanished behind the curtain on the left.", agent) < 0.25
    assert wer("The horizon seems extremely distant.", customer) < 0.25
    assert all(w.speaker == t.speaker for t in call.turns for w in t.words)


def test_agent_channel_can_be_the_right_one(models):
    info = CallInfo("stereo-r", metadata={"agent_channel": "right"})
    call = process_call(audio_file("stereo_diarization.wav"), info, models, OPTIONS)
    agent = " ".join(t.text for t in call.turns if t.speaker == "agent")
    assert "horizon" in agent.lower()


def test_8khz_telephone_call_transcribes(models):
    call = process_call(audio_file("commercial_mono_8k.wav"), CallInfo("8k"), models, OPTIONS)
    reference = audio_file("commercial_mono_8k.reference.txt").read_text(encoding="utf-8")
    body = " ".join(line for line in reference.splitlines() if line.strip() and not line.startswith("#"))
    assert call.language == "en" and call.sample_rate == 8000
    assert len(words(text_of(call))) > 50
    assert wer(body, text_of(call)) < 0.5  # the reference itself is only an approximate machine transcript
    first = min(t.start for t in call.turns)
    assert first < 8.0


@pytest.mark.parametrize("clip, language", [("jfk.flac", "en"), ("aishell_BAC009S0724W0121.wav", "zh")])
def test_auto_language_costs_no_encoder_pass_of_its_own(transcriber, monkeypatch, clip, language):
    """language="auto" detects on the first window it then decodes, encoded once for both: the
    same words, and as many encoder calls, as when the language is given."""
    import faster_whisper

    from qa_pipeline.speech.audio import decode, mono_mix

    encoded = []
    real = faster_whisper.WhisperModel.encode
    monkeypatch.setattr(faster_whisper.WhisperModel, "encode",
                        lambda self, features: encoded.append(features.shape) or real(self, features))
    samples = mono_mix(decode(audio_file(clip)))
    given = transcriber.transcribe(samples, language=language)
    given_passes = len(encoded)
    encoded.clear()
    auto = transcriber.transcribe(samples, language="auto")
    assert auto.language == language and auto.language_probability > 0.5
    assert auto.words == given.words
    assert len(encoded) == given_passes
