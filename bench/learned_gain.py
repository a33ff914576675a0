"""Does the learned layer earn its decisions? Rules alone against the classifier deciding, per item
and language, out of sample over the tuning folders, and its false critical fails on harmless calls.

A learned judgement (:mod:`qa_pipeline.rubric.checks.learned`) decides against the rules only where
its rubric says ``decides: true``; elsewhere it marks findings unsure and the rules' answer stands.
This bench is how that option is chosen, reproducibly:

1. Every labelled call of the tuning folders (each folder under ``tests/data/dev_en``,
   ``dev_zh``, ``dev_critical`` and ``../shared/qa-examples``; never ``blind`` nor a folder marked
   ``NEVER_TUNED``, see bench/accuracy.py) is scored twice:
   with the rules alone (``QA_LEARNED=off``) and with every learned judgement deciding
   (``decides`` forced true). Per item and language, per folder: agreement with the labels both ways.
2. Leave one folder out: for each folder, the choice (decide or flag) is made from the other
   folders alone — decide where the classifier's net gain there (calls it puts right minus calls it
   puts wrong) is at least ``--min-gain`` — and scored on the held-out folder. Summed over the
   folders this is the out-of-sample agreement of the choosing itself, beside the rules alone and
   the classifier always deciding.
3. For an item that must never happen (``target: fail``, B2), the real harmless dialogues of
   bench/critical_precision.py (../shared/data/text: 325 calls) are scored both ways, and with them
   the labelled calls the item passes: a call the classifier fails that the rules pass is a false
   critical fail at call level, where the best of dozens of sentences is taken. The item may decide
   only where the 95 % upper bound of that rate (Clopper-Pearson) is at most ``--max-false``
   (default 1 %, issue 11's target): none in 300 harmless calls is just enough, none in 250 is not.

The recommendation (last table) is the choice made on all folders with the same rule. The exemplar
banks were written against these folders, so the classifier's fit is in sample even where the
choice is not: a gain here is an upper bound, which is why a gain must be net and repeated across
folders rather than one lucky call.

    python bench/learned_gain.py [--min-gain N] [--max-false F] [--no-harmless] [--lang en zh]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from accuracy import labelled_folders  # noqa: E402
from critical_precision import CORPORA, corpus  # noqa: E402

from qa_pipeline.language import lang_family  # noqa: E402
from qa_pipeline.rubric import encoder as encoders  # noqa: E402
from qa_pipeline.package_data import rubrics_dir  # noqa: E402
from qa_pipeline.rubric import load_rubric, score_call, standard_rubric  # noqa: E402
from qa_pipeline.rubric.exemplars import load_bank  # noqa: E402
from qa_pipeline.rubric.learned import bank_examples, embed_cached  # noqa: E402
from qa_pipeline.transcript_io import call_from_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FOLDERS = (ROOT / "tests/data/dev_en", ROOT / "tests/data/dev_zh", ROOT / "tests/data/dev_critical",
           SHARED / "qa-examples")
# Scored again with the exemplar banks as they were when the folder was added (git): the
# classifier never saw them, whatever was tuned on them later. The latest hold-outs by default.
AS_OF = ("tests/data/dev_en/holdout3", "tests/data/dev_en/holdout4", "tests/data/dev_en/holdout5",
         "tests/data/dev_en/holdout6", "tests/data/dev_zh/holdout2", "tests/data/dev_zh/holdout4",
         "tests/data/dev_zh/holdout5", "tests/data/dev_zh/holdout6")
BANKS = ("en", "zh")


def learned_nodes(rubric):
    """(check id, node) for every learned judgement of ``rubric``."""
    out = []

    def walk(node, check_id):
        if getattr(node, "type_id", "") == "learned":
            out.append((check_id, node))
        for attr in ("parts", "part", "rule"):
            child = getattr(node, attr, None)
            for c in child if isinstance(child, (list, tuple)) else [child]:
                if c is not None and hasattr(c, "type_id"):
                    walk(c, check_id)

    for check in rubric.checks:
        walk(check.rule, check.id)
    return out


def deciding(rubric):
    """``rubric`` with every learned judgement deciding (``decides: true``), and what each said."""
    written = {}
    for check_id, node in learned_nodes(rubric):
        written[(check_id, node.item)] = node.decides
        node.decides = True
    return rubric, written


def _rules_only(on: bool) -> None:
    if on:
        os.environ["QA_LEARNED"] = "off"
    else:
        os.environ.pop("QA_LEARNED", None)
    encoders.reset()


def outcomes(records, rubrics) -> dict[tuple[str, str], str]:
    """(call id, check id) → outcome of every call record (a parsed JSON dict)."""
    out = {}
    for data in records:
        call = call_from_json(data)
        result = score_call(call, rubrics[lang_family(call.language)], sentiment=0.0)
        out.update({(call.call_id, f.check_id): f.outcome for f in result.findings})
    return out


def labelled(folder_files):
    """[(folder name, [(call id, language, item, wanted outcome)])] and the records, by folder."""
    folds, records = [], []
    for folder, files in folder_files:
        rows = []
        for path in files:
            data = json.loads(path.read_text(encoding="utf-8"))
            data.setdefault("call_id", path.stem)
            records.append(data)
            lang = lang_family(data.get("language", ""))
            for item, want in (data.get("labels") or {}).items():
                if item == "complaint":
                    want = "pass" if want else "fail"
                rows.append((data["call_id"], lang, item, want))
        folds.append((str(folder.relative_to(ROOT.parent) if folder.is_relative_to(ROOT.parent) else folder), rows))
    return folds, records


def banks_as_of(folder: str) -> tuple[str, dict[str, str]]:
    """(the commit that added ``folder``, the exemplar banks' text before it) from git."""
    def git(*args):
        return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout

    added = git("log", "--diff-filter=A", "--format=%H", "--reverse", "--", folder).split()
    if not added:
        raise SystemExit(f"{folder} is not in git: no exemplar banks to go back to")
    return added[0][:9], {name: git("show", f"{added[0]}^:rubrics/exemplars/{name}.jsonl") for name in BANKS}


def warm_cache(encoder, rubrics) -> None:
    """The encoder's in-process cache filled with the current banks' vectors (kept on disk when
    the models were trained): an older bank's exemplars are then embedded only where they differ."""
    for rubric in rubrics:
        for _, node in learned_nodes(rubric):
            texts, _, _ = bank_examples([load_bank(b) for b in node.banks], node.item, target=node.target,
                                        negatives=node.negatives, weights=node.bank_weights)
            encoder.cache.store("query", texts, embed_cached(encoder, texts))


def as_of(folders: list[str], langs, rules_of) -> tuple[dict, list[str]]:
    """Each folder scored with the classifier trained on the banks as they were when the folder
    was added, every learned judgement deciding; (lang, item) → {folder: [n, rules, learned]}
    (``rules_of``: the rules-alone outcomes) and a line per bank state."""
    states: dict[str, list] = {}
    for folder in folders:
        commit, texts = banks_as_of(folder)
        key = hashlib.sha256("\x00".join(texts[n] for n in BANKS).encode()).hexdigest()[:12]
        states.setdefault(key, [commit, texts, []])[2].append(folder)
    out: dict = defaultdict(dict)
    lines = []
    for key, (commit, texts, group) in states.items():
        with tempfile.TemporaryDirectory() as tmp:
            for name in BANKS:
                (Path(tmp) / f"{name}.jsonl").write_text(texts[name], encoding="utf-8")
            os.environ["QA_EXEMPLARS_DIR"] = tmp
            try:
                files = [(ROOT / f, sorted((ROOT / f).glob("*.json"))) for f in group]
                folds, records = labelled(files)
                records = [r for r in records if lang_family(r.get("language", "")) in langs]
                rubrics = {lang: deciding(load_rubric(rubrics_dir() / f"standard-{lang}.yaml"))[0] for lang in langs}
                learned = outcomes(records, rubrics)
            finally:
                del os.environ["QA_EXEMPLARS_DIR"]
        sizes = ", ".join(f"{n} {sum(1 for x in texts[n].splitlines() if x.strip().startswith('{'))}" for n in BANKS)
        lines.append(f"  banks before {commit} ({sizes} exemplars): {', '.join(group)}")
        for cell_key, per in tally(folds, rules_of, learned).items():
            out[cell_key].update(per)
    return out, lines


def tally(folds, rules, learned):
    """(lang, item) → {folder: [n, rules agreed, learned agreed]}."""
    out: dict = defaultdict(dict)
    for name, rows in folds:
        for cid, lang, item, want in rows:
            if (cid, item) not in rules or (cid, item) not in learned:
                continue
            cell = out[(lang, item)].setdefault(name, [0, 0, 0])
            cell[0] += 1
            cell[1] += rules[(cid, item)] == want
            cell[2] += learned[(cid, item)] == want
    return out


def upper_bound(false: int, n: int, confidence: float = 0.95) -> float:
    """The one-sided upper confidence bound of a rate seen ``false`` times in ``n`` (Clopper-Pearson):
    with none in 300 harmless calls it is 1.0 %, in 175 1.7 %.

    >>> round(upper_bound(0, 300), 4)
    0.0099
    """
    if n <= 0 or false >= n:
        return 1.0
    lo, hi = false / n, 1.0
    for _ in range(60):  # bisection: the binomial cdf falls as the rate rises
        mid = (lo + hi) / 2
        if sum(comb(n, k) * mid ** k * (1 - mid) ** (n - k) for k in range(false + 1)) > 1 - confidence:
            lo = mid
        else:
            hi = mid
    return hi


def choose(cells, min_gain: int) -> bool:
    """Decide where the classifier's net gain over these folders is at least ``min_gain``."""
    return sum(c[2] - c[1] for c in cells) >= min_gain


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-gain", type=int, default=2,
                    help="net calls the classifier must put right (over the folders it is chosen on) to decide")
    ap.add_argument("--max-false", type=float, default=0.01,
                    help="the most harmless calls a target-fail item may fail by the classifier (share, 95 %% upper bound)")
    ap.add_argument("--no-harmless", action="store_true", help="skip the harmless dialogues")
    ap.add_argument("--no-as-of", action="store_true", help="skip the scoring with the banks as of each hold-out")
    ap.add_argument("--lang", nargs="*", default=["en", "zh"])
    args = ap.parse_args(argv)
    if encoders.sentence_encoder() is None:
        print(encoders.encoder_status(), file=sys.stderr)
        return 2
    folder_files = [ff for f in FOLDERS if f.is_dir() for ff in labelled_folders(f, recursive=True)]
    folds, records = labelled(folder_files)
    records = [r for r in records if lang_family(r.get("language", "")) in args.lang]
    rubrics = {lang: deciding(standard_rubric(lang)) for lang in args.lang}
    plain = {lang: r for lang, (r, _) in rubrics.items()}
    _rules_only(True)
    rules = outcomes(records, plain)
    _rules_only(False)
    late, state_lines = ({}, []) if args.no_as_of else (None, None)
    if late is None:  # first: an older bank's models are trained here, minutes before the rest
        warm_cache(encoders.sentence_encoder(), plain.values())
        late, state_lines = as_of([f for f in AS_OF if f.split("/")[2][4:6] in args.lang], args.lang, rules)
        print("as of: done", file=sys.stderr, flush=True)
    learned = outcomes(records, plain)
    table = tally(folds, rules, learned)

    harmless_false: dict[str, list[str]] = defaultdict(list)
    harmless_n: dict[tuple[str, str], int] = defaultdict(int)
    fail_items = {(lang, check_id) for lang, (r, _) in rubrics.items() for check_id, node in learned_nodes(r)
                  if node.target == "fail"}
    data = SHARED / "data" / "text"
    if not args.no_harmless and data.is_dir():
        calls = [c for name in CORPORA for c in corpus(name, data) if c["language"] in args.lang]
        _rules_only(True)
        h_rules = outcomes(calls, plain)
        _rules_only(False)
        h_learned = outcomes(calls, plain)
        for c in calls:
            for lang, item in fail_items:
                if lang != c["language"]:
                    continue
                harmless_n[(lang, item)] += 1
                if h_learned.get((c["call_id"], item)) == "fail" and h_rules.get((c["call_id"], item)) != "fail":
                    harmless_false[(lang, item)].append(c["call_id"])

    # The labelled harmless calls of a target-fail item count with the real harmless dialogues.
    for name, rows in folds:
        for cid, lang, item, want in rows:
            if (lang, item) in fail_items and want == "pass" and (cid, item) in learned:
                harmless_n[(lang, item)] += 1
                if learned[(cid, item)] == "fail" and rules.get((cid, item)) != "fail":
                    harmless_false[(lang, item)].append(cid)

    print("per item and language: agreement with the labels, rules alone vs the classifier deciding")
    print("  tuning folders (in sample for the exemplars): rules, learned, LOFO (each folder scored by the choice")
    print("  made on the others), net (calls put right minus put wrong), folders won/lost;")
    print("  as of: the latest hold-outs scored with the banks as they were when each was added (out of sample);")
    print("  harmless: real harmless dialogues the classifier fails that the rules pass (target fail items)\n")
    print(f"  {'lang':<4} {'item':<10} {'calls':>5} {'rules':>6} {'learned':>7} {'LOFO':>5} {'net':>4} {'+/-':>5}"
          f"   {'as of':>5} {'rules':>5} {'learned':>7} {'net':>4}  {'harmless (95 % bound)':>21}  choice (written)")
    totals = defaultdict(lambda: [0] * 7)
    choices = {}
    for (lang, item), per in sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1] != "complaint", kv[0][1])):
        n, r, le = (sum(c[k] for c in per.values()) for k in range(3))
        lofo = sum(cell[2] if choose([c for k, c in per.items() if k != name], args.min_gain) else cell[1]
                   for name, cell in per.items())
        won = sum(c[2] > c[1] for c in per.values())
        lost = sum(c[2] < c[1] for c in per.values())
        later = late.get((lang, item), {})
        an, ar, al = (sum(c[k] for c in later.values()) for k in range(3))
        false = harmless_false.get((lang, item), [])
        bound = upper_bound(len(false), harmless_n[(lang, item)])
        too_many = (lang, item) in fail_items and bound > args.max_false
        decide = choose(per.values(), args.min_gain) and al >= ar and not too_many
        written = next((w for (cid, _), w in rubrics[lang][1].items() if cid == item), None)
        choices[(lang, item)] = decide
        h = f"{len(false)}/{harmless_n[(lang, item)]} <{bound:.1%}" if (lang, item) in fail_items else "-"
        w = "" if written is None else f"({'decides' if written else 'flags'})"
        choice = ("decide" if decide else "flag") if written is not None else "rules"
        print(f"  {lang:<4} {item:<10} {n:>5} {r:>6} {le:>7} {lofo:>5} {le - r:>+4} {f'{won}/{lost}':>5}"
              f"   {an:>5} {ar:>5} {al:>7} {al - ar:>+4}  {h:>21}  {choice:<7} {w}")
        for k, v in enumerate((n, r, le, lofo, an, ar, al)):
            totals[lang][k] += v
    print("\nall items (only items with a learned judgement can differ):")
    for lang, (n, r, le, lofo, an, ar, al) in sorted(totals.items()):
        print(f"  {lang} tuning folders: rules alone {r}/{n} = {100 * r / n:.1f} %, classifier deciding {le}/{n} = "
              f"{100 * le / n:.1f} %, chosen per item by the other folders (LOFO) {lofo}/{n} = {100 * lofo / n:.1f} %")
        if an:
            print(f"  {lang} as of (out of sample): rules alone {ar}/{an} = {100 * ar / an:.1f} %, classifier "
                  f"deciding {al}/{an} = {100 * al / an:.1f} %")
    if state_lines:
        print("\nexemplar banks of the as-of scoring:")
        print("\n".join(state_lines))
    for (lang, item), ids in sorted(harmless_false.items()):
        print(f"\nharmless calls the {lang} {item} classifier fails that the rules pass ({len(ids)}): "
              + " ".join(ids[:30]))
    print(f"\nrecommended `decides` per learned item (net gain >= {args.min_gain} on the tuning folders, none lost "
          f"as of; a target-fail item also: the 95 % upper bound of its false fails on harmless calls <= "
          f"{args.max_false:.0%}):")
    for lang in args.lang:
        print(f"  standard-{lang}.yaml: " + ", ".join(
            f"{cid}{'' if cid == item else '/' + item} {'true' if choices.get((lang, cid)) else 'false'}"
            for cid, item in rubrics[lang][1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
