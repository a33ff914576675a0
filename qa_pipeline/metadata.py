"""Call metadata: a CSV or JSON-lines file with a header, one row per call.

A row is matched to a recording by ``file`` (path relative to CALLS_DIR) or by ``call_id``.
Known columns: call_id, agent_id, agent_name, team, started_at, ring_seconds, queue,
direction, customer_id, agent_channel (left|right, for stereo). Other columns are kept in
the call's metadata.
"""
from __future__ import annotations

import csv
import difflib
import io
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Optional

from qa_pipeline.errors import InputError
from qa_pipeline.records import CallInfo
from qa_pipeline.textio import read_text_file

log = logging.getLogger(__name__)

KNOWN = ("call_id", "file", "agent_id", "agent_name", "team", "started_at")
COLUMNS = KNOWN + ("ring_seconds", "queue", "direction", "customer_id", "agent_channel")
"""Every column the pipeline reads; others are kept in the call's metadata as they are."""
MAX_ROWS = 2_000_000


@dataclass
class MetadataTable:
    path: Optional[str] = None
    by_file: dict[str, dict] = field(default_factory=dict)
    by_call_id: dict[str, dict] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    column_warnings: list[str] = field(default_factory=list)
    """Columns that look like a misspelled known column (``agentid`` for ``agent_id``);
    not logged here: the caller reports them (``qa run`` does, and fails on them with --strict-metadata)."""
    rows: list[tuple[int, dict]] = field(default_factory=list)
    """The accepted rows with their line numbers in the file."""

    def row_for(self, relative_path: str, call_id: str) -> dict:
        return self.by_file.get(relative_path) or self.by_call_id.get(call_id) or {}

    def match(self, relative_paths: list[str]) -> MetadataMatch:
        """Which recordings (paths relative to CALLS_DIR) found no row, and which rows found no recording,
        matched as :func:`row_for` matches them in a batch."""
        matched: set[int] = set()
        unmatched_files = []
        for rel in relative_paths:
            row = self.row_for(rel, Path(rel).stem)
            if row:
                matched.add(id(row))
            else:
                unmatched_files.append(rel)
        unmatched_rows = [(line, row) for line, row in self.rows if id(row) not in matched]
        return MetadataMatch(unmatched_files, unmatched_rows)


@dataclass(frozen=True)
class MetadataMatch:
    unmatched_files: list[str]
    unmatched_rows: list[tuple[int, dict]]

    def describe(self, metadata_path: str, examples: int = 3) -> list[str]:
        """One line per kind of mismatch, with a few examples, for a person to read."""
        lines = []
        if self.unmatched_files:
            shown = ", ".join(self.unmatched_files[:examples])
            more = ", ..." if len(self.unmatched_files) > examples else ""
            lines.append(f"{len(self.unmatched_files)} recording(s) matched no row of {metadata_path} "
                         f"(by `file`, the path under CALLS_DIR, or `call_id`, the file name without extension): "
                         f"{shown}{more}; their calls get no agent, team or start time from it")
        if self.unmatched_rows:
            shown = ", ".join(f"line {line} ({_row_key(row)})" for line, row in self.unmatched_rows[:examples])
            more = ", ..." if len(self.unmatched_rows) > examples else ""
            lines.append(f"{len(self.unmatched_rows)} row(s) of {metadata_path} matched no recording: {shown}{more}")
        return lines


def _row_key(row: dict) -> str:
    return f"file {row['file']}" if row.get("file") else f"call_id {row.get('call_id')}"


