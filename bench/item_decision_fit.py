"""Fit each learned item's decision parameters per language, leaving one written folder out.

Rules and exemplars written from seen calls have carried over to fresh calls poorly; a decision
parameter fitted on labelled calls and validated on folders it was not fitted on is what did carry
over (bench/complaint_channel_bar.py). This bench does that for the learned items other than the
complaint trigger and B2 — C1, C2, D2, D3, D4, D5 (for a D item only its own decision, on the calls
that are complaints by the label and by the engine: the trigger is fitted elsewhere) — over the
parameters their learned check has:

* ``decides`` (false: the classifier only flags, the rules' answer stands);
* the band's top (``band: [low, high]``, raised by the model to what the exemplars' cross-validation
  shows: :meth:`ItemModel.band`), or instead ``neighbours: {k: 3, margin: M}`` with the band as
  written (a sentence decides only when its nearest target exemplars are M nearer);
* the other language's bank weight (``bank: {zh: 1.0, en: W}``: the model refitted on it).

Each labelled call is scored once as the rubric stands, recording for every fitted item the rules'
answer and the sentences the classifier reads; the item's outcome is then worked out for "the
classifier found it" and for "the rules' answer stands" (the learned check forced either way), and
every sentence's probability and nearest-exemplar margin under each bank weight. A grid point's
outcome per call is then a look-up, so the grid is cheap. An unsure finding counts as its outcome
(the rules' answer), as bench/accuracy.py counts it.

Folds are the written tuning folders (each written by someone else): every folder of
tests/data/dev_{lang} (every hold-out that became a tuning set; never ``blind``, nor a folder marked ``NEVER_TUNED``),
of tests/data/dev_critical/{lang}, and ../shared/qa-examples. Leave one folder out
(bench/fold_fit.py): the grid point agreeing with the most labels of the other folders (of equals:
the parameters in use, then the fewest classifier decisions, then grid order) is scored on the held-out
folder. Printed per item: held-out agreement with the current parameters → with the fitted ones,
summed over the folds, folds won/lost and the worst fold; whether to adopt (bench/fold_fit.adoptable:
the total rises and no fold falls by more than one item); and the parameters fitted on all folders.

    .venv/bin/python bench/item_decision_fit.py [--lang zh en] [--items C1 C2 ...] [--windows C3 C4] [--folds]
    .venv/bin/python bench/item_decision_fit.py --fresh [--workdir DIR] [...]

``--fresh``: the same fits on the view fresh calls get. Every folder above was read with today's rules,
written after reading it, which already get it right: a decision fitted there can only add errors (stop
27 adopted zh D2 alone). With ``--fresh`` the folds are the written hold-outs 7–12 of the language
(bench/fresh_view.py), each read with the rubric and exemplar banks of the commit it was last never
tuned at (unpacked under ``--workdir``; each old bank is embedded once, then read from the on-disk
cache), and a grid point replaces that rubric's decision options of the item (its bank weight, band,
``decides``, nearest-exemplar margin; the window of C3/C4), nothing else. "current" is today's setting
applied the same way; "each fold's own rubric" the agreement as each hold-out was first scored. B2
(CRITICAL, ``target: fail``, sentences its ``unless`` leaves to the rules read as 0, clauses as
scored) is fitted there too, and its false critical fails (harmless calls failed) are counted per
fold before → after. Adopted on the fresh view (:func:`adoptable_fresh`) only where the held-out total
rises, more hold-outs go up than down, none falls by more than one item, and no hold-out gets a false
critical fail it did not have. The outcomes worked out for each fold's own setting are checked against
the outcomes as scored ("rows worked out ≠ scored": none in the run below).

Measured 7 Dec 2026 (helper bandfit11, main 1281acb; zh 260 calls in 18 folders, en 275 in 20), held out,
current → fitted: zh C1 199 → 199/202, C2 201 → 201/202, D2 83 → 83/84, D3, D4 84 → 84/84, D5 83 → 83/84, C3 and
C4 windows 202 → 202/202; en C1 208 → 208/215, **C2 209 → 213/215** (holdout10 +2, holdout6 and holdout7 +1, none
lost: adopted, fitted on all folders decides: true, neighbours margin 0.02 at 0.5, bank weight kept), D2 81 → 81/88 (2
folders won, 2 lost), D3 85 → 85/88, D4 85 → 84/88, D5 84 → 84/88, C3 window 214 → 214/215, C4 window 211 → 211/215.
About 20 minutes of wall time on the shared 2-core machine for both languages (6 minutes of CPU).

Measured again 7 Dec 2026 (helper itemfit12, main a58ef5b with its A1/C1/C2/C5 rule fixes; zh 276 calls in 19
folders, en 291 in 21), held out, current → fitted: **zh D2 86 → 88/88** (holdout10 and holdout11 +1, none lost:
adopted, fitted on all folders band [0.35, 0.5] with neighbours margin 0.01), zh C1 215 → 215/218, C2 217 → 217/218,
D3 and D4 88 → 88/88, D5 87 → 87/88; en C1 225 → 225/231, C2 227 → 227/231, D2 85 → 85/92 (2 folders won, 2 lost),
D3 87 → 87/92, D4 89 → 88/92, D5 87 → 87/92 — nothing else adoptable.

Measured with ``--fresh`` 7 Dec 2026 (helper itemfresh, main 97d8cd4; hold-outs 7–12, 96 calls a language in 6
folds, D items on the complaint calls), held out, today's setting → fitted: **en D2 15 → 22/24** (holdout7–10 won,
none lost) and **en D5 19 → 21/24** (holdout7, 8 won): adopted, ``band: [0.35, 0.5]`` with nearest-exemplar margin
0.0 (D2), 0.02 (D5); zh D3 24 → 26/29 (2 won) met the rule, not adopted: on the current view it put 7 dev_zh calls
wrong and none right (a phone number asked to identify the customer read as a callback number). Not adoptable: zh
B2 81 → 79/96 (false critical fails 4 → 6 of 75), C1 92 → 91, C2 93 → 93, D2 28 → 28/29, D4 28 → 28, D5 25 → 24;
en B2 83 → 84/96 with false critical fails 0 → 2 of 76, C1 85 → 85, C2 86 → 87 (1 won, 1 lost), D3 20 → 19, D4 22
→ 22; C3/C4 windows unchanged. No row worked out ≠ scored. About 25 minutes of wall time for both languages on the
shared 2-core machine (the old commits' banks embedded once, then read from the on-disk cache).
"""
from __future__ import annotations

