"""Fit the complaint trigger's decision bar for public written threads, leaving one batch out.

The shipped complaint model reads every customer sentence and its best one decides at the top of
the rubric's band, a bar set for phone calls (cross-validated on the exemplar banks, and in
Mandarin only where the nearest exemplars agree). A public written thread (a post tagging the
company with ``@`` and the replies under it: ``CallView.public_thread``) is another channel: a
complaint there is often a fault stated flatly over several sentences, and a plain question about
a fault scores as high in its one best sentence. The learned check's ``public_bar`` (``{p: P,
sentences: N}``: found when N of the customer's sentences score P or more) gives that channel its
own bar; this bench fits it.

Per language, for each real tuning thread (``tests/data/dev_real/{lang}/{labels,batch2,batch3}.jsonl``,
every one public): did the rules fire (the rubric scored with the rules' answer read apart from the
classifier's), and the complaint model's probability of each whole customer sentence (those the
check's ``unless`` leaves to the rules at 0). Leave one batch out: the bar (P on a 0.05 grid from
0.40 to 0.70, N from 1 to 3) that agrees with the most labels of the other two batches (a complaint
where the rules or the bar say so; of equals the one firing on the fewest training threads, then
the highest P) is applied to the held-out batch, beside the rubric as it is without ``public_bar``.
The bar fitted on all three batches is what the rubric's ``public_bar`` records. ``--written``
also scores the written tuning calls of ``tests/data/dev_{lang}`` with and without the rubric's
``public_bar``: a call is never a public thread, so nothing may move.

    .venv/bin/python bench/complaint_channel_bar.py [--lang zh en] [--written]

Measured 7 Dec 2026 (helper complaint10, main 4143913 + this branch; the rules were tuned on all
three batches, so only the bar is out of sample), without -> with the bar fitted on the other two:
zh labels 29 -> 29, batch2 23 -> 27, batch3 28 -> 27 (80 -> 83/90), fitted on all three {p: 0.45,
sentences: 2}; en 28 -> 28, 25 -> 25, 27 -> 22 (80 -> 75/90), none fitted on all three (no bar in
standard-en). Written: dev_zh 169/174 and dev_en 180/187 either way (no call is a public thread).
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from complaint_transfer import BATCHES, ITEM, agreement, ready_encoder, threads, written  # noqa: E402
from fold_fit import best, leave_one_out, totals  # noqa: E402

from qa_pipeline.rubric import load_rubric, rubrics_dir, score_call  # noqa: E402
from qa_pipeline.rubric.learned import split_sentences  # noqa: E402
from qa_pipeline.rubric.loader import parse_rubric, read_rubric_yaml  # noqa: E402
from qa_pipeline.rubric.view import CallView  # noqa: E402

GRID_P = tuple(round(0.40 + 0.05 * i, 2) for i in range(7))
GRID_N = (1, 2, 3)


def rubric_with(lang: str, public_bar):
    """The standard rubric of ``lang`` with the complaint check's ``public_bar`` set (None: taken out)."""
    path = rubrics_dir() / f"standard-{lang}.yaml"
    data = copy.deepcopy(read_rubric_yaml(path.read_text(encoding="utf-8")))
    check = next(c for c in data["checks"] if c["id"] == ITEM)
    check["rule"].pop("public_bar", None)
    if public_bar is not None:
        check["rule"]["public_bar"] = dict(public_bar)
    return parse_rubric(data, str(path))


def finding(call, rubric):
    return next(f for f in score_call(call, rubric, sentiment=0.0).findings if f.check_id == ITEM)


def fired(calls, rubric) -> list[bool]:
    return [finding(call, rubric).outcome == "pass" for call, _ in calls]


