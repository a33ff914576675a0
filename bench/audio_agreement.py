"""Does the rubric still agree with the specialist after speech recognition?

Renders the English labelled calls of ../shared/qa-examples to stereo telephone audio
(Piper's neural voice, espeak-ng without it: qa_pipeline.demo.voices; agent left, customer right,
8 kHz; there is no usable Mandarin voice),
runs `qa run` on them end to end (decode → per-channel ASR → turns → redaction → rubric),
and compares each content item with the specialist's label. Timing items (A3, B3) are
left out: the rendering sets its own pauses, so the labelled timings are not reproduced.

    python bench/audio_agreement.py [--out bench/results/audio_agreement]
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa_pipeline.demo.bundled import render_call  # noqa: E402
from qa_pipeline.metadata import read_metadata  # noqa: E402
from qa_pipeline.pipeline import RunOptions, run_batch  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "qa-examples"
CONTENT_ITEMS = ["complaint", "A1", "A2", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "D1", "D2", "D3", "D4", "D5", "E1"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None, help="keep the audio and database here (default: a temp folder)")
    args = ap.parse_args()
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="audio-agreement-"))
    calls_dir = out / "calls"
    calls_dir.mkdir(parents=True, exist_ok=True)
    labels, rows = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(EXAMPLES.glob("en-*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            labels[data["call_id"]] = data["labels"]
            target = calls_dir / f"{data['call_id']}.wav"
            if not target.exists():
                render_call([(t["speaker"], t["text"]) for t in data["turns"]], target, Path(tmp))
            rows.append({"file": target.name, "call_id": data["call_id"], "agent_id": data.get("agent_id", ""),
                         "agent_name": data.get("agent_name", ""), "team": data.get("team", ""),
                         "ring_seconds": (data.get("metadata") or {}).get("ring_seconds", "")})
    meta = out / "calls.csv"
    with open(meta, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    db = out / "qa.duckdb"
    summary = run_batch(calls_dir, db, metadata=read_metadata(meta), options=RunOptions(language="en"))
    print(f"{summary.processed} calls transcribed and scored ({summary.audio_seconds:.0f} s of audio, "
          f"{summary.wall_seconds:.0f} s)")
    with duckdb.connect(str(db), read_only=True) as con:
        got = {(c, i): (o, r) for c, i, o, r in con.execute(
            "SELECT call_id, check_id, outcome, rule FROM check_results").fetchall()}
    agree = defaultdict(lambda: [0, 0])
    misses, missed_critical = [], []
    for call_id, want_labels in labels.items():
        for item in CONTENT_ITEMS:
            want = want_labels[item]
            want = ("pass" if want else "fail") if item == "complaint" else want
            outcome, rule = got.get((call_id, item), ("missing", ""))
            agree[item][0] += outcome == want
            agree[item][1] += 1
            if outcome != want:
                misses.append(f"  {call_id} {item}: specialist {want}, pipeline {outcome} ({rule})")
                if item in ("B2", "E1") and want == "fail":
                    missed_critical.append(f"{call_id} {item}")
    total = [sum(a for a, _ in agree.values()), sum(n for _, n in agree.values())]
    print(f"content items after ASR: {total[0]}/{total[1]} = {100 * total[0] / total[1]:.1f} %")
    for item in CONTENT_ITEMS:
        a, n = agree[item]
        print(f"  {item:<10} {a}/{n}")
    print(f"disagreements ({len(misses)}):")
    print("\n".join(misses))
    print(f"missed CRITICAL failures: {len(missed_critical)} {missed_critical}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
