"""How bench/complaint_channel_bar.py fits a public thread's bar on the training batches."""
from __future__ import annotations

import pytest
from bench_modules import forget_benches, load_bench


@pytest.fixture(scope="module")
def bench():
    yield load_bench("complaint_channel_bar")
    forget_benches()


def test_a_bar_counting_two_sentences_keeps_a_single_high_sentence_from_firing(bench):
    read = [(True, [0.2]),            # the rules found it
            (False, [0.5, 0.48]),     # a complaint said in two middling sentences
            (False, [0.52, 0.46, 0.1]),
            (False, [0.6]),           # one high sentence: a question about a fault
            (False, [0.3, 0.2])]
    labels = [True, True, True, False, False]
    assert bench.fit(read, labels) == (0.45, 2)
    assert [bench.decide(r, (0.45, 2)) for r in read] == labels


def test_no_bar_where_none_beats_the_rules_alone(bench):
    read = [(True, []), (False, [0.7, 0.7, 0.7]), (False, [0.1])]
    assert bench.fit(read, [True, False, False]) is None


def test_each_fold_counts_the_trigger_as_pass_or_fail_and_the_d_items_as_labelled(bench):
    rows = [(None, {"complaint": True, "D1": "pass", "D2": "fail", "D3": "fail", "D4": "fail", "D5": "pass"}),
            (None, {"complaint": False, "D1": "na", "D2": "na", "D3": "na", "D4": "na", "D5": "na"})]
    missed = [{"complaint": "fail", **dict.fromkeys(bench.D_ITEMS, "na")}] * 2  # the complaint missed: D all na
    found = [{"complaint": "pass", "D1": "pass", "D2": "fail", "D3": "pass", "D4": "fail", "D5": "pass"},
             {"complaint": "fail", **dict.fromkeys(bench.D_ITEMS, "na")}]
    assert [bench.agreed(rows, g, ("complaint",)) for g in (missed, found)] == [1, 2]
    assert [bench.agreed(rows, g, bench.D_ITEMS) for g in (missed, found)] == [5, 9]