def _squashed(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def misspelled_columns(columns) -> list[tuple[str, str]]:
    """(column, the known column it probably means) for each column that is not known but close
    to a known one that the file lacks: ``agentid``, ``Agent ID`` -> agent_id, ``filename`` -> file.

    >>> misspelled_columns(["filename", "agentid", "team", "vip"])
    [('filename', 'file'), ('agentid', 'agent_id')]
    """
    present = {str(c).strip() for c in columns}
    missing = [k for k in COLUMNS if k not in present]
    squashed = {_squashed(k): k for k in missing}
    out = []
    for column in columns:
        column = str(column).strip()
        if not column or column in COLUMNS:
            continue
        key = _squashed(column)
        if key in squashed:
            out.append((column, squashed[key]))
            continue
        # "filename", "file_path", "file name": a known column followed by a word for the same thing
        prefix = next((k for s, k in squashed.items() if key.startswith(s) and key[len(s):] in _SAME_THING), None)
        close = prefix or next(iter(difflib.get_close_matches(key, list(squashed), n=1, cutoff=0.8)), None)
        if close:
            out.append((column, squashed.get(close, close)))
    return out


_SAME_THING = {"name", "path", "id", "no", "number"}


def read_metadata(path: str | Path) -> MetadataTable:
    """Read a metadata file; bad rows are reported in ``problems`` and skipped."""
    path = Path(path)
    text = read_text_file(path)
    header: list[str] = []
    line_numbers: list[int] = []  # of each row in the file, for messages
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(path, f"line {n} is not valid JSON ({exc.msg}); one JSON object per line") from exc
            if not isinstance(row, dict):
                raise InputError(path, f"line {n} is not a JSON object")
            rows.append(row)
            line_numbers.append(n)
    else:
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        header = [f.strip() for f in reader.fieldnames or []]
        if not ({"file", "call_id"} & set(header)):
            hints = [f"`{column}` -> `{known}`" for column, known in misspelled_columns(header)
                     if known in ("file", "call_id")]
            raise InputError(path, "the header needs a `file` or `call_id` column (found: "
                                   f"{', '.join(header) or 'nothing'})"
                                   + (f"; did you mean {', '.join(hints)}?" if hints else ""))
        try:
            rows = [{(k or "").strip(): (v.strip() if isinstance(v, str) else v) for k, v in r.items()} for r in reader]
        except csv.Error as exc:
            raise InputError(path, f"line {reader.line_num}: not readable as CSV ({exc}); check quoting and "
                                   "field sizes, or save it again from a spreadsheet as CSV UTF-8") from exc
        line_numbers = list(range(2, len(rows) + 2))  # line 1 is the header
    if len(rows) > MAX_ROWS:
        raise InputError(path, f"{len(rows)} rows; split it into files of at most {MAX_ROWS}")
    table = MetadataTable(path=str(path))
    columns = header or list(dict.fromkeys(k for row in rows for k in row))
    for column, known in misspelled_columns(columns):
        table.column_warnings.append(f"{path}: column {column!r} is not one qa reads; did you mean {known!r}? "
                                     f"(rename it in the header, or its values are kept only as extra metadata)")
    for n, row in zip(line_numbers, rows):
        problem = _check_row(row)
        if problem:
            table.problems.append(f"{path}: line {n}: {problem}")
            continue
        table.rows.append((n, row))
        if row.get("file"):
            table.by_file[str(Path(str(row["file"])).as_posix())] = row
        if row.get("call_id"):
            table.by_call_id[str(row["call_id"])] = row
    for p in table.problems:
        log.warning(p)
    return table


def _check_row(row: dict) -> Optional[str]:
    if not row.get("file") and not row.get("call_id"):
        return "neither `file` nor `call_id` is set"
    ring = row.get("ring_seconds")
    if ring not in (None, ""):
        try:
            if float(ring) < 0:
                return f"ring_seconds {ring!r} is negative"
        except (TypeError, ValueError):
            return f"ring_seconds {ring!r} is not a number"
    started = row.get("started_at")
    if started not in (None, ""):
        try:
            datetime.fromisoformat(str(started).replace("Z", "+00:00"))
        except ValueError:
            return f"started_at {started!r} is not an ISO 8601 date-time (e.g. 2026-10-03T09:14:00+08:00)"
    channel = row.get("agent_channel")
    if channel not in (None, "") and str(channel).lower() not in ("left", "right", "0", "1"):
        return f"agent_channel {channel!r} must be left or right"
    return None


def call_info(relative_path: str, row: dict, *, source_path: str, language: Optional[str] = None) -> CallInfo:
    """The CallInfo for a recording: id from the `call_id` column, else the file name."""
    call_id = str(row.get("call_id") or Path(relative_path).stem)
    extra = {k: v for k, v in row.items() if k not in KNOWN and v not in (None, "")}
    if "ring_seconds" in extra:
        try:
            extra["ring_seconds"] = float(extra["ring_seconds"])
        except (TypeError, ValueError):
            extra.pop("ring_seconds")
    return CallInfo(
        call_id=call_id, source_path=source_path, agent_id=row.get("agent_id") or None,
        agent_name=row.get("agent_name") or None, team=row.get("team") or None,
        started_at=row.get("started_at") or None, metadata=extra, language=language,
    )
