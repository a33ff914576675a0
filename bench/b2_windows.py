"""Would B2 catch fresh breaches if a long run of speech without commas were read in word windows?

ASR-style transcripts come without punctuation: an agent's whole turn is one "sentence" to B2's classifier,
and a forbidden remark inside a long, otherwise ordinary run is diluted by the rest ("… the box sat in the sun
that's on your end not ours and honestly …" scores 0.33 whole). Mandarin B2 judges the clauses of unpunctuated
speech cut at the space between words (the ``clauses`` option); English has no clauses. This bench replays, on
bench/b2_record.py's record (each hold-out with the rubric it met fresh, the real harmless dialogues with
today's), reading every whole sentence of ``--min-words`` words or more with no comma, at the clause gate or
above, in windows of ``--words`` words (half a window apart), each scored by the B2 model of the rubric the call
was read with. A sentence then stands for its windows: it leans towards the breaches at (P, M) where one of its
windows does. Printed per language and hold-out: breaches caught and harmless calls failed, today (rules, one
sentence at the band's top and margin, sentences together at the rubric's point) and with windows read (the
same decisions, windows deciding alone as a sentence does and counting for their sentence in ``together``), and
the harmless calls the B2 classifier leaves unsure (the review queue) both ways.

    .venv/bin/python bench/b2_record.py --out /tmp/b2-en.json --lang en
    .venv/bin/python bench/b2_windows.py /tmp/b2-en.json --lang en [--words 10] [--min-words 14]
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from b2_decide import REAL, recorded  # noqa: E402
from fresh_view import WORKDIR  # noqa: E402
from fresh_view import fresh_folders, fresh_rubric  # noqa: E402
from item_decision_fit import learned_node  # noqa: E402

from qa_pipeline.rubric import standard_rubric  # noqa: E402
from qa_pipeline.rubric.checks.learned import CLAUSE_GATE  # noqa: E402
from qa_pipeline.rubric.encoder import sentence_encoder  # noqa: E402

def windows(sentence: str, words: int, min_words: int) -> list[str]:
    """The word windows of a long comma-free sentence, half a window apart; [] for any other.

    >>> windows("a b c d e f", 4, 6)
    ['a b c d', 'c d e f']
    >>> windows("a b, c d e f", 4, 6)
    []
    """
    said = sentence.split()
    if len(said) < min_words or any(c in sentence for c in ",，;；"):
        return []
    step = max(1, words // 2)
    return [" ".join(said[i:i + words]) for i in range(0, max(1, len(said) - words + step), step)]


@dataclass
class Unit:
    """A whole sentence and the windows read of it: (p, margin) rows, the sentence's own first."""
    reads: np.ndarray


@dataclass
class Call:
    fold: str
    call_id: str
    label: str
    rule_hit: bool
    units: list[Unit]  # whole sentences
    clauses: np.ndarray  # (p, margin) of the clauses the rubric judged apart (decide alone only)


def leans(unit: Unit, p: float, m: float, windows_on: bool) -> bool:
    rows = unit.reads if windows_on else unit.reads[:1]
    return bool(((rows[:, 0] >= p) & (rows[:, 1] >= m)).any())


ALONE_ONLY = False  # --alone-only: windows decide alone (as clauses do) and do not count in ``together``


def failed(c: Call, high: float, need: float, point, windows_on: bool) -> bool:
    if c.rule_hit or any(leans(u, high, need, windows_on) for u in c.units):
        return True
    if len(c.clauses) and ((c.clauses[:, 0] >= high) & (c.clauses[:, 1] >= need)).any():
        return True
    jointly = windows_on and not ALONE_ONLY
    return point is not None and sum(leans(u, point[1], point[2], jointly) for u in c.units) >= point[0]


def unsure(c: Call, low: float, high: float, clears, windows_on: bool) -> bool:
    """Flagged for review (not decided): a sentence (or window) above the band's low end, not cleared by its
    nearest exemplars, leaning the breaches' way or at the band's top (as LearnedNode.evaluate reads them)."""
    rows = [u.reads if windows_on else u.reads[:1] for u in c.units] + ([c.clauses] if len(c.clauses) else [])
    if not rows:
        return False
    r = np.concatenate(rows)
    open_ = np.ones(len(r), bool) if clears is None else r[:, 1] > -clears
    return bool(((r[:, 0] > low) & open_ & ((r[:, 0] >= high) | (r[:, 1] >= 0))).any())


