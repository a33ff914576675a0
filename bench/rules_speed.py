"""Benchmark and guard: the rules path (QA_LEARNED=off) on every labelled development call.

``--dump FILE`` writes every call's findings (item, outcome, rule, evidence, score, flags)
as JSON; ``--compare FILE`` checks the current code gives exactly those (exit 1, naming the
first difference, when not). Either way it prints the CPU time per call of scoring with
the rules alone (metrics and normalised texts given, as ``qa score`` has them stored), over ``--repeat`` passes of every call (CPU time, as the machine is shared).
The blind set is never read: only the folders below are.

    python bench/rules_speed.py --dump /tmp/rules-before.json
    python bench/rules_speed.py --compare /tmp/rules-before.json --repeat 20 [--profile]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

os.environ["QA_LEARNED"] = "off"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa_pipeline.language import lang_family  # noqa: E402
from qa_pipeline.rubric import score_call, standard_rubric  # noqa: E402
from qa_pipeline.rubric.metrics import compute_metrics  # noqa: E402
from qa_pipeline.rubric.text import normalize_many  # noqa: E402
from qa_pipeline.transcript_io import call_from_json  # noqa: E402

FOLDERS = [ROOT.parent.parent / "shared" / "qa-examples", ROOT / "tests" / "data" / "dev_zh",
           ROOT / "tests" / "data" / "dev_en", ROOT / "tests" / "data" / "dev_critical"]


def call_files() -> list[Path]:
    files = []
    for folder in FOLDERS:
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "blind")
            files += sorted(Path(root) / n for n in names if n.endswith(".json") and n != "FORMAT.json")
    return files


def load_calls():
    calls = []
    for path in call_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        if "turns" not in data:
            continue
        calls.append(call_from_json(data, path))
    return calls


def findings_of(result) -> dict:
    return {"score": result.score, "flags": list(result.flag_reasons), "findings": [
        [f.check_id, f.outcome, f.rule, asdict(f.evidence) if f.evidence is not None else None]
        for f in result.findings]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dump", help="write the findings to this JSON file")
    ap.add_argument("--compare", help="check the findings equal this JSON file's")
    ap.add_argument("--repeat", type=int, default=5, help="timed passes over every call")
    ap.add_argument("--profile", action="store_true", help="print a cProfile (CPU timer) of the timed passes")
    args = ap.parse_args(argv)
    calls = load_calls()
    rubrics = {lang: standard_rubric(lang) for lang in ("zh", "en")}
    pairs = [(c, rubrics[lang_family(c.language)]) for c in calls]
    got = {c.call_id: findings_of(score_call(c, r, sentiment=0.0)) for c, r in pairs}
    got = json.loads(json.dumps(got))  # tuples as lists, as read back
    print(f"{len(calls)} calls")
    status = 0
    if args.dump:
        Path(args.dump).write_text(json.dumps(got, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.compare:
        want = json.loads(Path(args.compare).read_text(encoding="utf-8"))
        diffs = [k for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)]
        for k in diffs[:5]:
            print(f"DIFFERENT {k}:\n  want {want.get(k)}\n  got  {got.get(k)}")
        print("findings identical" if not diffs else f"{len(diffs)} calls differ")
        status = 1 if diffs else 0
    # Timed as `qa score` scores: metrics and normalised turn texts already stored with the call.
    stored = [(c, r, compute_metrics(c, sentiment=0.0), normalize_many([t.text or "" for t in c.turns]))
              for c, r in pairs]
    profiler = None
    if args.profile:
        import cProfile
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
    passes = []
    for _ in range(args.repeat):
        t0 = time.process_time()
        for c, r, metrics, norms in stored:
            score_call(c, r, metrics=metrics, norms=norms)
        passes.append(time.process_time() - t0)
    cpu = sum(passes)
    if profiler is not None:
        profiler.disable()
        import pstats
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "tottime")).print_stats(int(os.environ.get("TOP", "30")))
    n = args.repeat * len(pairs)
    print(f"rules path: {cpu / n * 1e3:.3f} ms CPU per call ({n} scorings), "
          f"best pass {min(passes) / len(stored) * 1e3:.3f} ms")  # the best: least disturbed by other load
    return status


if __name__ == "__main__":
    sys.exit(main())
