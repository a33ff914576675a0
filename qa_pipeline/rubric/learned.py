"""Learned judgements: one small classifier per item and exemplar bank, over sentence embeddings.

For an item (C2, B2, complaint …) the exemplars of its bank are embedded once
(:mod:`qa_pipeline.rubric.encoder`) and a class-balanced, L2-regularised logistic regression
(NumPy, a few hundred gradient steps; no scikit-learn) is fitted to tell the utterances that
decide the item (the *target*: ``pass`` for an item that is found, ``fail`` for one that must
never happen) from their near misses. A call's sentences in the item's scope are then scored
and the most likely one decides, with its probability as the confidence.

Models are trained lazily, once per process, bank file, item and encoder; the exemplar vectors
are also kept on disk (``$QA_MODELS_DIR/../embeddings``, keyed by the encoder id and the texts),
so a new process does not embed a large bank again.

Each bank may count less than the others (``weights``, the rubric's ``bank: {zh: 1.0, en: 0.35}``):
the multilingual encoder lets a Mandarin bank teach an English judgement, but what the other
language's exemplars pull into the model is also what moves this language's calls; a weight
below 1 lets them help without outvoting the rubric's own language (:func:`fit_logistic`).

>>> model = item_model([bank_zh, bank_en], "C2", target="pass", encoder=enc, weights=(1.0, 0.35))
>>> model.probabilities(enc.embed(["so you want the order sent to your office instead, right?"]))
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

import numpy as np

from qa_pipeline import model_packs
from qa_pipeline.rubric.exemplars import ExemplarBank

log = logging.getLogger(__name__)

__all__ = ["ItemModel", "item_model", "fit_logistic", "split_sentences", "split_clauses", "embed_cached",
           "bank_examples", "fit_item_model", "cross_validated", "use_models", "models_in_use", "version_in_use"]

MIN_PER_CLASS = 3  # fewer target or non-target exemplars than this: no model, rules only


@dataclass(frozen=True)
class ItemModel:
    item: str
    target: str  # the label the model detects
    encoder_id: str
    mean: np.ndarray
    weights: np.ndarray
    bias: float
    n_target: int
    n_other: int
    # From 5-fold cross-validation on the exemplars: the highest probability a held-out near
    # miss got, the 90th percentile of them, and the held-out accuracy at 0.5.
    cv_max_other: float = 1.0
    cv_q90_other: float = 0.5
    cv_accuracy: float = 0.0
    # The model version: "" for the one trained on the exemplar banks alone, else the version
    # a centre's calibration wrote (qa calibrate, stored in that centre's database).
    version: str = ""
    # The exemplars themselves (unit-length vectors, 1.0 = target), kept when the item is also
    # judged by its nearest exemplars (:meth:`neighbour_margin`); None otherwise.
    neighbours: Optional[np.ndarray] = None
    neighbour_labels: Optional[np.ndarray] = None
    # True for a model set by :func:`use_models` (a centre's calibration, or its candidate while
    # calibration measures it): it decides even where the rubric says ``decides: false``, since
    # calibration keeps it only where it beat the scoring in use on the centre's own reviews.
    calibrated: bool = False
    # float64 copies of the arrays above, made on first use (see :meth:`neighbour_margin`).
    _f64: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def neighbour_margin(self, vectors: np.ndarray, k: int = 3) -> Optional[np.ndarray]:
        """How much nearer each row is to the target exemplars than to the others: the mean
        cosine similarity of its ``k`` nearest target exemplars minus that of its ``k`` nearest
        other exemplars; None when the model keeps no exemplars (a calibrated model).

        A linear model over e5-small vectors weighs the words a sentence shares with forbidden
        language ("you", "not", "again") and scores a reassurance ("you haven't done anything
        wrong") as high as a reproach; the nearest exemplars tell them apart, because the bank
        holds the harmless look-alike next to the breach.

        Computed in float64 and rounded to float32, so that a row's margin does not depend on
        the rows beside it: scoring stacks the sentences of a whole batch of calls into one
        product, and BLAS sums a row in another order for another number of rows (in float32
        that shows in the 7th digit, in float64 in the 16th, which the rounding hides)."""
        if self.neighbours is None or self.neighbour_labels is None or len(vectors) == 0:
            return None
        v = np.asarray(vectors, dtype=np.float64)
        v = v / np.maximum(np.sqrt((v * v).sum(axis=1))[:, None], 1e-9)  # row by row: pairwise sums
        target, other = self._exemplars64()
        near_t = _mean_of_nearest(v @ target.T, k)
        near_o = _mean_of_nearest(v @ other.T, k)
        # Rounded to float32: what the order of BLAS's float64 sums changes (the 16th digit)
        # does not show.
        return (near_t - near_o).astype(np.float32).astype(np.float64)

    def _exemplars64(self) -> tuple[np.ndarray, np.ndarray]:
        """The target and the other exemplars, apart, as float64 (made once per model)."""
        kept = self._f64.get("exemplars")
        if kept is None:
            assert self.neighbours is not None and self.neighbour_labels is not None
            target = self.neighbour_labels > 0
            kept = self._f64["exemplars"] = (np.ascontiguousarray(self.neighbours[target], dtype=np.float64),
                                             np.ascontiguousarray(self.neighbours[~target], dtype=np.float64))
        return kept

    def band(self, low: float, high: float) -> tuple[float, float]:
        """The rubric's band raised to what the exemplars show: a sentence is unsure only above
        every held-out near miss, and decides only a margin (0.1) above that. A call has dozens
        of sentences and the best one is taken, so a threshold that lets ordinary talk through
        would decide or flag nearly every call."""
        floor = self.cv_max_other
        return max(low, floor), min(max(high, floor + 0.1), 0.999)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """P(target) for each row of ``vectors`` (embeddings from the same encoder), in float64."""
        if len(vectors) == 0:
            return np.zeros(0, dtype=np.float64)
        kept = self._f64.get("linear")
        if kept is None:
            kept = self._f64["linear"] = (np.asarray(self.mean, dtype=np.float64),
                                          np.asarray(self.weights, dtype=np.float64))
        mean, weights = kept
        # Each row's products summed row by row (NumPy's pairwise sum over the 384 values of a
        # row), not by BLAS, whose order of sums depends on how many rows there are: the
        # probability (a finding's confidence) is the same to the last bit whether the sentence
        # is scored alone or with a whole batch of calls.
        x = np.asarray(vectors, dtype=np.float64) - mean
        x *= weights
        z = x.sum(axis=1) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def _mean_of_nearest(sims: np.ndarray, k: int) -> np.ndarray:
    """The mean of each row's ``k`` largest values (at most its length)."""
    k = min(k, sims.shape[1])
    return -np.partition(-sims, k - 1, axis=1)[:, :k].mean(axis=1)


# ``sample_weight`` is positional, not keyword-only: the on-disk model cache keys on
# ``fit_logistic.__kwdefaults__`` (a changed default is a new fit), and a weight is part of
# the key only where one is below 1 (see :func:`_trained`).
def fit_logistic(x: np.ndarray, y: np.ndarray, sample_weight: Optional[np.ndarray] = None, *, l2: float = 1e-2,
                 steps: int = 25) -> tuple[np.ndarray, np.ndarray, float]:
    """Class-balanced, L2-regularised logistic regression fitted by Newton's method.

    Returns (mean, weights, bias). Features are centred on the training mean (e5 vectors share
    a large common component) and scaled to unit mean norm, so ``l2`` means the same whatever
    the encoder; with a few hundred dimensions a Newton step is one small linear solve, and 25
    of them converge where gradient descent needs thousands.

    ``sample_weight`` (default 1 each): how much each row counts, e.g. 0.35 for the exemplars
    of another language's bank. The classes stay balanced by weight (the target rows' weights
    and the others' each sum to half), so a lighter bank moves the boundary less without
    tipping it towards either class; weights all 1 give the unweighted fit."""
    n, d = x.shape
    w_row = _row_weights(sample_weight, n)
    if w_row is None:  # the unweighted fit, to the last bit as before weights existed
        mean = x.mean(axis=0)
        xc = (x - mean).astype(np.float64)
        scale = 1.0 / max(float(np.sqrt((xc ** 2).sum(axis=1).mean())), 1e-6)
        pos = max(int(y.sum()), 1)
        neg = max(n - int(y.sum()), 1)
        sample = np.where(y > 0, n / (2.0 * pos), n / (2.0 * neg)) / n
    else:
        mean = np.average(x, axis=0, weights=w_row).astype(x.dtype)
        xc = (x - mean).astype(np.float64)
        scale = 1.0 / max(float(np.sqrt(np.average((xc ** 2).sum(axis=1), weights=w_row))), 1e-6)
        pos_w = max(float(w_row[y > 0].sum()), 1e-12)
        neg_w = max(float(w_row[y <= 0].sum()), 1e-12)
        sample = w_row * np.where(y > 0, 0.5 / pos_w, 0.5 / neg_w)
    xs = np.hstack([xc * scale, np.ones((n, 1))])  # last column: the bias
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0  # the bias is not shrunk
    w = np.zeros(d + 1)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(xs @ w, -30, 30)))
        grad = xs.T @ (sample * (p - y)) + reg * w
        hess = (xs.T * (sample * p * (1 - p))) @ xs + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-6:
            break
    return mean.astype(np.float32), (w[:-1] * scale).astype(np.float32), float(w[-1])