def read_calls(path: Path, lang: str, words: int, min_words: int, workdir: Path) -> tuple[list[Call], object]:
    encoder = sentence_encoder()
    models = {folder.name: learned_node(fresh_rubric(lang, folder, workdir), "B2") for folder, _ in fresh_folders(lang)}
    today = learned_node(standard_rubric(lang), "B2")
    out = []
    for r, label, fold in recorded(path, lang):
        real = fold == REAL
        node = today if real else models[r["source"].split("/", 1)[1]]
        model = node._model(encoder)
        said = r.get("sentences") or []
        units, clauses = [], []
        for text, _, p, m, whole in said:
            row = (p, -1.0 if m is None else m)
            if not whole:
                clauses.append(row)
                continue
            wins = windows(text, words, min_words) if p >= CLAUSE_GATE else []
            if wins:
                v = np.asarray(encoder.embed(wins))
                wm = model.neighbour_margin(v, node.neighbours[0] if node.neighbours else 3)
                wp = model.probabilities(v)
                units.append(Unit(np.array([row, *zip(wp, wm if wm is not None else np.full(len(wp), -1.0))])))
            else:
                units.append(Unit(np.array([row])))
        out.append(Call(fold, r["call_id"], label, bool(r.get("rule_hit")), units,
                        np.array(clauses, dtype=float).reshape(-1, 2)))
    return out, today


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("record", type=Path)
    ap.add_argument("--lang", choices=("zh", "en"), default="en")
    ap.add_argument("--words", type=int, default=10)
    ap.add_argument("--min-words", type=int, default=14)
    ap.add_argument("--workdir", type=Path, default=WORKDIR)
    ap.add_argument("--alone-only", action="store_true",
                    help="windows decide alone only, as clauses do; they do not count in together")
    args = ap.parse_args(argv)
    global ALONE_ONLY
    ALONE_ONLY = args.alone_only
    calls, node = read_calls(args.record, args.lang, args.words, args.min_words, args.workdir)
    high, need, low, point = node.high, node.neighbours[1], node.low, node.together
    print(f"== {args.lang}: today's B2: band {low}-{high}, margin {need}, together {point}; windows of {args.words} "
          f"words in sentences of {args.min_words} or more without a comma")
    folds = sorted({c.fold for c in calls}, key=lambda f: (len(f), f))
    tot = np.zeros(4, int)
    for fold in folds:
        rows = [c for c in calls if c.fold == fold]
        got = [(sum(failed(c, high, need, point, w) for c in rows if c.label == "fail"),
                sum(failed(c, high, need, point, w) for c in rows if c.label == "pass")) for w in (False, True)]
        tot += (*got[0], *got[1])
        moved = [f"{'+' if c.label == 'fail' else '-'}{c.call_id}" for c in rows
                 if failed(c, high, need, point, True) != failed(c, high, need, point, False)]
        print(f"  {fold:<14} caught {got[0][0]} -> {got[1][0]} of {sum(c.label == 'fail' for c in rows)}; harmless "
              f"failed {got[0][1]} -> {got[1][1]} of {sum(c.label == 'pass' for c in rows)}  {' '.join(moved)}")
    print(f"  all: caught {tot[0]} -> {tot[2]}, harmless failed {tot[1]} -> {tot[3]}")
    harmless = [c for c in calls if c.label == "pass"]
    clears = node.neighbours[2]
    for name, group in (("labelled", [c for c in harmless if c.fold != REAL]), ("real", [c for c in harmless if c.fold == REAL])):
        print(f"  {name} harmless calls flagged for review (B2 unsure): "
              f"{sum(unsure(c, low, high, clears, False) and not failed(c, high, need, point, False) for c in group)} -> "
              f"{sum(unsure(c, low, high, clears, True) and not failed(c, high, need, point, True) for c in group)} "
              f"of {len(group)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
