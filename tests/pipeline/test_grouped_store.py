"""The writer stores the calls that came back together in one transaction with one facts
refresh: what it stores, facts included, equals storing them one by one; a call that cannot be
stored fails alone, naming its file; a batch killed between a group's rows and its facts
refresh keeps nothing of the group, and its re-run stores each call once.

The speech model is the fake one (``QA_FAKE_ASR=1``); everything after it is real. The
executor here works on every call first and hands them all back at once, as worker processes
or a cluster do when the writer falls behind."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from stored_calls import snapshot, write_six_calls

from qa_pipeline.pipeline import STORE_GROUP_MAX, InProcess, Models, ProcessedCall, RunOptions, run_batch
from qa_pipeline.progress import ProgressEvent
from qa_pipeline.store import call_facts
from qa_pipeline.store import database as store

OPTIONS = RunOptions(language="en", diarize=False)
_TIMELESS = {"call_fact_store": "EXCLUDE (scored_at, stored_at)"}  # when each run scored and stored it
FACT_TABLES = ("call_fact_store", "daily_call_store", "daily_item_store", "rubric_item_store", "queue_fact_store",
               "agreement_fact_store")


class Backlog:
    """Works on every call in this process, then hands back ``arrival`` of them at a time (all
    by default): the writer finds them all waiting. ``spoil`` may change a call's outcome."""

    def __init__(self, arrival: int = 0, spoil=lambda outcome: outcome):
        self.arrival, self.spoil = arrival, spoil

    def run(self, jobs, options, on_step):
        done = [(job, self.spoil(outcome)) for arrival in InProcess(Models(options)).run(jobs, options, on_step)
                for job, outcome in arrival]
        size = self.arrival or len(done)
        for first in range(0, len(done), size):
            yield done[first:first + size]


@pytest.fixture(autouse=True)
def fake_asr(monkeypatch):
    monkeypatch.setenv("QA_FAKE_ASR", "1")


@pytest.fixture
def calls(tmp_path):
    return write_six_calls(tmp_path / "calls")


