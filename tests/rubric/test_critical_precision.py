"""The rules of the CRITICAL items on real, harmless helpdesk text (bench/critical_precision.py).

A critical fail zeroes a call's score, so the rules that decide one without the classifier (B2's
phrase lists, E1's number detectors) must not fire on ordinary agent talk they were never tuned
on: 325 real dialogues (../shared/data/text, see its README), scored with the learned judgements
off so the test is fast and needs no encoder. Dates, clock times and dial codes once read as
13-digit card numbers here. The learned layer's rate is the bench's to report (minutes, not a test).
"""
from __future__ import annotations

import importlib.util

import pytest
from shared_data import REPO, shared_file

from qa_pipeline.rubric import encoder as encoders
from qa_pipeline.rubric import standard_rubric


def _bench():
    spec = importlib.util.spec_from_file_location("critical_precision", REPO / "bench" / "critical_precision.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def rules_only(monkeypatch):
    monkeypatch.setenv("QA_LEARNED", "off")
    encoders.reset()
    yield
    encoders.reset()


@pytest.mark.parametrize("name", ["stc3_zh", "stc3_en", "ms_travel"])
def test_no_critical_fail_from_the_rules_on_real_harmless_dialogues(name, rules_only):
    bench = _bench()
    calls = bench.corpus(name, shared_file("data", "text"))
    assert len(calls) >= 25
    fails = bench.critical_fails(calls, standard_rubric(calls[0]["language"]))
    assert fails == []
