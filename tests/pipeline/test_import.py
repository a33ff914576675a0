"""`qa import` as a library call: transcripts in, scored and stored, under the batch lock."""
from __future__ import annotations

import shutil

import pytest
from shared_data import EXAMPLES

from qa_pipeline.pipeline import RunOptions, import_transcripts
from qa_pipeline.progress import ProgressEvent
from qa_pipeline.store import database as store
from qa_pipeline.store.batch_lock import BatchRunning, batch_lock


def test_import_scores_and_stores_and_skips_unreadable_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES / "en-ex-01.json", folder / "a.json")
    (folder / "b.json").write_text('{"call_id": "x", "turns": [', encoding="utf-8")
    events: list[ProgressEvent] = []
    summary = import_transcripts(folder, tmp_path / "qa.duckdb", progress=events.append)
    assert summary.imported == 1 and len(summary.skipped) == 1 and "b.json" in summary.skipped[0]
    assert [e.step for e in events] == ["start", "done", "failed"]
    with store.opened(tmp_path / "qa.duckdb", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM result_store").fetchone()[0] == 1


def test_import_refuses_a_database_a_batch_is_writing(tmp_path):
    db = tmp_path / "qa.duckdb"
    with batch_lock(db), pytest.raises(BatchRunning):
        import_transcripts(EXAMPLES / "en-ex-01.json", db, options=RunOptions(score=False))
