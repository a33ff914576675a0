"""Audio hours per wall-clock hour: bare faster-whisper against `qa run`, with the error rate of each.

The calls: the English labelled examples of ../shared/qa-examples rendered as stereo 8 kHz
telephone calls (Piper's en_US-joe voice through tests/helpers/voices.py, agent left,
customer right, the script as the reference), plus the shared clips with references
(Mandarin CER, English WER). In one process, same model, same calls, rounds alternating so
that other processes' load hits both sides alike:

- bare: ``WhisperModel(model).transcribe(path)`` with faster-whisper's defaults (the mono
  mix; float32 on a CPU, 4 threads), and the same with ``compute_type="int8"``;
- qa run: :func:`run_batch` end to end (decode, speech regions, recognition per channel,
  turns, scoring, storing) with the settings `qa run` picks for this machine (or the flags
  given), and beside it the variants tried (batched decoding, other beam sizes). Redaction
  is off so that the stored text can be compared with the reference. Each `qa run` first
  processes two short clips untimed: what a batch pays once (the diarization pipeline's
  imports and load, the rubrics, the sentence encoder), as bare's model load is untimed.

    .venv/bin/python bench/throughput.py [--calls 6] [--rounds 3] [--batch-size N] [--threads N] [--beam-size N]
    .venv/bin/python bench/throughput.py --qa-batch-sizes 8 --qa-beam-sizes 5,1   # the variants (these by default)
    .venv/bin/python bench/throughput.py --sweep 1x2,1x1,4x2,8x2,16x2,8x1   # batch x threads, recognition only
    .venv/bin/python bench/throughput.py --sweep 8x2 --calls-per-batch 4    # several calls' windows in one batch
    .venv/bin/python bench/throughput.py --lengths 1,5,20                    # cost against call length (minutes)

Shared machines are noisy: compare the ratios within one run, not figures across runs.
Prints the load average at the start and the end.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "helpers"))

import voices  # noqa: E402
from faster_whisper import WhisperModel  # noqa: E402

from qa_pipeline.model_packs import resolve_asr_model  # noqa: E402
from qa_pipeline.pipeline import (  # noqa: E402
    CallJob, Models, ProcessedCall, RunOptions, process_call, run_batch, work_on_together)
from qa_pipeline.records import CallInfo  # noqa: E402
from qa_pipeline.speech.accuracy import error_rate  # noqa: E402
from qa_pipeline.speech.settings import BEAM_SIZE, speech_settings  # noqa: E402
from qa_pipeline.speech.transcribe import Transcriber  # noqa: E402
from qa_pipeline.store import database as store  # noqa: E402
from qa_pipeline.store.calls import load_calls  # noqa: E402

SHARED = ROOT.parent / "shared"
if not SHARED.is_dir():
    SHARED = Path("/work/shared")
CUSTOMER_PITCH = -300  # cents: a second voice for the customer
CLIPS = {  # shared clip: (language, reference or the file holding it)
    "aishell_BAC009S0724W0121.wav": ("zh", "广州市房地产中介协会分析"),
    "funasr_asr_example.wav": ("zh", "欢迎大家来体验达摩院推出的语音识别模型"),
    "jfk.flac": ("en", "And so my fellow Americans, ask not what your country can do for you, "
                       "ask what you can do for your country."),
    "commercial_mono_8k.wav": ("en", "commercial_mono_8k.reference.txt"),  # approximate
}


@dataclass(frozen=True)
class BenchCall:
    path: Path
    language: str
    reference: str
    seconds: float


def render_examples(out: Path, count: int) -> list[BenchCall]:
    """The first ``count`` English examples as stereo telephone calls (cached in ``out``)."""
    calls = []
    for example in sorted((SHARED / "qa-examples").glob("en-*.json"))[:count]:
        script = [(t["speaker"], t["text"]) for t in json.loads(example.read_text(encoding="utf-8"))["turns"]]
        calls.append(_rendered(out / f"{example.stem}.wav", script))
    return calls


def render_long(out: Path, minutes: float) -> BenchCall:
    """One call of at least ``minutes``: the English examples' scripts one after another."""
    script: list[tuple[str, str]] = []
    seconds = 0.0
    examples = sorted((SHARED / "qa-examples").glob("en-*.json"))
    while seconds < minutes * 60:
        for t in json.loads(examples[len(script) % len(examples)].read_text(encoding="utf-8"))["turns"]:
            script.append((t["speaker"], t["text"]))
            line = voices.render_line(t["text"], pitch_cents=CUSTOMER_PITCH if t["speaker"] == "customer" else 0)
            seconds += len(line) / voices.RATE + 0.8
            if seconds >= minutes * 60:
                break
    return _rendered(out / f"long-{minutes:g}min.wav", script)


