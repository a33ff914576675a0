"""A QA specialist's labels for real dialogues, joined to the calls bench/critical_precision.py builds.

The real dialogues in ../shared/data/text (see its README) are never copied into the repository, so
their labels live apart: ``tests/data/real/labels.jsonl``, one JSON object a line::

    {"corpus": "stc3_zh", "call_id": "stc3-zh-3830772740080373",
     "labels": {"complaint": true, "A1": "pass", "B1": "fail", ..., "E1": "pass"},
     "not_labelled": ["A2", "A3", "B3"], "note": "why a borderline label is what it is"}

``corpus`` is one of critical_precision's corpora and ``call_id`` the id its ``corpus()`` gives the
call. Every item of the form is labelled except the timing items A2, A3 and B3: the turn times of
these calls are synthetic (by text length), so those items are never labelled and never compared.
A line naming a call the shared data lacks, an unknown or timing item, or an outcome other than
pass/fail/na (true/false for the complaint trigger) is refused with the file, the line and what is
allowed (:class:`LabelError`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from critical_precision import CORPORA, corpus

TIMING_ITEMS = ("A2", "A3", "B3")
ITEMS = ("complaint", "A1", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "D1", "D2", "D3", "D4", "D5", "E1")
OUTCOMES = ("pass", "fail", "na")
_KEYS = {"corpus", "call_id", "labels", "not_labelled", "note"}


class LabelError(ValueError):
    """A labels file line that cannot be used: the message names the file, the line and what is allowed."""

    def __init__(self, path: Path, line: int, problem: str):
        super().__init__(f"{path}:{line}: {problem}")


@dataclass(frozen=True)
class RealLabel:
    """One labelled real dialogue: where its call comes from and the specialist's answers."""
    corpus: str
    call_id: str
    labels: dict
    line: int


def _labels(path: Path, n: int, labels) -> dict:
    if not isinstance(labels, dict):
        raise LabelError(path, n, "`labels` must be an object of item -> outcome")
    for item, outcome in labels.items():
        if item in TIMING_ITEMS:
            raise LabelError(path, n, f"{item} is a timing item: the turn times of these calls are synthetic, "
                                      f"so {', '.join(TIMING_ITEMS)} are not labelled (list them under not_labelled)")
        if item not in ITEMS:
            raise LabelError(path, n, f"unknown item {item!r}; allowed: {', '.join(ITEMS)}")
        ok = isinstance(outcome, bool) if item == "complaint" else isinstance(outcome, str) and outcome in OUTCOMES
        if not ok:
            shown = "true or false" if item == "complaint" else " / ".join(OUTCOMES)
            raise LabelError(path, n, f"{item}: bad outcome {outcome!r}; allowed: {shown}")
    missing = [i for i in ITEMS if i not in labels]
    if missing:
        raise LabelError(path, n, f"items not labelled: {', '.join(missing)} (every item but "
                                  f"{', '.join(TIMING_ITEMS)} is labelled)")
    return dict(labels)


def load_labels(path: Path) -> list[RealLabel]:
    """The labels in ``path``, one per line, checked (see the module docstring)."""
    out, seen = [], {}
    for n, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as e:
            raise LabelError(path, n, f"not JSON ({e.msg})") from None
        if not isinstance(row, dict):
            raise LabelError(path, n, "expected a JSON object with corpus, call_id and labels")
        extra = sorted(set(row) - _KEYS)
        if extra:
            raise LabelError(path, n, f"unknown key(s) {', '.join(extra)}; allowed: {', '.join(sorted(_KEYS))}")
        if row.get("corpus") not in CORPORA:
            raise LabelError(path, n, f"unknown corpus {row.get('corpus')!r}; allowed: {', '.join(CORPORA)}")
        call_id = row.get("call_id")
        if not isinstance(call_id, str) or not call_id:
            raise LabelError(path, n, "`call_id` must be the call's id as critical_precision.corpus() names it")
        if call_id in seen:
            raise LabelError(path, n, f"{call_id} is labelled twice (also line {seen[call_id]})")
        seen[call_id] = n
        not_labelled = row.get("not_labelled", list(TIMING_ITEMS))
        if not isinstance(not_labelled, list) or not set(not_labelled) <= set(TIMING_ITEMS):
            raise LabelError(path, n, f"`not_labelled` may list only the timing items {', '.join(TIMING_ITEMS)}")
        out.append(RealLabel(row["corpus"], call_id, _labels(path, n, row.get("labels")), n))
    return out


def labelled_calls(labels_path: Path, data: Path) -> dict[str, list[tuple[dict, str]]]:
    """Per corpus (in critical_precision's order), (call record with its ``labels``, source) for
    every line of ``labels_path``, the call built from ``data`` (../shared/data/text) by
    critical_precision's ``corpus()``; a label whose call the data lacks is refused (:class:`LabelError`)."""
    labels = load_labels(labels_path)
    wanted = [name for name in CORPORA if any(label.corpus == name for label in labels)]
    built = {name: {c["call_id"]: c for c in corpus(name, data)} for name in wanted}
    out: dict[str, list[tuple[dict, str]]] = {name: [] for name in wanted}
    for label in labels:
        call = built[label.corpus].get(label.call_id)
        if call is None:
            raise LabelError(labels_path, label.line, f"no call {label.call_id} in corpus {label.corpus} "
                                                      f"({len(built[label.corpus])} calls in {data})")
        out[label.corpus].append(({**call, "labels": label.labels}, f"{labels_path}:{label.line} ({label.call_id})"))
    return out
