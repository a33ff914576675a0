"""Reading stored calls back: the read side of :mod:`qa_pipeline.store.database`.

:func:`load_calls` gives whole :class:`~qa_pipeline.records.Call` records;
:func:`fetch_call_rows` gives the raw rows in bulk (re-scoring thousands of calls builds
each record only when it needs it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterator, Optional, Sequence

import duckdb

from qa_pipeline.records import Call, CallInfo, SideCoverage, Turn, Word, maker
from qa_pipeline.store.call_facts import of_calls

_make_turn = maker(Turn)


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
    (``qa score`` makes them in its worker processes, not in the one that reads them).

    Turns are kept as columns (one NumPy array per field, all calls' turns in call order)
    with each call's span in them: fetched in bulk, no per-turn Python objects until a call
    is made (in the worker that scores it)."""

    calls: list  # call_store rows, in call_id order
    turn_columns: tuple  # (speakers, starts, ends, texts): arrays over every fetched turn (masked where NULL)
    spans: dict  # call_id -> (first, end) positions in turn_columns
    words: dict  # (call_id, turn index) -> [Word, ...]; empty when fetched without words
    norms_by_call: dict = field(default_factory=dict)  # call_id -> normalised turn texts (an array), asked version

    def __len__(self) -> int:
        return len(self.calls)

    @property
    def ids(self) -> list[str]:
        return [c[0] for c in self.calls]

    @property
    def languages(self) -> list[str]:
        return [c[6] or "unknown" for c in self.calls]

    def norms(self, i: int) -> Optional[list[str]]:
        """Call ``i``'s stored normalised turn texts, when stored by the normaliser version
        :func:`fetch_call_rows` asked for and complete; None otherwise (they are then made again)."""
        texts = self.norms_by_call.get(self.calls[i][0])
        if texts is None:
            return None
        lo, hi = self.spans.get(self.calls[i][0], (0, 0))
        return texts.tolist() if len(texts) == hi - lo else None

    def call(self, i: int) -> Call:
        (cid, path, sha, dur, ch, sr, lang, agent_id, agent_name, team, started, meta, source,
         asr_model, role_conf, role_note, roles_uncertain, redacted, coverage) = self.calls[i]
        info = CallInfo(call_id=cid, source_path=path, agent_id=agent_id, agent_name=agent_name,
                        team=team, started_at=started, metadata=json.loads(meta) if meta else {})
        lo, hi = self.spans.get(cid, (0, 0))
        speakers, starts, ends, texts = (column[lo:hi].tolist() for column in self.turn_columns)
        texts = [t or "" for t in texts]
        if self.words:
            turns = tuple(Turn(speakers[j], starts[j], ends[j], texts[j], tuple(self.words.get((cid, j), ())))
                          for j in range(hi - lo))
        else:
            turns = tuple(map(_make_turn, speakers, starts, ends, texts, [()] * len(texts)))
        return Call(
            info=info, language=lang or "unknown", turns=turns,
            sha256=sha, duration=dur, channels=ch, sample_rate=sr, source=source or "audio",
            asr_model=asr_model, role_confidence=role_conf, role_note=role_note,
            roles_uncertain=bool(roles_uncertain), redacted=bool(redacted),
            coverage=tuple(SideCoverage(str(who), float(speech), float(missing))
                           for who, speech, missing in json.loads(coverage)) if coverage else (),
        )


def fetch_call_rows(con: duckdb.DuckDBPyConnection, call_ids: Optional[Sequence[str]] = None, *,
                    words: bool = True, normalizer: Optional[int] = None) -> StoredCallRows:
    """The rows :func:`load_calls` makes its calls from; ``normalizer``: also the normalised
    turn texts stored by that version of the scorer's normaliser (re-scoring reuses them)."""
    where, stored = "status = 'done'", "call_store"
    params: list = []
    if call_ids:  # the call rows through their key's index, for a scan that only holds ids
        stored = of_calls("call_store", "call_id IN (SELECT unnest(?))")
        params.append(list(call_ids))
    calls = con.execute(
        f"SELECT call_id, source_path, sha256, duration, channels, sample_rate, language, agent_id, "
        f"agent_name, team, CAST(started_at AS VARCHAR), metadata, source, asr_model, role_confidence, "
        f"role_note, roles_uncertain, redacted, coverage FROM {stored} WHERE {where} ORDER BY call_id",
        params,
    ).fetchall()
    import numpy as np

    if not calls:
        empty = np.array([], dtype=object)
        return StoredCallRows(calls, (empty,) * 4, {}, {}, {})
    # Every turn of the selected calls in one columnar fetch (in call order), then each
    # call's span from where the call id changes. Calls asked by id: their turns and words
    # also by the calls' storing time, which they carry (migration 23), so a scan reads only
    # the row groups holding them where ids do not follow the order calls are stored in.
    bound, bound_params = "", list(params)
    if call_ids:
        bound = " WHERE {t}.stored_at = ANY(?::TIMESTAMPTZ[])"
        bound_params.append(con.execute(f"SELECT list(DISTINCT processed_at) FROM {stored} WHERE {where}",
                                        params).fetchall()[0][0] or [])
    columns = con.sql(
        f"SELECT t.call_id, t.speaker, t.start_s, t.end_s, t.text FROM turn_store t "
        f"JOIN (SELECT call_id FROM {stored} WHERE {where}) c USING (call_id){bound.format(t='t')} "
        "ORDER BY t.call_id, t.turn",
        params=bound_params or None,
    ).fetchnumpy()  # NumPy columns (masked where NULL): tolist() gives Python values, None for NULL
    ids = np.asarray(columns["call_id"], dtype=object)
    bounds = (np.flatnonzero(ids[1:] != ids[:-1]) + 1).tolist() if len(ids) else []
    firsts, ends = [0] + bounds, bounds + [len(ids)]
    spans = dict(zip(ids[firsts].tolist(), zip(firsts, ends))) if len(ids) else {}
    turn_columns = tuple(columns[c] for c in ("speaker", "start_s", "end_s", "text"))
    word_lists: dict = {}
    if words:
        for cid, idx, spk, s, e, text, p in con.execute(
            f"SELECT w.call_id, w.turn, w.speaker, w.start_s, w.end_s, w.text, w.probability FROM word_store w "
            f"JOIN (SELECT call_id FROM {stored} WHERE {where}) c USING (call_id){bound.format(t='w')} "
            "ORDER BY w.call_id, w.turn, w.word",
            bound_params,
        ).fetchall():
            lo, hi = spans.get(cid, (0, 0))
            if idx < hi - lo:
                word_lists.setdefault((cid, idx), []).append(Word(s, e, text, p, spk))
    norm_texts: dict = {}
    if normalizer is not None:
        columns = con.sql(
            f"SELECT n.call_id, n.texts FROM turn_norm_store n "
            f"JOIN (SELECT call_id FROM {stored} WHERE {where}) c USING (call_id) "
            f"WHERE n.normalizer = {int(normalizer):d}",
            params=params or None,
        ).fetchnumpy()
        norm_texts = dict(zip(columns["call_id"].tolist(), columns["texts"]))
    return StoredCallRows(calls, turn_columns, spans, word_lists, norm_texts)
