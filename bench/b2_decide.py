"""When may B2's classifier decide a critical fail rather than flag it? Decision options replayed on the
fresh view, one hold-out left out.

bench/b2_record.py writes, per call, what B2's classifier read (every sentence's probability and
nearest-exemplar margin, whole or clause, its turn) on the written hold-outs, each scored with the rubric it
met fresh, and on the real harmless dialogues of bench/critical_precision.py (and, with ``--current``, on
every labelled tuning call with today's rubric). This bench replays on that record today's decision
(a sentence at the band's top whose nearest exemplars are breaches by ``neighbours.margin``) and, beside
it, the ``together`` option of the learned check: where no sentence decides alone, N whole sentences that
each score P or more and lean towards the breaches by M decide together.

For each hold-out left out, the (P, M) point catching the most breaches of the other hold-outs is chosen
among the points that fail no harmless call there nor in the real dialogues — not at a point looser by
``SLACK`` either (room to spare) — of equals the more conservative: the one whose region (p and margin or more)
holds the fewest whole sentences of harmless calls (:func:`near_harmless`), then the largest margin, then the
highest P; it is scored on the hold-out. Printed per language: per hold-out the breaches caught and harmless calls failed, today → with
the point chosen without it; the point chosen on all of them; and the calls flagged for review (B2 unsure)
among the harmless ones, which a decision can only lower. A harmless call the record shows failed by
today's rules or single-sentence decision counts on both sides (``today``).

    .venv/bin/python bench/b2_record.py --out /tmp/b2-en.json --lang en
    .venv/bin/python bench/b2_decide.py /tmp/b2-en.json [--sentences 2]

Measured 7 Dec 2026 (crit31, main 1c2bcd1; hold-outs 7-15, 16 calls a language each): en caught 10 → 12 of
29 held out (holdout8, holdout9), fitted on all P 0.5, M 0.008 (14/29), harmless failed 0 → 0 of 115
labelled and 175 real; zh 14 → 16 of 30 held out (holdout10, holdout14), fitted on all P 0.5, M 0.0
(17/30), harmless 3 → 3 of 114 labelled and 0 of 150 real. Single sentences decided at a lower top or
margin (e.g. p ≥ 0.9 at any margin: en +5, zh +3) fail harmless calls (en 10, zh 2 more).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa_pipeline.rubric import standard_rubric  # noqa: E402
from qa_pipeline.rubric.checks.learned import together  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

PS = (0.5, 0.6, 0.7, 0.8, 0.9)
MARGINS = (0.0, 0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02)
SLACK = (0.1, 0.002)  # (p, margin): how far from every harmless call a chosen point must be
REAL = "real"


@dataclass(frozen=True)
class Read:
    """One recorded call as B2's classifier read it."""
    fold: str
    call_id: str
    label: str  # pass / fail (the real dialogues: pass)
    rule_hit: bool
    probs: np.ndarray
    margins: np.ndarray
    whole: int


@dataclass(frozen=True)
class Today:
    """Today's B2 decision in the language's standard rubric."""
    low: float
    high: float
    need: float
    clears: float | None


def today(lang: str) -> Today:
    from item_decision_fit import learned_node
    node = learned_node(standard_rubric(lang), "B2")
    return Today(node.low, node.high, node.neighbours[1], node.neighbours[2])


def recorded(path: Path, lang: str):
    """(record, B2 label, fold) for each call of ``lang`` in a bench/b2_record.py file with a B2 label (the real
    dialogues: pass, fold ``real``)."""
    for r in json.loads(path.read_text(encoding="utf-8")):
        if not r["language"].startswith(lang):
            continue
        real = r["source"].startswith("real/")
        label = "pass" if real else (r.get("labels") or {}).get("B2")
        if label in ("pass", "fail"):
            yield r, label, REAL if real else r["source"]


def reads(path: Path, lang: str) -> list[Read]:
    out = []
    for r, label, fold in recorded(path, lang):
        said = r.get("sentences") or []
        out.append(Read(fold, r["call_id"], label, bool(r.get("rule_hit")),
                        np.array([s[2] for s in said], dtype=float),
                        np.array([-1.0 if s[3] is None else s[3] for s in said], dtype=float),
                        sum(1 for s in said if s[4])))
    return out