def _row_weights(sample_weight: Optional[np.ndarray], n: int) -> Optional[np.ndarray]:
    """``sample_weight`` as float64, checked; None when it is absent or all 1 (the unweighted fit)."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n,) or not np.all(w > 0):
        raise ValueError(f"sample_weight must be {n} numbers above 0, not shape {w.shape}")
    return None if np.all(w == 1.0) else w


# A sentence ends after 。！？!?；; (and the spaces after it), or after a '.' that ends no title
# (Mr. Dr. No. …) where spaces and a capital or a quote follow. The match starts at the mark,
# captured, so the regex engine skips to the marks (a match that starts after the mark, with a
# look-behind, is tried at every character: twice the time of the whole split); a sentence is
# the text before a match and its mark.
_SENTENCE_END = re.compile(r"([。！？!?；;.])(?:(?<=[。！？!?；;])\s*"
                           r"|(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bMrs\.)(?<!\bNo\.)\s+(?=[A-Z\"']))")
_split_at_ends = _SENTENCE_END.split


def split_sentences(text: str, *, min_chars: int = 2) -> list[str]:
    """The sentences of a turn (。！？!?; and '. ' before a capital); the turn itself when it
    has no such break (recognised speech often has no punctuation).

    >>> split_sentences("Okay. So you want a refund?Right")
    ['Okay.', 'So you want a refund?', 'Right']
    """
    pieces = _split_at_ends(text)  # text, mark, text, mark, …, text
    parts = [s for p in map(str.__add__, pieces[:-1:2], pieces[1::2]) if (s := p.strip()) and len(s) >= min_chars]
    last = pieces[-1].strip()
    if last and len(last) >= min_chars:
        parts.append(last)
    if parts:
        return parts
    whole = text.strip()
    return [whole] if whole else []


# A clause shorter than this has lost what it is about ("最后没看上" cut from the customer's
# problem restated reads like a reproach): it is not judged alone.
CLAUSE_MIN_CHARS = 6
# Commas, and in speech-recognition text without punctuation the space between two Chinese characters.
_CLAUSE_BREAK = re.compile(r"[，,、：:]+|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def split_clauses(sentence: str) -> list[str]:
    """The clauses of a sentence (two or more), or [] when it has no break: what the learned
    check's ``clauses`` option judges apart, and what storage keeps the vectors of beside the
    sentence's (clause 1, 2, …).

    >>> split_clauses("改期费就是二百，您到底还要问几遍？")
    ['改期费就是二百', '您到底还要问几遍？']
    """
    parts = [p.strip() for p in _CLAUSE_BREAK.split(sentence) if p and p.strip()]
    parts = [p for p in parts if len(p) >= CLAUSE_MIN_CHARS]
    return parts if len(parts) >= 2 or (parts and parts[0] != sentence.strip()) else []


def split_windows(sentence: str, words: int, min_words: int) -> list[str]:
    """Windows of ``words`` words, half a window apart, of a sentence of ``min_words`` words or more with no
    clause break (speech-recognition text without punctuation, where a whole turn reads as one sentence and a
    remark inside it is diluted by the rest); [] for any other sentence. What the learned check's ``windows``
    option judges apart.

    >>> split_windows("so the parcel sat out in the sun all day thats on your end not ours", 6, 12)
    ['so the parcel sat out in', 'sat out in the sun all', 'the sun all day thats on', 'day thats on your end not', 'your end not ours']
    >>> split_windows("so the parcel sat out, in the sun all day thats on your end not ours", 6, 12)
    []
    """
    said = sentence.split()
    if len(said) < min_words or split_clauses(sentence) or _CLAUSE_BREAK.search(sentence):
        return []
    step = max(1, words // 2)
    return [" ".join(said[i:i + words]) for i in range(0, max(1, len(said) - words + step), step)]


def _embedding_dir() -> Path:
    env = os.environ.get("QA_EMBEDDINGS_DIR")
    return Path(env) if env else model_packs.cache_root().parent / "embeddings"


def embed_cached(encoder, texts: list[str]) -> np.ndarray:
    """Embeddings of ``texts`` (an exemplar bank's), read from disk when this encoder made them
    before; written there otherwise (best effort: a read-only cache only costs time)."""
    digest = hashlib.sha256(("\x00".join([encoder.id, *texts])).encode("utf-8")).hexdigest()[:32]
    path = _embedding_dir() / f"{digest}.npy"
    try:
        vectors = np.load(path)
        if vectors.shape == (len(texts), encoder.dim):
            return vectors
    except (OSError, ValueError):
        pass
    vectors = encoder.embed(texts)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, vectors)
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("cannot keep exemplar embeddings in %s: %s", path, exc)
    return vectors


def bank_examples(banks: Sequence[ExemplarBank], item: str, *, target: str, negatives: Sequence[str] = (),
                  weights: Sequence[float] = ()) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The training texts of ``item`` in ``banks``, their labels (1.0: ``target``) and how
    much each counts: the weight of its bank (``weights``, one per bank, default 1 each).
    ``negatives``: items whose ``pass`` exemplars are near misses of this one. Each exemplar
    counts whole, and a near miss of several sentences also sentence by sentence: scoring
    reads a call sentence by sentence."""
    counts = list(weights) or [1.0] * len(banks)
    if len(counts) != len(banks):
        raise ValueError(f"{len(counts)} weights for {len(banks)} banks")
    exemplars = [(e, w) for b, w in zip(banks, counts) for e in b.for_item(item)]
    exemplars += [(replace(e, item=item, label="fail" if target == "pass" else "pass"), w)
                  for b, w in zip(banks, counts) for other in negatives for e in b.for_item(other)
                  if e.label == "pass"]
    texts, labels, counted = [], [], []
    for e, w in exemplars:
        pieces = split_sentences(e.text)
        for piece in ([e.text] + pieces if len(pieces) > 1 and e.label != target else [e.text]):
            texts.append(piece)
            labels.append(1.0 if e.label == target else 0.0)
            counted.append(float(w))
    return texts, np.asarray(labels), np.asarray(counted, dtype=np.float64)


def fit_item_model(encoder, texts: Sequence[str], y: np.ndarray, item: str, *, target: str,
                   version: str = "", keep: bool = True, l2: Optional[float] = None,
                   weights: Optional[np.ndarray] = None) -> Optional[ItemModel]:
    """A model of ``item`` fitted on ``texts`` labelled ``y`` (1.0: ``target``), e.g. an
    exemplar bank's (:func:`bank_examples`) plus a centre's reviewed sentences; None with fewer
    than 3 of either side. ``weights``: how much each text counts (default 1 each; the bank
    weights of :func:`bank_examples`, 1 for a centre's own sentences). ``version`` names the
    model version it belongs to (calibration). ``keep=False``: neither read nor write the
    on-disk cache (a cross-validation fold's model is used once; its vectors come from the
    encoder's in-process cache)."""
    y = np.asarray(y, dtype=np.float64)
    if int(y.sum()) < MIN_PER_CLASS or int(len(y) - y.sum()) < MIN_PER_CLASS:
        return None
    model = _trained(encoder, list(texts), y, item, target, keep=keep, l2=l2, weights=weights)
    return replace(model, version=version) if version else model


_MODELS: dict[tuple, Optional[ItemModel]] = {}
_LOCK = threading.Lock()
# A centre's calibrated models (qa calibrate) by (item, target, encoder id): they replace the
# bank-trained ones while set. Set in the parent before a scoring pool forks, so workers inherit them.
_CALIBRATED: dict[tuple[str, str, str], ItemModel] = {}


@contextmanager
def models_in_use(models: Iterable[ItemModel]) -> Iterator[None]:
    """:func:`use_models` for a block: the calibrated models in use before come back after it
    (calibration scores a call with each candidate model)."""
    with _LOCK:
        before = list(_CALIBRATED.values())
    use_models(models)
    try:
        yield
    finally:
        use_models(before)


def use_models(models: Iterable[ItemModel]) -> None:
    """Score with ``models`` (a centre's model version, read from its database by
    :func:`qa_pipeline.review.calibration.activate`) instead of the models trained on the
    exemplar banks, item by item; an item without one keeps its bank model. An empty
    iterable goes back to the bank models everywhere."""
    with _LOCK:
        _CALIBRATED.clear()
        _CALIBRATED.update({(m.item, m.target, m.encoder_id): m if m.calibrated else replace(m, calibrated=True)
                            for m in models})


def version_in_use() -> int:
    """The model version scoring uses now: that of the calibrated models set by
    :func:`use_models`, 0 when none is (the models trained on the exemplar banks alone, or the
    learned judgements off). Stored with each result (``model_version``)."""
    with _LOCK:
        versions = [int(m.version) for m in _CALIBRATED.values() if m.version.isdigit()]
    return max(versions, default=0)


def item_model(banks: Sequence[ExemplarBank], item: str, *, target: str, encoder,
               negatives: Sequence[str] = (), l2: Optional[float] = None,
               neighbours: bool = False, weights: Sequence[float] = ()) -> Optional[ItemModel]:
    """The model for ``item`` from the exemplars of ``banks`` together (trained on first use;
    the encoder is multilingual, so a Mandarin and an English bank teach one judgement); None
    when they hold too few exemplars of the item (fewer than 3 of either side), logged once.
    ``weights``: how much each bank's exemplars count in the fit (one per bank, in (0, 1];
    default 1 each; see :func:`fit_logistic`).
    ``negatives``: items whose ``pass`` exemplars are also near misses of this one (the need
    restated is no forbidden language). ``l2``: the regularisation (default
    :func:`fit_logistic`'s); ``neighbours``: keep the exemplars' vectors for
    :meth:`ItemModel.neighbour_margin`. A calibrated model set by :func:`use_models` comes first."""
    calibrated = _CALIBRATED.get((item, target, encoder.id))
    if calibrated is not None:
        if neighbours and calibrated.neighbours is None:
            return _with_bank_neighbours(calibrated, banks, encoder, negatives, l2, tuple(weights))
        return calibrated
    key = (tuple((b.path, id(b)) for b in banks), item, target, encoder.id, tuple(negatives), l2, neighbours,
           tuple(weights))
    if key in _MODELS:
        return _MODELS[key]
    with _LOCK:
        return _bank_model(banks, item, target=target, encoder=encoder, negatives=negatives, l2=l2,
                           neighbours=neighbours, weights=tuple(weights))


def _bank_model(banks: Sequence[ExemplarBank], item: str, *, target: str, encoder, negatives: Sequence[str],
                l2: Optional[float], neighbours: bool, weights: tuple[float, ...]) -> Optional[ItemModel]:
    """:func:`item_model`'s bank model, trained on first use (the caller holds ``_LOCK``)."""
    key = (tuple((b.path, id(b)) for b in banks), item, target, encoder.id, tuple(negatives), l2, neighbours,
           weights)
    if key in _MODELS:
        return _MODELS[key]
    texts, y, counted = bank_examples(banks, item, target=target, negatives=negatives, weights=weights)
    model: Optional[ItemModel] = None
    n_target, n_other = int(y.sum()), int(len(y) - y.sum())
    if n_target < MIN_PER_CLASS or n_other < MIN_PER_CLASS:
        log.warning("learned %s: %s hold %d %s and %d other exemplars (needs %d of each); rules only",
                    item, ", ".join(b.path for b in banks), n_target, target, n_other, MIN_PER_CLASS)
    else:
        model = _trained(encoder, texts, y, item, target, l2=l2, weights=counted)
        if neighbours:
            # Every bank's exemplars, whatever its weight: the nearest exemplar is a look-alike
            # in either language, and a weight has no meaning for "which is nearest".
            x = embed_cached(encoder, texts)  # read back from disk: _trained embedded them
            unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
            model = replace(model, neighbours=unit.astype(np.float32), neighbour_labels=y.astype(np.float32))
    _MODELS[key] = model
    return model


# Calibrated models given the exemplars of their banks for the nearest-exemplar check, by the
# calibrated model's identity and the banks' key (the model is kept in the value: its id stays its own).
_NEIGHBOURED: dict[tuple, tuple[ItemModel, ItemModel]] = {}


def _with_bank_neighbours(calibrated: ItemModel, banks: Sequence[ExemplarBank], encoder,
                          negatives: Sequence[str], l2: Optional[float], weights: tuple[float, ...]) -> ItemModel:
    """``calibrated`` with the nearest-exemplar check of the bank model it replaces: a centre's
    model version stores the logistic regression only, and a rubric that asks for the check
    (B2's ``neighbours``) must keep it whichever model scores — the linear model alone scores a
    reassurance as high as a reproach. The exemplars are the banks' (the centre's reviewed
    sentences are not stored); without a bank model (too few exemplars) the model is as given."""
    key = (id(calibrated), tuple((b.path, id(b)) for b in banks), tuple(negatives), l2, weights)
    kept = _NEIGHBOURED.get(key)
    if kept is not None and kept[0] is calibrated:
        return kept[1]
    with _LOCK:
        bank_model = _bank_model(banks, calibrated.item, target=calibrated.target, encoder=encoder,
                                 negatives=negatives, l2=l2, neighbours=True, weights=weights)
    if bank_model is None or bank_model.neighbours is None:
        return calibrated
    model = replace(calibrated, neighbours=bank_model.neighbours, neighbour_labels=bank_model.neighbour_labels)
    _NEIGHBOURED[key] = (calibrated, model)
    return model


def cross_validated(x: np.ndarray, y: np.ndarray, folds: int = 5, *, l2: Optional[float] = None,
                    weights: Optional[np.ndarray] = None) -> np.ndarray:
    """Held-out probabilities: each exemplar scored by a model fitted without its fold
    (``weights``: how much each row counts in those fits, :func:`fit_logistic`)."""
    order = np.random.default_rng(0).permutation(len(y))
    out = np.zeros(len(y))
    for k in range(folds):
        held = order[k::folds]
        kept = np.setdiff1d(order, held)
        if len(np.unique(y[kept])) < 2:
            out[held] = 0.5
            continue
        mean, w, b = fit_logistic(x[kept], y[kept], None if weights is None else weights[kept],
                                  **({} if l2 is None else {"l2": l2}))
        out[held] = 1.0 / (1.0 + np.exp(-np.clip((x[held] - mean) @ w + b, -30, 30)))
    return out


def _trained(encoder, texts: list[str], y: np.ndarray, item: str, target: str, *, keep: bool = True,
             l2: Optional[float] = None, weights: Optional[np.ndarray] = None) -> ItemModel:
    """Fit (or read back) the model of these exemplars: the fitted weights and the
    cross-validated figures are kept on disk beside the exemplar embeddings, keyed by the
    encoder, the texts, their labels and (where any is below 1) how much each counts, so a
    new worker process does not fit again.

    The held-out figures that set a model's band (:meth:`ItemModel.band`) are read from the
    exemplars that count most (the rubric's own language's bank): a lighter bank teaches
    the boundary less, and its near misses do not raise the floor of this language's band."""
    w_row = _row_weights(weights, len(y))
    fit = repr(fit_logistic.__kwdefaults__)  # a change of the fit makes a new model
    if l2 is not None:
        fit += f" l2={l2!r}"
    if w_row is not None:  # all 1: the key of the unweighted fit (its cached models stay valid)
        fit += f" sample_weight={w_row.tobytes().hex()}"
    digest = hashlib.sha256("\x00".join([encoder.id, fit, item, target, *texts, y.tobytes().hex()]).encode()).hexdigest()[:32]
    path = _embedding_dir() / f"model-{digest}.npz"
    if keep:
        try:
            with np.load(path) as z:
                return ItemModel(item, target, encoder.id, z["mean"], z["weights"], float(z["bias"]),
                                 int(z["n"][0]), int(z["n"][1]), float(z["cv"][0]), float(z["cv"][1]),
                                 float(z["cv"][2]))
        except (OSError, KeyError, ValueError):
            pass
    x = embed_cached(encoder, texts) if keep else encoder.embed(texts)
    mean, coefs, bias = fit_logistic(x, y, w_row, **({} if l2 is None else {"l2": l2}))
    held = cross_validated(x, y, l2=l2, weights=w_row)
    counted = np.ones(len(y), dtype=bool) if w_row is None else w_row >= w_row.max()
    if not np.any(counted & (y == 0)):  # the heaviest banks hold no near miss: read them all
        counted = np.ones(len(y), dtype=bool)
    others = held[counted & (y == 0)]
    right = ((held >= 0.5) == (y > 0)).astype(np.float64)
    cv = (float(others.max()), float(np.quantile(others, 0.9)),
          float(right.mean() if w_row is None else np.average(right, weights=w_row)))
    model = ItemModel(item, target, encoder.id, mean, coefs, bias, int(y.sum()), int(len(y) - y.sum()), *cv)
    log.info("learned %s: %d %s / %d other exemplars, cross-validated accuracy %.2f, near misses up to p=%.2f",
             item, model.n_target, target, model.n_other, cv[2], cv[0])
    if not keep:
        return model
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, mean=mean, weights=coefs, bias=np.float64(bias), n=np.array([model.n_target, model.n_other]),
                 cv=np.array(cv))
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("cannot keep the %s model in %s: %s", item, path, exc)
    return model
