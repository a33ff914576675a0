"""Exemplar banks: labelled utterances per form item, the training data of the learned judgements.

A bank is a JSON-lines file beside the rubrics (``rubrics/exemplars/zh.jsonl``,
``rubrics/exemplars/en.jsonl``), one utterance per line::

    {"item": "C2", "label": "pass", "text": "So you'd like the refund on the original card, right?",
     "source": "seed", "tag": "retail"}

``item`` is a form item (``A1`` … ``E1``), ``complaint`` or ``complaint_aim`` (whom a customer's
dissatisfaction is aimed at: ``pass`` the company, ``fail`` anyone or anything else) or ``complaint_owned``
(the agent's reaction: ``pass`` owning a fault or recording a complaint, ``fail`` sympathy or help alone);
``label`` is the item's outcome
that the utterance alone would decide — for an item that is found (C2: the need restated)
``pass`` is an utterance that does it and ``fail`` a near miss that does not; for an item that
must never happen (B2) ``fail`` is an utterance that breaks it and ``pass`` a harmless one;
for the complaint trigger ``pass`` is a customer complaining. ``text`` is the utterance.
``source``, ``tag``, ``register``, ``industry`` and ``note`` are optional free text. Blank
lines and lines starting with ``#`` are skipped.

Everything is checked before anything is trained: a line that is not a JSON object, an
unknown item, a label other than pass/fail, an empty text or an unknown field is refused
with the file, the line and what is allowed (:class:`~qa_pipeline.errors.InputError`).

Example: ``load_bank(bank_path("en", rubrics_dir())).for_item("C2")``.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from qa_pipeline import package_data
from qa_pipeline.errors import InputError

__all__ = ["Exemplar", "ExemplarBank", "load_bank", "bank_path", "FORM_ITEMS", "ITEMS", "LABELS"]

# The form's items (../shared/qa-form.md) and the complaint trigger: what a specialist scores, and so
# what an imported evaluation or a review may name.
FORM_ITEMS = ("A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3", "C4", "C5", "D1", "D2", "D3", "D4", "D5", "E1",
              "complaint")
# What a bank may hold exemplars of: the form's items, whom a customer's dissatisfaction is aimed at and
# whether the agent owns a fault or records a complaint (judgements the complaint trigger may read, never
# scored on their own).
ITEMS = FORM_ITEMS + ("complaint_aim", "complaint_owned")
LABELS = ("pass", "fail")
REQUIRED = ("item", "label", "text")
OPTIONAL = ("source", "tag", "register", "industry", "note", "language", "speaker")


@dataclass(frozen=True)
class Exemplar:
    item: str
    label: str  # pass | fail
    text: str
    line: int
    source: str = ""
    tag: str = ""


@dataclass(frozen=True)
class ExemplarBank:
    path: str
    exemplars: tuple[Exemplar, ...]

    def for_item(self, item: str) -> tuple[Exemplar, ...]:
        return tuple(e for e in self.exemplars if e.item == item)

    def counts(self) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for e in self.exemplars:
            out[(e.item, e.label)] = out.get((e.item, e.label), 0) + 1
        return out


def bank_path(name: str, rubric_dir: Optional[Path] = None) -> Path:
    """Where the bank ``name`` lives: a path as given when it names a file (relative to the
    rubric), else ``$QA_EXEMPLARS_DIR/NAME.jsonl``, else ``exemplars/NAME.jsonl`` beside the
    rubric, else the standard rubrics' bank of that name (a copy of a standard rubric edited
    elsewhere keeps its exemplars)."""
    if name.endswith(".jsonl"):
        path = Path(name)
        if not path.is_absolute() and rubric_dir is not None:
            path = rubric_dir / path
        return path
    env = os.environ.get("QA_EXEMPLARS_DIR")
    if env:
        return Path(env) / f"{name}.jsonl"
    beside = (rubric_dir or Path(".")) / "exemplars" / f"{name}.jsonl"
    if beside.exists():
        return beside
    standard = package_data.rubrics_dir() / "exemplars" / f"{name}.jsonl"
    return standard if standard.exists() else beside


def _parse_line(path: Path, number: int, line: str) -> Exemplar:
    def refuse(problem: str) -> InputError:
        return InputError(path, f"line {number}: {problem}")

    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise refuse(f"not JSON ({exc.msg}); each line is one object like "
                     '{"item": "C2", "label": "pass", "text": "..."}') from None
    if not isinstance(data, dict):
        raise refuse(f"a JSON {type(data).__name__}, not an object with item, label and text")
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise refuse(f"missing {', '.join(missing)} (every line needs item, label and text)")
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise refuse(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(REQUIRED + OPTIONAL)}")
    item, label, text = data["item"], data["label"], data["text"]
    if item not in ITEMS:
        raise refuse(f"unknown item {item!r}; allowed: {', '.join(ITEMS)}")
    if label not in LABELS:
        raise refuse(f"label {label!r} for item {item}; allowed: pass, fail")
    if not isinstance(text, str) or not text.strip():
        raise refuse(f"empty text for item {item} (the utterance the label is about)")
    for key in OPTIONAL:
        if key in data and not isinstance(data[key], str):
            raise refuse(f"{key} must be text, not {type(data[key]).__name__}")
    return Exemplar(item, label, text.strip(), number, data.get("source", ""), data.get("tag", ""))


_CHECKED: dict[str, tuple[float, ExemplarBank]] = {}  # path -> (when its time stamp was read, the bank)


def load_bank(path: Path | str) -> ExemplarBank:
    """Read and validate one bank file (cached by path and modification time; the time is
    read again at most once a second: a learned check asks for its banks at every call it
    judges, and two stat calls cost about a third of judging from stored embeddings)."""
    key = str(path)
    now = time.monotonic()
    checked = _CHECKED.get(key)
    if checked is not None and now - checked[0] < 1.0:
        return checked[1]
    try:
        stamp = os.stat(key).st_mtime_ns
    except FileNotFoundError:
        raise InputError(Path(path), "exemplar bank not found") from None
    bank = _load(str(Path(path)), stamp)
    _CHECKED[key] = (now, bank)
    return bank


@lru_cache(maxsize=16)
def _load(path: str, stamp: int) -> ExemplarBank:
    exemplars = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            exemplars.append(_parse_line(Path(path), number, line))
    return ExemplarBank(path, tuple(exemplars))
