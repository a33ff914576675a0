"""`qa demo`: render a few English calls to telephone audio and run the whole pipeline on them
(or, with ``size="large"``, build the living demo centre of :mod:`qa_pipeline.demo.centre`).

The calls are spoken by Piper's neural English voice (:mod:`qa_pipeline.demo.voices`; espeak-ng
when Piper is not installed), the customer lower in pitch than the agent, agent on the left
channel and customer on the right, resampled to 8 kHz and band-limited to 300–3400 Hz like a
phone line. There is no Mandarin voice to render with, so the audio demo is English.
"""
from __future__ import annotations

import csv
import logging
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
import yaml

from qa_pipeline import package_data
from qa_pipeline.demo.cast import CentreSummary
from qa_pipeline.demo.centre import run_large_demo
from qa_pipeline.demo.voices import NO_MANDARIN_VOICE, load_voice, require_sox, telephone_line
from qa_pipeline.metadata import read_metadata
from qa_pipeline.pipeline import BatchSummary, RunOptions, run_batch
from qa_pipeline.progress import ProgressEvent, ProgressHook, no_progress
from qa_pipeline.speech.vocabulary import read_vocabulary

log = logging.getLogger(__name__)

SCRIPTS = package_data.demo_script("calls_en.yaml")
VOCABULARY = package_data.demo_script("vocabulary_en.yaml")  # the demo companies' names, for the recogniser
# Piper's one voice for both parties, the customer lower in pitch; espeak-ng: two voices.
PARTIES = {"agent": {"pitch_cents": 0, "espeak_voice": "en-us+f3", "words_per_minute": 165},
           "customer": {"pitch_cents": -350, "espeak_voice": "en-us+m3", "words_per_minute": 150}}
GAP = 0.6  # seconds between turns


def render_call(turns: list[tuple[str, str]], target: Path, workdir: Path) -> None:
    """Stereo telephone WAV: agent left, customer right, 8 kHz, 300–3400 Hz, spoken by
    :func:`qa_pipeline.demo.voices.load_voice` (Piper, else espeak-ng)."""
    voice = load_voice()
    require_sox()
    pieces = [(speaker, voice.speak(text, **PARTIES[speaker])) for speaker, text in turns]
    rate = voice.rate
    lead_in = 1.2  # the agent answers after about a second of line noise
    total = int((lead_in + sum(len(p) / rate + GAP for _, p in pieces)) * rate) + rate
    stereo = np.zeros((total, 2), dtype=np.float32)
    pos = int(lead_in * rate)
    for speaker, samples in pieces:
        ch = 0 if speaker == "agent" else 1
        stereo[pos:pos + len(samples), ch] = samples * 0.8
        pos += len(samples) + int(GAP * rate)
    rng = np.random.default_rng(len(turns))
    stereo += rng.normal(0, 0.002, stereo.shape).astype(np.float32)  # line hiss
    wide = workdir / "wide.wav"
    sf.write(wide, np.clip(stereo, -1, 1), rate)
    telephone_line(wide, target)


def build_small_demo(out_dir: Path, progress: ProgressHook = no_progress) -> tuple[Path, Path]:
    """Render the bundled demo calls to ``out_dir/calls`` and write ``out_dir/calls.csv``.

    ``progress`` hears a "render" event for each call rendered (calls already there are kept)."""
    calls = yaml.safe_load(SCRIPTS.read_text(encoding="utf-8"))
    calls_dir = out_dir / "calls"
    calls_dir.mkdir(parents=True, exist_ok=True)
    todo = [call for call in calls if not (calls_dir / f"{call['call_id']}.wav").exists()]
    if todo:
        voice = load_voice()
        log.info("rendering %d demo calls with %s (English only: %s)", len(todo),
                 "Piper's neural voice en_US-joe-medium" if voice.neural else "espeak-ng", NO_MANDARIN_VOICE)
    with tempfile.TemporaryDirectory() as tmp:
        for n, call in enumerate(calls):
            target = calls_dir / f"{call['call_id']}.wav"
            if not target.exists():
                progress(ProgressEvent("render", call_id=call["call_id"], completed=n, total=len(calls),
                                       message=f"rendering {target.name} ({n + 1}/{len(calls)})"))
                render_call([tuple(t) for t in call["turns"]], target, Path(tmp))
    meta = out_dir / "calls.csv"
    fields = ["file", "call_id", "agent_id", "agent_name", "team", "started_at", "ring_seconds", "queue"]
    with open(meta, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for call in calls:
            writer.writerow({"file": f"{call['call_id']}.wav", **{k: call.get(k, "") for k in fields[1:]}})
    return calls_dir, meta


def run_demo(out_dir: Path, db: Path, *, size: str = "small",
             progress: ProgressHook = no_progress) -> BatchSummary | CentreSummary:
    """Build the demo into ``db``: the rendered calls through the whole pipeline (small), or a
    living centre (large). Returns what was built; :func:`next_steps` says what to run next."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if size == "large":
        return run_large_demo(db, out_dir, progress)
    calls_dir, meta = build_small_demo(out_dir, progress)
    vocabulary = out_dir / "vocabulary.yaml"  # beside calls.csv, as a centre keeps its own
    vocabulary.write_text(VOCABULARY.read_text(encoding="utf-8"), encoding="utf-8")
    return run_batch(calls_dir, db, metadata=read_metadata(meta),
                     options=RunOptions(language="en", vocabulary=read_vocabulary(vocabulary)), progress=progress)


def next_steps(out_dir: Path, db: Path) -> list[str]:
    """The commands to try on a built demo, one a line."""
    return [
        f"  qa dashboard --db {db}             # review the calls in the browser",
        f"  qa export --db {db} --format csv --out {out_dir / 'export'}",
        f"  qa run YOUR_CALLS_DIR --db {db} --metadata YOUR_CALLS.csv --vocabulary YOUR_NAMES.yaml"
        f"   # like {out_dir / 'vocabulary.yaml'}",
    ]
