"""Calibration: a centre's reviews retrain the learned judgements, as a new model version.

Every confirmation and override of a finding (``finding_reviews``) and every imported
evaluation (``imported_reviews``, :mod:`qa_pipeline.review.history`) is a labelled call for
one item. For an item of the learned judgements (:mod:`qa_pipeline.rubric.checks.learned`)
a labelled call becomes labelled sentences of the item's scope (the agent's sentences; the
customer's for the complaint trigger):

- an outcome that is the item's *target* (C2 ``pass``: the need restated; B2 ``fail``: a
  breach) makes one positive: the scope sentence the current model finds most likely — the
  deciding sentence, which a person marks by their outcome but not by pointing at it;
- the other outcome makes every scope sentence a negative: none of them does it;
- ``na`` teaches nothing.

:func:`calibrate` retrains each item on its exemplar banks plus these sentences and measures
per-item agreement with the reviewers before (the model scoring uses now) and after,
cross-validated on the centre's reviewed calls (k-fold by call: a held-out call's sentences
never train the model that judges it). A call agrees when scoring it as ``qa score`` does
(the whole rubric of its language, rules first, with the candidate model in place of the
item's) gives the item the reviewer's outcome. An item keeps
its current model when it has fewer than :data:`MIN_CALLS` reviewed calls or fewer than
:data:`MIN_PER_OUTCOME` of either outcome, or when retraining would not raise agreement;
the report says which and why. The models are written to the centre's database as a new
model version (``model_versions``; the vectors in ``item_model_store``), never to the repository;
:func:`activate` makes scoring use the latest one (``qa score`` does).

>>> with store.opened("qa.duckdb", read_only=True) as con:
...     result = calibrate(con, [standard_rubric("zh"), standard_rubric("en")], encoder=sentence_encoder())
>>> [(r.item, r.before, r.after, r.decision) for r in result.items]
>>> with store.opened("qa.duckdb") as con, store.transaction(con):
...     save(con, result, actor="cli:li")     # 3: the new model version
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Iterable, Optional, Sequence

import duckdb
import numpy as np

from qa_pipeline.errors import QaError
from qa_pipeline.privacy.access import audit
from qa_pipeline.rubric import encoder as encoders
from qa_pipeline.rubric.engine import score_call
from qa_pipeline.rubric.exemplars import load_bank
from qa_pipeline.rubric.learned import (
    ItemModel,
    bank_examples,
    fit_item_model,
    item_model,
    models_in_use,
    split_sentences,
    use_models,
)
from qa_pipeline.rubric.model import Rubric
from qa_pipeline.store.database import load_calls
from qa_pipeline.store.database import stored_metrics as store_metrics

log = logging.getLogger(__name__)

__all__ = ["MIN_CALLS", "MIN_PER_OUTCOME", "FOLDS", "LearnedItem", "ReviewLabel", "ItemReport", "Calibration",
           "CalibrationError", "learned_items", "centre_examples", "review_labels", "calibrate", "save", "stored_models",
           "latest_version", "current_models", "activate"]

MIN_CALLS = 10        # reviewed calls an item needs before its model is retrained
MIN_PER_OUTCOME = 3   # of each outcome (target and not): agreement on one class alone says nothing
FOLDS = 5
MAX_NEGATIVES_PER_CALL = 40


@dataclass(frozen=True)
class LearnedItem:
    """One learned judgement of a rubric: what trains it and which sentences it reads."""
    item: str
    check_id: str  # the rubric check it decides (its finding is compared with the reviewer's outcome)
    target: str
    banks: tuple[str, ...]
    negatives: tuple[str, ...]
    speaker: str
    low: float
    high: float
    bank_weights: tuple[float, ...] = ()  # how much each bank's exemplars count (the rubric's ``bank``)


@dataclass(frozen=True)
class ReviewLabel:
    call_id: str
    item: str
    outcome: str  # pass | fail
    source: str   # confirm | override | import


@dataclass
class ItemReport:
    item: str
    target: str
    calls: int = 0
    target_calls: int = 0
    before: Optional[float] = None  # agreement with the reviewers, the current model
    after: Optional[float] = None   # the same, retrained (cross-validated by call)
    decision: str = "kept"          # retrained | kept
    reason: str = ""
    examples: int = 0               # the centre's sentences the new model was trained on


@dataclass
class Calibration:
    version: Optional[int]  # set by save(); None: not saved (or nothing retrained)
    encoder_id: str
    base_version: Optional[int] = None  # the version it started from (None: the bank models)
    items: list[ItemReport] = field(default_factory=list)
    models: dict[tuple[str, str], ItemModel] = field(default_factory=dict)  # (item, target) → the new version's


class CalibrationError(QaError):
    """A calibration that cannot be saved, worded for the person running it."""


def learned_items(rubrics: Iterable[Rubric]) -> list[LearnedItem]:
    """The learned judgements of ``rubrics`` by item (the first rubric naming an item wins)."""
    found: dict[str, LearnedItem] = {}

    def walk(node, check_id: str) -> None:
        if getattr(node, "type_id", "") == "learned" and node.item not in found:
            found[node.item] = LearnedItem(node.item, check_id, node.target, tuple(node.banks),
                                           tuple(node.negatives), node.scope.speaker, node.low, node.high,
                                           tuple(node.bank_weights))
        for attr in ("parts", "part", "rule"):
            child = getattr(node, attr, None)
            for c in child if isinstance(child, (list, tuple)) else [child]:
                if c is not None and hasattr(c, "type_id"):
                    walk(c, check_id)

    for rubric in rubrics:
        for check in rubric.checks:
            walk(check.rule, check.id)
    return list(found.values())


def review_labels(con: duckdb.DuckDBPyConnection) -> list[ReviewLabel]:
    """The centre's labelled calls: confirmations and overrides (latest per call and item,
    over every rubric version), then imported evaluations for what no finding review covers
    (latest per call and item). ``na`` outcomes are left out."""
    rows = con.execute(
        """SELECT call_id, check_id, human_outcome, verdict FROM (
               SELECT *, row_number() OVER (PARTITION BY call_id, check_id ORDER BY reviewed_at DESC) AS k
               FROM finding_review_store) WHERE k = 1""").fetchall()
    labels = {(c, i): ReviewLabel(c, i, o, v) for c, i, o, v in rows}
    for c, i, o in con.execute(
            """SELECT call_id, item, outcome FROM (
                   SELECT *, row_number() OVER (PARTITION BY call_id, item ORDER BY reviewed_at DESC) AS k
                   FROM imported_review_store) WHERE k = 1""").fetchall():
        labels.setdefault((c, i), ReviewLabel(c, i, o, "import"))
    return sorted((lab for lab in labels.values() if lab.outcome in ("pass", "fail")),
                  key=lambda lab: (lab.item, lab.call_id))


def _scope_sentences(con: duckdb.DuckDBPyConnection, call_ids: Sequence[str], speaker: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {c: [] for c in call_ids}
    if not call_ids:
        return out
    for call_id, text in con.execute(
            "SELECT call_id, text FROM turn_store WHERE speaker = ? AND call_id IN (SELECT unnest(?)) "
            "ORDER BY call_id, turn", [speaker, list(call_ids)]).fetchall():
        out[call_id].extend(split_sentences(text or ""))
    return out


def latest_version(con: duckdb.DuckDBPyConnection) -> Optional[int]:
    row = con.execute("SELECT max(model_version) FROM model_version_store").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def stored_models(con: duckdb.DuckDBPyConnection, version: Optional[int] = None,
                  encoder_id: Optional[str] = None) -> dict[tuple[str, str], ItemModel]:
    """The item models of a model version (the latest when None) by ``(item, target)``;
    only those of ``encoder_id`` when given (vectors of another encoder mean nothing)."""
    version = latest_version(con) if version is None else version
    if version is None:
        return {}
    sql = ("SELECT item, target, encoder_id, mean, weights, bias, n_target, n_other, cv_max_other, cv_q90_other, "
           "cv_accuracy FROM item_model_store WHERE model_version = ?")
    params: list = [version]
    if encoder_id is not None:
        sql += " AND encoder_id = ?"
        params.append(encoder_id)
    out = {}
    for item, target, enc, mean, weights, bias, nt, no, cmax, cq90, cacc in con.execute(sql, params).fetchall():
        out[(item, target)] = ItemModel(item, target, enc, np.asarray(mean, dtype=np.float32),
                                        np.asarray(weights, dtype=np.float32), float(bias), int(nt), int(no),
                                        float(cmax), float(cq90), float(cacc), version=str(version))
    return out


def current_models(con: duckdb.DuckDBPyConnection) -> tuple[Optional[int], list[ItemModel]]:
    """The centre's latest model version and its item models of the loaded sentence encoder;
    ``(None, [])`` when there is none, or none for this encoder (the bank models then score)."""
    version = latest_version(con)
    encoder = encoders.sentence_encoder() if version is not None else None
    models = stored_models(con, version, encoder.id) if encoder is not None else {}
    return (version if models else None), list(models.values())


def activate(con: duckdb.DuckDBPyConnection) -> Optional[int]:
    """Make scoring in this process use the centre's latest model version (its models of the
    loaded sentence encoder; the bank models for the other items, and everywhere when there is
    none). Returns the version in use, None for the bank models alone. A finding a calibrated
    model decided names the version in its rule (``… p=0.91 (model v2)``), and each stored
    result its number (``model_version``)."""
    version, models = current_models(con)
    use_models(models)
    return version


class _Scorer:
    """The reviewed calls scored as ``qa score`` scores them (rules, bands, scopes and all),
    with a chosen set of calibrated models: agreement is the scorer's, not the classifier's."""

    def __init__(self, con: duckdb.DuckDBPyConnection, rubrics: Sequence[Rubric], call_ids: Iterable[str]):
        ids = sorted(set(call_ids))
        self.calls = {c.call_id: c for c in load_calls(con, ids, words=False)}
        self.sentiments, _ = store_metrics(con, ids)
        self.rubrics = list(rubrics)

    def outcomes(self, call_ids: Iterable[str], check_id: str, models: Iterable[ItemModel]) -> dict[str, str]:
        """``check_id``'s outcome for each call, scored with ``models`` in place of the bank ones."""
        out = {}
        with models_in_use(models):
            for call_id in call_ids:
                call = self.calls[call_id]
                rubric = next((r for r in self.rubrics if call.language in r.languages), self.rubrics[0])
                result = score_call(call, rubric, sentiment=self.sentiments.get(call_id))
                out[call_id] = next((f.outcome for f in result.findings if f.check_id == check_id), "na")
        return out


