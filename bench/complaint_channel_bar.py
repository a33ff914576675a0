"""Fit the complaint trigger's decision bar for public written threads, leaving one batch out.

The shipped complaint model reads every customer sentence and its best one decides at the top of
the rubric's band, a bar set for phone calls (cross-validated on the exemplar banks, and in
Mandarin only where the nearest exemplars agree). A public written thread (a post tagging the
company with ``@`` and the replies under it: ``CallView.public_thread``) is another channel: a
fault stated flatly there is a complaint, and its best sentence scores lower than an angry call's.
The learned check's ``public_band`` gives that channel its own bar; this bench fits it.

Per language, each real tuning batch (``tests/data/dev_real/{lang}/{labels,batch2,batch3}.jsonl``,
every thread public) is scored once with the bar at 0, which shows, per thread, whether the rules
fired and else the best sentence's probability. Leave one batch out: the bar that agrees with the
most labels of the other two (with the rules: a complaint when either says so; the highest of equals,
no bar where none gains, as ``complaint_transfer.thread_threshold``) is applied to the held-out
batch, beside the rubric as it is in this checkout. The bar fitted on all three is what the
rubric's ``public_band`` records (its low end 0.05 below: unsure, flagged for review).
``--written`` also scores the written tuning calls of ``tests/data/dev_{lang}`` with the rubric as
it is and with its ``public_band`` taken out: a call is never a public thread, so nothing may move.

    .venv/bin/python bench/complaint_channel_bar.py [--lang zh en] [--written]

Measured 7 Dec 2026 (helper complaint10, main 4143913 + this branch): see docs/rubrics.md,
"Public threads: the complaint trigger's own bar".
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from complaint_transfer import BATCHES, DATA, ITEM, agreement, thread_threshold, threads, written  # noqa: E402

from qa_pipeline.rubric import load_rubric, rubrics_dir, score_call  # noqa: E402
from qa_pipeline.rubric import encoder as encoders  # noqa: E402
from qa_pipeline.rubric.loader import parse_rubric, read_rubric_yaml  # noqa: E402
from qa_pipeline.rubric.view import CallView  # noqa: E402

FOUND = "learned complaint: found "
LOW_BELOW = 0.05  # the unsure band's width under the fitted bar


def rubric_with(lang: str, public_band):
    """The standard rubric of ``lang`` with the complaint check's ``public_band`` set (None: taken out)."""
    path = rubrics_dir() / f"standard-{lang}.yaml"
    data = copy.deepcopy(read_rubric_yaml(path.read_text(encoding="utf-8")))
    check = next(c for c in data["checks"] if c["id"] == ITEM)
    check["rule"].pop("public_band", None)
    if public_band is not None:
        check["rule"]["public_band"] = list(public_band)
    return parse_rubric(data, str(path))


def outcome(call, rubric):
    finding = next(f for f in score_call(call, rubric, sentiment=0.0).findings if f.check_id == ITEM)
    return finding


def readings(calls, lang: str) -> tuple[list[bool], np.ndarray]:
    """Per thread: did the rules fire, and the best customer sentence's probability (0 where the
    rules fired or nothing was judged), read with the public bar at 0."""
    rubric = rubric_with(lang, (0.0, 0.0))
    rules, best = [], []
    for call, _ in calls:
        f = outcome(call, rubric)
        by_model = f.outcome == "pass" and (f.rule or "").startswith(FOUND)
        rules.append(f.outcome == "pass" and not by_model)
        best.append(float(f.confidence) if by_model else 0.0)
    return rules, np.array(best)


def fired(calls, rubric) -> list[bool]:
    return [outcome(call, rubric).outcome == "pass" for call, _ in calls]


def run(lang: str, with_written: bool) -> None:
    batches = threads(lang)
    read = {b: readings(batches[b], lang) for b in BATCHES}
    as_is = {b: fired(batches[b], rubric_with(lang, None)) for b in BATCHES}
    print(f"\n== {lang}: the public-thread bar, leave one batch out")
    totals = [0, 0, 0]
    for held in BATCHES:
        train = [b for b in BATCHES if b != held]
        rules = [r for b in train for r in read[b][0]]
        best = np.concatenate([read[b][1] for b in train])
        labels = [y for b in train for _, y in batches[b]]
        bar = thread_threshold(rules, best, labels)
        test = batches[held]
        before = as_is[held]
        after = [r or p >= bar for r, p in zip(read[held][0], read[held][1])]
        totals[0] += sum(g == y for (_, y), g in zip(test, before))
        totals[1] += sum(g == y for (_, y), g in zip(test, after))
        totals[2] += len(test)
        print(f"  test {held:7s}: bar {bar:.3f} (fitted on {' + '.join(train)}): "
              f"no public bar {agreement(test, before)} -> with the bar {agreement(test, after)}")
    every = [x for b in BATCHES for x in batches[b]]
    bar = thread_threshold([r for b in BATCHES for r in read[b][0]], np.concatenate([read[b][1] for b in BATCHES]),
                           [y for _, y in every])
    print(f"  all folds held out: {totals[0]}/{totals[2]} -> {totals[1]}/{totals[2]}")
    if np.isfinite(bar):
        print(f"  fitted on all three batches: public_band [{max(bar - LOW_BELOW, 0.0):.2f}, {bar:.2f}]")
    else:
        print("  fitted on all three batches: no bar gains a thread; leave public_band out")
    if with_written:
        calls = written(lang)
        public = sum(CallView(c).public_thread for c, _ in calls)
        print(f"  written tuning calls of dev_{lang} ({len(calls)}, {public} of them public threads): "
              f"public_band out {agreement(calls, fired(calls, rubric_with(lang, None)))}  "
              f"as shipped {agreement(calls, fired(calls, load_rubric(rubrics_dir() / f'standard-{lang}.yaml')))}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", nargs="*", choices=("zh", "en"), default=["zh", "en"])
    ap.add_argument("--written", action="store_true", help="also score the written tuning calls (no change expected)")
    args = ap.parse_args(argv)
    if not DATA.is_dir():
        print(f"no data in {DATA} (see ../shared/data/README.md)", file=sys.stderr)
        return 2
    if encoders.sentence_encoder() is None:
        print("no sentence encoder installed: the learned judgements are off, no bar to fit", file=sys.stderr)
        return 2
    print(encoders.encoder_status())
    for lang in args.lang:
        run(lang, args.written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