def _rendered(target: Path, script: list[tuple[str, str]]) -> BenchCall:
    if not target.exists():
        left, right, _ = voices.stereo_call(script, customer_pitch=CUSTOMER_PITCH)
        voices.write_stereo(target, left, right)
    import soundfile as sf

    return BenchCall(target, "en", " ".join(text for _, text in script), sf.info(str(target)).duration)


def shared_clips(out: Path) -> list[BenchCall]:
    calls = []
    for clip, (language, reference) in CLIPS.items():
        path = SHARED / "data" / "audio" / clip
        if not path.exists():
            continue
        if reference.endswith(".txt"):
            lines = (path.parent / reference).read_text(encoding="utf-8").splitlines()
            reference = " ".join(line for line in lines if line.strip() and not line.startswith("#"))
        target = out / clip
        if not target.exists():
            target.symlink_to(path)
        import soundfile as sf

        calls.append(BenchCall(target, language, reference, sf.info(str(path)).duration))
    return calls


def pooled_error(calls: list[BenchCall], texts: dict[str, str], language: str) -> str:
    chosen = [c for c in calls if c.language == language]
    if not chosen:
        return "-"
    # each call's error rate weighted by its reference length: the pooled rate
    size = (lambda c: len(c.reference.replace(" ", ""))) if language == "zh" else (lambda c: len(c.reference.split()))
    total = sum(size(c) for c in chosen)
    return f"{sum(error_rate(c.reference, texts[c.path.stem], language) * size(c) for c in chosen) / total:.3f}"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_bare(model: WhisperModel, calls: list[BenchCall]) -> tuple[float, float, dict[str, str]]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    texts = {}
    for call in calls:
        segments, _ = model.transcribe(str(call.path))
        texts[call.path.stem] = " ".join(s.text for s in segments)
    return time.perf_counter() - wall, cpu_seconds() - cpu, texts