def centre_examples(model: ItemModel, labelled: dict[str, bool], vectors: dict[str, np.ndarray],
                    sentences: dict[str, list[str]]) -> tuple[list[str], list[float]]:
    """Sentences and labels from labelled calls (see the module docstring)."""
    texts: list[str] = []
    labels: list[float] = []
    for call_id, is_target in labelled.items():
        said = sentences[call_id]
        if not said:
            continue
        if is_target:
            texts.append(said[int(np.argmax(model.probabilities(vectors[call_id])))])
            labels.append(1.0)
        else:
            texts.extend(said[:MAX_NEGATIVES_PER_CALL])
            labels.extend([0.0] * min(len(said), MAX_NEGATIVES_PER_CALL))
    return texts, labels


def _calibrate_item(con, spec: LearnedItem, labels: list[ReviewLabel], encoder, base: ItemModel,
                    others: list[ItemModel], current: Optional[ItemModel], bank_texts: list[str],
                    bank_y: np.ndarray, bank_w: np.ndarray, scorer: _Scorer) -> tuple[ItemReport, Optional[ItemModel]]:
    """``base``: the bank's model; ``current``: the centre's model in use (None: the bank's);
    ``others``: the centre's models of the other items, in use while this one is measured.
    ``bank_w``: how much each bank exemplar counts (its bank's weight); the centre's own
    sentences count 1, as the rubric's own language does."""
    report = ItemReport(spec.item, spec.target)
    human = {lab.call_id: lab.outcome for lab in labels if lab.call_id in scorer.calls}
    sentences = _scope_sentences(con, list(human), spec.speaker)
    calls = sorted(human)
    labelled = {c: human[c] == spec.target for c in calls}
    report.calls = len(calls)
    report.target_calls = sum(labelled.values())
    if calls:
        now = scorer.outcomes(calls, spec.check_id, others + ([current] if current else []))
        report.before = float(np.mean([now[c] == human[c] for c in calls]))
    other = report.calls - report.target_calls
    if report.calls < MIN_CALLS or min(report.target_calls, other) < MIN_PER_OUTCOME:
        report.reason = (f"too few reviews: {report.calls} reviewed calls ({report.target_calls} {spec.target}, "
                         f"{other} not); needs {MIN_CALLS} with {MIN_PER_OUTCOME} of each")
        return report, None
    vectors = {c: encoder.embed(sentences[c]) if sentences[c] else np.zeros((0, encoder.dim), np.float32)
               for c in calls}
    # The positives are picked by the bank's model, not by a model the centre already tuned,
    # so a version does not feed on its own choices.
    folds = np.random.default_rng(0).permutation(len(calls)) % min(FOLDS, len(calls))
    agree = []
    for k in range(int(folds.max()) + 1):
        train = {c: labelled[c] for c, f in zip(calls, folds) if f != k}
        held = [c for c, f in zip(calls, folds) if f == k]
        texts, ys = centre_examples(base, train, vectors, sentences)
        model = fit_item_model(encoder, bank_texts + texts, np.concatenate([bank_y, ys]), spec.item,
                               target=spec.target, keep=False,
                               weights=np.concatenate([bank_w, np.ones(len(ys))])) or base
        got = scorer.outcomes(held, spec.check_id, [*others, model])
        agree += [got[c] == human[c] for c in held]
    report.after = float(np.mean(agree))
    if report.after <= report.before:
        report.reason = (f"retraining would not raise agreement ({report.before:.0%} now, "
                         f"{report.after:.0%} cross-validated)")
        return report, None
    texts, ys = centre_examples(base, labelled, vectors, sentences)
    model = fit_item_model(encoder, bank_texts + texts, np.concatenate([bank_y, ys]), spec.item,
                           target=spec.target, keep=False, weights=np.concatenate([bank_w, np.ones(len(ys))]))
    if model is None:  # cannot happen with a bank that trained `base`; said rather than assumed
        report.reason = "too few exemplars to train"
        return report, None
    report.decision, report.examples = "retrained", len(texts)
    return report, model


