"""Mono-call speaker separation: DER, role accuracy and speed against transcription.

    .venv/bin/python bench/diarization.py                 # everything (a few minutes on 2 cores)
    .venv/bin/python bench/diarization.py --roles-text    # role decision on labelled transcripts only

1. DER of the stored turns (transcribe -> diarize -> words to speakers -> turns) on
   ../shared/data/audio/pyannote_sample.wav against its RTTM, with a 0.5 s collar and none.
2. Role accuracy on mono mixes of stereo calls, agent left, customer right: the two
   channels of stereo_diarization.wav and of the twelve English ../shared/qa-examples calls
   rendered with espeak-ng in distinct voices (or the calls of ``--calls DIR``, e.g.
   demo/calls). Every recognised word's true role is the channel that is louder during the
   word; accuracy is the share of word time whose stored role is right.
3. Speed: diarization vs transcription on the same mono calls, wall and CPU seconds (the
   CPU time is the fair comparison on a shared machine), and where the diarization time
   goes (pyannote's steps).
4. ``--roles-text``: the role decision alone on labelled transcripts with anonymous
   speaker labels (../shared/qa-examples, ms_travel_calls, STC-3 helpdesk dialogues, which
   all start with the customer).

Writes bench/results/diarization.json.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
AUDIO = SHARED / "data" / "audio"

import numpy as np  # noqa: E402

from qa_pipeline.records import CallInfo, Turn  # noqa: E402
from qa_pipeline.speakers.roles import assign_roles  # noqa: E402

# --- roles on labelled transcripts -----------------------------------------------------

def _labelled_transcripts():
    for path in sorted((SHARED / "qa-examples").glob("*.json")):
        call = json.loads(path.read_text(encoding="utf-8"))
        info = CallInfo(call["call_id"], agent_name=call.get("agent_name"), metadata=call.get("metadata") or {})
        yield "qa-examples", call["language"], info, [(t["speaker"], t["text"]) for t in call["turns"]]
    for path in sorted((SHARED / "data" / "text" / "ms_travel_calls").glob("*.json")):
        call = json.loads(path.read_text(encoding="utf-8"))
        turns = [("agent" if m["EventType"] == "MessageFromBotOrAgent" else "customer", m["Value"])
                 for m in call["Conversation"]["Messages"]]
        yield "ms_travel_calls", "en", CallInfo(path.stem, agent_name=call.get("AgentName")), turns
    for lang in ("zh", "en"):
        path = SHARED / "data" / "text" / f"stc3_customer_helpdesk_{lang}.sample150.json"
        for i, dialogue in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            turns = [("customer" if t["sender"] == "customer" else "agent", " ".join(t["utterances"]))
                     for t in dialogue["turns"]]
            yield f"stc3-{lang}", lang, CallInfo(f"stc3-{lang}-{i}"), turns


def roles_on_text() -> dict:
    """Anonymise the speakers (shuffled labels), decide roles, count right / flagged."""
    results: dict[str, dict] = defaultdict(lambda: {"calls": 0, "right": 0, "flagged": 0, "wrong_unflagged": 0})
    for source, lang, info, turns in _labelled_transcripts():
        roles = sorted({r for r, _ in turns})
        labels = [f"SPEAKER_{i:02d}" for i in range(len(roles))]
        random.Random(info.call_id).shuffle(labels)
        label_of = dict(zip(roles, labels))
        decision = assign_roles([Turn(label_of[r], None, None, text) for r, text in turns], info, lang)
        right = all(decision.role_of(label_of[r]) == r for r in roles)
        row = results[source]
        row["calls"] += 1
        row["right"] += right
        row["flagged"] += decision.uncertain
        row["wrong_unflagged"] += (not right) and not decision.uncertain
    return dict(results)


# --- audio -------------------------------------------------------------------------------

# Distinct synthetic voices: CAM++ puts espeak-ng's en-us and en-gb-x-rp (the `qa demo`
# voices) 0.04 apart in cosine distance, i.e. one speaker; these pairs are 0.5-0.66 apart,
# like the real speakers of pyannote_sample.wav (0.56).
VOICE_PAIRS = [("en-us+f3", "en-gb-x-rp"), ("en-us", "en-gb-scotland+f2"), ("en+f4", "en-us+m7"),
               ("en-gb-x-rp", "en-us+f3")]


def render_examples(target: Path) -> list[tuple[Path, CallInfo]]:
    """The English labelled calls of ../shared/qa-examples as stereo 8 kHz telephone audio,
    agent left, customer right, each turn at its start time (or after the previous one)."""
    import shutil
    import subprocess

    import soundfile as sf

    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        raise SystemExit("espeak-ng and sox are needed to render test calls: sudo apt-get install -y espeak-ng sox")
    calls = []
    for n, path in enumerate(sorted((SHARED / "qa-examples").glob("en-*.json"))):
        call = json.loads(path.read_text(encoding="utf-8"))
        voices = dict(zip(("agent", "customer"), VOICE_PAIRS[n % len(VOICE_PAIRS)]))
        out = target / f"{call['call_id']}.wav"
        pieces, end = [], 0.5
        for turn in call["turns"]:
            wav = target / "turn.wav"
            subprocess.run(["espeak-ng", "-v", voices[turn["speaker"]], "-s", "160", "-w", str(wav), turn["text"]],
                           check=True, capture_output=True)
            data, rate = sf.read(wav, dtype="float32")
            start = max(float(turn["start"]), end + 0.3)
            pieces.append((turn["speaker"], start, data))
            end = start + len(data) / rate
        stereo = np.zeros((int((end + 1.0) * rate), 2), dtype=np.float32)
        for speaker, start, data in pieces:
            a = int(start * rate)
            stereo[a:a + len(data), 0 if speaker == "agent" else 1] += 0.7 * data
        stereo += np.random.default_rng(n).normal(0, 0.002, stereo.shape).astype(np.float32)
        sf.write(target / "wide.wav", stereo, rate)
        subprocess.run(["sox", str(target / "wide.wav"), "-r", "8000", "-b", "16", str(out), "sinc", "300-3400"],
                       check=True, capture_output=True)
        calls.append((out, CallInfo(call["call_id"], agent_name=call.get("agent_name"))))
    return calls


def stereo_calls(calls_dir: str | None) -> list[tuple[Path, CallInfo]]:
    """stereo_diarization.wav plus the calls of ``calls_dir`` (e.g. demo/calls, with its
    calls.csv beside it), or by default the English qa-examples rendered with espeak-ng."""
    calls = [(AUDIO / "stereo_diarization.wav", CallInfo("stereo_diarization"))]
    if not calls_dir:
        return calls + render_examples(Path(tempfile.mkdtemp(prefix="qa-bench-calls-")))
    directory = Path(calls_dir)
    meta = {}
    if (directory.parent / "calls.csv").exists():
        with open(directory.parent / "calls.csv", encoding="utf-8") as fh:
            meta = {row["file"]: row for row in csv.DictReader(fh)}
    for path in sorted(directory.glob("*.wav")):
        row = meta.get(path.name, {})
        calls.append((path, CallInfo(path.stem, agent_name=row.get("agent_name") or None)))
    return calls


def word_truth(words, left: np.ndarray, right: np.ndarray, rate: int) -> list[str]:
    """The louder channel during each word: agent (left) or customer (right)."""
    truth = []
    for w in words:
        a, b = int(w.start * rate), max(int(w.end * rate), int(w.start * rate) + 1)
        el = float(np.mean(left[a:b] ** 2)) if b > a else 0.0
        er = float(np.mean(right[a:b] ** 2)) if b > a else 0.0
        truth.append("agent" if el >= er else "customer")
    return truth


def der(reference_rttm: Path, turns, collar: float) -> float:
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref, hyp = Annotation(), Annotation()
    for line in reference_rttm.read_text().splitlines():
        p = line.split()
        ref[Segment(float(p[3]), float(p[3]) + float(p[4]))] = p[7]
    for t in turns:
        hyp[Segment(t.start, t.end)] = t.speaker
    return float(DiarizationErrorRate(collar=collar, skip_overlap=False)(ref, hyp, uem=Segment(0, 30.0)))


def audio_bench(args) -> dict:
    from qa_pipeline.model_packs import resolve_asr_model
    from qa_pipeline.speakers.diarization import Diarizer, assign_speakers
    from qa_pipeline.speakers.separation import SpeakerSeparator
    from qa_pipeline.speakers.turns import build_turns
    from qa_pipeline.speech.audio import decode, mono_mix
    from qa_pipeline.speech.transcribe import load_transcriber

    started = time.monotonic()
    transcriber = load_transcriber(resolve_asr_model(args.asr))
    diarizer = Diarizer(args.pipeline, threads=args.threads or None)
    separator = SpeakerSeparator(diarizer=diarizer)  # the pipeline's own path from diarization to roles
    if args.segmentation_step:  # experiment: override the pipeline's chunk step
        pipe = diarizer.pyannote
        pipe.segmentation_step = args.segmentation_step
        pipe._segmentation.step = args.segmentation_step * pipe._segmentation.duration
    out = {"load_seconds": round(time.monotonic() - started, 1), "diarization_threads": diarizer.threads,
           "pipeline": diarizer.source}

    # 1. DER on the stored turns of pyannote_sample.wav
    audio = decode(AUDIO / "pyannote_sample.wav")
    samples = mono_mix(audio)
    words = transcriber.transcribe(samples, language="en").words
    segments = diarizer.diarize(samples, audio.sample_rate)
    turns = build_turns(assign_speakers(words, segments))
    rttm = AUDIO / "pyannote_sample.rttm"
    seg_turns = [Turn(s.label, s.start, s.end, "") for s in segments]
    out["der"] = {"stored_turns_collar_0.5": round(der(rttm, turns, 0.5), 4),
                  "stored_turns_no_collar": round(der(rttm, turns, 0.0), 4),
                  "diarization_collar_0.5": round(der(rttm, seg_turns, 0.5), 4),
                  "diarization_no_collar": round(der(rttm, seg_turns, 0.0), 4)}

    # 2 + 3. mono mixes of stereo calls
    rows, steps = [], defaultdict(float)
    for path, info in stereo_calls(args.calls):
        audio = decode(path)
        left, right = audio.channels
        samples = mono_mix(audio)
        t0, c0 = time.monotonic(), time.process_time()
        transcript = transcriber.transcribe(samples, language=args.language)
        t_asr, c_asr = time.monotonic() - t0, time.process_time() - c0
        words = transcript.words
        t0, c0 = time.monotonic(), time.process_time()
        roled, separation = separator.separate(samples, words, info, transcript.language)
        t_dia, c_dia = time.monotonic() - t0, time.process_time() - c0
        for name, seconds in diarizer.last_steps.items():
            steps[name] += seconds
        truth = word_truth(words, left, right, audio.sample_rate)
        labelled = assign_speakers(words, separation.segments)
        decision = separation.decision
        durations = np.array([max(w.end - w.start, 0.01) for w in words])
        role_ok = np.array([w.speaker == t for w, t in zip(roled, truth)])
        # speaker accuracy: the best one-to-one label -> channel mapping, whatever the roles
        labels = sorted({w.speaker for w in labelled})
        best = 0.0
        for agent_label in labels:
            ok = np.array([(w.speaker == agent_label) == (t == "agent") for w, t in zip(labelled, truth)])
            best = max(best, float(durations[ok].sum()))
        total = float(durations.sum()) or 1.0
        rows.append({"call": path.name, "seconds": round(audio.duration, 1), "words": len(words),
                     "speakers": len(labels), "asr_seconds": round(t_asr, 2), "diarization_seconds": round(t_dia, 2),
                     "asr_cpu_seconds": round(c_asr, 2), "diarization_cpu_seconds": round(c_dia, 2),
                     "speaker_accuracy": round(best / total, 4),
                     "role_accuracy": round(float(durations[role_ok].sum()) / total, 4),
                     "role_confidence": separation.confidence, "uncertain": separation.uncertain,
                     "mapping": decision.mapping if decision else {}, "status": diarizer.last_status})
    out["calls"] = rows
    calls = [r for r in rows if r["call"] != "stereo_diarization.wav"]
    words = sum(r["words"] for r in calls) or 1
    out["role_accuracy_calls"] = round(sum(r["role_accuracy"] * r["words"] for r in calls) / words, 4)
    out["speaker_accuracy_calls"] = round(sum(r["speaker_accuracy"] * r["words"] for r in calls) / words, 4)
    speed = {"audio_seconds": round(sum(r["seconds"] for r in rows), 1)}
    for key in ("asr_seconds", "diarization_seconds", "asr_cpu_seconds", "diarization_cpu_seconds"):
        speed[key] = round(sum(r[key] for r in rows), 2)
    speed["diarization_per_asr"] = round(speed["diarization_seconds"] / speed["asr_seconds"], 3)
    speed["diarization_per_asr_cpu"] = round(speed["diarization_cpu_seconds"] / speed["asr_cpu_seconds"], 3)
    speed["diarization_steps"] = {k: round(v, 2) for k, v in steps.items()}
    out["speed"] = speed
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pipeline", help="diarization pipeline: pack name, directory or hub id (default: the pack)")
    parser.add_argument("--asr", help="speech model pack or directory (default: the manifest's default)")
    parser.add_argument("--calls", help="directory of stereo calls, agent left (default: demo/calls, rendered if absent)")
    parser.add_argument("--language", default="en", help="language of the calls (default en)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads for diarization (default: the Diarizer's)")
    parser.add_argument("--segmentation-step", type=float, default=0.0, help="experiment: override the chunk step")
    parser.add_argument("--roles-text", action="store_true", help="only the role decision on labelled transcripts")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "diarization.json"))
    args = parser.parse_args()

    results = {"roles_on_text": roles_on_text()}
    if not args.roles_text:
        results["audio"] = audio_bench(args)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
