"""Does the complaint trigger learn from a centre's own labelled threads, and does it carry over?

An experiment, not a product change. The real Weibo helpdesk threads of the tuning batches
(``tests/data/dev_real/{zh,en}/{labels,batch2,batch3,batch4}.jsonl``, those that exist, thread text built from
../shared/data/text by :func:`critical_precision.corpus`, joined by :mod:`real_labels`) are
labelled ``complaint: true/false`` per thread. Per language, leave one batch out: the complaint
model is retrained on the other two batches exactly as ``qa calibrate`` retrains it from a
centre's reviews (:mod:`qa_pipeline.review.calibration`: the exemplar banks plus, for each
complaint thread, the customer sentence the bank model finds most likely, and every customer
sentence of the other threads as negatives), then the held-out batch is scored as ``qa score``
scores it (the whole rubric, rules first, the retrained model in place of the bank's) and its
complaint outcome compared with the label, beside main's (rules + bank model as shipped).

Then the model trained on all three batches scores the written-call tuning folders of
``tests/data/dev_{lang}`` (never the blind set or a never-tuned hold-out): does a
model calibrated on a written public channel hurt the calls of another channel?

    .venv/bin/python bench/complaint_transfer.py [--lang zh en] [--no-written]

Prints per fold: agreement main vs retrained (count/total), what changed (thread ids and labels
only, never their text), and the time to retrain and to score. A second reading adds a
thread-level threshold on the retrained model's best customer sentence (a complaint when the
rubric or the threshold says so), the threshold set on the training batches.

Measured 7 Dec 2026 (helper cplx; main 4854477, whose rules were tuned on all three batches, so
its figures here are in-sample): per language, all folds, main / retrained as qa calibrate does /
retrained + thread threshold — zh 80 / 81 / 82 of 90, en 80 / 80 / 78 of 90. The one honest fold,
``--rubric-at 2678da0`` (main before batch 3 was tuned on; trained on labels + batch2, tested on
batch3): zh 22 / 22 / 26 of 30, en 18 / 18 / 22 of 30. Written tuning calls, trained on all 90
threads: zh 154 / 154 / 140 of 158 (the threshold adds 15 false alarms), en 167 / 167 / 167 of 171.
"""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import NEVER_SCORED, labelled_folders, read_calls  # noqa: E402
from real_labels import labelled_calls  # noqa: E402

from qa_pipeline.review.calibration import centre_examples, learned_items  # noqa: E402
from qa_pipeline.rubric import encoder as encoders  # noqa: E402
from qa_pipeline.rubric import load_rubric, score_call, standard_rubric  # noqa: E402
from qa_pipeline.rubric.exemplars import load_bank  # noqa: E402
from qa_pipeline.rubric.learned import (  # noqa: E402
    bank_examples,
    fit_item_model,
    item_model,
    models_in_use,
    split_sentences,
)
from qa_pipeline.transcript_io import call_from_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "text"
# The real tuning batches, in the order they were labelled; a language without a batch's file yet
# (batch4 was labelled later) has one fold fewer.
BATCHES = ("labels", "batch2", "batch3", "batch4")
ITEM = "complaint"


def labelled_threads(lang: str, data: Path = DATA) -> dict[str, list[tuple[object, dict]]]:
    """Per batch whose labels file exists, (call, the specialist's labels) for each labelled real thread of ``lang``."""
    out = {}
    for batch in BATCHES:
        path = ROOT / "tests" / "data" / "dev_real" / lang / f"{batch}.jsonl"
        if path.exists():
            out[batch] = [(call_from_json(rec), rec["labels"]) for pairs in labelled_calls(path, data).values()
                          for rec, _ in pairs]
    return out


def threads(lang: str, data: Path = DATA) -> dict[str, list[tuple[object, bool]]]:
    """Per batch, (call, labelled complaint) for each labelled real thread of ``lang``."""
    return {batch: [(call, bool(labels[ITEM])) for call, labels in rows]
            for batch, rows in labelled_threads(lang, data).items()}


def written(lang: str) -> list[tuple[object, bool]]:
    """(call, labelled complaint) for the written tuning calls of tests/data/dev_{lang}."""
    return [pair for calls in written_folders(lang).values() for pair, _ in calls]


def written_folders(lang: str, examples: Path | None = None) -> dict[str, list[tuple[tuple[object, bool], dict]]]:
    """Per folder of written tuning calls of tests/data/dev_{lang} (each written by its own writer),
    and ``examples`` (../shared/qa-examples: its ``lang`` calls) as one more folder:
    ((call, labelled complaint), every label of the call) for each call labelled for the complaint."""
    out = {}
    sources = labelled_folders(ROOT / "tests" / "data" / f"dev_{lang}", recursive=True)
    if examples is not None:
        sources.append((examples, sorted(examples.glob(f"{lang}-*.json"))))
    for folder, files in sources:
        if any(part in NEVER_SCORED for part in folder.parts):
            continue
        calls = [((call_from_json(rec, path), bool(rec["labels"][ITEM])), rec["labels"])
                 for rec, path in read_calls(files) if ITEM in (rec.get("labels") or {})]
        if calls:
            out[folder.name] = calls
    return out


