"""Fit where the B2 classifier may decide a critical fail — its band's top and its nearest-exemplar
margin — on the labelled tuning calls, leaving one folder out.

A learned B2 sentence decides a breach when its probability reaches the band's top (``band[1]``)
and its 3 nearest breach exemplars are at least ``neighbours.margin`` nearer than its 3 nearest
harmless ones (qa_pipeline/rubric/checks/learned.py). This bench scores every call once with the
standard rubric of its language and keeps, for each call the rules pass, every sentence's
probability and margin (``LearnedNode.sentence_scores``); any (top, margin) pair is then a
replay, not a new scoring. The calls:

- every labelled call of the tuning folders with a B2 label (tests/data/dev_en/**, dev_zh/**,
  dev_critical/**, ../shared/qa-examples; never ``blind`` nor a NEVER_TUNED folder), by folder;
- the real harmless dialogues of bench/critical_precision.py (325, ../shared/data/text): a
  constraint in every fold, never held out.

For each pair the bench counts, per language, the B2 breaches the classifier adds to the rules'
(caught) and the harmless calls it fails that the rules pass (false). The chosen pair catches the
most breaches with no false fail; among equals the one furthest from a false fail (the largest
margin, then the highest top). Leave one folder out: each folder is scored by the pair chosen on
the other folders and the harmless dialogues — the honest figure, per fold, before (the rubric's
written pair and ``decides``) → after. A pair is chosen only with room to spare: no harmless call
may fail at a pair looser by ``SLACK`` either (without it, the pair chosen on the other folders
sat at the edge of their harmless calls and failed one of dev_en/holdout6's).

    python bench/critical_fit.py [--lang en zh] [--cache FILE]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from accuracy import labelled_folders  # noqa: E402
from critical_precision import CORPORA, corpus  # noqa: E402
from learned_gain import FOLDERS, ROOT, SHARED, learned_nodes  # noqa: E402

from qa_pipeline.language import lang_family  # noqa: E402
from qa_pipeline.rubric import encoder as encoders  # noqa: E402
from qa_pipeline.rubric import score_call, standard_rubric  # noqa: E402
from qa_pipeline.rubric.checks.base import Verdict  # noqa: E402
from qa_pipeline.rubric.checks.learned import LearnedNode  # noqa: E402
from qa_pipeline.transcript_io import call_from_json  # noqa: E402

TOPS = (0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99)
MARGINS = (0.0, 0.002, 0.004, 0.006, 0.008, 0.01, 0.012, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.05, 0.06)
HARMLESS = "harmless-real"
SLACK = (0.05, 0.0075)  # (top, margin): how far from every harmless call seen a chosen pair must be


def b2_scores(records: list[dict], rubrics: dict) -> dict[str, dict]:
    """call id → {"rule": the rules fail B2, "sentences": [[text, p, margin], ...]}: every B2 sentence
    whose probability is above the band's low end, as the classifier reads it. A call the rules fail
    is scored once more with B2's rules set aside, so that the classifier's own reading of every
    breach is known (it is what carries to calls whose wording no rule knows)."""
    seen: list = []
    original, rules = LearnedNode.sentence_scores, LearnedNode._rules
    set_aside = [False]

    def kept(self, ctx, turns, encoder, model, batch=None):
        got = original(self, ctx, turns, encoder, model, batch)
        if self.item == "B2" and got is not None:
            seen.append(got)
        return got

    def ruled(self, ctx):
        return Verdict(True, None, "rules set aside") if set_aside[0] and self.item == "B2" else rules(self, ctx)

    LearnedNode.sentence_scores = kept  # type: ignore[method-assign]
    LearnedNode._rules = ruled  # type: ignore[method-assign]
    out = {}
    try:
        for data in records:
            call = call_from_json(data)
            rubric = rubrics[lang_family(call.language)]
            seen.clear()
            result = score_call(call, rubric, sentiment=0.0)
            rule = not seen and next(f.outcome for f in result.findings if f.check_id == "B2") == "fail"
            if rule:
                set_aside[0] = True
                try:
                    score_call(call, rubric, sentiment=0.0)
                finally:
                    set_aside[0] = False
            sentences = []
            for said, _, probs, margins, _ in seen:
                for i, p in enumerate(probs.tolist()):
                    m = -1.0 if margins is None else float(margins[i])
                    if m > -1.0:
                        sentences.append([said[i], round(p, 4), round(m, 4)])
            out[call.call_id] = {"rule": rule, "sentences": sentences}
    finally:
        LearnedNode.sentence_scores, LearnedNode._rules = original, rules  # type: ignore[method-assign]
    return out


def collect(langs) -> list[dict]:
    """One row per call: folder, language, id, wanted B2 outcome (harmless dialogues: pass) and its scores."""
    rows, records = [], []
    for f in FOLDERS:
        if not f.is_dir():
            continue
        for folder, files in labelled_folders(f, recursive=True):
            name = str(folder.relative_to(ROOT)) if folder.is_relative_to(ROOT) else str(folder.relative_to(ROOT.parent))
            for path in files:
                data = json.loads(path.read_text(encoding="utf-8"))
                data.setdefault("call_id", path.stem)
                lang = lang_family(data.get("language", ""))
                want = (data.get("labels") or {}).get("B2")
                if lang in langs and want in ("pass", "fail"):
                    records.append(data)
                    rows.append({"folder": name, "lang": lang, "id": data["call_id"], "want": want})
    data_dir = SHARED / "data" / "text"
    if data_dir.is_dir():
        for c in (c for name in CORPORA for c in corpus(name, data_dir) if c["language"] in langs):
            records.append(c)
            rows.append({"folder": HARMLESS, "lang": c["language"], "id": c["call_id"], "want": "pass"})
    rubrics = {lang: standard_rubric(lang) for lang in langs}
    scores = b2_scores(records, rubrics)
    for r in rows:
        r.update(scores[r["id"]])
    return rows


def classifier_fails(row: dict, top: float, margin: float) -> bool:
    return any(p >= top and m >= margin for _, p, m in row["sentences"])


def tally(rows: list[dict], top: float, margin: float, decides: bool = True,
          alone: bool = False) -> tuple[int, int, int, int]:
    """(breaches caught, breaches, harmless calls failed, harmless calls) with the pair deciding;
    ``alone``: the classifier's own catches and false fails, the rules set aside."""
    caught = n = false = h = 0
    for r in rows:
        fails = (r["rule"] and not alone) or (decides and classifier_fails(r, top, margin))
        if r["want"] == "fail":
            n += 1
            caught += fails
        else:
            h += 1
            false += fails
    return caught, n, false, h


