"""Where and how speech recognition runs: the machine's GPU (CTranslate2's device count, mocked
at that boundary), the flags of `qa run`, and that they reach faster-whisper's WhisperModel."""
from __future__ import annotations

import ctranslate2
import faster_whisper
import pytest
from click.testing import CliRunner

from qa_pipeline import pipeline
from qa_pipeline.cli.main import cli
from qa_pipeline.pipeline import Models, RunOptions
from qa_pipeline.speech import settings as speech
from qa_pipeline.speech.settings import SpeechSettings, speech_settings


@pytest.fixture
def gpus(monkeypatch):
    """Set how many NVIDIA GPUs CTranslate2 reports (and what a GPU supports)."""

    def have(count: int) -> None:
        monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: count)
        real = ctranslate2.get_supported_compute_types
        monkeypatch.setattr(ctranslate2, "get_supported_compute_types",
                            lambda device: {"float16", "int8_float16", "int8", "float32"} if device == "cuda"
                            else real(device))

    have(0)
    return have


class RecordedWhisperModel:
    """At the model boundary: keeps the arguments faster-whisper's WhisperModel was given."""

    made: list[dict] = []

    def __init__(self, model, **kwargs):
        self.model = type("CT2", (), {"is_multilingual": True})()
        RecordedWhisperModel.made.append(dict(model=model, **kwargs))


@pytest.fixture
def recorded(monkeypatch):
    RecordedWhisperModel.made = []
    monkeypatch.setattr(faster_whisper, "WhisperModel", RecordedWhisperModel)
    monkeypatch.setattr("qa_pipeline.model_packs.resolve_asr_model", lambda name: "/models/whisper-base")
    monkeypatch.delenv("QA_FAKE_ASR", raising=False)
    return RecordedWhisperModel.made


def test_a_machine_with_a_gpu_runs_on_it_in_float16_with_batches(gpus):
    gpus(1)
    assert speech_settings() == SpeechSettings("cuda", "float16", speech.CUDA_BATCH_SIZE, 0)


def test_a_machine_without_one_runs_on_the_cpu_in_int8_with_its_cores_shared_between_workers(gpus, monkeypatch):
    monkeypatch.setattr(speech.os, "cpu_count", lambda: 8)
    assert speech_settings() == SpeechSettings("cpu", "int8", speech.CPU_BATCH_SIZE, 8)
    assert speech_settings(workers=3).cpu_threads == 2
    assert speech_settings(workers=16).cpu_threads == 1


def test_given_values_are_kept(gpus):
    gpus(2)
    assert speech_settings("cpu", "float32", 4, 3) == SpeechSettings("cpu", "float32", 4, 3)
    assert speech_settings("cuda", "int8_float16", 1) == SpeechSettings("cuda", "int8_float16", 1, 0)


@pytest.mark.parametrize("asked, problem", [
    (dict(device="cuda"), "no NVIDIA GPU"),
    (dict(device="cpu", compute_type="float16"), "use one of"),
    (dict(device="gpu"), "use one of auto, cpu, cuda"),
    (dict(batch_size=0), r"use 1 \(no batching\) or more"),
    (dict(beam_size=0), r"use 1 \(greedy decoding\) or more"),
])
def test_impossible_settings_say_what_to_use_instead(gpus, asked, problem):
    with pytest.raises(ValueError, match=problem):
        speech_settings(**asked)


def test_run_options_reach_whisper_model(gpus, recorded):
    models = Models(RunOptions(device="cpu", compute_type="int8_float32", batch_size=4, threads=1, beam_size=2))
    assert (models.transcriber.batch_size, models.transcriber.beam_size) == (4, 2)
    assert recorded == [dict(model="/models/whisper-base", device="cpu", compute_type="int8_float32", cpu_threads=1)]


def test_with_no_tuning_options_a_gpu_is_used_for_recognition_and_diarization(gpus, recorded):
    gpus(1)
    models = Models(RunOptions())
    assert models.transcriber.batch_size == speech.CUDA_BATCH_SIZE
    assert recorded[0]["device"] == "cuda" and recorded[0]["compute_type"] == "float16"
    assert models.separator.device == "cuda"


def test_qa_run_passes_its_flags_on(tmp_path, gpus, monkeypatch):
    seen = {}

    def fake_run_batch(calls_dir, db_path, *, options, **kwargs):
        seen["options"] = options
        return pipeline.BatchSummary()

    monkeypatch.setattr(pipeline, "run_batch", fake_run_batch)
    result = CliRunner().invoke(cli, ["run", str(tmp_path), "--db", str(tmp_path / "qa.duckdb"), "--device", "cpu",
                                      "--compute-type", "float32", "--batch-size", "8", "--threads", "1"])
    assert result.exit_code == 0, result.output
    options = seen["options"]
    assert (options.device, options.compute_type, options.batch_size, options.threads) == ("cpu", "float32", 8, 1)


def test_qa_run_on_cuda_without_a_gpu_stops_before_any_work(tmp_path, gpus):
    result = CliRunner().invoke(cli, ["run", str(tmp_path), "--db", str(tmp_path / "qa.duckdb"), "--device", "cuda"])
    assert result.exit_code == 2
    assert "no NVIDIA GPU" in result.output
    assert not (tmp_path / "qa.duckdb").exists()