def readings(calls, rubric, encoder) -> list[tuple[bool, list[float]]]:
    """Per thread: did the rules fire, and each whole customer sentence's complaint probability
    (0 for a sentence the check leaves to the rules), as the learned check reads them."""
    node = next(c.rule for c in rubric.checks if c.id == ITEM)
    model = node._model(encoder)
    out = []
    for call, _ in calls:
        f = finding(call, rubric)
        rules = f.outcome == "pass" and not (f.rule or "").startswith(f"{node.label}:")
        turns = [t for t in call.turns if t.speaker == node.scope.speaker]
        said = [(s, t.text) for t in turns for s in split_sentences(t.text or "")]
        probs = model.probabilities(encoder.embed([s for s, _ in said])) if said else np.zeros(0)
        out.append((rules, [0.0 if node._left_to_rules(s, text) else float(p) for (s, text), p in zip(said, probs)]))
    return out


def decide(reading, bar: tuple[float, int]) -> bool:
    rules, probs = reading
    return rules or sum(p >= bar[0] for p in probs) >= bar[1]


def fit(read: list, labels: list[bool]):
    """The bar agreeing with the most ``labels``; of equals, the one firing on the fewest threads,
    then the highest probability; None where no bar beats the rules alone."""
    def key(bar):
        got = [decide(r, bar) for r in read]
        return (sum(g == y for g, y in zip(got, labels)), -sum(got), bar[0])
    chosen = best(((p, n) for p in GRID_P for n in GRID_N), key)
    rules_alone = sum(r[0] == y for r, y in zip(read, labels))
    return chosen if key(chosen)[0] > rules_alone else None


def run(lang: str, with_written: bool, encoder) -> None:
    batches = threads(lang)
    plain = rubric_with(lang, None)
    read = {b: readings(batches[b], plain, encoder) for b in BATCHES}
    as_is = {b: fired(batches[b], plain) for b in BATCHES}
    print(f"\n== {lang}: the public-thread bar, leave one batch out")
    # A batch's rows: (reading, label, the rubric as it is without public_bar); the bar in use is
    # None (no bar: the rubric as it is).
    folds = {b: [(r, y, a) for r, (_, y), a in zip(read[b], batches[b], as_is[b])] for b in BATCHES}

    def agreed(bar, rows) -> int:
        return sum((decide(r, bar) if bar else a) == y for r, y, a in rows)

    held = leave_one_out(folds, lambda rows: fit([r for r, _, _ in rows], [y for _, y, _ in rows]), agreed, None)
    for h in held:
        test, bar = batches[h.name], h.fitted
        after = [decide(r, bar) for r in read[h.name]] if bar else as_is[h.name]
        said = f"p {bar[0]:.2f} in {bar[1]} sentence(s)" if bar else "none"
        train = [b for b in BATCHES if b != h.name]
        print(f"  test {h.name:7s}: bar {said} (fitted on {' + '.join(train)}): "
              f"without {agreement(test, as_is[h.name])} -> with {agreement(test, after)}")
    before, after, n = totals(held)
    bar = fit([r for b in BATCHES for r in read[b]], [y for b in BATCHES for _, y in batches[b]])
    print(f"  all folds held out: {before}/{n} -> {after}/{n}")
    print(f"  fitted on all three batches: "
          + (f"public_bar: {{p: {bar[0]:.2f}, sentences: {bar[1]}}}" if bar else "no bar gains a thread; leave public_bar out"))
    if with_written:
        calls = written(lang)
        public = sum(CallView(c).public_thread for c, _ in calls)
        print(f"  written tuning calls of dev_{lang} ({len(calls)}, {public} of them public threads): "
              f"public_bar out {agreement(calls, fired(calls, plain))}  "
              f"as shipped {agreement(calls, fired(calls, load_rubric(rubrics_dir() / f'standard-{lang}.yaml')))}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", nargs="*", choices=("zh", "en"), default=["zh", "en"])
    ap.add_argument("--written", action="store_true", help="also score the written tuning calls (no change expected)")
    args = ap.parse_args(argv)
    encoder = ready_encoder("no bar to fit")
    if encoder is None:
        return 2
    for lang in args.lang:
        run(lang, args.written, encoder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
