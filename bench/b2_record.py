"""Record what B2's classifier reads on each call, for replaying decision options offline.

For every labelled call of the written hold-outs, each scored with the rubric it was fresh at
(bench/fresh_view.py), and for the real harmless dialogues of bench/critical_precision.py (today's
rubric): the labels, the B2 and E1 outcomes as scored with their reasons, whether a B2 rule hit, the
call's turns, and every sentence the B2 classifier read (text, turn index, probability, nearest-exemplar
margin). bench/b2_decide.py replays decision mechanisms on the file this writes.

    .venv/bin/python bench/b2_record.py --out /tmp/b2.json [--lang zh en] [--no-real] [--no-fresh] [--current]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from critical_precision import CORPORA, DEFAULT, corpus  # noqa: E402
from fresh_view import WORKDIR  # noqa: E402
from item_decision_fit import fresh_folds, labelled_calls  # noqa: E402

from qa_pipeline.rubric import encoder as encoders  # noqa: E402
from qa_pipeline.rubric import score_call, standard_rubric  # noqa: E402
from qa_pipeline.rubric.checks.learned import LearnedNode  # noqa: E402
from qa_pipeline.transcript_io import call_from_json  # noqa: E402

ITEM = "B2"


class Recording:
    """While active, B2's learned check records its rules' answer and the sentences its model reads."""

    def __init__(self):
        self.seen: dict = {}

    def __enter__(self):
        self.original = LearnedNode.evaluate
        rec = self

        def evaluate(node, ctx):
            verdict = rec.original(node, ctx)
            if node.item == ITEM:
                ruled = node._rules(ctx)
                entry = {"rule_hit": ruled.value is False, "sentences": []}
                encoder = encoders.sentence_encoder()
                turns = node.scope.select(ctx) or ()
                model = node._model(encoder) if encoder is not None and turns else None
                scored = node.sentence_scores(ctx, turns, encoder, model) if model is not None else None
                if scored is not None:
                    sentences, owners, probs, margins, whole = scored
                    for k, (s, o, p) in enumerate(zip(sentences, owners, probs.tolist())):
                        m = float(margins[k]) if margins is not None else None
                        entry["sentences"].append([s, getattr(o, "index", -1), round(p, 4),
                                                   None if m is None else round(m, 4), k < whole])
                    entry["node"] = {"low": node.low, "high": node.high,
                                     "neighbours": list(node.neighbours) if node.neighbours else None}
                rec.seen[ctx.view.call.call_id] = entry
            return verdict

        LearnedNode.evaluate = evaluate
        return self

    def __exit__(self, *exc):
        LearnedNode.evaluate = self.original


def record(call, rubric, labels: dict, source: str, rec: Recording) -> dict:
    result = score_call(call, rubric, sentiment=0.0)
    got = {f.check_id: (f.outcome, f.rule or "", f.evidence.text if f.evidence is not None else "")
           for f in result.findings}
    return {"source": source, "call_id": call.call_id, "language": call.language, "labels": labels,
            "B2": got.get("B2"), "E1": got.get("E1"),
            "turns": [[t.speaker, t.text] for t in call.turns], **rec.seen.get(call.call_id, {})}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--lang", nargs="*", choices=("zh", "en"), default=["zh", "en"])
    ap.add_argument("--no-real", action="store_true", help="skip the real harmless dialogues")
    ap.add_argument("--no-fresh", action="store_true", help="skip the hold-outs")
    ap.add_argument("--current", action="store_true",
                    help="also every labelled tuning call with today's rubric (bench/item_decision_fit.py's folders)")
    ap.add_argument("--workdir", type=Path, default=WORKDIR)
    args = ap.parse_args(argv)
    out = []
    with Recording() as rec:
        for lang in args.lang:
            if not args.no_fresh:
                for fold in fresh_folds(lang, args.workdir):
                    for _, call, labels in fold.calls:
                        out.append(record(call, fold.rubric, labels, f"{lang}/{fold.name}", rec))
                    print(f"{lang} {fold.name}: {len(fold.calls)} calls", file=sys.stderr, flush=True)
            if args.current:
                rubric = standard_rubric(lang)
                for name, call, labels in labelled_calls(lang):
                    out.append(record(call, rubric, labels, f"now/{name}", rec))
                print(f"{lang} tuning folders: done", file=sys.stderr, flush=True)
            if not args.no_real:
                rubric = standard_rubric(lang)
                for name in CORPORA:
                    calls = corpus(name, DEFAULT)
                    if not calls or calls[0]["language"] != lang:
                        continue
                    for data in calls:
                        out.append(record(call_from_json(data), rubric, {}, f"real/{name}", rec))
                    print(f"{name}: {len(calls)} calls", file=sys.stderr, flush=True)
            args.out.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
