"""How bench/complaint_transfer.py sets its thread-level threshold on the training batches."""
from __future__ import annotations

import numpy as np
import pytest
from bench_modules import forget_benches, load_bench


@pytest.fixture(scope="module")
def bench():
    yield load_bench("complaint_transfer")
    forget_benches()


def test_the_threshold_adds_only_the_complaints_the_rules_missed_without_a_false_alarm(bench):
    rules = [True, False, False, False]
    best = np.array([0.9, 0.7, 0.3, 0.6])
    labels = [True, True, False, False]
    # 0.6 would also fire on the fourth thread (no complaint); 0.7 adds the second alone
    assert bench.thread_threshold(rules, best, labels) == pytest.approx(0.7)


def test_no_threshold_when_the_rules_alone_agree_best(bench):
    # every probability as high on a calm thread as on the complaint: adding any would cost
    assert bench.thread_threshold([True, False], np.array([0.5, 0.8]), [True, False]) == np.inf
