"""A centre's past evaluations, scored by hand before the pipeline: imported as reviews.

A CSV file with a header row, or JSON lines (one object per line), with the fields
``call_id, item, outcome, reviewer, comment, reviewed_at``::

    call_id,item,outcome,reviewer,comment,reviewed_at
    call-0042,C2,pass,li.qa,restated the address,2026-10-03T14:20:00+08:00

``item`` is a form item (``A1`` … ``E1``) or ``complaint``; ``outcome`` pass, fail or na;
``reviewed_at`` an ISO 8601 date or time (a time without a zone is taken as UTC);
``comment`` may be empty. The call must already be in the database (``qa import`` / ``qa run``).

Imported evaluations are kept in their own table (``imported_reviews``, docs/schema.md): they
were made before any automatic result, so they are not confirmations or overrides of a
finding. Re-importing a file is idempotent: a row replaces the one of the same call, item and
reviewer. A bad row (unknown call, unknown item, wrong outcome, bad date, missing field) is
reported with the file, the line and what is allowed, and the rest is imported::

    with store.opened("qa.duckdb") as con, store.transaction(con):
        report = import_reviews(con, "evaluations-2026.csv", actor="cli:li")
    report.imported, report.problems[0]   # 118, RowProblem('evaluations-2026.csv', 7, "unknown item 'C9'; …")
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Optional

import duckdb

from qa_pipeline.errors import InputError
from qa_pipeline.privacy.access import audit
from qa_pipeline.review.reviews import OUTCOMES
from qa_pipeline.rubric.exemplars import FORM_ITEMS
from qa_pipeline.store import call_facts

__all__ = ["FIELDS", "RowProblem", "ImportReport", "import_reviews"]

FIELDS = ("call_id", "item", "outcome", "reviewer", "comment", "reviewed_at")
REQUIRED = ("call_id", "item", "outcome", "reviewer", "reviewed_at")


@dataclass(frozen=True)
class RowProblem:
    path: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: line {self.line}: {self.problem}"


@dataclass
class ImportReport:
    path: str
    imported: int = 0   # rows new to the database
    replaced: int = 0   # rows that replaced an earlier import of the same call, item and reviewer
    problems: list[RowProblem] = field(default_factory=list)


def _rows(path: Path) -> Iterator[tuple[int, object]]:
    """``(line, row)`` for each record: a dict, or for a JSON line that is not an object, the value."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        head = fh.read(4096)
        fh.seek(0)
        if path.suffix.lower() in (".jsonl", ".json", ".ndjson") or head.lstrip().startswith("{"):
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, f"not JSON ({exc.msg})"
            return
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [f for f in REQUIRED if f not in header]
        if missing:
            raise InputError(path, f"line 1: the header lacks {', '.join(missing)}; "
                                   f"the columns are {', '.join(FIELDS)} (comment may be left out)")
        unknown = [f for f in header if f not in FIELDS]
        if unknown:
            raise InputError(path, f"line 1: unknown column(s) {', '.join(unknown)}; allowed: {', '.join(FIELDS)}")
        start = 2
        for row in reader:
            yield start, row
            start = reader.line_num + 1


def _when(value: str) -> Optional[datetime]:
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _check(row: object, known_calls: set[str]) -> tuple[Optional[tuple], Optional[str]]:
    """The row as values to store, or what is wrong with it."""
    if isinstance(row, str):
        return None, (f"{row}; each line is one object like "
                      '{"call_id": "call-0042", "item": "C2", "outcome": "pass", "reviewer": "li.qa", '
                      '"reviewed_at": "2026-10-03"}')
    if not isinstance(row, dict):
        return None, f"a JSON {type(row).__name__}, not an object with {', '.join(FIELDS)}"
    unknown = sorted(k for k in row if k not in FIELDS and k is not None)
    if unknown:
        return None, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(FIELDS)}"
    values = {k: ("" if row.get(k) is None else str(row.get(k)).strip()) for k in FIELDS}
    missing = [k for k in REQUIRED if not values[k]]
    if missing:
        return None, f"missing {', '.join(missing)} (every row needs {', '.join(REQUIRED)})"
    if values["call_id"] not in known_calls:
        return None, f"unknown call {values['call_id']!r}: import or run the call first (qa import / qa run)"
    if values["item"] not in FORM_ITEMS:
        return None, f"unknown item {values['item']!r}; allowed: {', '.join(FORM_ITEMS)}"
    outcome = values["outcome"].lower()
    if outcome not in OUTCOMES:
        return None, f"outcome {values['outcome']!r} for item {values['item']}; allowed: {', '.join(OUTCOMES)}"
    when = _when(values["reviewed_at"])
    if when is None:
        return None, (f"reviewed_at {values['reviewed_at']!r} is not a date; allowed: ISO 8601, "
                      "e.g. 2026-10-03 or 2026-10-03T14:20:00+08:00")
    return (values["call_id"], values["item"], outcome, values["reviewer"], values["comment"] or None, when), None


def import_reviews(con: duckdb.DuckDBPyConnection, path: str | Path, *, actor: str = "import") -> ImportReport:
    """Import the evaluations in ``path`` (CSV or JSON lines) into ``imported_reviews``.

    Every row is checked first; the good ones are stored (replacing an earlier import of the
    same call, item and reviewer), the bad ones listed in the report's ``problems``. Raises
    :class:`~qa_pipeline.errors.InputError` only when the file cannot be read as a whole (not
    found, a CSV header without the required columns). Starts no transaction.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found (CSV or JSON lines of evaluations)")
    report = ImportReport(str(path))
    known = {r[0] for r in con.execute("SELECT call_id FROM call_store").fetchall()}
    good: dict[tuple[str, str, str], tuple] = {}
    lines: dict[tuple[str, str, str], int] = {}
    for line, row in _rows(path):
        values, problem = _check(row, known)
        if problem is not None:
            report.problems.append(RowProblem(str(path), line, problem))
            continue
        key = (values[0], values[1], values[3])
        good[key] = values  # a file naming the same evaluation twice: its last row stands
        lines[key] = line
    now = datetime.now(timezone.utc)
    for key, values in good.items():
        existed = con.execute("DELETE FROM imported_review_store WHERE call_id = ? AND item = ? AND reviewer = ? "
                              "RETURNING 1", list(key)).fetchall()
        con.execute("INSERT INTO imported_review_store VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [*values, str(path), lines[key], now])
        if existed:
            report.replaced += 1
        else:
            report.imported += 1
    call_facts.refresh_agreement(con, [key[0] for key in good])  # the agreement view counts them
    audit(con, actor, "reviews.import", str(path),
          {"imported": report.imported, "replaced": report.replaced, "refused": len(report.problems)})
    return report
