"""Does the customer's reaction let an unsure B2 sentence decide? Replayed on the fresh view, one hold-out left out.

After forbidden language the customer often protests at what the agent just said (talked down to, brushed
off, blamed, mocked); on a harmless call the customer goes on about the company, answers, thanks. This bench
reads bench/b2_record.py's record, judges the customer's next ``--turns`` turns after each whole B2 sentence
scoring ``p`` or more with a protest model (logistic regression on e5, fitted on bench/b2_reaction_exemplars.txt:
a protest aimed at the agent's words against anything else a customer says, complaints about the company first;
both languages together) or, with ``--short-question``, a structural stand-in (1.0 where the reply is a short
question or exclamation: 6 words or fewer, 12 Chinese characters or fewer, ending in ? or !), and replays: where today's B2 (its band top and margin, and its
``together`` option) decides nothing, a sentence at P or more, nearer the breaches by M or more, followed by a
reaction at R or more decides. For each hold-out left out the (P, M, R) point catching the most breaches of the
others is chosen among those failing no harmless call there nor in the real dialogues (nor at a point looser by
``SLACK``), of equals the strictest, and none where no point catches more than today; it is scored on the
hold-out. The reaction only lets an unsure sentence
decide: it never fails a call on its own.

    .venv/bin/python bench/b2_reaction.py /tmp/b2-en.json --lang en [--turns 2] [--show] [--short-question]

Measured 7 Dec 2026 (crit31b; branch crit31 at de8c199; record of hold-outs 7-15 and the 325 real dialogues):
no point catches a breach held out, model or stand-in. Model: en 14 -> 14 of 29 held out, harmless failed
0 -> 0 (115 labelled, 175 real), one or two turns read; zh 17 -> 17 of 30, 3 -> 3 (today's). In-sample without
room to spare: +1 in each language at no harmless cost (en +3 costs 3). The model scores the undecided English
breaches' best replies 0.28-0.75 and harmless ones up to 0.85 (short closings and answers score like protests; a
real customer protests at a harmless reply).
--short-question: en 14 -> 14 held out (no other hold-out gives evidence for any point), +1 fitted on all
(holdout11) with none failed; zh 17 -> 17.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from b2_decide import REAL, Read, Today, alone, reads, today  # noqa: E402
from item_decision_fit import learned_node  # noqa: E402

from qa_pipeline.errors import InputError  # noqa: E402
from qa_pipeline.rubric import encoder as encoders  # noqa: E402
from qa_pipeline.rubric import standard_rubric  # noqa: E402
from qa_pipeline.rubric.checks.learned import together  # noqa: E402
from qa_pipeline.rubric.learned import fit_item_model, split_sentences  # noqa: E402

PS = (0.5, 0.6, 0.7, 0.8, 0.9)
MARGINS = (-0.01, -0.005, 0.0, 0.004, 0.008)
REACTIONS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
SLACK = (0.1, 0.002, 0.1)  # (p, margin, reaction)
EXEMPLARS = Path(__file__).resolve().parent / "b2_reaction_exemplars.txt"
SHORT_WORDS, SHORT_HAN = 6, 12


@dataclass(frozen=True)
class Reacted:
    """A recorded call with the customer's reaction after each whole sentence (nan where not judged)."""
    read: Read
    reaction: np.ndarray
    said: list[str]  # the reaction's best customer sentence after each whole sentence ("" where none)


def exemplars(path: Path) -> tuple[list[str], np.ndarray]:
    """The texts of ``path`` and their labels (1.0: a protest), from lines ``P|text`` and ``F|text``."""
    texts, y = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, _, text = line.partition("|")
        if label not in ("P", "F") or not text.strip():
            raise InputError(path, f"line {n}: a line must be 'P|text' (a protest) or 'F|text' (anything else)")
        texts.append(text.strip())
        y.append(1.0 if label == "P" else 0.0)
    return texts, np.array(y)


class ShortQuestion:
    """The structural stand-in for a protest model: 1.0 for a short question or exclamation, else 0.0 (used as
    both the encoder and the model: ``embed`` judges, ``probabilities`` hands the judgement on)."""

    def embed(self, texts: list[str]) -> np.ndarray:
        out = []
        for text in texts:
            text = text.strip()
            han = len(re.findall(r"[\u4e00-\u9fff]", text))
            short = han <= SHORT_HAN if han else len(text.split()) <= SHORT_WORDS
            out.append(1.0 if short and re.search(r"[?!？！]\s*$", text) else 0.0)
        return np.array(out)

    def probabilities(self, judged: np.ndarray) -> np.ndarray:
        return judged


def reacting(path: Path, lang: str, rows: list[Read], model, encoder, turns: int, floor: float) -> list[Reacted]:
    raw = {(r["source"] if not r["source"].startswith("real/") else REAL, r["call_id"]): r
           for r in json.loads(path.read_text(encoding="utf-8")) if r["language"].startswith(lang)}
    out = []
    for read in rows:
        r = raw[(read.fold, read.call_id)]
        said = r.get("sentences") or []
        customer = [(i, t) for i, (who, t) in enumerate(r["turns"]) if who == "customer"]
        reaction, best = np.full(read.whole, np.nan), [""] * read.whole
        for k in range(read.whole):
            if said[k][2] < floor:
                continue
            after = [t for i, t in customer if i > said[k][1]][:turns]
            sentences = [s for t in after for s in split_sentences(t)]
            if sentences:
                probs = model.probabilities(np.asarray(encoder.embed(sentences), dtype=np.float32))
                reaction[k], best[k] = float(probs.max()), sentences[int(probs.argmax())]
        out.append(Reacted(read, reaction, best))
    return out


