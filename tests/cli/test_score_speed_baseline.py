"""bench/score_speed.py --baseline runs another checkout's `qa score` with that checkout's own
rubrics and exemplar banks: the editable install maps `qa_pipeline.rubrics` to this checkout's
folder whichever `qa_pipeline` is imported, so without `QA_RUBRICS_DIR` the baseline scored (or
refused) this checkout's rubric. Fails against the code before it (no `QA_RUBRICS_DIR` was set)."""
from __future__ import annotations

import os

import pytest
from bench_modules import load_bench
from shared_data import REPO


@pytest.fixture(scope="module")
def bench():
    return load_bench("score_speed")


def test_a_baseline_checkout_reads_its_own_rubrics(bench, tmp_path, monkeypatch):
    monkeypatch.delenv("QA_RUBRICS_DIR", raising=False)
    (tmp_path / "rubrics").mkdir()
    env = bench._env("on", tmp_path)
    assert env["QA_RUBRICS_DIR"] == str(tmp_path / "rubrics")
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(tmp_path)


def test_this_checkout_keeps_the_rubrics_it_is_given(bench, monkeypatch):
    monkeypatch.delenv("QA_RUBRICS_DIR", raising=False)
    assert "QA_RUBRICS_DIR" not in bench._env("off", REPO)
    monkeypatch.setenv("QA_RUBRICS_DIR", "/somewhere/rubrics")
    assert bench._env("on", REPO)["QA_RUBRICS_DIR"] == "/somewhere/rubrics"
