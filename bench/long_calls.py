"""How the cost and the memory of one call grow with its length: CPU seconds per audio minute
and peak memory (RSS) for calls of 1, 5, 20, 60 minutes (and 3 hours), read whole or in pieces.

The calls: one Piper-rendered stereo 8 kHz English call of about a minute (bench/throughput.py's
``render_long``: the labelled examples' scripts, agent left, customer right), repeated end to
end to each length, its script repeated as the reference. Written under /tmp, never the repo.
Each (length, way) runs in a fresh process that loads the models first and then times
:func:`process_call` alone (``time.process_time``: every thread's CPU), so the peak RSS is
that call's: the models plus what the call needed.

- ``--asr whisper``: the real speech path (whisper-base, `qa run`'s settings for this machine);
- ``--asr activity``: the speech-activity pass only (Silero VAD and the energy measure, per
  channel, per piece), no recognition: the memory-heavy part of the path, cheap enough for 3 h;
- ``--asr fake``: QA_FAKE_ASR's fake recogniser (decoding alone).

Ways: ``pieces`` (what `qa run` does: recordings over 7.5 min read in pieces of 5 min) and
``whole`` (every recording decoded whole, as before).

    .venv/bin/python bench/long_calls.py --asr whisper --minutes 1,5,20 --ways pieces,whole
    .venv/bin/python bench/long_calls.py --asr activity --minutes 20,60,180 --ways pieces,whole

Shared machines are noisy: compare CPU seconds, and lengths within one run.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "tests" / "helpers"))

OUT = Path("/tmp/qa-bench-long-calls")


def long_call(minutes: float) -> tuple[Path, str]:
    """The rendered minute repeated to ``minutes`` (written in blocks), and its reference."""
    from throughput import render_long

    (OUT / "base").mkdir(parents=True, exist_ok=True)
    base = render_long(OUT / "base", 1)
    data, rate = sf.read(str(base.path), dtype="float32")
    times = max(1, round(minutes * 60 / base.seconds))
    target = OUT / f"call-{minutes:g}min.wav"
    if not target.exists():
        with sf.SoundFile(str(target), "w", samplerate=rate, channels=data.shape[1], subtype="PCM_16") as f:
            for _ in range(times):
                f.write(data)
    return target, " ".join([base.reference] * times)


class ActivityOnly:
    """The speech-activity pass of the real path (regions and the untranscribed measure, per
    channel), no recognition: a transcriber that hears no words."""

    model_name = "activity-only"
    multilingual = True

    def detect_language(self, samples, allowed=("zh", "en")):
        return "en", 1.0

    def transcribe_channels(self, channels, *, language=None, offset=0.0, vocabulary=None):
        from qa_pipeline.speech.activity import speech_regions, untranscribed_seconds
        from qa_pipeline.speech.transcribe import Transcript

        out = []
        for samples, _ in channels:
            regions = speech_regions(samples)
            speech, missing = untranscribed_seconds(samples, [], offset=offset, regions=regions)
            out.append(Transcript((), language or "en", 1.0, speech, missing, regions.threshold))
        return out

    def transcribe(self, samples, *, language=None, speaker="unknown", offset=0.0, vocabulary=None):
        return self.transcribe_channels([(samples, speaker)], language=language, offset=offset)[0]


def one(path: Path, asr: str, way: str) -> dict:
    """In this (fresh) process: load, then time process_call on ``path``."""
    from qa_pipeline.pipeline import Models, RunOptions, process_call
    from qa_pipeline.records import CallInfo
    from qa_pipeline.speech import pieces
    from qa_pipeline.speech.activity import speech_regions

    if way == "whole":
        pieces.LONG_CALL_SECONDS = float("inf")
    options = RunOptions(language="en", diarize=False, redact=False, score=False)
    models = Models(options, transcriber=ActivityOnly() if asr == "activity" else None)
    models.transcriber  # loads the model
    speech_regions(np.zeros(16000, dtype=np.float32))  # and Silero
    loaded = _rss_mb()
    cpu, wall = time.process_time(), time.monotonic()
    call = process_call(path, CallInfo(path.stem), models, options)
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    text = " ".join(w.text for t in call.turns for w in t.words)
    return {"cpu": cpu, "wall": wall, "seconds": call.duration, "loaded_mb": loaded,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "text": text,
            "words": len(text.split())}


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asr", choices=("whisper", "activity", "fake"), default="whisper")
    parser.add_argument("--minutes", default="1,5,20,60")
    parser.add_argument("--ways", default="pieces")
    parser.add_argument("--one", nargs=3, metavar=("PATH", "ASR", "WAY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        path, asr, way = args.one
        print(json.dumps(one(Path(path), asr, way)))
        return
    from qa_pipeline.speech.accuracy import error_rate

    OUT.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, **({"QA_FAKE_ASR": "1"} if args.asr == "fake" else {}))
    print(f"asr: {args.asr}; load average at start {os.getloadavg()[0]:.1f}", flush=True)
    print("| call | way | CPU s per audio min | wall s per audio min | peak RSS MB | RSS after loading MB | "
          "growth MB | words | WER |")
    print("|---|---|---|---|---|---|---|---|---|", flush=True)
    for minutes in (float(m) for m in args.minutes.split(",")):
        path, reference = long_call(minutes)
        for way in args.ways.split(","):
            done = subprocess.run([sys.executable, __file__, "--one", str(path), args.asr, way], env=env,
                                  capture_output=True, text=True)
            if done.returncode:
                print(f"| {minutes:g} min | {way} | failed: {done.stderr.strip().splitlines()[-1:]} |", flush=True)
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            (OUT / f"{path.stem}-{args.asr}-{way}.txt").write_text(r["text"], encoding="utf-8")  # to compare
            per_min = 60 / r["seconds"]
            wer = f"{error_rate(reference, r['text'], 'en'):.3f}" if args.asr == "whisper" else "-"
            print(f"| {r['seconds'] / 60:.1f} min | {way} | {r['cpu'] * per_min:.2f} | {r['wall'] * per_min:.2f} | "
                  f"{r['peak_mb']:.0f} | {r['loaded_mb']:.0f} | {r['peak_mb'] - r['loaded_mb']:.0f} | "
                  f"{r['words']} | {wer} | (load {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