def facts(db: Path) -> dict[str, list]:
    """The fact tables' rows, in a stable order."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: sorted(con.execute(f"SELECT * {_TIMELESS.get(t, '')} FROM {t}").fetchall(), key=repr)
                for t in FACT_TABLES}


def rebuilt_facts(db: Path, tmp_path: Path) -> dict[str, list]:
    """The fact tables of a copy of ``db`` filled anew from its whole store."""
    copy = tmp_path / f"rebuilt-{db.name}"
    copy.write_bytes(db.read_bytes())
    with store.opened(copy) as con, store.transaction(con):
        call_facts.rebuild(con)
    return facts(copy)


def test_calls_stored_together_equal_calls_stored_one_by_one(calls, tmp_path):
    one = run_batch(calls, tmp_path / "one.duckdb", options=OPTIONS)
    events: list[ProgressEvent] = []
    together = run_batch(calls, tmp_path / "together.duckdb", options=OPTIONS, executor=Backlog(),
                         progress=events.append)
    assert (together.processed, len(together.failed), together.flagged) == (one.processed, 1, one.flagged) == (6, 1, 6)
    assert snapshot(tmp_path / "together.duckdb") == snapshot(tmp_path / "one.duckdb")
    assert facts(tmp_path / "together.duckdb") == facts(tmp_path / "one.duckdb")
    assert facts(tmp_path / "together.duckdb") == rebuilt_facts(tmp_path / "together.duckdb", tmp_path)
    # one group: every call's "store" before the first "done", then each call's end, in order
    steps = [e.step for e in events if e.step in ("store", "done", "failed")]
    assert steps[:6] == ["store"] * 6 and sorted(steps[6:]) == ["done"] * 6 + ["failed"]
    assert [e.completed for e in events if e.step in ("done", "failed")] == list(range(1, 8))
    again = run_batch(calls, tmp_path / "together.duckdb", options=OPTIONS, executor=Backlog())
    assert (again.skipped, again.processed, len(again.failed)) == (6, 0, 1)  # the file that is not audio, again


def test_a_backlog_larger_than_a_group_is_stored_in_groups_of_the_most(calls, tmp_path, monkeypatch):
    monkeypatch.setattr("qa_pipeline.pipeline.STORE_GROUP_MAX", 4)
    sizes: list[int] = []
    refresh = call_facts.refresh
    monkeypatch.setattr(call_facts, "refresh",
                        lambda con, ids, stored=None: (sizes.append(len(ids)), refresh(con, ids, stored)))
    run_batch(calls, tmp_path / "qa.duckdb", options=OPTIONS, executor=Backlog())
    assert sizes == [3, 3]  # 7 outcomes in 4 + 3, the first 4 with the file that is not audio (no facts)
    assert STORE_GROUP_MAX >= 100
    assert snapshot(tmp_path / "qa.duckdb")["calls"] == snapshot_of_one(calls, tmp_path)["calls"]


def snapshot_of_one(calls: Path, tmp_path: Path) -> dict:
    run_batch(calls, tmp_path / "one.duckdb", options=OPTIONS)
    return snapshot(tmp_path / "one.duckdb")


def test_a_call_that_cannot_be_stored_fails_alone_naming_its_file(calls, tmp_path, caplog):
    def spoiled(outcome):  # a value the database refuses (a lone surrogate in the agent's name)
        if isinstance(outcome, ProcessedCall) and outcome.call.call_id == "c3":
            info = dataclasses.replace(outcome.call.info, agent_name="Ann\udcff")
            return dataclasses.replace(outcome, call=dataclasses.replace(outcome.call, info=info))
        return outcome

    db = tmp_path / "qa.duckdb"
    summary = run_batch(calls, db, options=OPTIONS, executor=Backlog(spoil=spoiled))
    assert summary.processed == 5
    reasons = {Path(f.source_path).name: f.reason for f in summary.failed}
    assert set(reasons) == {"broken.wav", "c3.wav"}
    assert reasons["c3.wav"].startswith("could not be stored: ") and "surrogate" in reasons["c3.wav"]
    # the group's warning names the insert's own error, not the aborted transaction it left behind
    together = [r.getMessage() for r in caplog.records if "together failed" in r.getMessage()]
    assert together and all("surrogate" in m and "transaction is aborted" not in m for m in together)
    with duckdb.connect(str(db), read_only=True) as con:
        status = dict(con.execute("SELECT call_id, status FROM call_store").fetchall())
    assert status == {"0001": "done", "b/0001": "done", "c2": "done", "c3": "failed", "c4": "done", "c5": "done",
                      "broken": "failed"}
    assert facts(db) == rebuilt_facts(db, tmp_path)
    again = run_batch(calls, db, options=OPTIONS)  # the call that failed is worked on again, the rest skipped
    assert (again.skipped, again.processed) == (5, 1)
    assert snapshot(db) == snapshot_of_one(calls, tmp_path)


KILLED_BETWEEN_ROWS_AND_FACTS = """
import os, sys
from qa_pipeline.pipeline import InProcess, Models, RunOptions, run_batch
from qa_pipeline.store import call_facts

class Backlog:
    def run(self, jobs, options, on_step):
        yield [pair for arrival in InProcess(Models(options)).run(jobs, options, on_step) for pair in arrival]

def killed(con, call_ids, stored=None):  # the group's rows are written, its facts not yet: the process dies
    os._exit(3)

call_facts.refresh = killed
run_batch(sys.argv[1], sys.argv[2], options=RunOptions(language="en", diarize=False), executor=Backlog())
"""


def test_a_batch_killed_between_a_group_s_rows_and_its_facts_keeps_nothing_of_the_group(calls, tmp_path):
    db = tmp_path / "qa.duckdb"
    env = {**os.environ, "QA_FAKE_ASR": "1"}
    died = subprocess.run([sys.executable, "-c", textwrap.dedent(KILLED_BETWEEN_ROWS_AND_FACTS), str(calls), str(db)],
                          check=False, env=env, capture_output=True, text=True, timeout=600)
    assert died.returncode == 3, died.stderr
    with store.opened(db) as con:  # the killed transaction is not in the file
        assert con.execute("SELECT count(*) FROM call_store").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM turn_store").fetchone()[0] == 0
    again = run_batch(calls, db, options=OPTIONS, executor=Backlog())
    assert (again.skipped, again.processed, len(again.failed)) == (0, 6, 1)
    assert snapshot(db) == snapshot_of_one(calls, tmp_path)
    assert facts(db) == rebuilt_facts(db, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:  # each call once
        assert con.execute("SELECT count(*), count(DISTINCT call_id) FROM call_fact_store").fetchone() == (6, 6)
    third = run_batch(calls, db, options=OPTIONS, executor=Backlog())
    assert (third.skipped, third.processed) == (6, 0)