import argparse
import copy
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from accuracy import NEVER_SCORED, labelled_folders, read_calls  # noqa: E402
from fold_fit import adoptable, best, leave_one_out, totals  # noqa: E402
from fresh_view import WORKDIR, fresh_folders, fresh_rubric, fresh_rubric_path  # noqa: E402

from qa_pipeline.language import lang_family  # noqa: E402
from qa_pipeline.rubric import encoder as encoders  # noqa: E402
from qa_pipeline.rubric import load_rubric, score_call  # noqa: E402
from qa_pipeline.rubric.checks.base import Verdict  # noqa: E402
from qa_pipeline.rubric.checks.learned import LearnedNode, turn_sentences  # noqa: E402
from qa_pipeline.rubric.exemplars import load_bank  # noqa: E402
from qa_pipeline.rubric.learned import item_model  # noqa: E402
from qa_pipeline.rubric.loader import parse_rubric, read_rubric_yaml  # noqa: E402
from qa_pipeline.package_data import rubrics_dir  # noqa: E402
from qa_pipeline.transcript_io import call_from_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ITEMS = ("B2", "C1", "C2", "D2", "D3", "D4", "D5")
# Fitted on the current view unless named: B2 has bench/critical_fit.py there (with the harmless real dialogues).
CURRENT_VIEW_ITEMS = ("C1", "C2", "D2", "D3", "D4", "D5")
D_ITEMS = ("D2", "D3", "D4", "D5")
CRITICAL = "B2"
OTHER_WEIGHTS = (0.2, 0.35, 0.5, 0.75, 1.0)
BAND_TOPS = (0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
NEAR_TOPS = (0.5, 0.6, 0.7, 0.8, 0.9)
NEAR_MARGINS = (0.0, 0.01, 0.02, 0.04)
# Where the standard rubrics are read from (--rubrics: e.g. a copy of main's, to measure its parameters).
RUBRICS: list[Path] = []


def rubric_path(lang: str) -> Path:
    return (RUBRICS[0] if RUBRICS else rubrics_dir()) / f"standard-{lang}.yaml"


def rubric_of(lang: str):
    return load_rubric(rubric_path(lang))


@dataclass(frozen=True)
class Params:
    """One grid point: ``decides`` false is the rules' answer whatever the rest says; ``margin`` None
    is the band raised by the exemplars' cross-validation, a number the nearest-exemplar check at
    the band's top as written."""
    decides: bool
    other_weight: float = 0.35
    high: float = 0.65
    margin: Optional[float] = None

    def yaml(self, own: str, other: str, low: float) -> str:
        if not self.decides:
            return "decides: false"
        near = f", neighbours: {{k: 3, margin: {self.margin}}}" if self.margin is not None else ""
        return f"decides: true, bank: {{{own}: 1.0, {other}: {self.other_weight}}}, band: [{low}, {self.high}]{near}"


@dataclass(frozen=True)
class Row:
    """One labelled call's item: what the label says, the item's outcome with the rules' answer
    and with the classifier finding it, whether a rule hit (then the classifier is not asked), the
    outcome as scored now, and the sentences the classifier reads."""
    folder: str
    call_id: str
    item: str
    label: str
    rules: str
    found: str
    rule_hit: bool
    now: str
    sentences: tuple[str, ...]
    # per sentence: left to the rules (B2's ``unless``: the check never asks the classifier)
    left: tuple[bool, ...] = ()


def found_by(params: Params, probs: np.ndarray, margins: Optional[np.ndarray], band_high: float) -> bool:
    """Does the classifier decide "found" under ``params`` (``band_high``: the model's raised top
    for ``params.high``)?"""
    if not params.decides or len(probs) == 0:
        return False
    if params.margin is None:
        return bool(probs.max() >= band_high)
    return bool(((probs >= params.high) & (margins >= params.margin)).any())


def outcome(row: Row, found: bool) -> str:
    """The item's outcome with the classifier finding it or not (where a rule hit, both are the rules')."""
    return row.found if found else row.rules


# --- reading the calls ------------------------------------------------------------------------

def _read_sentences(node: LearnedNode, ctx) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """The sentences (and clauses) ``node`` reads in this call, and which of them it leaves to the rules
    (``unless``), as its model reads them (``LearnedNode.sentence_scores``: a left sentence scores 0)."""
    turns = node.scope.select(ctx) or ()
    encoder = encoders.sentence_encoder()
    model = node._model(encoder) if encoder is not None and turns else None
    scored = node.sentence_scores(ctx, turns, encoder, model) if model is not None else None
    if scored is None:
        return tuple(s for t in turns for s in turn_sentences(t)), ()
    sentences, _, probs, _, _ = scored
    return tuple(sentences), tuple(bool(p == 0.0) for p in probs.tolist())


class _Forcing:
    """While active, the fitted items' learned checks record what they read (``record``), or answer
    as the rules do (``rules``), or as the classifier finding it (``found``: the item found, for
    B2's ``target: fail`` a breach)."""
    mode = "off"
    seen: dict = {}
    items: tuple[str, ...] = ITEMS

    def __enter__(self):
        self.original = LearnedNode.evaluate
        forcing = self

        def evaluate(node, ctx):
            if forcing.mode == "off" or node.item not in forcing.items:
                return forcing.original(node, ctx)
            breach = node.target == "fail"
            ruled = node._rules(ctx)
            if forcing.mode == "record":
                forcing.seen[(ctx.view.call.call_id, node.item)] = (ruled.value is (not breach),
                                                                    *_read_sentences(node, ctx))
                return forcing.original(node, ctx)
            if forcing.mode == "found" and ruled.value is breach:
                return Verdict(not breach, None, "forced found", ruled.at)
            return ruled

        LearnedNode.evaluate = evaluate
        return self

    def __exit__(self, *exc):
        LearnedNode.evaluate = self.original
        self.mode = "off"


def folders(lang: str) -> list[tuple[str, list[Path]]]:
    roots = [ROOT / "tests/data" / f"dev_{lang}", ROOT / "tests/data/dev_critical" / lang, SHARED / "qa-examples"]
    out = []
    for root in roots:
        for folder, files in labelled_folders(root, recursive=root.name != "qa-examples"):
            if any(part in NEVER_SCORED for part in folder.parts):
                continue
            name = folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder.relative_to(ROOT.parent)
            out.append((str(name), files))
    return out


def labelled_calls(lang: str) -> list[tuple[str, object, dict]]:
    """(folder, call, labels) of every labelled call of ``lang`` in the tuning folders."""
    calls = []
    for name, files in folders(lang):
        for data, path in read_calls(files):
            if lang_family(data.get("language", "")) == lang:
                calls.append((name, call_from_json(data, path), data.get("labels") or {}))
    return calls


def read_rows(lang: str, calls, items=ITEMS, rubric=None) -> tuple[list[Row], dict]:
    """Every labelled (call, item) of ``calls`` for the fitted ``items``, and the outcomes of every
    check as ``rubric`` (default: the standard rubric of ``lang``) stands (call id → check id → outcome)."""
    rubric = rubric or rubric_of(lang)
    runs = {}
    with _Forcing() as forcing:
        forcing.seen, forcing.items = {}, tuple(items)
        for mode in ("record", "rules", "found"):
            forcing.mode = mode
            runs[mode] = {c.call_id: {f.check_id: f.outcome for f in score_call(c, rubric, sentiment=0.0).findings}
                          for _, c, _ in calls}
        seen = forcing.seen
    rows = []
    for name, call, labels in calls:
        complaint = labels.get("complaint") is True and runs["record"][call.call_id].get("complaint") == "pass"
        for item in items:
            want = labels.get(item)
            if want is None or (item in D_ITEMS and not (complaint and want in ("pass", "fail"))):
                continue
            hit, said, left = seen.get((call.call_id, item), (False, (), ()))
            rows.append(Row(name, call.call_id, item, want, runs["rules"][call.call_id][item],
                            runs["found"][call.call_id][item], hit, runs["record"][call.call_id][item], said, left))
    return rows, runs["record"]


def c5_misses(calls, scored) -> dict[str, list[str]]:
    """The C5 misses as scored, by cause: ``cascade C1``… where that item (of C1–C4) disagrees with
    its label too (C5 follows from them: na when one fails), ``order`` where all four agree."""
    out: dict[str, list[str]] = defaultdict(list)
    for name, call, labels in calls:
        got = scored[call.call_id]
        if "C5" not in labels or got.get("C5") == labels["C5"]:
            continue
        wrong = [i for i in ("C1", "C2", "C3", "C4") if i in labels and got.get(i) != labels[i]]
        out[f"cascade {'+'.join(wrong)}" if wrong else f"order ({labels['C5']} labelled, {got.get('C5')} scored)"].append(
            f"{name.split('/')[-1]}:{call.call_id}")
    return dict(out)


# --- the closing's windows (C3, C4: rules only) -------------------------------------------------

# The windows of the anything-else question and of the closing: (the speaker's last N turns, their
# last N seconds of speech), every phrase list of the check set alike.
WINDOWS = {"C3": ((2, 3, 4, 6), (20, 30, 45, 60)), "C4": ((1, 2, 3), (10, 15, 20, 30))}


def _set_window(node, turns: int, seconds: int):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "last_turns":
                node[key] = turns
            elif key == "last_speech_seconds":
                node[key] = seconds
            else:
                _set_window(value, turns, seconds)
    elif isinstance(node, list):
        for value in node:
            _set_window(value, turns, seconds)


def _window_of(node) -> Optional[tuple[int, int]]:
    if isinstance(node, dict):
        if "last_turns" in node:
            return node["last_turns"], node.get("last_speech_seconds")
        node = list(node.values())
    if isinstance(node, list):
        return next((w for w in map(_window_of, node) if w), None)
    return None


def _check_yaml(path: Path, item: str) -> tuple[dict, dict]:
    data = read_rubric_yaml(path.read_text(encoding="utf-8"))
    return data, next(c for c in data["checks"] if c["id"] == item)


def window_points(item: str, current: tuple[int, int]) -> list[tuple[int, int]]:
    """``item``'s grid of (turns, seconds), with ``current`` (the window in use) last where it is not one."""
    turns, seconds = WINDOWS[item]
    points = [(t, s) for t in turns for s in seconds]
    return points if current in points else points + [current]


def window_grid(lang: str, item: str, calls) -> tuple["ItemGrid", list[tuple[int, int]]]:
    """``item``'s grid over its windows: the check alone, rescored at each (turns, seconds)."""
    path = rubric_path(lang)
    points = window_points(item, _window_of(_check_yaml(path, item)[1]))
    rows, agree = window_agreement(path, item, calls, points)
    current = _window_of(_check_yaml(path, item)[1])
    return ItemGrid(rows, points, agree, np.zeros_like(agree, dtype=bool), points.index(current)), points


def window_agreement(path: Path, item: str, calls, points) -> tuple[list[Row], np.ndarray]:
    """The rows of ``calls`` labelled for ``item`` and whether each agrees with its label at each
    window of ``points``, the check of the rubric at ``path`` scored alone."""
    data, check = _check_yaml(path, item)
    labelled = [(name, call, labels[item]) for name, call, labels in calls if item in labels]
    rows = [Row(name, call.call_id, item, want, "", "", False, "", ()) for name, call, want in labelled]
    agree = np.zeros((len(points), len(rows)), dtype=np.int64)
    for i, (t, s) in enumerate(points):
        one = copy.deepcopy(data)
        one["checks"] = [copy.deepcopy(check)]
        _set_window(one["checks"][0], t, s)
        one.pop("tests", None)
        one["flags"] = {}
        rubric = parse_rubric(one, str(path))
        agree[i] = [next(f.outcome for f in score_call(call, rubric, sentiment=0.0).findings if f.check_id == item) == want
                    for _, call, want in labelled]
    return rows, agree


# --- the grid ---------------------------------------------------------------------------------

def grid_points(current: Params) -> list[Params]:
    """Every grid point, with ``current`` (the parameters in use) last where it is not one."""
    grid = [Params(False)] + [Params(True, w, h) for w in OTHER_WEIGHTS for h in BAND_TOPS] + \
           [Params(True, w, h, m) for w in OTHER_WEIGHTS for h in NEAR_TOPS for m in NEAR_MARGINS]
    return grid if current in grid else grid + [current]


def found_matrix(grid: list[Params], n: int, readings) -> np.ndarray:
    """Whether the classifier finds each of ``n`` rows at each point of ``grid`` (``readings``: see
    :meth:`ItemGrid.build`; None where the rubric has no learned check of the item: never found)."""
    found = np.zeros((len(grid), n), dtype=bool)
    if readings is None:
        return found
    by_weight = {w: readings(w) for w in sorted({p.other_weight for p in grid if p.decides})}
    for i, p in enumerate(grid):
        if p.decides:
            per_row, raised = by_weight[p.other_weight]
            found[i] = [found_by(p, pr, mg, raised(p.high)) for pr, mg in per_row]
    return found


class ItemGrid:
    """An item's grid: for each grid point, whether each row agrees with its label."""

    def __init__(self, rows: list[Row], params: list[Params], agree: np.ndarray, decided: np.ndarray, current: int):
        self.rows, self.params, self.agree, self.decided, self.current = rows, params, agree, decided, current

    @classmethod
    def build(cls, rows: list[Row], current: Params, readings) -> "ItemGrid":
        """``readings(weight)`` → (per row: probabilities, margins; the model's raised top for a
        written top)."""
        grid = grid_points(current)
        return cls.from_found(rows, grid, found_matrix(grid, len(rows), readings), grid.index(current))

    @classmethod
    def from_found(cls, rows: list[Row], grid: list[Params], found: np.ndarray, current: int) -> "ItemGrid":
        agree_rules = np.array([r.rules == r.label for r in rows], dtype=np.int64)
        agree_found = np.array([outcome(r, True) == r.label for r in rows], dtype=np.int64)
        open_ = np.array([not r.rule_hit for r in rows], dtype=bool)  # a hold-out may have no row
        agree = np.where(found, agree_found[None, :], agree_rules[None, :])
        return cls(rows, grid, agree, found & open_[None, :], current)

    def fit(self, idx: list[int]) -> int:
        """The grid point agreeing with most of rows ``idx``; of equals the current one, then one
        keeping the current bank weight (the standard rubrics weigh the other language alike for
        every item but B2), then the fewest classifier decisions, then grid order."""
        cols = np.array(idx, dtype=np.int64)
        agreed = self.agree[:, cols].sum(axis=1) if len(cols) else np.zeros(len(self.params), dtype=np.int64)
        decisions = self.decided[:, cols].sum(axis=1) if len(cols) else agreed
        weight = getattr(self.params[self.current], "other_weight", None)
        return best(range(len(self.params)), lambda i: (int(agreed[i]), i == self.current,
                                                        getattr(self.params[i], "other_weight", None) == weight,
                                                        -int(decisions[i])))

    def agreed(self, point: int, idx) -> int:
        return int(self.agree[point, list(idx)].sum())

    def false_fails(self, point: int, idx) -> int:
        """Rows of ``idx`` labelled pass that fail at ``point`` (for B2: harmless calls given a critical fail)."""
        rows = [self.rows[i] for i in idx]
        return sum(r.label == "pass" and (r.found if self.decided[point, i] else r.rules) == "fail"
                   for i, r in zip(idx, rows))

    def folds(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(self.rows):
            out[r.folder].append(i)
        return dict(out)

    def held_out(self):
        return leave_one_out(self.folds(), self.fit, self.agreed, self.current)


def learned_node(rubric, item: str) -> Optional[LearnedNode]:
    """``item``'s learned check in ``rubric`` (None where the item is judged by rules alone)."""
    return next((n for c in rubric.checks for n in _learned(c.rule) if n.item == item), None)


def model_readings(lang: str, item: str, rows: list[Row], encoder, rubric=None):
    """``readings(weight)`` for :meth:`ItemGrid.build`: the item's model (of ``rubric``, default the
    standard one of ``lang``) refitted with the other language's bank at ``weight``, each row's
    sentence probabilities (0 where the check leaves the sentence to the rules) and nearest-exemplar
    margins."""
    node = learned_node(rubric or rubric_of(lang), item)
    if node is None:
        return None, None
    banks = [load_bank(b) for b in node.banks]
    texts = sorted({s for r in rows for s in r.sentences})
    vectors = dict(zip(texts, encoder.embed(texts))) if texts else {}

    def readings(weight: float):
        own = node.bank_weights.index(1.0)  # the rubric's own language: the first bank counting 1
        weights = tuple(1.0 if i == own else weight for i in range(len(node.bank_weights)))
        model = item_model(banks, item, target=node.target, encoder=encoder, negatives=node.negatives, l2=node.l2,
                           neighbours=True, weights=weights)
        per_row = []
        for r in rows:
            if not r.sentences:
                per_row.append((np.zeros(0), np.zeros(0)))
                continue
            v = np.array([vectors[s] for s in r.sentences], dtype=np.float32)
            probs = model.probabilities(v)
            if r.left:
                probs = np.where(np.array(r.left), 0.0, probs)
            per_row.append((probs, model.neighbour_margin(v, 3)))
        return per_row, lambda high: model.band(node.low, high)[1]

    return node, readings


def _learned(node):
    if getattr(node, "type_id", "") == "learned":
        yield node
    for attr in ("parts", "part", "rule"):
        child = getattr(node, attr, None)
        for c in child if isinstance(child, (list, tuple)) else [child]:
            if c is not None and hasattr(c, "type_id"):
                yield from _learned(c)


def current_params(node: LearnedNode) -> Params:
    other = min(node.bank_weights)
    if node.neighbours is not None:
        return Params(node.decides, other, node.high, node.neighbours[1])
    return Params(node.decides, other, node.high)


def adoptable_fresh(held, false_fails: Optional[list[tuple[int, int]]] = None) -> bool:
    """On the fresh view a fit is adopted only where it holds clearly: :func:`adoptable`, more folds
    up than down, and (a critical item: ``false_fails``, per fold before → after) no fold given a
    false critical fail it did not have."""
    won = sum(h.after > h.before for h in held)
    lost = sum(h.after < h.before for h in held)
    return adoptable(held) and won > lost and all(a <= b for b, a in (false_fails or []))


def _report(item: str, grid: "ItemGrid", show, current: str, fitted_all: str, show_folds: bool, mismatch: int = 0,
            as_was: Optional[int] = None) -> None:
    """One item's figures; ``as_was`` (the fresh view): the agreement of each fold's own rubric as it was."""
    held = grid.held_out()
    before, after, n = totals(held)
    won = sum(h.after > h.before for h in held)
    lost = sum(h.after < h.before for h in held)
    worst = min(h.after - h.before for h in held)
    every = range(len(grid.rows))
    false = None
    if item == CRITICAL:
        false = [(grid.false_fails(grid.current, idx), grid.false_fails(h.fitted, idx))
                 for h, idx in zip(held, grid.folds().values())]
    if as_was is None:
        verdict = "ADOPT" if adoptable(held) else "keep"
        seen = f"in sample now {grid.agreed(grid.current, every)}/{n}"
    else:
        verdict = "ADOPT" if adoptable_fresh(held, false) else "keep"
        seen = f"each fold's own rubric {as_was}/{n}"
    print(f"  {item}: {before}/{n} → {after}/{n} ({after - before:+d}; folds won {won}, lost {lost}, worst {worst:+d}) "
          f"{verdict}; {seen}" + (f" [{mismatch} rows worked out ≠ scored]" if mismatch else ""))
    if false is not None:
        labelled = sum(r.label == "pass" for r in grid.rows)
        print(f"      false critical fails (harmless calls failed), held out: {sum(b for b, _ in false)} → "
              f"{sum(a for _, a in false)} of {labelled}")
    print(f"      current: {current}")
    print(f"      fitted on all folders: {fitted_all} ({grid.agreed(grid.fit(list(every)), every)}/{n} in sample)")
    if show_folds:
        for h in held:
            if h.after != h.before:
                print(f"      {h.name}: {h.before} → {h.after}/{h.n} with {show(grid.params[h.fitted])}")


def run(lang: str, items, windows, encoder, show_folds: bool) -> None:
    calls = labelled_calls(lang)
    rows_all, scored = read_rows(lang, calls, items)
    own, other = lang, "en" if lang == "zh" else "zh"
    print(f"\n== {lang} ({len(calls)} calls in {len({c[0] for c in calls})} folders): held-out agreement, "
          f"current → fitted on the other folders (summed over the folds)")
    for item in items:
        rows = [r for r in rows_all if r.item == item]
        node, readings = model_readings(lang, item, rows, encoder)
        grid = ItemGrid.build(rows, current_params(node), readings)
        # the outcomes worked out for the current parameters against the outcomes as scored
        mismatch = sum(grid.agree[grid.current, i] != (r.now == r.label) for i, r in enumerate(rows))

        def show(p, low=node.low):
            return p.yaml(own, other, low)

        _report(item, grid, show, show(grid.params[grid.current]), show(grid.params[grid.fit(list(range(len(rows))))]),
                show_folds, mismatch)
    for item in windows:
        grid, points = window_grid(lang, item, calls)

        def show_w(p):
            return f"last_turns: {p[0]}, last_speech_seconds: {p[1]}"

        _report(item, grid, show_w, show_w(points[grid.current]), show_w(points[grid.fit(list(range(len(grid.rows))))]),
                show_folds)
    misses = c5_misses(calls, scored)
    print(f"  C5 misses as scored ({sum(map(len, misses.values()))}), by cause:")
    for cause, ids in sorted(misses.items(), key=lambda kv: -len(kv[1])):
        print(f"      {cause}: {len(ids)}  {' '.join(ids)}")


# --- the fresh view (--fresh) ---------------------------------------------------------------------

@dataclass(frozen=True)
class FreshFold:
    """One written hold-out as fresh calls met it: its calls (folder, call, labels) and the rubric of
    the commit it was last never tuned at (``path``: that rubric's file)."""
    name: str
    rubric: object
    path: Path
    calls: list


def fresh_folds(lang: str, workdir: Path) -> list[FreshFold]:
    out = []
    for folder, _ in fresh_folders(lang):
        calls = [(folder.name, call_from_json(data, path), data.get("labels") or {})
                 for _, files in labelled_folders(folder, recursive=False) for data, path in read_calls(files)
                 if lang_family(data.get("language", "")) == lang]
        out.append(FreshFold(folder.name, fresh_rubric(lang, folder, workdir),
                             fresh_rubric_path(lang, folder, workdir), calls))
    return out


def run_fresh(lang: str, items, windows, encoder, show_folds: bool, workdir: Path) -> None:
    """The fits on the fresh view: each hold-out's rows read with its own fresh rubric, a grid point
    applied to that rubric's learned check of the item (its options only); "current" is the point
    of today's standard rubric, applied the same way. Leave one hold-out out."""
    folds = fresh_folds(lang, workdir)
    today = rubric_of(lang)
    own, other = lang, "en" if lang == "zh" else "zh"
    read = [(fold, *read_rows(lang, fold.calls, items, fold.rubric)) for fold in folds]
    print(f"\n== {lang}, fresh view ({sum(len(f.calls) for f in folds)} calls in {len(folds)} hold-outs, each with the "
          f"rubric it was fresh at): held-out agreement, today's setting → fitted on the other hold-outs")
    for item in items:
        node = learned_node(today, item)
        current = current_params(node)
        grid = grid_points(current)
        rows, found, mismatch = [], [], 0
        for fold, rows_all, _ in read:
            kept = [r for r in rows_all if r.item == item]
            fold_node, readings = model_readings(lang, item, kept, encoder, fold.rubric)
            found.append(found_matrix(grid, len(kept), readings))
            if fold_node is not None:  # the fold's own setting worked out against the outcomes as scored
                mine = ItemGrid.from_found(kept, [current_params(fold_node)],
                                           found_matrix([current_params(fold_node)], len(kept), readings), 0)
                mismatch += sum(mine.agree[0, i] != (r.now == r.label) for i, r in enumerate(kept))
            rows += kept
        item_grid = ItemGrid.from_found(rows, grid, np.concatenate(found, axis=1), grid.index(current))

        def show(p, low=node.low):
            return p.yaml(own, other, low)

        _report(item, item_grid, show, show(current), show(grid[item_grid.fit(list(range(len(rows))))]),
                show_folds, mismatch, as_was=sum(r.now == r.label for r in rows))
    for item in windows:
        current = _window_of(_check_yaml(rubric_path(lang), item)[1])
        points = window_points(item, current)
        parts = [window_agreement(fold.path, item, fold.calls, points) for fold in folds]
        rows = [r for part, _ in parts for r in part]
        agree = np.concatenate([a for _, a in parts], axis=1)
        grid = ItemGrid(rows, points, agree, np.zeros_like(agree, dtype=bool), points.index(current))

        def show_w(p):
            return f"last_turns: {p[0]}, last_speech_seconds: {p[1]}"

        as_was = sum(scored[r.call_id].get(item) == r.label
                     for (_, _, scored) in read for r in rows if r.call_id in scored)
        _report(item, grid, show_w, show_w(current), show_w(points[grid.fit(list(range(len(rows))))]), show_folds,
                as_was=as_was)
    misses: dict[str, list[str]] = defaultdict(list)
    for fold, _, scored in read:
        for cause, ids in c5_misses(fold.calls, scored).items():
            misses[cause] += ids
    print(f"  C5 misses as each hold-out's own rubric scored them ({sum(map(len, misses.values()))}), by cause:")
    for cause, ids in sorted(misses.items(), key=lambda kv: -len(kv[1])):
        print(f"      {cause}: {len(ids)}  {' '.join(ids)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", nargs="*", choices=("zh", "en"), default=["zh", "en"])
    ap.add_argument("--items", nargs="*", choices=ITEMS,
                    help=f"default: {' '.join(ITEMS)} with --fresh, else {' '.join(CURRENT_VIEW_ITEMS)}")
    ap.add_argument("--windows", nargs="*", choices=tuple(WINDOWS), default=list(WINDOWS),
                    help="rules-only items whose closing windows are fitted too")
    ap.add_argument("--folds", action="store_true", help="also print each fold whose agreement the fit changes")
    ap.add_argument("--rubrics", type=Path, help="read standard-zh/en.yaml (and their exemplars) from this folder")
    ap.add_argument("--fresh", action="store_true",
                    help="fit on hold-outs 7-12, each read with the rubric it was fresh at (bench/fresh_view.py)")
    ap.add_argument("--workdir", type=Path, default=WORKDIR,
                    help="where --fresh unpacks the rubrics of old commits (kept between runs)")
    args = ap.parse_args(argv)
    items = args.items or list(ITEMS if args.fresh else CURRENT_VIEW_ITEMS)
    RUBRICS[:] = [args.rubrics] if args.rubrics else []
    encoder = encoders.sentence_encoder()
    if encoder is None:
        print(encoders.encoder_status(), file=sys.stderr)
        return 2
    for lang in args.lang:
        if args.fresh:
            run_fresh(lang, items, args.windows, encoder, args.folds, args.workdir)
        else:
            run(lang, items, args.windows, encoder, args.folds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