def fired(calls, rubric, models=()) -> list[bool]:
    """The complaint trigger's outcome (True: pass) for each call, scored as ``qa score`` does,
    with ``models`` in place of the bank models (none: main as shipped)."""
    out = []
    with models_in_use(models):
        for call, _ in calls:
            result = score_call(call, rubric, sentiment=0.0)
            out.append(next((f.outcome for f in result.findings if f.check_id == ITEM), "na") == "pass")
    return out


class Trainer:
    """The complaint model of one language's rubric, retrained as qa calibrate retrains it."""

    def __init__(self, rubric, encoder, centre_weight: float = 1.0):
        self.centre_weight = centre_weight
        spec = next(s for s in learned_items([rubric]) if s.item == ITEM)
        self.spec, self.encoder = spec, encoder
        banks = [load_bank(b) for b in spec.banks]
        self.bank_texts, self.bank_y, self.bank_w = bank_examples(
            banks, ITEM, target=spec.target, negatives=spec.negatives, weights=spec.bank_weights)
        with models_in_use([]):
            self.base = item_model(banks, ITEM, target=spec.target, encoder=encoder, negatives=spec.negatives,
                                   weights=spec.bank_weights)

    def _sentences(self, calls) -> tuple[dict, dict]:
        sentences = {c.call_id: [s for t in c.turns if t.speaker == self.spec.speaker
                                 for s in split_sentences(t.text or "")] for c, _ in calls}
        vectors = {k: self.encoder.embed(v) if v else np.zeros((0, self.encoder.dim), np.float32)
                   for k, v in sentences.items()}
        return sentences, vectors

    def best(self, model, calls) -> np.ndarray:
        """Per call, ``model``'s highest probability over the customer's sentences (0 with none)."""
        _, vectors = self._sentences(calls)
        return np.array([float(model.probabilities(vectors[c.call_id]).max()) if len(vectors[c.call_id]) else 0.0
                         for c, _ in calls])

    def train(self, calls):
        sentences, vectors = self._sentences(calls)
        labelled = {c.call_id: y for c, y in calls}
        texts, ys = centre_examples(self.base, labelled, vectors, sentences)
        return fit_item_model(self.encoder, self.bank_texts + texts, np.concatenate([self.bank_y, ys]), ITEM,
                              target=self.spec.target, keep=False,
                              weights=np.concatenate([self.bank_w, np.full(len(ys), self.centre_weight)]))


def agreement(calls, got) -> str:
    """``agreed/total (missed complaints, false alarms)``."""
    missed = sum(y and not g for (_, y), g in zip(calls, got))
    false = sum(g and not y for (_, y), g in zip(calls, got))
    return f"{len(calls) - missed - false}/{len(calls)} ({missed} missed, {false} false)"


def thread_threshold(rules: list[bool], best: np.ndarray, labels: list[bool]) -> float:
    """The thread-level threshold on the best sentence's probability that, with the rubric's own
    outcome (a complaint when either says so), agrees with the most training labels (the highest such)."""
    y = np.array(labels)
    fired_ = np.array(rules)
    candidates = np.concatenate([np.unique(best), [np.inf]])
    scores = [int(((fired_ | (best >= t)) == y).sum()) for t in candidates]
    top = max(scores)
    return float(max(t for t, sc in zip(candidates, scores) if sc == top))


def checkout_at(commit: str, workdir: Path) -> Path:
    """A folder under ``workdir`` holding ``rubrics/`` (rubrics and exemplar banks) as at ``commit``."""
    folder = workdir / commit
    if not folder.exists():
        folder.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "rubrics"], check=True,
                                 capture_output=True).stdout
        tarfile.open(fileobj=io.BytesIO(archive)).extractall(folder)
    return folder


def rubric_path_at(commit: str, lang: str, workdir: Path) -> Path:
    """The file of the standard rubric of ``lang`` as it was at ``commit`` (beside that commit's banks)."""
    return checkout_at(commit, workdir) / "rubrics" / f"standard-{lang}.yaml"


def rubric_at(commit: str, lang: str, workdir: Path):
    """The standard rubric of ``lang`` as it was at ``commit``, with that commit's exemplar banks."""
    return load_rubric(rubric_path_at(commit, lang, workdir))


