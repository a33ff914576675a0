"""A call as storage keeps it: its rows, table by table, under named columns.

:func:`call_rows` is the one place that turns :class:`~qa_pipeline.records.Call` records into
rows; :func:`qa_pipeline.store.database.save_call` (one call) and
:func:`~qa_pipeline.store.database.save_calls` (many) both write what it builds. Rows are
inserted column by column (:func:`columns_of`), never by position, so the column order of
the tables (which migrations extend) does not matter.
"""
from __future__ import annotations

import contextlib

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Optional, Sequence

import duckdb

from qa_pipeline.records import Call
from qa_pipeline.store.embeddings import EMBEDDING_COLUMNS, EMBEDDING_DIM

# (call_id, normaliser version, the call's turn texts normalised for rubric matching): made by
# the scorer (qa_pipeline.rubric.text.norm_row), stored as they come.
NormRow = tuple[str, int, list[str]]

def coverage_json(coverage) -> Optional[str]:
    """A call's per-side speech coverage as stored in ``call_store.coverage`` (None when unmeasured)."""
    if not coverage:
        return None
    return json.dumps([[s.speaker, s.speech_seconds, s.untranscribed_seconds] for s in coverage])


CALL_COLUMNS = ("call_id", "source_path", "sha256", "duration", "channels", "sample_rate", "language",
                "agent_id", "agent_name", "team", "started_at", "ring_seconds", "metadata", "source", "status",
                "asr_model", "role_confidence", "role_note", "roles_uncertain", "redacted", "processed_at", "coverage")
TURN_COLUMNS = ("call_id", "turn", "speaker", "start_s", "end_s", "text", "stored_at", "agent_id")
# A turn's agent_id is its call's (migration 26): a words search for an agent's calls filters the turns
# on it in the scan, and each day over keeps an agent's turns together (store.turn_layout).
TURN_LOWERED = "nullif(lower(text), upper(text))"
"""A turn's ``text_lower`` (migration 25), written with it: its text as the words search matches
it, lowered by DuckDB's ``lower`` (the search's rule since it began), so no search lowers text
(most of a search's cost on real text); NULL where the text has no cased letter (lowering and
raising it give the same: most Mandarin, digits), which keeps the store and the writer's work
small. DuckDB lowers and raises letter by letter and a cased letter lowered is still cased, so a
NULL turn's text is its own lowered text and cannot hold a word with a cased letter: a search for
such words reads ``text_lower`` alone, a search for words without one ``text`` alone
(:data:`TURN_SEARCHED`), never both columns."""
TURN_SEARCHED = "text_lower"
"""The column a search for words with a cased letter matches their lowered text in (:data:`TURN_LOWERED`)."""
COMPUTED_COLUMNS = {"turn_store": {"text_lower": TURN_LOWERED}}
"""Columns the writer computes in SQL from the row's other columns, by table."""
WORD_COLUMNS = ("call_id", "turn", "word", "speaker", "start_s", "end_s", "text", "probability", "stored_at")
# A turn's and a word's stored_at is its call's processed_at (migration 23): turns are stored in the order
# calls are, so looked up by id and that time a scan skips the other row groups (zone maps).
NORM_COLUMNS = ("call_id", "normalizer", "texts")
# (call_id, turn index, sentence index, clause index (0: the whole sentence), encoder id, hash of
# the text, vector): a sentence or clause the scorer's learned judgements embedded, made by the
# scorer (qa_pipeline.rubric.encoder.embedding_rows), stored as it comes.
EmbeddingRow = tuple[str, int, int, int, str, int, Any]


def embedding_rows_to_store(rows: Iterable[EmbeddingRow]) -> list[EmbeddingRow]:
    """The rows the table can hold: vectors of its size (another encoder's are not stored)."""
    return [r for r in rows if len(r[-1]) == EMBEDDING_DIM]


