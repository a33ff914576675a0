"""`qa run`'s recognition is never less accurate than bare faster-whisper on the same file.

Both are computed here, on the shared Mandarin and English clips with the default model:
bare is ``WhisperModel.transcribe(samples)`` with faster-whisper's defaults; ours is
:func:`qa_pipeline.pipeline.process_call`, the path `qa run` takes (language detection,
speech regions, word times, Simplified Chinese).
"""
from __future__ import annotations

import pytest
from shared_data import shared_file

from qa_pipeline.pipeline import Models, RunOptions, process_call
from qa_pipeline.records import CallInfo
from qa_pipeline.speech.accuracy import error_rate
from qa_pipeline.speech.audio import decode, mono_mix

pytestmark = pytest.mark.slow

OPTIONS = RunOptions(redact=False, score=False, diarize=False)


def _reference(name: str) -> str:
    text = shared_file("data", "audio", name).read_text(encoding="utf-8")
    return " ".join(line for line in text.splitlines() if line.strip() and not line.startswith("#"))


CLIPS = {  # file: (language, reference)
    "aishell_BAC009S0724W0121.wav": ("zh", lambda: "广州市房地产中介协会分析"),
    "funasr_asr_example.wav": ("zh", lambda: "欢迎大家来体验达摩院推出的语音识别模型"),
    "jfk.flac": ("en", lambda: "And so my fellow Americans, ask not what your country can do for you, "
                               "ask what you can do for your country."),
    # the reference is an approximate machine transcript: both sides are measured against it
    "commercial_mono_8k.wav": ("en", lambda: _reference("commercial_mono_8k.reference.txt")),
}



@pytest.fixture(scope="module")
def models(transcriber):
    m = Models(OPTIONS)
    m._transcriber = transcriber
    return m


@pytest.mark.parametrize("clip", list(CLIPS))
def test_qa_run_is_never_worse_than_bare_faster_whisper(clip, models, transcriber):
    language, reference = CLIPS[clip]
    path = shared_file("data", "audio", clip)
    segments, _ = transcriber.whisper.transcribe(mono_mix(decode(path)))
    bare = " ".join(s.text for s in segments)

    call = process_call(path, CallInfo(clip), models, OPTIONS)
    ours = " ".join(t.text for t in call.turns)

    assert call.language == language
    bare_error, our_error = error_rate(reference(), bare, language), error_rate(reference(), ours, language)
    assert our_error <= bare_error, f"{clip}: qa run {our_error:.3f} > bare {bare_error:.3f}\n{bare}\n{ours}"
