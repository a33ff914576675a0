"""Item-level agreement of the standard rubrics with the specialists' labels.

Scores every labelled call in ../shared/qa-examples (or the folder given) with the
standard rubric for its language and prints agreement per language and per item, every
disagreement with the engine's reason, and any CRITICAL failure the engine missed.

With the sentence encoder installed (model pack e5-small) the calls are scored twice, with the
rules alone (QA_LEARNED=off) and with the learned judgements, and it prints what the learned
layer changed: agreement both ways, the findings the classifier decided, and the unsure ones
(each flags its call for review).

    python bench/accuracy.py [FOLDER] [--rubric-zh FILE] [--rubric-en FILE] [--rules-only] [--recursive]
    python bench/accuracy.py --real [LABELS] [--data DIR]

``--real`` scores the real dialogues of ../shared/data/text (built by bench/critical_precision.py's
``corpus()``) against a specialist's labels kept apart from them (``tests/data/real/labels.jsonl``,
see its README and bench/real_labels.py): each corpus reported separately, then one line per corpus
and the totals per language. The timing items A2, A3, B3 are not labelled there (synthetic turn
times), so they are left out. A never-tuned set: read only its summary and per-item lines.

``--recursive`` reports the folder and every folder under it that holds labelled calls, each
separately with its own totals (``tests/data/dev_en`` and its hold-outs in one call), then one
agreement line per folder. A folder named ``blind`` under the one given is left out: the frozen
blind set is scored only when it is named itself. So is a folder holding a file named
``NEVER_TUNED`` (the round's fresh hold-out, whose disagreements nobody may read): name it itself and
only its summary and per-item lines are meant to be read. Remove the marker when a newer hold-out
replaces it and it becomes a tuning set.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from real_labels import LabelError, labelled_calls  # noqa: E402

from qa_pipeline.language import lang_family  # noqa: E402
from qa_pipeline.rubric import encoder as encoders  # noqa: E402
from qa_pipeline.rubric import load_rubric, score_call, standard_rubric  # noqa: E402
from qa_pipeline.transcript_io import call_from_json  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "qa-examples"
REAL_LABELS = Path(__file__).resolve().parents[1] / "tests" / "data" / "real" / "labels.jsonl"
REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "text"


def read_calls(files) -> list[tuple[dict, Path]]:
    """(call record with its ``labels``, the file it came from) for every labelled call file."""
    return [(json.loads(path.read_text(encoding="utf-8")), path) for path in files]


def score_all(calls, rubrics):
    """Agreement of one scoring run over ``calls`` ((record with labels, source) pairs, see
    :func:`read_calls`): per (language, item), the disagreements, the missed critical failures,
    every (call, item) outcome and finding. Only the labelled items are compared."""
    agree = defaultdict(lambda: [0, 0])  # (lang, item) -> [agreed, total]
    misses, missed_critical, outcomes, findings = [], [], {}, {}
    for data, source in calls:
        labels = data.get("labels") or {}
        call = call_from_json(data, source)
        lang = lang_family(call.language)
        rubric = rubrics[lang]
        result = score_call(call, rubric, sentiment=0.0)
        got = {f.check_id: f for f in result.findings}
        for item, want in labels.items():
            if item == "complaint":
                want = "pass" if want else "fail"
            if item not in got:
                continue
            outcomes[(call.call_id, item)] = got[item].outcome
            findings[(call.call_id, item)] = got[item]
            ok = got[item].outcome == want
            agree[(lang, item)][0] += ok
            agree[(lang, item)][1] += 1
            if not ok:
                misses.append((call.call_id, item, want, got[item].outcome, got[item].rule))
                if rubric.check(item).critical and want == "fail":
                    missed_critical.append((call.call_id, item))
    return agree, misses, missed_critical, outcomes, findings


def critical_summary(calls, outcomes, items=("B2", "E1")):
    """Per language: (CRITICAL failures caught, CRITICAL failures labelled, harmless calls —
    no CRITICAL item labelled fail — that the engine failed on one, harmless calls)."""
    out: dict = {}
    for data, _ in calls:
        labels, cid = data.get("labels") or {}, data["call_id"]
        lang = lang_family(data.get("language", ""))
        row = out.setdefault(lang, [0, 0, 0, 0])
        failed = [i for i in items if labels.get(i) == "fail"]
        row[0] += sum(outcomes.get((cid, i)) == "fail" for i in failed)
        row[1] += len(failed)
        if not failed:
            row[3] += 1
            row[2] += any(outcomes.get((cid, i)) == "fail" for i in items)
    return {k: tuple(v) for k, v in out.items()}


BLIND = "blind"
NEVER_TUNED = "NEVER_TUNED"
# Folder names no tuning bench scores, wherever they sit (the blind set and the real sets; a never-tuned
# hold-out is kept apart by its NEVER_TUNED file, so no hold-out is named here).
NEVER_SCORED = (BLIND, "real", "real_fresh")


def _kept_apart(folder: Path) -> str | None:
    """Why ``folder`` is scored only when named itself, or None: the blind set, or a hold-out
    marked with a :data:`NEVER_TUNED` file."""
    if folder.name == BLIND:
        return "the blind set is scored only when named itself"
    if (folder / NEVER_TUNED).exists():
        return f"a never-tuned hold-out ({NEVER_TUNED}) is scored only when named itself"
    return None


def labelled_folders(folder: Path, recursive: bool) -> list[tuple[Path, list[Path]]]:
    """(folder, its labelled calls) for ``folder`` and, with ``recursive``, every folder under
    it, in path order; folders without calls are left out, and so is any folder under
    ``folder`` named :data:`BLIND` or holding a :data:`NEVER_TUNED` file (never opened)."""
    folders = []
    if recursive:
        for root, dirs, _ in os.walk(folder):
            kept = []
            for d in sorted(d for d in dirs if not d.startswith(".")):
                why = _kept_apart(Path(root) / d)
                if why:
                    print(f"left out {Path(root) / d}: {why}", file=sys.stderr)
                else:
                    kept.append(d)
            dirs[:] = kept
            folders += [Path(root) / d for d in dirs]
    found = [(f, sorted(f.glob("*.json"))) for f in [folder] + sorted(folders)]
    return [(f, files) for f, files in found if files]


def _share(agree, lang: str) -> tuple[int, int]:
    return (sum(v[0] for k, v in agree.items() if k[0] == lang), sum(v[1] for k, v in agree.items() if k[0] == lang))


def report(calls, rubrics, learned_on: bool) -> dict[str, tuple[int, int]]:
    """Scores ``calls`` ((record with labels, source) pairs) and prints their agreement;
    returns (agreed, total) per language."""
    rules_only = None
    if learned_on:
        os.environ["QA_LEARNED"] = "off"
        encoders.reset()
        rules_only = score_all(calls, rubrics)
        del os.environ["QA_LEARNED"]
        encoders.reset()
    agree, misses, missed_critical, outcomes, findings = score_all(calls, rubrics)
    print("agreement per language (items A1..E1 and the complaint trigger):")
    for lang in ("zh", "en"):
        a, t = _share(agree, lang)
        if t:
            line = f"  {lang}: {a}/{t} = {100 * a / t:.1f} %"
            if rules_only is not None:
                ra = _share(rules_only[0], lang)[0]
                line += f"   (rules alone: {ra}/{t} = {100 * ra / t:.1f} %)"
            print(line)
    print("\nper item:      zh        en")
    items = sorted({k[1] for k in agree}, key=lambda i: (i != "complaint", i))
    for item in items:
        cells = []
        for lang in ("zh", "en"):
            a, t = agree.get((lang, item), (0, 0))
            cells.append(f"{a:>2}/{t:<2}" if t else "  -  ")
        print(f"  {item:<10} {cells[0]:>8}  {cells[1]:>8}")
    print(f"\ndisagreements ({len(misses)}):")
    for cid, item, want, outcome, rule in misses:
        print(f"  {cid} {item}: label {want}, engine {outcome} — {rule}")
    print(f"\nmissed CRITICAL failures: {len(missed_critical)}")
    for cid, item in missed_critical:
        print(f"  {cid} {item}")
    print("\nCRITICAL items (B2, E1): failures caught, and harmless calls given a critical fail:")
    for lang, (caught, failures, false, harmless) in critical_summary(calls, outcomes).items():
        print(f"  {lang}: caught {caught}/{failures}, false critical fails {false}/{harmless} harmless calls")
    if learned_on:
        decided = [(k, f) for k, f in sorted(findings.items()) if f.rule and ": found '" in f.rule
                   and f.rule.startswith("learned") or (f.rule or "").startswith("learned") and "breach" in f.rule]
        unsure = [(k, f) for k, f in sorted(findings.items()) if f.unsure]
        changed = [(k, rules_only[3][k], o) for k, o in sorted(outcomes.items()) if rules_only[3].get(k) != o]
        print(f"\nlearned layer: {len(decided)} finding(s) decided by the classifier, {len(unsure)} unsure "
              f"(flagged for review), {len(changed)} outcome(s) changed from the rules alone")
        for (cid, item), f in decided:
            print(f"  decided {cid} {item}: {f.outcome} — {f.rule}")
        for (cid, item), f in unsure:
            print(f"  unsure  {cid} {item}: {f.outcome} — {f.rule}")
        for (cid, item), before, after in changed:
            print(f"  changed {cid} {item}: {before} → {after}")
    return {lang: _share(agree, lang) for lang in ("zh", "en")}


def report_groups(groups, rubrics, learned_on: bool, kind: str) -> dict[str, list[int]]:
    """Each group — (name, its (record, source) pairs): a folder with ``--recursive``, a corpus with
    ``--real`` — reported on its own, then one agreement line per group; returns the totals per
    language [agreed, compared]."""
    totals = []
    for name, calls in groups:
        print(f"\n=== {name} ({len(calls)} calls) ===")
        totals.append((name, report(calls, rubrics, learned_on)))
    print(f"\nagreement per {kind}:")
    width = max(len(str(name)) for name, _ in totals)
    overall: dict[str, list[int]] = {}
    for name, share in totals:
        cells = [f"{lang} {a}/{t} = {100 * a / t:.1f} %" for lang, (a, t) in share.items() if t]
        print(f"  {str(name):<{width}}  " + "   ".join(cells))
        for lang, (a, t) in share.items():
            overall.setdefault(lang, [0, 0])
            overall[lang][0] += a
            overall[lang][1] += t
    return overall


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(DEFAULT))
    ap.add_argument("--rubric-zh")
    ap.add_argument("--rubric-en")
    ap.add_argument("--rules-only", action="store_true", help="score with the rules alone (no learned judgements)")
    ap.add_argument("--recursive", action="store_true",
                    help="also every folder under FOLDER (except one named blind or holding a NEVER_TUNED file), "
                         "each reported separately")
    ap.add_argument("--real", nargs="?", const=str(REAL_LABELS), metavar="LABELS",
                    help="the real dialogues of ../shared/data/text against LABELS "
                         "(default tests/data/real/labels.jsonl)")
    ap.add_argument("--data", default=str(REAL_DATA), help="with --real: the real dialogues (../shared/data/text)")
    args = ap.parse_args(argv)
    real = None
    if args.real:
        if not Path(args.data).is_dir():
            print(f"no data in {args.data}: --real builds its calls from ../shared/data/text "
                  "(see ../shared/data/README.md)", file=sys.stderr)
            return 2
        try:
            real = labelled_calls(Path(args.real), Path(args.data))
        except (LabelError, OSError) as e:
            print(e, file=sys.stderr)
            return 2
    rubrics = {"zh": load_rubric(args.rubric_zh) if args.rubric_zh else standard_rubric("zh"),
               "en": load_rubric(args.rubric_en) if args.rubric_en else standard_rubric("en")}
    folders = [] if real else labelled_folders(Path(args.folder), args.recursive)
    if not folders and not real:
        print(f"no labelled calls in {args.folder}", file=sys.stderr)
        return 2
    if args.rules_only:  # the rubric loads the encoder itself unless told not to
        os.environ["QA_LEARNED"] = "off"
        encoders.reset()
    learned_on = not args.rules_only and encoders.sentence_encoder() is not None
    print(encoders.encoder_status() if not args.rules_only else "rules only (--rules-only)")
    if real:  # A2, A3, B3 are not labelled there, so never compared
        overall = report_groups(list(real.items()), rubrics, learned_on, "corpus")
        print("all real dialogues: " + "   ".join(
            f"{lang} {a}/{t} = {100 * a / t:.1f} %" for lang, (a, t) in overall.items() if t))
        return 0
    if not args.recursive:
        report(read_calls(folders[0][1]), rubrics, learned_on)
        return 0
    report_groups([(folder, read_calls(files)) for folder, files in folders], rubrics, learned_on, "folder")
    return 0

if __name__ == "__main__":
    sys.exit(main())
