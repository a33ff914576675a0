"""The organisation: which agent works in which team, under which team lead, in which centre.

The org is centre → team → agent. A roster comes from HR or the workforce-management tool
as a CSV file with one agent a row::

    agent_id,agent_name,team,team_lead,hire_date,centre
    A1021,王晓,售后一组,陈静,2024-03-18,华东客服中心

Only ``agent_id`` is required; the other columns may be missing or empty. Excel on a
Chinese Windows often saves CSV as GBK, so the encoding is detected, not assumed.

>>> entries = read_roster("roster.csv")       # doctest: +SKIP
>>> save_roster(con, entries)                 # doctest: +SKIP
"""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Optional, Sequence

import duckdb

from qa_pipeline.errors import InputError
from qa_pipeline.store import database as store
from qa_pipeline.textio import read_text_file

__all__ = ["COLUMNS", "RosterEntry", "read_roster", "parse_roster", "save_roster", "import_roster"]

log = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = ("agent_id", "agent_name", "team", "team_lead", "hire_date", "centre")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d.%m.%Y", "%Y%m%d")


@dataclass(frozen=True)
class RosterEntry:
    """One agent's place in the organisation."""

    agent_id: str
    agent_name: Optional[str] = None
    team: Optional[str] = None
    team_lead: Optional[str] = None
    hire_date: Optional[date] = None
    centre: Optional[str] = None


def _parse_date(path: Path, line: int, value: str) -> Optional[date]:
    value = value.strip()
    if not value:
        return None
    value = value.split("T")[0].split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise InputError(path, f"line {line}: hire_date {value!r} is not a date; write it as YYYY-MM-DD")


def parse_roster(text: str, path: str | Path = "<roster>") -> list[RosterEntry]:
    """Parse roster CSV text. Column names are matched case-insensitively; extra columns are ignored."""
    path = Path(path)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise InputError(path, "the roster is empty; it needs a header row: " + ",".join(COLUMNS))
    names = [h.strip().lower() for h in header]
    if "agent_id" not in names:
        raise InputError(
            path, f"no agent_id column (found: {', '.join(header)}); the header row must name the columns "
            + ",".join(COLUMNS)
        )
    index = {c: names.index(c) for c in COLUMNS if c in names}
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(column: str) -> str:
            i = index.get(column)
            return row[i].strip() if i is not None and i < len(row) else ""

        agent_id = cell("agent_id")
        if not agent_id:
            raise InputError(path, f"line {line}: agent_id is empty; every row needs the agent's id")
        if agent_id in seen:
            raise InputError(path, f"line {line}: agent_id {agent_id} is already on line {seen[agent_id]}; "
                             "keep one row per agent")
        seen[agent_id] = line
        entries.append(RosterEntry(
            agent_id=agent_id,
            agent_name=cell("agent_name") or None,
            team=cell("team") or None,
            team_lead=cell("team_lead") or None,
            hire_date=_parse_date(path, line, cell("hire_date")),
            centre=cell("centre") or None,
        ))
    return entries


def read_roster(path: str | Path) -> list[RosterEntry]:
    """Read a roster CSV file (UTF-8, or whatever encoding it turns out to be in)."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file; give the path of the roster CSV")
    return parse_roster(read_text_file(path), path)


def save_roster(con: duckdb.DuckDBPyConnection, entries: Sequence[RosterEntry] | Iterable[RosterEntry]) -> int:
    """Store the entries (replacing earlier rows for the same agents); returns how many."""
    return store.save_roster(con, (asdict(e) for e in entries))


def import_roster(con: duckdb.DuckDBPyConnection, path: str | Path) -> int:
    """Read a roster CSV and store it; returns the number of agents."""
    entries = read_roster(path)
    n = save_roster(con, entries)
    log.info("%s: %d agents in %d teams", path, n, len({e.team for e in entries if e.team}))
    return n