def choose(rows: list[dict]) -> tuple[float, float] | None:
    """The pair whose classifier alone catches the most breaches (the rules' catches included: on
    these folders the rules were written from the very calls, so only the classifier's own reading
    says what carries to new wordings) with no false fail once the rules are added back, which no
    harmless call then has; among equals the largest margin, then the highest top. None where
    every pair fails a harmless call."""
    best = None
    for top in TOPS:
        for margin in MARGINS:
            # no false fail at the pair, nor at a looser one by SLACK: a pair at the very edge of the
            # harmless calls seen is chosen by them and fails the next one (leave one folder out)
            if tally(rows, top, margin)[2] or tally(rows, top - SLACK[0], margin - SLACK[1])[2]:
                continue
            caught, _, false, _ = tally(rows, top, margin, alone=True)
            if false:
                continue
            key = (caught, margin, top)
            if best is None or key > best[0]:
                best = (key, (top, margin))
    return None if best is None else best[1]


def written(lang: str) -> tuple[float, float, bool]:
    node = next(n for cid, n in learned_nodes(standard_rubric(lang)) if cid == "B2")
    return node.high, node.neighbours[1], node.decides


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", nargs="*", default=["en", "zh"])
    ap.add_argument("--cache", type=Path, help="read the scores from FILE if it exists, else write them there")
    ap.add_argument("--show", type=float, nargs=2, metavar=("TOP", "MARGIN"),
                    help="also list, per language, the calls this pair scores differently from the rules")
    args = ap.parse_args(argv)
    if args.cache and args.cache.exists():
        rows = [r for r in json.loads(args.cache.read_text(encoding="utf-8")) if r["lang"] in args.lang]
    else:
        if encoders.sentence_encoder() is None:
            print(encoders.encoder_status(), file=sys.stderr)
            return 2
        rows = collect(args.lang)
        if args.cache:
            args.cache.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    for lang in args.lang:
        mine = [r for r in rows if r["lang"] == lang]
        top0, margin0, decides0 = written(lang)
        chosen = choose(mine)
        c, n, f, h = tally(mine, top0, margin0, decides0)
        print(f"\n{lang}: written top {top0}, margin {margin0}, decides {decides0}: caught {c}/{n}, false {f}/{h}")
        if chosen is None:
            print(f"{lang}: every pair fails a harmless call: the classifier should only flag")
        else:
            c, n, f, h = tally(mine, *chosen)
            print(f"{lang}: chosen on every folder: top {chosen[0]}, margin {chosen[1]}: caught {c}/{n}, false {f}/{h}")
        for top, margin in sorted({(top0, margin0)} | ({chosen} if chosen else set())):
            c, n, f, h = tally(mine, top, margin, alone=True)
            print(f"{lang}: the classifier alone at top {top}, margin {margin}: caught {c}/{n}, false {f}/{h}")
        print(f"{lang}: leave one folder out (each folder by the pair chosen on the others; CRITICAL caught, false fails)")
        totals = [0] * 10
        for folder in sorted({r["folder"] for r in mine} - {HARMLESS}):
            held = [r for r in mine if r["folder"] == folder]
            pair = choose([r for r in mine if r["folder"] != folder])
            b = tally(held, top0, margin0, decides0)
            a = tally(held, *pair) if pair else tally(held, 0, 0, decides=False)
            ba = tally(held, top0, margin0, alone=True)
            aa = tally(held, *pair, alone=True) if pair else (0, ba[1], 0, ba[3])
            totals = [t + x for t, x in zip(totals, (b[0], a[0], b[2], a[2], b[1], b[3], ba[0], aa[0], ba[2], aa[2]))]
            said = f"top {pair[0]}, margin {pair[1]}" if pair else "flag"
            print(f"  {folder:<36} {said:<22} caught {b[0]}/{b[1]} -> {a[0]}/{a[1]}, false {b[2]}/{b[3]} -> {a[2]}/{a[3]}"
                  f"; classifier alone caught {ba[0]} -> {aa[0]}, false {ba[2]} -> {aa[2]}")
        print(f"  {lang} all folders: caught {totals[0]} -> {totals[1]} of {totals[4]}, "
              f"false {totals[2]} -> {totals[3]} of {totals[5]}; classifier alone caught {totals[6]} -> {totals[7]}, "
              f"false {totals[8]} -> {totals[9]}")
        if args.show:
            top, margin = args.show
            for r in mine:
                fails = r["rule"] or classifier_fails(r, top, margin)
                if fails != (r["want"] == "fail"):
                    best = max(r["sentences"], key=lambda s: (s[1] >= top and s[2] >= margin, s[2]), default=None)
                    print(f"  wrong at {top}/{margin}: {r['folder']} {r['id']} want {r['want']}; best {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