def alone(r: Read, t: Today) -> bool:
    return bool(((r.probs >= t.high) & (r.margins >= t.need)).any())


def failed(r: Read, t: Today, point: tuple[int, float, float] | None) -> bool:
    return r.rule_hit or alone(r, t) or (point is not None and bool(together(r.probs, r.margins, r.whole, point).any()))


def flagged(r: Read, t: Today) -> bool:
    """Unsure today (flagged for review, not decided): as LearnedNode.evaluate reads the margins."""
    if failed(r, t, None) or not len(r.probs):
        return False
    open_ = np.ones(len(r.probs), bool) if t.clears is None else r.margins > -t.clears
    likely = (r.probs > t.low) & open_ & ((r.probs >= t.high) | (r.margins >= 0))
    return bool(likely.any())


def tally(rows: list[Read], t: Today, point) -> tuple[int, int]:
    """(breaches failed, harmless calls failed)."""
    return (sum(failed(r, t, point) for r in rows if r.label == "fail"),
            sum(failed(r, t, point) for r in rows if r.label == "pass"))


def choose(rows: list[Read], t: Today, n: int):
    harmless_today = tally(rows, t, None)[1]
    best = None
    for p in PS:
        for m in MARGINS:
            point, loose = (n, p, m), (n, max(0.0, p - SLACK[0]), m - SLACK[1])
            caught, false = tally(rows, t, point)
            if false > harmless_today or tally(rows, t, loose)[1] > harmless_today:
                continue
            key = (caught, -near_harmless(rows, point), m, p)
            if best is None or key > best[0]:
                best = (key, point)
    return best[1] if best else None


def near_harmless(rows: list[Read], point: tuple[int, float, float]) -> int:
    """How many whole sentences of the harmless calls lie inside ``point``'s region (p and margin or more):
    of points that catch the same breaches, the one with fewer is the more conservative (further from every
    harmless call); a point whose region lies inside another's never has more."""
    _, p, m = point
    return sum(int(((r.probs[:r.whole] >= p) & (r.margins[:r.whole] >= m)).sum()) for r in rows if r.label == "pass")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("record", type=Path, nargs="+", help="the files bench/b2_record.py wrote")
    ap.add_argument("--lang", nargs="*", choices=("zh", "en"), default=["zh", "en"])
    ap.add_argument("--sentences", type=int, default=2, help="how many sentences decide together")
    args = ap.parse_args(argv)
    for lang in args.lang:
        rows = [r for path in args.record for r in reads(path, lang)]
        if not rows:
            continue
        t = today(lang)
        folds = sorted({r.fold for r in rows if r.fold != REAL}, key=lambda f: (len(f), f))
        print(f"\n== {lang}: {len(rows)} calls; today: band top {t.high}, margin {t.need}; "
              f"held out, caught / harmless failed, today → with the point chosen on the others")
        total = np.zeros(4, int)
        for fold in folds:
            point = choose([r for r in rows if r.fold != fold], t, args.sentences)
            held = [r for r in rows if r.fold == fold]
            before, after = tally(held, t, None), tally(held, t, point)
            total += (*before, *after)
            print(f"  {fold:<28} {before[0]}/{sum(r.label == 'fail' for r in held)} f{before[1]} → "
                  f"{after[0]} f{after[1]}  (p {point[1] if point else '-'}, margin {point[2] if point else '-'})")
        print(f"  held out: caught {total[0]} → {total[2]}, harmless failed {total[1]} → {total[3]}")
        point = choose(rows, t, args.sentences)
        real = [r for r in rows if r.fold == REAL]
        harmless = [r for r in rows if r.label == "pass" and r.fold != REAL]
        print(f"  fitted on all: {point}: caught {tally(rows, t, None)[0]} → {tally(rows, t, point)[0]}; "
              f"labelled harmless failed {tally(harmless, t, None)[1]} → {tally(harmless, t, point)[1]} of "
              f"{len(harmless)}, real {tally(real, t, None)[1]} → {tally(real, t, point)[1]} of {len(real)}")
        print(f"  flagged for review today (B2 unsure): labelled harmless {sum(flagged(r, t) for r in harmless)}"
              f"/{len(harmless)}, real {sum(flagged(r, t) for r in real)}/{len(real)}, breaches "
              f"{sum(flagged(r, t) for r in rows if r.label == 'fail')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
