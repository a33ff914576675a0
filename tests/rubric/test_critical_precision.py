"""The rules of the CRITICAL items on real, harmless helpdesk text (bench/critical_precision.py).

A critical fail zeroes a call's score, so the rules that decide one without the classifier (B2's
phrase lists, E1's number detectors) must not fire on ordinary agent talk they were never tuned
on: 325 real dialogues (../shared/data/text, see its README), scored with the learned judgements
off so the test is fast and needs no encoder. Dates, clock times and dial codes once read as
13-digit card numbers here. The learned layer's rate is the bench's to report (minutes, not a test).
"""
from __future__ import annotations

import pytest
from bench_modules import load_bench
from shared_data import shared_file

from qa_pipeline.rubric import standard_rubric


def _bench():
    return load_bench("critical_precision")


@pytest.mark.parametrize("name", ["stc3_zh", "stc3_en", "ms_travel"])
def test_no_critical_fail_from_the_rules_on_real_harmless_dialogues(name, rules_only):
    bench = _bench()
    calls = bench.corpus(name, shared_file("data", "text"))
    assert len(calls) >= 25
    fails = bench.critical_fails(calls, standard_rubric(calls[0]["language"]))
    assert fails == []
