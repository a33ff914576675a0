"""Reading stored calls back: the read side of :mod:`qa_pipeline.store`.

:func:`load_calls` gives whole :class:`~qa_pipeline.records.Call` records;
:func:`fetch_call_rows` gives the raw rows in bulk (re-scoring thousands of calls builds
each record only when it needs it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence

import duckdb

from .records import Call, CallInfo, Turn, Word


def load_calls(con: duckdb.DuckDBPyConnection, call_ids: Optional[Sequence[str]] = None, *,
               words: bool = True) -> Iterator[Call]:
    """Stored calls (status done) with their turns and words, in call_id order.
    ``words=False`` skips word times (re-scoring reads only turns)."""
    rows = fetch_call_rows(con, call_ids, words=words)
    for i in range(len(rows)):
        yield rows.call(i)


@dataclass(frozen=True)
class StoredCallRows:
    """Stored calls as fetched, made into :class:`Call` records one by one with :meth:`call`
    (``qa score`` makes them in its worker processes, not in the one that reads them)."""

    calls: list  # call_store rows, in call_id order
    turns: dict  # call_id -> [[speaker, start, end, text, [Word, ...]], ...]

    def __len__(self) -> int:
        return len(self.calls)

    @property
    def ids(self) -> list[str]:
        return [c[0] for c in self.calls]

    @property
    def languages(self) -> list[str]:
        return [c[6] or "unknown" for c in self.calls]

    def call(self, i: int) -> Call:
        (cid, path, sha, dur, ch, sr, lang, agent_id, agent_name, team, started, meta, source,
         asr_model, role_conf, role_note, roles_uncertain, redacted) = self.calls[i]
        info = CallInfo(call_id=cid, source_path=path, agent_id=agent_id, agent_name=agent_name,
                        team=team, started_at=started, metadata=json.loads(meta) if meta else {})
        return Call(
            info=info, language=lang or "unknown",
            turns=tuple(Turn(spk, s, e, text, tuple(words)) for spk, s, e, text, words in self.turns.get(cid, [])),
            sha256=sha, duration=dur, channels=ch, sample_rate=sr, source=source or "audio",
            asr_model=asr_model, role_confidence=role_conf, role_note=role_note,
            roles_uncertain=bool(roles_uncertain), redacted=bool(redacted),
        )


def fetch_call_rows(con: duckdb.DuckDBPyConnection, call_ids: Optional[Sequence[str]] = None, *,
                    words: bool = True) -> StoredCallRows:
    """The rows :func:`load_calls` makes its calls from."""
    where = "status = 'done'"
    params: list = []
    if call_ids:
        where += " AND call_id IN (SELECT unnest(?))"
        params.append(list(call_ids))
    calls = con.execute(
        f"SELECT call_id, source_path, sha256, duration, channels, sample_rate, language, agent_id, "
        f"agent_name, team, CAST(started_at AS VARCHAR), metadata, source, asr_model, role_confidence, "
        f"role_note, roles_uncertain, redacted FROM call_store WHERE {where} ORDER BY call_id",
        params,
    ).fetchall()
    turns: dict[str, list] = {}
    if not calls:
        return StoredCallRows(calls, turns)
    ids = [c[0] for c in calls]
    for cid, idx, spk, s, e, text in con.execute(
        "SELECT call_id, turn, speaker, start_s, end_s, text FROM turn_store "
        "WHERE call_id IN (SELECT unnest(?)) ORDER BY call_id, turn", [ids]
    ).fetchall():
        turns.setdefault(cid, []).append([spk, s, e, text or "", []])
    for cid, idx, spk, s, e, text, p in con.execute(
        "SELECT call_id, turn, speaker, start_s, end_s, text, probability FROM word_store "
        "WHERE call_id IN (SELECT unnest(?)) ORDER BY call_id, turn, word", [ids]
    ).fetchall() if words else ():
        call_turns = turns.get(cid)
        if call_turns and idx < len(call_turns):
            call_turns[idx][4].append(Word(s, e, text, p, spk))
    return StoredCallRows(calls, turns)
