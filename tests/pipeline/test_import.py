"""`qa import` as a library call: transcripts in, scored and stored through the batch's writer, in groups,
under the batch lock."""
from __future__ import annotations

import json
import shutil

import pytest
from shared_data import EXAMPLES
from stored_calls import snapshot

from qa_pipeline import pipeline
from qa_pipeline.importing import ImportInterrupted, import_transcripts
from qa_pipeline.pipeline import RunOptions
from qa_pipeline.progress import ProgressEvent
from qa_pipeline.store import call_facts
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


# Grouped imports: the calls of one import go through the batch's writer (store_outcomes) in
# groups of up to STORE_GROUP_MAX, on small inline transcripts and an in-memory database.

def transcript(call_id: str, said: str = "my parcel never came", **extra) -> dict:
    return {"call_id": call_id, "language": "en", "agent_id": "A1", "turns": [
        {"speaker": "agent", "start": 0.0, "end": 2.0, "text": "Thank you for calling Acme, this is Ann."},
        {"speaker": "customer", "start": 2.5, "end": 4.0, "text": f"Hello, {said}."},
        {"speaker": "agent", "start": 4.5, "end": 6.0, "text": "I am sorry, let me check that for you."}], **extra}


def write_json(path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


_TIMELESS = {"call_fact_store": "EXCLUDE (scored_at, stored_at)"}  # when each run scored and stored it
FACT_TABLES = ("call_fact_store", "daily_call_store", "daily_item_store", "rubric_item_store")


def stored(con) -> dict:
    """What the database holds of the calls, their results and their facts (times left out)."""
    facts = {t: sorted(con.execute(f"SELECT * {_TIMELESS.get(t, '')} FROM {t}").fetchall(), key=repr)
             for t in FACT_TABLES}
    return {**snapshot(con), **facts}


class Groups:
    """Spies on the writer (``store.save_calls``, as store_outcomes calls it): the call ids of
    every transaction, in order."""

    def __init__(self, monkeypatch):
        self.ids: list[list[str]] = []
        real = store.save_calls

        def spied(con, items, **kwargs):
            items = list(items)
            self.ids.append([call.call_id for call, _ in items])
            return real(con, items, **kwargs)

        monkeypatch.setattr(store, "save_calls", spied)


@pytest.fixture
def folder(tmp_path):
    """Seven calls in four files: an object, a list of three, JSON lines of two, an object."""
    root = tmp_path / "in"
    write_json(root / "a.json", transcript("a1"))
    write_json(root / "b.json", [transcript("b1"), transcript("b2", "you charged me twice"), transcript("b3")])
    root.joinpath("c.jsonl").write_text(json.dumps(transcript("c1")) + "\n\n" + json.dumps(transcript("c2")) + "\n")
    write_json(root / "d.json", transcript("d1", "this is useless, I want to complain"))
    return root


def test_an_import_stores_in_groups_what_it_stores_one_call_at_a_time(folder, monkeypatch):
    groups = Groups(monkeypatch)
    events: list[ProgressEvent] = []
    together = store.connect(store.MEMORY)
    summary = import_transcripts(folder, together, progress=events.append)
    assert groups.ids == [["a1", "b1", "b2", "b3", "c1", "c2", "d1"]]  # one transaction for the import
    assert (summary.imported, summary.files, summary.files_done, summary.skipped, summary.failed) == (7, 4, 4, [], [])
    assert [(e.step, e.call_id, e.completed) for e in events] == [
        ("start", None, 0), ("done", "a.json", 1), ("done", "b.json", 2), ("done", "c.jsonl", 3), ("done", "d.json", 4)]

    monkeypatch.setattr("qa_pipeline.pipeline.STORE_GROUP_MAX", 1)  # each call in a transaction of its own
    alone = store.connect(store.MEMORY)
    assert import_transcripts(folder, alone).flagged == summary.flagged
    assert groups.ids[1:] == [[c] for c in ["a1", "b1", "b2", "b3", "c1", "c2", "d1"]]
    assert stored(together) == stored(alone)
    assert len(stored(together)["calls"]) == 7 and stored(together)["results"]


def test_a_backlog_over_the_cap_is_stored_in_groups_of_the_most(folder, monkeypatch):
    monkeypatch.setattr("qa_pipeline.pipeline.STORE_GROUP_MAX", 3)
    groups = Groups(monkeypatch)
    events: list[ProgressEvent] = []
    con = store.connect(store.MEMORY)
    import_transcripts(folder, con, options=RunOptions(score=False), progress=events.append)
    assert groups.ids == [["a1", "b1", "b2"], ["b3", "c1", "c2"], ["d1"]]
    # a file is done once its calls are stored: a.json and b.json with the first two groups
    assert [e.call_id for e in events if e.step == "done"] == ["a.json", "b.json", "c.jsonl", "d.json"]
    assert con.execute("SELECT count(*) FROM call_store").fetchone()[0] == 7


def test_a_call_id_given_twice_is_replaced_by_the_later_as_a_re_import_would(tmp_path, monkeypatch):
    """A re-import replaces the stored call; a call id repeated inside one import does the same,
    said in ``summary.repeated`` with both places, and no transaction holds it twice."""
    root = tmp_path / "in"
    write_json(root / "a.json", [transcript("x", "first words"), transcript("y"), transcript("x", "second words")])
    write_json(root / "b.json", transcript("y", "third words"))
    groups = Groups(monkeypatch)
    con = store.connect(store.MEMORY)
    summary = import_transcripts(root, con, options=RunOptions(score=False))
    assert all(len(ids) == len(set(ids)) for ids in groups.ids) and groups.ids == [["x", "y"], ["x", "y"]]
    assert summary.imported == 2
    assert summary.repeated == [
        f"{root / 'a.json'} [item 2]: call id 'x' was read before, at {root / 'a.json'} [item 0]; "
        "the later one replaces it, as importing it again would",
        f"{root / 'b.json'}: call id 'y' was read before, at {root / 'a.json'} [item 1]; "
        "the later one replaces it, as importing it again would"]
    texts = dict(con.execute("SELECT call_id, string_agg(text, ' ' ORDER BY turn) FROM turns GROUP BY call_id").fetchall())
    assert "second words" in texts["x"] and "third words" in texts["y"]
    assert con.execute("SELECT count(*), count(DISTINCT call_id) FROM call_store").fetchone() == (2, 2)

    # the same as importing the files one after the other, the later over the earlier
    one_by_one = store.connect(store.MEMORY)
    write_json(tmp_path / "first.json", [transcript("x", "first words"), transcript("y")])
    write_json(tmp_path / "second.json", transcript("x", "second words"))
    for name in ("first.json", "second.json", "in/b.json"):
        import_transcripts(tmp_path / name, one_by_one, options=RunOptions(score=False))
    assert stored(con) == stored(one_by_one)


def test_bad_records_in_the_middle_of_a_group_fail_alone_and_the_import_goes_on(tmp_path, monkeypatch):
    root = tmp_path / "in"
    con = store.connect(store.MEMORY)
    write_json(root / "c.json", transcript("c2", "the stored version"))
    import_transcripts(root, con, options=RunOptions(score=False))  # stored before: kept when its new one is refused
    before = stored(con)
    write_json(root / "a.json", transcript("a1"))
    root.joinpath("b.json").write_text('{"call_id": "b1", "turns": [', encoding="utf-8")
    # a value the database refuses (a lone surrogate) in the middle of a list
    root.joinpath("c.json").write_text(json.dumps(  # escaped in the file: "\\udcff"
        [transcript("c1"), transcript("c2", agent_name="Ann\udcff"), transcript("c3")]), encoding="utf-8")
    root.joinpath("d.jsonl").write_text(json.dumps(transcript("d1")) + "\n" + '{"call_id": "d2", "turns": 5}\n')
    write_json(root / "e.json", transcript("e1"))
    groups = Groups(monkeypatch)
    events: list[ProgressEvent] = []
    summary = import_transcripts(root, con, options=RunOptions(score=False), progress=events.append)
    assert groups.ids[0] == ["a1", "c1", "c2", "c3", "e1"]  # one group, refused: then each call alone
    assert summary.skipped == [f"{root / 'b.json'}: not valid JSON (line 1, column 29: Expecting value)",
                               f"{root / 'd.jsonl'} line 2: `turns` must be a list of {{speaker, start, end, text}}"]
    [failed] = summary.failed
    assert failed.startswith(f"{root / 'c.json'} [item 1]: call 'c2': could not be stored: ") and "surrogate" in failed
    assert summary.imported == 4
    assert [(e.step, e.call_id) for e in events[1:]] == [
        ("done", "a.json"), ("failed", "b.json"), ("failed", "c.json"), ("failed", "d.jsonl"), ("done", "e.json")]
    assert [e.message for e in events if e.call_id == "c.json"] == [failed]
    calls = dict(con.execute("SELECT call_id, status FROM calls").fetchall())
    assert calls == {"a1": "done", "c1": "done", "c2": "done", "c3": "done", "e1": "done"}
    assert [r for r in stored(con)["turns"] if r[0] == "c2"] == [r for r in before["turns"] if r[0] == "c2"]


def test_ctrl_c_in_an_import_keeps_the_groups_stored_before_it(folder, monkeypatch):
    """Ctrl-C while DuckDB writes the second group (DuckDB raises "Query interrupted"): the first
    group is kept, the second rolled back, and the summary counts what is stored."""
    monkeypatch.setattr("qa_pipeline.pipeline.STORE_GROUP_MAX", 3)
    real, writes = call_facts.refresh, []

    def interrupted_at_the_second(con, call_ids, stored=None):  # inside the group's transaction, its rows written
        writes.append(list(call_ids))
        if len(writes) == 2:
            raise RuntimeError("Query interrupted")
        return real(con, call_ids, stored)

    monkeypatch.setattr(call_facts, "refresh", interrupted_at_the_second)
    con = store.connect(store.MEMORY)
    with pytest.raises(ImportInterrupted) as stopped:
        import_transcripts(folder, con)
    assert writes == [["a1", "b1", "b2"], ["b3", "c1", "c2"]]  # the patch is the writer's path
    done = stopped.value.summary
    assert (done.imported, done.files_done, done.files) == (3, 1, 4)
    assert sorted(r[0] for r in con.execute("SELECT call_id FROM call_store").fetchall()) == ["a1", "b1", "b2"]
    assert con.execute("SELECT count(*) FROM call_fact_store").fetchone()[0] == 3

    monkeypatch.setattr(call_facts, "refresh", real)
    again = import_transcripts(folder, con)
    assert again.imported == 7 and con.execute("SELECT count(*) FROM call_fact_store").fetchone()[0] == 7


def test_ctrl_c_while_a_call_is_scored_loses_only_the_calls_waiting(folder, monkeypatch):
    monkeypatch.setattr("qa_pipeline.pipeline.STORE_GROUP_MAX", 2)
    real, scored = pipeline.score_embedded, []

    def interrupted_at_the_fourth(call, *args):
        scored.append(call.call_id)
        if len(scored) == 4:
            raise KeyboardInterrupt
        return real(call, *args)

    monkeypatch.setattr(pipeline, "score_embedded", interrupted_at_the_fourth)
    con = store.connect(store.MEMORY)
    with pytest.raises(ImportInterrupted) as stopped:
        import_transcripts(folder, con)
    assert scored == ["a1", "b1", "b2", "b3"] and stopped.value.summary.imported == 2
    assert sorted(r[0] for r in con.execute("SELECT call_id FROM call_store").fetchall()) == ["a1", "b1"]
