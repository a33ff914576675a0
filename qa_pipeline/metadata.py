"""Call metadata: a CSV or JSON-lines file with a header, one row per call.

A row is matched to a recording by ``file`` (path relative to CALLS_DIR) or by ``call_id``.
Known columns: call_id, agent_id, agent_name, team, started_at, ring_seconds, queue,
direction, customer_id, agent_channel (left|right, for stereo). Other columns are kept in
the call's metadata.
"""
from __future__ import annotations

import csv
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
MAX_ROWS = 2_000_000


@dataclass
class MetadataTable:
    path: Optional[str] = None
    by_file: dict[str, dict] = field(default_factory=dict)
    by_call_id: dict[str, dict] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def row_for(self, relative_path: str, call_id: str) -> dict:
        return self.by_file.get(relative_path) or self.by_call_id.get(call_id) or {}


def read_metadata(path: str | Path) -> MetadataTable:
    """Read a metadata file; bad rows are reported in ``problems`` and skipped."""
    path = Path(path)
    text = read_text_file(path)
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
    else:
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        if not reader.fieldnames or not ({"file", "call_id"} & {f.strip() for f in reader.fieldnames}):
            raise InputError(path, "the header needs a `file` or `call_id` column (found: "
                                   f"{', '.join(reader.fieldnames or []) or 'nothing'})")
        try:
            rows = [{(k or "").strip(): (v.strip() if isinstance(v, str) else v) for k, v in r.items()} for r in reader]
        except csv.Error as exc:
            raise InputError(path, f"line {reader.line_num}: not readable as CSV ({exc}); check quoting and "
                                   "field sizes, or save it again from a spreadsheet as CSV UTF-8") from exc
    if len(rows) > MAX_ROWS:
        raise InputError(path, f"{len(rows)} rows; split it into files of at most {MAX_ROWS}")
    table = MetadataTable(path=str(path))
    for n, row in enumerate(rows, 2):
        problem = _check_row(row)
        if problem:
            table.problems.append(f"{path}: row {n}: {problem}")
            continue
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