def failed(c: Reacted, t: Today, bar, point) -> bool:
    r = c.read
    if r.rule_hit or alone(r, t) or (bar is not None and together(r.probs, r.margins, r.whole, bar).any()):
        return True
    if point is None:
        return False
    p, m, react = point
    w = r.whole
    return bool(((r.probs[:w] >= p) & (r.margins[:w] >= m) & (np.nan_to_num(c.reaction, nan=-1.0) >= react)).any())


def tally(rows: list[Reacted], t: Today, bar, point) -> tuple[int, int]:
    return (sum(failed(c, t, bar, point) for c in rows if c.read.label == "fail"),
            sum(failed(c, t, bar, point) for c in rows if c.read.label == "pass"))


def choose(rows: list[Reacted], t: Today, bar):
    """The point as the module says; None where none catches a breach more than today (no evidence for any)."""
    caught_today, harmless_today = tally(rows, t, bar, None)
    best = None
    for p in PS:
        for m in MARGINS:
            for react in REACTIONS:
                point = (p, m, react)
                loose = (max(0.0, p - SLACK[0]), m - SLACK[1], react - SLACK[2])
                caught, false = tally(rows, t, bar, point)
                if false > harmless_today or tally(rows, t, bar, loose)[1] > harmless_today:
                    continue
                key = (caught, react, m, p)
                if best is None or key > best[0]:
                    best = (key, point)
    return best[1] if best and best[0][0] > caught_today else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("record", type=Path, help="the file bench/b2_record.py wrote")
    ap.add_argument("--lang", choices=("zh", "en"), required=True)
    ap.add_argument("--turns", type=int, default=2, help="how many customer turns after the sentence are read")
    ap.add_argument("--short-question", action="store_true", help="the structural stand-in instead of the model")
    ap.add_argument("--show", action="store_true", help="print each breach and flagged harmless call's reaction")
    args = ap.parse_args(argv)
    if args.short_question:
        encoder = model = ShortQuestion()
    else:
        encoder = encoders.sentence_encoder()
        if encoder is None:
            raise SystemExit("no sentence encoder: " + encoders.encoder_status())
        model = fit_item_model(encoder, *exemplars(EXEMPLARS), "protest", target="pass", keep=False)
    t = today(args.lang)
    node = learned_node(standard_rubric(args.lang), "B2")
    bar = node.together
    rows = reacting(args.record, args.lang, reads(args.record, args.lang), model, encoder, args.turns, min(PS))
    folds = sorted({c.read.fold for c in rows if c.read.fold != REAL}, key=lambda f: (len(f), f))
    print(f"== {args.lang}: {len(rows)} calls; today: band top {t.high}, margin {t.need}, together {bar}; "
          f"reaction over {args.turns} customer turn(s); held out, caught / harmless failed, today → with reaction")
    total = np.zeros(4, int)
    for fold in folds:
        point = choose([c for c in rows if c.read.fold != fold], t, bar)
        held = [c for c in rows if c.read.fold == fold]
        before, after = tally(held, t, bar, None), tally(held, t, bar, point)
        total += (*before, *after)
        print(f"  {fold:<24} {before[0]}/{sum(c.read.label == 'fail' for c in held)} f{before[1]} → "
              f"{after[0]} f{after[1]}  {point}")
    print(f"  held out: caught {total[0]} → {total[2]}, harmless failed {total[1]} → {total[3]}")
    point = choose(rows, t, bar)
    real = [c for c in rows if c.read.fold == REAL]
    harmless = [c for c in rows if c.read.label == "pass" and c.read.fold != REAL]
    print(f"  fitted on all: {point}: caught {tally(rows, t, bar, None)[0]} → {tally(rows, t, bar, point)[0]} of "
          f"{sum(c.read.label == 'fail' for c in rows)}; labelled harmless failed {tally(harmless, t, bar, None)[1]} → "
          f"{tally(harmless, t, bar, point)[1]} of {len(harmless)}, real {tally(real, t, bar, None)[1]} → "
          f"{tally(real, t, bar, point)[1]} of {len(real)}")
    if args.show:
        for c in rows:
            if failed(c, t, bar, None) or np.isnan(c.reaction).all():
                continue
            k = int(np.nanargmax(np.where(c.read.probs[:c.read.whole] >= min(PS), np.nan_to_num(c.reaction, nan=-1), -1)))
            print(f"  {c.read.label:<4} {c.read.fold:<18} {c.read.call_id:<12} p={c.read.probs[k]:.2f} "
                  f"m={c.read.margins[k]:+.4f} react={c.reaction[k]:.2f} {c.said[k][:70]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