def run_qa(calls_dir: Path, models: Models, options: RunOptions) -> tuple[float, float, dict[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        wall, cpu = time.perf_counter(), cpu_seconds()
        summary = run_batch(calls_dir, db, options=options, models=models)
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        assert not summary.failed, summary.failed
        with store.opened(db, read_only=True) as con:
            texts = {c.info.call_id: " ".join(t.text for t in c.turns) for c in load_calls(con)}
    return wall, cpu, texts


def run_recognition(transcriber: Transcriber, calls: list[BenchCall]) -> tuple[float, float, dict[str, str]]:
    options = RunOptions(redact=False, score=False, diarize=False)
    models = Models(options, transcriber=transcriber)
    wall, cpu = time.perf_counter(), cpu_seconds()
    texts = {}
    for call in calls:
        done = process_call(call.path, CallInfo(call.path.stem), models, options)
        texts[call.path.stem] = " ".join(t.text for t in done.turns)
    return time.perf_counter() - wall, cpu_seconds() - cpu, texts


def run_recognition_together(transcriber: Transcriber, calls: list[BenchCall],
                             calls_per_batch: int) -> tuple[float, float, dict[str, str]]:
    """:func:`run_recognition` with ``calls_per_batch`` calls' speech windows sharing the batches."""
    options = RunOptions(redact=False, score=False, diarize=False, calls_per_batch=calls_per_batch)
    models = Models(options, transcriber=transcriber)
    jobs = [CallJob(call.path, call.path.stem, CallInfo(call.path.stem), audio_seconds=call.seconds) for call in calls]
    wall, cpu = time.perf_counter(), cpu_seconds()
    texts = {}
    for i in range(0, len(jobs), calls_per_batch):
        for job, done in work_on_together(jobs[i:i + calls_per_batch], models, options):
            assert isinstance(done, ProcessedCall), done
            texts[job.info.call_id] = " ".join(t.text for t in done.call.turns)
    return time.perf_counter() - wall, cpu_seconds() - cpu, texts


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def warm_up(models: Models, options: RunOptions, out: Path) -> float:
    """Wall seconds of a first `qa run` of two short clips (English, Mandarin): what a batch
    pays once, however many calls it holds (the diarization pipeline's imports and load, the
    rubrics, the sentence encoder and its item models), kept out of the per-minute figures as
    bare's model load is."""
    clips = [SHARED / "data" / "audio" / name for name in ("jfk.flac", "aishell_BAC009S0724W0121.wav")]
    folder = out / "warm-up"
    folder.mkdir(parents=True, exist_ok=True)
    for clip in clips:
        if clip.exists() and not (folder / clip.name).exists():
            (folder / clip.name).symlink_to(clip)
    started = time.perf_counter()
    run_qa(folder, models, options)
    return time.perf_counter() - started


def qa_side(label: str, settings, calls_dir: Path, out: Path, beam_size: int = 5):
    """A `qa run` with these speech settings (and beam size), its models loaded and warmed."""
    options = RunOptions(language="auto", redact=False, device=settings.device,
                         compute_type=settings.compute_type, batch_size=settings.batch_size,
                         threads=settings.cpu_threads)
    models = Models(options, transcriber=Transcriber(
        resolve_asr_model(None), device=settings.device, compute_type=settings.compute_type,
        cpu_threads=settings.cpu_threads, batch_size=settings.batch_size, beam_size=beam_size))
    seconds = warm_up(models, options, out)
    name = (f"qa run{label} ({settings.device}, {settings.compute_type}, batch {settings.batch_size}, "
            f"beam {beam_size}, {settings.cpu_threads} threads)")
    print(f"{name}: loading and a first batch of two clips took {seconds:.1f} s (once per batch)", flush=True)
    return name, lambda: run_qa(calls_dir, models, options)


def compare(args, calls: list[BenchCall], calls_dir: Path, model_dir: str) -> None:
    bare = WhisperModel(model_dir)
    bare8 = None if args.no_bare_int8 else WhisperModel(model_dir, compute_type="int8")
    sides = {"bare faster-whisper (defaults)": lambda: run_bare(bare, calls)}
    if not args.no_bare_int8:
        sides["bare faster-whisper, int8"] = lambda: run_bare(bare8, calls)
    default = speech_settings(compute_type=args.compute_type, batch_size=args.batch_size, threads=args.threads)
    name, run = qa_side("", default, calls_dir, args.out, beam_size=args.beam_size or default.beam_size)
    sides[name] = run
    for batch_size in [int(b) for b in args.qa_batch_sizes.split(",")] if args.qa_batch_sizes else []:
        settings = speech_settings(compute_type=args.compute_type, batch_size=batch_size, threads=args.threads)
        name, run = qa_side(f" --batch-size {batch_size}", settings, calls_dir, args.out,
                            beam_size=args.beam_size or settings.beam_size)
        sides[name] = run
    for beam in [int(b) for b in args.qa_beam_sizes.split(",")] if args.qa_beam_sizes else []:
        if beam == (args.beam_size or default.beam_size):
            continue  # that is the default's row
        name, run = qa_side(f" --beam-size {beam}", default, calls_dir, args.out, beam_size=beam)
        sides[name] = run
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    texts: dict[str, dict[str, str]] = {}
    for r in range(args.rounds):
        for name, run in sides.items():
            wall, cpu, said = run()
            times[name].append((wall, cpu))
            texts[name] = said
            print(f"round {r + 1}: {name}: {wall:.1f} s wall, {cpu:.1f} s CPU, English WER "
                  f"{pooled_error(calls, said, 'en')}, Mandarin CER {pooled_error(calls, said, 'zh')} "
                  f"(load {load()})", flush=True)
    audio = sum(c.seconds for c in calls)
    base, base_cpu = _medians(times[next(iter(sides))])
    print(f"\n{len(calls)} calls, {audio / 60:.1f} min of audio; model {model_dir}; {os.cpu_count()} cores")
    print(f"{args.rounds} rounds; medians; per round: bare's CPU seconds over this setup's in the same round")
    print("| | audio h per wall h | × bare (wall) | × bare (CPU) | × bare (CPU), per round | CPU s per audio min "
          "| English WER | Mandarin CER |")
    print("|---|---|---|---|---|---|---|---|")
    bare_rounds = times[next(iter(sides))]
    for name in sides:
        wall, cpu = _medians(times[name])
        per_round = " / ".join(f"{b / c:.2f}" for (_, b), (_, c) in zip(bare_rounds, times[name]))
        print(f"| {name} | {audio / wall:.1f} | {base / wall:.2f} | {base_cpu / cpu:.2f} | {per_round} | "
              f"{60 * cpu / audio:.1f} | {pooled_error(calls, texts[name], 'en')} | {pooled_error(calls, texts[name], 'zh')} |")


def _medians(rounds: list[tuple[float, float]]) -> tuple[float, float]:
    """The median wall and the median CPU seconds of a setup's rounds."""
    return statistics.median(w for w, _ in rounds), statistics.median(c for _, c in rounds)


def sweep(args, calls: list[BenchCall], model_dir: str) -> None:
    """Recognition only, per batch size x threads; with ``--calls-per-batch K`` each batched
    setting also with K calls' speech windows sharing the batches (same loaded model)."""
    settings = [tuple(int(x) for x in c.split("x")) for c in args.sweep.split(",")]
    transcribers = {(b, t): Transcriber(model_dir, cpu_threads=t, batch_size=b, beam_size=args.beam_size or BEAM_SIZE)
                    for b, t in settings}
    configs = [(b, t, k) for b, t in settings
               for k in ((1, args.calls_per_batch) if b > 1 and args.calls_per_batch > 1 else (1,))]
    times: dict[tuple[int, int, int], list[tuple[float, float]]] = {c: [] for c in configs}
    texts = {}
    for r in range(args.rounds):
        for config in configs:
            b, t, k = config
            if k > 1:
                wall, cpu, said = run_recognition_together(transcribers[b, t], calls, k)
            else:
                wall, cpu, said = run_recognition(transcribers[b, t], calls)
            times[config].append((wall, cpu))
            texts[config] = said
            print(f"round {r + 1}: batch {b}, {t} threads, {k} calls per batch: {wall:.1f} s wall, {cpu:.1f} s CPU, "
                  f"English WER {pooled_error(calls, said, 'en')}, Mandarin CER {pooled_error(calls, said, 'zh')} "
                  f"(load {load()})", flush=True)
    audio = sum(c.seconds for c in calls)
    base, base_cpu = _medians(times[configs[0]])
    print(f"\nrecognition only (process_call), {len(calls)} calls, {audio / 60:.1f} min of audio, int8, "
          f"beam {args.beam_size or BEAM_SIZE}, {args.rounds} rounds (medians; per round: CPU over the first setting's)")
    print("| batch size | threads | calls per batch | audio h per wall h | × first | CPU × first | CPU × first, "
          "per round | CPU s per audio min | English WER | Mandarin CER |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for config in configs:
        wall, cpu = _medians(times[config])
        per_round = " / ".join(f"{c / f:.2f}" for (_, f), (_, c) in zip(times[configs[0]], times[config]))
        print(f"| {config[0]} | {config[1]} | {config[2]} | {audio / wall:.1f} | {base / wall:.2f} | "
              f"{cpu / base_cpu:.2f} | {per_round} | {60 * cpu / audio:.1f} | "
              f"{pooled_error(calls, texts[config], 'en')} | {pooled_error(calls, texts[config], 'zh')} |")


def lengths(args, out: Path, model_dir: str) -> None:
    settings = speech_settings(compute_type=args.compute_type, batch_size=args.batch_size, threads=args.threads)
    bare = WhisperModel(model_dir)
    ours = Transcriber(model_dir, device=settings.device, compute_type=settings.compute_type,
                       cpu_threads=settings.cpu_threads, batch_size=settings.batch_size,
                       beam_size=args.beam_size or settings.beam_size)
    print("| call length | bare s per audio min | qa recognition s per audio min | bare WER | qa WER | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for minutes in (float(m) for m in args.lengths.split(",")):
        call = render_long(out, minutes)
        b_wall, _, b_text = run_bare(bare, [call])
        q_wall, _, q_text = run_recognition(ours, [call])
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {call.seconds / 60:.1f} min | {60 * b_wall / call.seconds:.2f} | {60 * q_wall / call.seconds:.2f} | "
              f"{error_rate(call.reference, b_text[call.path.stem], 'en'):.3f} | "
              f"{error_rate(call.reference, q_text[call.path.stem], 'en'):.3f} | {rss:.0f} | (load {load()})",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=6, help="rendered English examples (at most 12)")
    parser.add_argument("--no-clips", action="store_true", help="leave out the shared clips")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, the setups alternating in each")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "qa-bench-throughput")
    parser.add_argument("--compute-type", default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--beam-size", type=int, default=None, help="`qa run`'s beam size (default: its own)")
    parser.add_argument("--qa-batch-sizes", default="8", help="B,...: also time `qa run` at each batch size ('': none)")
    parser.add_argument("--qa-beam-sizes", default="5,1", help="N,...: also time `qa run` at each beam size ('': none)")
    parser.add_argument("--sweep", default=None, help="BATCHxTHREADS,...: recognition only, per setting")
    parser.add_argument("--calls-per-batch", type=int, default=1,
                        help="with --sweep: also each batched setting with this many calls' windows in the same batches")
    parser.add_argument("--no-bare-int8", action="store_true", help="leave out bare faster-whisper in int8")
    parser.add_argument("--lengths", default=None, help="MINUTES,...: cost of one call of each length")
    args = parser.parse_args()
    model_dir = resolve_asr_model(None)
    print(f"load average at the start: {load()}", flush=True)
    if args.lengths:
        (args.out / "long").mkdir(parents=True, exist_ok=True)
        lengths(args, args.out / "long", model_dir)
    else:
        rendered = args.out / "calls"
        rendered.mkdir(parents=True, exist_ok=True)
        calls = render_examples(rendered, args.calls) + ([] if args.no_clips else shared_clips(rendered))
        if args.sweep:
            sweep(args, calls, model_dir)
        else:
            with tempfile.TemporaryDirectory() as tmp:  # exactly these calls for `qa run`
                for call in calls:
                    (Path(tmp) / call.path.name).symlink_to(call.path.resolve())
                compare(args, calls, Path(tmp), model_dir)
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