def changes(calls, before, after) -> str:
    moved = [f"{c.call_id}({'C' if y else 'no'}: {'+' if a == y else '-'})"
             for (c, y), b, a in zip(calls, before, after) if a != b]
    return ", ".join(moved) or "none"


def run(lang: str, encoder, with_written: bool, rubric=None, centre_weight: float = 1.0) -> None:
    rubric = rubric or standard_rubric(lang)
    trainer = Trainer(rubric, encoder, centre_weight)
    batches = threads(lang)
    total = [0, 0, 0, 0]
    print(f"\n== {lang}: complaint trigger, leave one batch out "
          f"({', '.join(f'{b} {sum(y for _, y in v)}/{len(v)} complaints' for b, v in batches.items())})")
    for held in batches:
        train = [x for b in batches if b != held for x in batches[b]]
        test = batches[held]
        t0 = time.process_time()
        model = trainer.train(train)
        t_train = time.process_time() - t0
        fired(test, rubric)  # embeds the threads once: both timings below read the cache
        t0 = time.process_time()
        main = fired(test, rubric)
        t_main = time.process_time() - t0
        t0 = time.process_time()
        new = fired(test, rubric, [model])
        t_new = time.process_time() - t0
        tau = thread_threshold(fired(train, rubric, [model]), trainer.best(model, train), [y for _, y in train])
        either = [bool(g or p >= tau) for g, p in zip(new, trainer.best(model, test))]
        a, b = agreement(test, main), agreement(test, new)
        total[0] += sum(g == y for (_, y), g in zip(test, main))
        total[1] += sum(g == y for (_, y), g in zip(test, new))
        total[2] += len(test)
        majority = max(sum(y for _, y in test), sum(not y for _, y in test))
        print(f"  test {held:7s}: main {a}  retrained {b}  majority {majority}  "
              f"(train {t_train * 1000:.0f} ms CPU; score {t_main * 1000 / len(test):.1f} vs "
              f"{t_new * 1000 / len(test):.1f} ms/thread)")
        print(f"    changed: {changes(test, main, new)}")
        print(f"    retrained + thread threshold {tau:.2f} (set on the training batches): {agreement(test, either)}; "
              f"changed from main: {changes(test, main, either)}")
        total[3] += sum(g == y for (_, y), g in zip(test, either))
    print(f"  all folds: main {total[0]}/{total[2]}  retrained {total[1]}/{total[2]}  "
          f"retrained + thread threshold {total[3]}/{total[2]}")
    if not with_written:
        return
    every = [x for b in batches for x in batches[b]]
    model = trainer.train(every)
    tau = thread_threshold(fired(every, rubric, [model]), trainer.best(model, every), [y for _, y in every])
    calls = written(lang)
    main, new = fired(calls, rubric), fired(calls, rubric, [model])
    either = [bool(g or p >= tau) for g, p in zip(new, trainer.best(model, calls))]
    print(f"  written tuning calls of dev_{lang} (trained on all {len(every)} threads): main "
          f"{agreement(calls, main)}  retrained {agreement(calls, new)}")
    print(f"    changed: {changes(calls, main, new)}")
    print(f"  retrained + thread threshold {tau:.2f}: {agreement(calls, either)}; changed: {changes(calls, main, either)}")


def ready_encoder(nothing: str):
    """The installed sentence encoder, its status printed; or None after saying on stderr why not (the
    real threads of ``../shared`` absent, or no encoder installed: then ``nothing`` is what cannot be done)."""
    if not DATA.is_dir():
        print(f"no data in {DATA} (see ../shared/data/README.md)", file=sys.stderr)
        return None
    encoder = encoders.sentence_encoder()
    if encoder is None:
        print(f"no sentence encoder installed: the learned judgements are off, {nothing}", file=sys.stderr)
        return None
    print(encoders.encoder_status())
    return encoder


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", nargs="*", choices=("zh", "en"), default=["zh", "en"])
    ap.add_argument("--no-written", action="store_true", help="skip the written-call folders")
    ap.add_argument("--rubric-at", metavar="COMMIT",
                    help="score with the standard rubric and banks of this commit (e.g. main before a batch was tuned on)")
    ap.add_argument("--centre-weight", type=float, default=1.0,
                    help="how much each centre sentence counts beside a bank exemplar (qa calibrate: 1)")
    args = ap.parse_args(argv)
    encoder = ready_encoder("nothing to retrain")
    if encoder is None:
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        for lang in args.lang:
            rubric = rubric_at(args.rubric_at, lang, Path(tmp)) if args.rubric_at else None
            if args.rubric_at or args.centre_weight != 1.0:
                print(f"\n({lang}: rubric at {args.rubric_at or 'this checkout'}, centre weight {args.centre_weight})")
            run(lang, encoder, not args.no_written, rubric, args.centre_weight)
    return 0


if __name__ == "__main__":
    sys.exit(main())
