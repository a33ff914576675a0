"""What `qa run` costs on top of bare speech recognition.

In one process, on the same calls and model: bare faster-whisper ``transcribe`` on the
mono mix of each stereo call, against ``qa run`` end to end on the stereo files
(decode, per-channel transcription, turns, redaction, scoring, storing). Rounds alternate
so that load from other processes hits both sides alike; medians are compared.

    .venv/bin/python bench/asr_overhead.py [CALLS_DIR] [--rounds 3] [--language en]

CALLS_DIR defaults to demo/calls (run `qa demo` first). Prints the ratio (target ≤ 1.10)
and real-time factors. Not a test: figures on shared machines are noisy.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

from faster_whisper import WhisperModel, decode_audio

from qa_pipeline.model_packs import resolve_asr_model
from qa_pipeline.pipeline import Models, RunOptions, find_recordings, run_batch
from qa_pipeline.speech.transcribe import Transcriber


def bare(model: WhisperModel, files: list[Path], language: str) -> float:
    t = time.perf_counter()
    for f in files:
        mix = decode_audio(str(f), sampling_rate=16000)
        segments, _ = model.transcribe(mix, language=language, word_timestamps=True, vad_filter=True)
        for _ in segments:
            pass
    return time.perf_counter() - t


def qa(models: Models, calls_dir: Path, language: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        summary = run_batch(calls_dir, Path(tmp) / "bench.duckdb",
                            options=RunOptions(language=language, force=True), models=models)
        elapsed = time.perf_counter() - t
    assert summary.processed == len(find_recordings(calls_dir)), summary.failed
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calls_dir", nargs="?", default="demo/calls", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--language", default="en")
    args = parser.parse_args()
    files = find_recordings(args.calls_dir)
    if not files:
        raise SystemExit(f"{args.calls_dir}: no recordings; run `qa demo` first")
    audio_seconds = sum(len(decode_audio(str(f), sampling_rate=16000)) / 16000 for f in files)
    model_dir = resolve_asr_model(None)
    transcriber = Transcriber(model_dir)
    models = Models(RunOptions(language=args.language), transcriber=transcriber)  # the same loaded model on both sides
    bare_times, qa_times = [], []
    for r in range(args.rounds):
        bare_times.append(bare(transcriber.whisper, files, args.language))
        qa_times.append(qa(models, args.calls_dir, args.language))
        print(f"round {r + 1}: bare {bare_times[-1]:.1f} s, qa run {qa_times[-1]:.1f} s")
    b, q = statistics.median(bare_times), statistics.median(qa_times)
    print(f"machine: {platform.processor() or platform.machine()}, {__import__('os').cpu_count()} cores")
    print(f"calls: {len(files)} stereo, {audio_seconds:.0f} s of audio; model {model_dir}")
    print(f"bare faster-whisper on the mono mix: {b:.1f} s (real-time factor {b / audio_seconds:.3f})")
    print(f"qa run end to end on stereo:        {q:.1f} s (real-time factor {q / audio_seconds:.3f})")
    print(f"ratio qa run / bare: {q / b:.2f} (target ≤ 1.10)")


if __name__ == "__main__":
    main()
