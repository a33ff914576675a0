"""How bench/learned_gain.py chooses whether a learned judgement may decide (``decides``)."""
from __future__ import annotations

import sys

import pytest
from bench_modules import forget_benches, load_bench


@pytest.fixture(scope="module")
def bench():
    yield load_bench("learned_gain")
    forget_benches()


def test_no_false_fail_in_300_harmless_calls_is_just_enough_for_one_percent(bench):
    assert bench.upper_bound(0, 300) <= 0.01 < bench.upper_bound(0, 250)
    assert bench.upper_bound(1, 100) == pytest.approx(0.0466, abs=5e-4)  # Clopper-Pearson, one-sided 95 %
    assert bench.upper_bound(0, 0) == 1.0 and bench.upper_bound(5, 5) == 1.0


def test_the_classifier_decides_only_on_a_net_gain_over_the_folders(bench):
    # [calls, rules agreed, classifier agreed] per folder
    assert bench.choose([[10, 8, 10], [10, 10, 10]], 2)
    assert not bench.choose([[10, 8, 10], [10, 10, 9]], 2)  # one put right, one put wrong elsewhere
    assert not bench.choose([[10, 9, 10]], 2)


def test_every_learned_judgement_of_a_rubric_is_made_to_decide_and_what_it_said_is_kept(bench):
    from qa_pipeline.rubric import standard_rubric

    rubric = standard_rubric("en")
    nodes = bench.learned_nodes(rubric)
    assert {node.item for _, node in nodes} >= {"complaint", "B2", "C2", "D5"}
    written = {key: node.decides for key, node in [((c, n.item), n) for c, n in nodes]}
    try:
        _, said = bench.deciding(rubric)
        assert said == written and all(node.decides for _, node in nodes)
    finally:
        for (check_id, item), value in written.items():
            next(n for c, n in nodes if (c, n.item) == (check_id, item)).decides = value


def test_a_never_tuned_hold_out_is_left_out_of_the_tuning_folders(bench, tmp_path):
    # bench/accuracy.py --recursive and this bench's tuning folders skip the blind set and any
    # folder marked NEVER_TUNED (the round's fresh hold-out); named itself, it is scored.
    call = '{"call_id": "x"}'
    for name in ("holdout6", "holdout7", "blind"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.json").write_text(call)
    (tmp_path / "holdout7" / "NEVER_TUNED").write_text("fresh hold-out\n")
    accuracy = sys.modules["accuracy"]
    found = [folder.name for folder, _ in accuracy.labelled_folders(tmp_path, recursive=True)]
    assert found == ["holdout6"]
    assert [f.name for f, _ in accuracy.labelled_folders(tmp_path / "holdout7", recursive=True)] == ["holdout7"]