@dataclass
class CallRows:
    """The rows of some calls, by table (tuples in the order of the table's ``*_COLUMNS``)."""

    calls: list = field(default_factory=list)
    turns: list = field(default_factory=list)
    norms: list = field(default_factory=list)
    embeddings: list = field(default_factory=list)
    words: list = field(default_factory=list)

    # Tables in the order they are written: the call row first, its words last.
    TABLES = ("call_store", "turn_store", "turn_norm_store", "turn_embedding_store", "word_store")

    def table(self, name: str) -> tuple[tuple[str, ...], list]:
        """``(columns, rows)`` of one of :attr:`TABLES`."""
        return {"call_store": (CALL_COLUMNS, self.calls), "turn_store": (TURN_COLUMNS, self.turns),
                "turn_norm_store": (NORM_COLUMNS, self.norms),
                "turn_embedding_store": (EMBEDDING_COLUMNS, self.embeddings),
                "word_store": (WORD_COLUMNS, self.words)}[name]


def call_rows(calls: Iterable[Call], norms: Iterable[NormRow] = (), *, processed_at: datetime,
              embeddings: Iterable[EmbeddingRow] = ()) -> CallRows:
    """The rows storing ``calls`` (status done, processed at ``processed_at``), the
    normalised turn texts of those in ``norms`` and the sentence ``embeddings`` of their turns;
    a call without turns keeps neither."""
    norms_of = {row[0]: row for row in norms}
    embedded: dict[str, list] = {}
    for row in embedding_rows_to_store(embeddings):
        embedded.setdefault(row[0], []).append(row)
    rows = CallRows()
    for call in calls:
        info, cid = call.info, call.call_id
        rows.calls.append((
            cid, info.source_path, call.sha256, call.duration, call.channels, call.sample_rate, call.language,
            info.agent_id, info.agent_name, info.team, info.started_at, info.ring_seconds,
            json.dumps(info.metadata, ensure_ascii=False, default=str), call.source, "done",
            call.asr_model, call.role_confidence, call.role_note, call.roles_uncertain, call.redacted, processed_at,
            coverage_json(call.coverage),
        ))
        for i, t in enumerate(call.turns):
            rows.turns.append((cid, i, t.speaker, t.start, t.end, t.text, processed_at, info.agent_id))
            rows.words.extend((cid, i, j, w.speaker, w.start, w.end, w.text, w.probability, processed_at)
                              for j, w in enumerate(t.words))
        norm: Optional[NormRow] = norms_of.get(cid)
        if norm is not None and call.turns:
            rows.norms.append((cid, norm[1], list(norm[2])))
        rows.embeddings.extend(r for r in embedded.get(cid, ()) if r[1] < len(call.turns))
    return rows


def _objects(values: Sequence):
    """A column for DuckDB: a NumPy array of Python objects (None is NULL; lists stay lists).
    DuckDB reads a dict of such columns directly and casts to the table's types on insert,
    which keeps pyarrow (and the pandas it imports, ~0.3 s) out of writing."""
    import numpy as np

    return np.fromiter(values, dtype=object, count=len(values))


def columns_of(rows: Sequence[Sequence], names: Sequence[str]) -> dict:
    """Rows as a dict of columns (:func:`_objects`) that DuckDB can insert from."""
    columns = list(zip(*rows)) if rows else [()] * len(names)
    return {name: _objects(column) for name, column in zip(names, columns)}


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Sequence], names: Sequence[str]) -> None:
    """Insert ``rows`` (tuples in the order of ``names``) into the named columns of ``table``, in one
    statement over a registered view of their columns (:func:`columns_of`), and the table's
    :data:`COMPUTED_COLUMNS` computed from them."""
    if not rows:
        return
    computed = COMPUTED_COLUMNS.get(table, {})
    into = ", ".join([*names, *computed])
    values = ", ".join([*names, *computed.values()])
    con.register("_new_rows", columns_of(rows, names))
    try:
        con.execute(f"INSERT INTO {table} ({into}) SELECT {values} FROM _new_rows")
    except BaseException:
        # the failed insert has aborted the transaction, which refuses the unregister too: the
        # insert's own error is the one to report (a later register of the name replaces the view)
        with contextlib.suppress(duckdb.Error):
            con.unregister("_new_rows")
        raise
    con.unregister("_new_rows")
