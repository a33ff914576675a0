"""Sentence embeddings kept for re-scoring: the rows of ``turn_embedding_store`` (migrations 11, 19).

The scorer embeds the sentences its learned judgements read, and the clauses of a sentence
they judge apart, and hands storage the rows (:data:`~qa_pipeline.store.rows.EmbeddingRow`:
call, turn, sentence, clause (0: the whole sentence), encoder id, text hash, vector); they are written with the call (:func:`qa_pipeline.store.database.save_call`) or with
re-scoring results (:func:`write_embedding_rows`). :func:`stored_embeddings` reads back, as
two NumPy arrays, the vectors one encoder made: the scorer uses a vector only for the text
whose hash it carries, so rows of another encoder or of a changed text are never used.
"""
from __future__ import annotations

from typing import Optional, Sequence

import duckdb
import numpy as np

__all__ = ["EMBEDDING_COLUMNS", "EMBEDDING_DIM", "stored_embeddings", "write_embedding_rows"]

EMBEDDING_COLUMNS = ("call_id", "turn", "sentence", "clause", "encoder_id", "text_hash", "vector")
EMBEDDING_DIM = 384  # the column is FLOAT[384] (multilingual-e5-small); other sizes are not stored


def stored_embeddings(con: duckdb.DuckDBPyConnection, call_ids: Optional[Sequence[str]], encoder_id: str
                      ) -> tuple[np.ndarray, np.ndarray]:
    """``(hashes, vectors)`` of the stored sentences of the calls (all when ``call_ids`` is
    None) that ``encoder_id`` embedded, one row per distinct text: an int64 array and a
    float32 array of shape (n, 384)."""
    where, params = "e.encoder_id = ?", [encoder_id]
    if call_ids:
        where += " AND e.call_id IN (SELECT unnest(?))"
        params.append(list(call_ids))
    # One row per text: the same sentence ("好的", a greeting) recurs across calls, and making
    # NumPy rows is the slow part. The rows are picked by rowid, grouping integers only: for
    # 177,521 rows with 22,360 texts 0.12 s of CPU, against 0.32 s grouping the vectors and
    # 1.8 s for every row. FLOAT[384] comes back fastest as NumPy (an array per row, stacked
    # once); a cast, a variable-length list or Arrow cost more.
    columns = con.sql(f"SELECT text_hash, vector FROM turn_embedding_store WHERE rowid IN "
                      f"(SELECT min(e.rowid) FROM turn_embedding_store e WHERE {where} GROUP BY e.text_hash)",
                      params=params).fetchnumpy()
    hashes = np.asarray(columns["text_hash"], dtype=np.int64)
    if not len(hashes):
        return hashes, np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    return hashes, np.stack(columns["vector"]).astype(np.float32, copy=False)


def write_embedding_rows(con: duckdb.DuckDBPyConnection, columns: dict) -> None:
    """Store embedding rows (columns :data:`EMBEDDING_COLUMNS`) inside the caller's transaction:
    each replaces the stored row of the same call, turn, sentence and clause, and the rows another
    encoder made for those calls go (vectors of two encoders are never kept side by side)."""
    if not len(columns["call_id"]):
        return
    con.register("_new_embeddings", columns)
    try:
        con.execute(
            "DELETE FROM turn_embedding_store USING (SELECT DISTINCT call_id, turn, sentence, clause, encoder_id "
            "FROM _new_embeddings) n WHERE turn_embedding_store.call_id = n.call_id AND "
            "((turn_embedding_store.turn = n.turn AND turn_embedding_store.sentence = n.sentence "
            "AND turn_embedding_store.clause = n.clause) "
            "OR turn_embedding_store.encoder_id <> n.encoder_id)")
        con.execute(f"INSERT INTO turn_embedding_store ({', '.join(EMBEDDING_COLUMNS)}) "
                    f"SELECT {', '.join(EMBEDDING_COLUMNS)} FROM _new_embeddings")
    finally:
        con.unregister("_new_embeddings")