def calibrate(con: duckdb.DuckDBPyConnection, rubrics: Sequence[Rubric], *, encoder,
              items: Optional[Sequence[str]] = None) -> Calibration:
    """Retrain the learned judgements of ``rubrics`` on their banks plus the centre's reviews
    (see the module docstring); reads only, so ``con`` may be read-only: the training takes
    minutes and the database stays free meanwhile. ``items``: only these. Write the result
    with :func:`save`."""
    labels = review_labels(con)
    previous = latest_version(con)
    stored = stored_models(con, previous, encoder.id)
    result = Calibration(None, encoder.id, base_version=previous)
    scorer = _Scorer(con, rubrics, {lab.call_id for lab in labels})
    with models_in_use([]):  # item_model answers with the bank models below
        for spec in learned_items(rubrics):
            if items and spec.item not in items:
                continue
            key = (spec.item, spec.target)
            banks = [load_bank(b) for b in spec.banks]
            bank_texts, bank_y, bank_w = bank_examples(banks, spec.item, target=spec.target,
                                                       negatives=spec.negatives, weights=spec.bank_weights)
            base = item_model(banks, spec.item, target=spec.target, encoder=encoder, negatives=spec.negatives,
                              weights=spec.bank_weights)
            if base is None:
                result.items.append(ItemReport(spec.item, spec.target, reason="too few exemplars in its banks"))
                continue
            others = [m for k, m in stored.items() if k != key]
            report, model = _calibrate_item(con, spec, [lab for lab in labels if lab.item == spec.check_id],
                                            encoder, base, others, stored.get(key), bank_texts, bank_y, bank_w,
                                            scorer)
            result.items.append(report)
            if model is not None:
                result.models[key] = model
            elif key in stored:  # kept: the current version's model carries over
                result.models[key] = stored[key]
    return result


