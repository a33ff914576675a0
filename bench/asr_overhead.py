"""What `qa run` costs on top of bare speech recognition, in time and in accuracy.

In one process, on the same calls and model: bare faster-whisper ``transcribe`` on the
mono mix of each stereo call, against ``qa run`` end to end on the stereo files
(decode, per-channel transcription, turns, redaction, scoring, storing). Rounds alternate
so that load from other processes hits both sides alike; medians are compared.

    .venv/bin/python bench/asr_overhead.py [CALLS_DIR] [--rounds 3] [--language en]

CALLS_DIR defaults to demo/calls (run `qa demo` first). Prints the ratio (target ≤ 1.10)
and real-time factors. Not a test: figures on shared machines are noisy.

    .venv/bin/python bench/asr_overhead.py --accuracy [SHARED_AUDIO_DIR]

prints instead, per shared clip, the error rate (CER for Mandarin, WER for English) of bare
faster-whisper (its defaults) and of `qa run`'s path (:func:`process_call`) on the same
file and loaded model: the table in the README. tests/speech/test_never_worse.py asserts
the second is never above the first.

    .venv/bin/python bench/asr_overhead.py --activity [AUDIO_FILE_OR_DIR ...] [--rounds 3]

prints instead what the speech-activity passes of :mod:`qa_pipeline.speech.activity` cost
(the channel's energy and speech-likeness, VAD retried at lower thresholds, the
untranscribed-speech measure) against bare faster-whisper (``vad_filter=True``) on the
same channels: both timed in the same rounds, the ratio of their medians. Defaults to the
shared clips; add a rendered steep-line call to see the retries.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from faster_whisper import WhisperModel, decode_audio

from qa_pipeline.model_packs import resolve_asr_model
from qa_pipeline.pipeline import Models, RunOptions, find_recordings, process_call, run_batch
from qa_pipeline.records import CallInfo
from qa_pipeline.speech.accuracy import error_rate
from qa_pipeline.speech.activity import speech_probabilities, speech_regions, untranscribed_seconds
from qa_pipeline.speech.audio import decode, is_silent, mono_mix
from qa_pipeline.speech.transcribe import Transcriber

CLIPS = {  # shared clip: (language, reference or the file holding it)
    "aishell_BAC009S0724W0121.wav": ("zh", "广州市房地产中介协会分析"),
    "funasr_asr_example.wav": ("zh", "欢迎大家来体验达摩院推出的语音识别模型"),
    "jfk.flac": ("en", "And so my fellow Americans, ask not what your country can do for you, "
                       "ask what you can do for your country."),
    "commercial_mono_8k.wav": ("en", Path("commercial_mono_8k.reference.txt")),  # approximate
}


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



def accuracy(audio_dir: Path) -> None:
    transcriber = Transcriber(resolve_asr_model(None))
    options = RunOptions(redact=False, score=False, diarize=False)
    models = Models(options)
    models._transcriber = transcriber
    print("| clip | length | measure | bare faster-whisper | qa run |")
    print("|---|---|---|---|---|")
    for clip, (language, reference) in CLIPS.items():
        if isinstance(reference, Path):
            lines = (audio_dir / reference).read_text(encoding="utf-8").splitlines()
            reference = " ".join(line for line in lines if line.strip() and not line.startswith("#"))
        audio = decode(audio_dir / clip)
        segments, _ = transcriber.whisper.transcribe(mono_mix(audio))
        bare_text = " ".join(s.text for s in segments)
        call = process_call(audio_dir / clip, CallInfo(clip), models, options)
        ours = " ".join(t.text for t in call.turns)
        measure = "CER" if language == "zh" else "WER"
        print(f"| {clip} | {audio.duration:.1f} s | {measure} | {error_rate(reference, bare_text, language):.3f} "
              f"| {error_rate(reference, ours, language):.3f} |", flush=True)


def activity_cost(paths: list[Path], rounds: int) -> None:
    """Bare faster-whisper vs the activity passes alone, per channel, same rounds."""
    files = [f for p in paths for f in (find_recordings(p) if p.is_dir() else [p])]
    files = [f for f in files if f.suffix in (".wav", ".flac", ".mp3")]
    transcriber = Transcriber(resolve_asr_model(None))
    channels = []
    for f in files:
        language = CLIPS.get(f.name, ("en",))[0]
        channels += [(f.name, i, ch, language) for i, ch in enumerate(decode(f).channels) if not is_silent(ch)]
    seconds = sum(len(ch) for _, _, ch, _ in channels) / 16000
    bare_times, passes_times, silero_times = [], [], []
    for r in range(rounds):
        bare_t = passes_t = silero_t = 0.0
        for name, i, ch, language in channels:
            t = time.perf_counter()
            segments, _ = transcriber.whisper.transcribe(ch, language=language, word_timestamps=True,
                                                         vad_filter=True, beam_size=transcriber.beam_size)
            for _ in segments:
                pass
            bare_t += time.perf_counter() - t
            t = time.perf_counter()
            regions = speech_regions(ch)
            untranscribed_seconds(ch, [], regions=regions)
            passes_t += time.perf_counter() - t
            t = time.perf_counter()
            speech_probabilities(ch)  # the one VAD pass that bare faster-whisper makes too
            silero_t += time.perf_counter() - t
            if r == 0:
                print(f"{name} ch{i}: {len(ch) / 16000:.1f} s, speech-like {regions.energetic_seconds:.1f} s, "
                      f"VAD threshold {regions.threshold}, coverage {regions.coverage}")
        bare_times.append(bare_t)
        passes_times.append(passes_t)
        silero_times.append(silero_t)
        print(f"round {r + 1}: bare {bare_t:.2f} s, activity passes {passes_t:.3f} s (one Silero pass {silero_t:.3f} s)")
    b, a, v = (statistics.median(x) for x in (bare_times, passes_times, silero_times))
    print(f"{len(channels)} channels, {seconds:.0f} s of audio; machine: {platform.machine()}, {os.cpu_count()} cores")
    print(f"bare faster-whisper (vad_filter=True): {b:.2f} s; activity passes: {a:.3f} s = {100 * a / b:.1f} % of bare; "
          f"beyond the one VAD pass bare makes too (qa run decodes with vad_filter=False): {100 * (a - v) / b:.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calls_dir", nargs="*", default=None, type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--language", default="en")
    parser.add_argument("--accuracy", action="store_true", help="error rates on the shared clips instead")
    parser.add_argument("--activity", action="store_true", help="cost of the speech-activity passes instead")
    args = parser.parse_args()
    shared = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "audio"
    if args.activity:
        activity_cost(args.calls_dir or [shared], args.rounds)
        return
    args.calls_dir = args.calls_dir[0] if args.calls_dir else None
    if args.accuracy:
        accuracy(args.calls_dir or Path(__file__).resolve().parents[1].parent / "shared" / "data" / "audio")
        return
    args.calls_dir = args.calls_dir or Path("demo/calls")
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
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"calls: {len(files)} stereo, {audio_seconds:.0f} s of audio; model {model_dir}")
    print(f"bare faster-whisper on the mono mix: {b:.1f} s (real-time factor {b / audio_seconds:.3f})")
    print(f"qa run end to end on stereo:        {q:.1f} s (real-time factor {q / audio_seconds:.3f})")
    print(f"ratio qa run / bare: {q / b:.2f} (target ≤ 1.10)")


if __name__ == "__main__":
    main()
