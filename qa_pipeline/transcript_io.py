"""Transcripts in and out: the JSON call format of ../shared/qa-examples/FORMAT.md, and exports.

Import format (one JSON object per file; a file may also hold a list of them, and a ``.jsonl``
file one object a line)::

    {"call_id": "zh-017", "language": "zh", "agent_id": "A1021", "agent_name": "王晓",
     "team": "售后一组", "started_at": "2026-10-03T09:14:00+08:00",
     "metadata": {"ring_seconds": 8, "queue": "after-sales"},
     "turns": [{"speaker": "agent", "start": 0.8, "end": 5.2, "text": "..."}]}

Other keys (``labels``, ``notes``) are ignored. Times may be missing (a chat log).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Optional

import duckdb

from qa_pipeline.errors import InputError
from qa_pipeline.records import SPEAKERS, Call, CallInfo, Turn
from qa_pipeline.textio import read_text_file

log = logging.getLogger(__name__)

MAX_TURNS = 20_000
MAX_TEXT = 100_000
SPEAKER_ALIASES = {"agent": "agent", "customer": "customer", "caller": "customer", "client": "customer",
                   "user": "customer", "坐席": "agent", "客服": "agent", "客户": "customer",
                   "other_agent": "other_agent", "supervisor": "other_agent", "unknown": "unknown"}


def read_transcripts(path: str | Path) -> list[Call]:
    """Read one JSON file (an object or a list of objects) into calls; raises InputError."""
    return [call for _, call in read_transcript_records(path)]


def read_transcript_records(path: str | Path) -> list[tuple[str, Call]]:
    """:func:`read_transcripts`, each call with where it was read: the file's name, followed by
    ``[item N]`` (0-based) in a file holding a list, or ``line N`` (1-based) in a JSON-lines file
    (``.jsonl``: one call object a line). Any bad record raises InputError naming it: the file
    is read whole or not at all."""
    path = Path(path)
    text = read_text_file(path)
    if path.suffix.lower() == ".jsonl":
        return [(where, call_from_json(_json(line, path, where), where))
                for where, line in ((f"{path} line {n}", line) for n, line in enumerate(text.splitlines(), 1))
                if line.strip()]
    data = _json(text, path, str(path))
    if not isinstance(data, list):
        return [(str(path), call_from_json(data, path))]
    return [(f"{path} [item {i}]", call_from_json(item, path, index=i)) for i, item in enumerate(data)]


def _json(text: str, path: Path, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        at = f"column {exc.colno}" if where != str(path) else f"line {exc.lineno}, column {exc.colno}"
        raise InputError(where, f"not valid JSON ({at}: {exc.msg})") from exc
    except RecursionError as exc:
        raise InputError(where, "JSON nested too deeply to be a call transcript") from exc


def call_from_json(d: Any, path: str | Path = "<json>", *, index: Optional[int] = None) -> Call:
    where = f"{path}" + (f" [item {index}]" if index is not None else "")
    if not isinstance(d, dict):
        raise InputError(where, "expected a JSON object with call_id, language and turns")
    call_id = d.get("call_id")
    if not isinstance(call_id, str) or not call_id.strip() or len(call_id) > 200:
        raise InputError(where, "`call_id` must be a non-empty string of at most 200 characters")
    turns_in = d.get("turns")
    if not isinstance(turns_in, list):
        raise InputError(where, "`turns` must be a list of {speaker, start, end, text}")
    if len(turns_in) > MAX_TURNS:
        raise InputError(where, f"{len(turns_in)} turns; at most {MAX_TURNS} per call")
    language = str(d.get("language") or "unknown").lower()
    turns = []
    for n, t in enumerate(turns_in):
        if not isinstance(t, dict):
            raise InputError(where, f"turn {n} is not an object")
        raw_speaker = str(t.get("speaker") or "unknown").strip().lower()
        speaker = SPEAKER_ALIASES.get(raw_speaker)
        if speaker is None:
            raise InputError(where, f"turn {n}: speaker {t.get('speaker')!r} is not one of {', '.join(SPEAKERS)}")
        text = t.get("text") or ""
        if not isinstance(text, str):
            raise InputError(where, f"turn {n}: `text` must be a string")
        if len(text) > MAX_TEXT:
            raise InputError(where, f"turn {n}: text longer than {MAX_TEXT} characters")
        start, end = _time(t.get("start"), where, n, "start"), _time(t.get("end"), where, n, "end")
        if start is not None and end is not None and end < start:
            raise InputError(where, f"turn {n}: end {end} is before start {start}")
        turns.append(Turn(speaker, start, end, text))
    started_at = d.get("started_at")
    if started_at:
        try:
            datetime.fromisoformat(str(started_at).replace("Z", "+00:00"))
        except ValueError as exc:
            raise InputError(where, f"started_at {started_at!r} is not ISO 8601") from exc
    metadata = d.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise InputError(where, "`metadata` must be an object")
    info = CallInfo(call_id=call_id.strip(), source_path=None, agent_id=_opt(d.get("agent_id")),
                    agent_name=_opt(d.get("agent_name")), team=_opt(d.get("team")),
                    started_at=str(started_at) if started_at else None, metadata=metadata)
    return Call(info=info, language=language, turns=tuple(turns), source="import")


def _opt(v: Any) -> Optional[str]:
    return str(v) if v not in (None, "") else None


def _time(v: Any, where: str, n: int, name: str) -> Optional[float]:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or v != v:
        raise InputError(where, f"turn {n}: `{name}` must be a non-negative number of seconds, got {v!r}")
    return float(v)


def iter_transcript_files(path: str | Path) -> Iterator[Path]:
    path = Path(path)
    if path.is_file():
        yield path
        return
    if not path.exists():
        raise InputError(path, "no such file or folder")
    yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in (".json", ".jsonl") and p.is_file())


def _spreadsheet_safe(df):
    """Lists as text, and text cells that a spreadsheet would run as a formula (=, +, -, @)
    prefixed with an apostrophe: transcripts are untrusted text."""
    import polars as pl

    columns = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if dtype.is_nested():
            col = col.cast(pl.List(pl.String)).list.join("; ") if dtype == pl.List(pl.String) else col.cast(pl.String)
        elif dtype != pl.String:
            continue
        columns.append(pl.when(col.str.contains(r"^[=+\-@\t\r]")).then(pl.lit("'") + col).otherwise(col).alias(name))
    return df.with_columns(columns) if columns else df


EXPORT_TABLES = {
    "calls": "SELECT * FROM calls ORDER BY call_id",
    "turns": "SELECT * FROM turns ORDER BY call_id, turn",
    "words": "SELECT * FROM words ORDER BY call_id, turn, word",
    "check_results": "SELECT * FROM check_results ORDER BY call_id, rubric_id, rubric_version, check_id",
    "call_results": "SELECT * FROM call_results ORDER BY call_id, rubric_id, rubric_version",
    "call_metrics": "SELECT * FROM call_metrics ORDER BY call_id",
}


def export(con: duckdb.DuckDBPyConnection, fmt: str, out_dir: str | Path) -> dict[str, Path]:
    """Write calls, turns, words and results as parquet, csv or jsonl files in ``out_dir``."""
    if fmt not in ("parquet", "csv", "jsonl"):
        raise InputError(fmt, "format must be parquet, csv or jsonl")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, sql in EXPORT_TABLES.items():
        df = con.sql(sql).pl()
        target = out / f"{name}.{fmt}"
        tmp = target.with_suffix(target.suffix + ".tmp")
        if fmt == "parquet":
            df.write_parquet(tmp)
        elif fmt == "csv":
            _spreadsheet_safe(df).write_csv(tmp)
        else:
            df.write_ndjson(tmp)
        tmp.replace(target)
        written[name] = target
    return written