def save(con: duckdb.DuckDBPyConnection, result: Calibration, *, actor: str = "calibrate") -> Optional[int]:
    """Write ``result`` as the next model version when it retrained any item; returns the
    version (also set on ``result``), None when nothing was retrained. Refuses a result whose
    starting version is no longer the latest (another calibration was saved meanwhile).
    Starts no transaction; the caller groups the writes."""
    if not any(r.decision == "retrained" for r in result.items):
        return None
    latest = latest_version(con)
    if latest != result.base_version:
        raise CalibrationError(f"model version {latest} was saved while this calibration ran (it started from "
                               f"{result.base_version or 'the bank models'}); run qa calibrate again")
    result.version = (latest or 0) + 1
    _write_version(con, result.version, result.encoder_id, result.models, result, actor)
    result.models = {key: replace(m, version=str(result.version)) for key, m in result.models.items()}
    return result.version


def _write_version(con: duckdb.DuckDBPyConnection, version: int, encoder_id: str,
                   models: dict[tuple[str, str], ItemModel], result: Calibration, actor: str) -> None:
    report = {r.item: {"decision": r.decision, "reason": r.reason, "calls": r.calls, "before": r.before,
                       "after": r.after, "examples": r.examples} for r in result.items}
    con.execute("INSERT INTO model_version_store VALUES (?, ?, ?, ?, ?)",
                [version, encoder_id, datetime.now(timezone.utc), actor, json.dumps(report)])
    for (item, target), m in models.items():
        con.execute("INSERT INTO item_model_store VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [version, item, target, m.encoder_id, m.mean.astype(float).tolist(),
                     m.weights.astype(float).tolist(), m.bias, m.n_target, m.n_other, m.cv_max_other,
                     m.cv_q90_other, m.cv_accuracy])
    audit(con, actor, "model.calibrate", str(version), report)
