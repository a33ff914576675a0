"""How bench/item_decision_fit.py fits a learned item's decision leaving one folder out (tiny hand-made rows)."""
from __future__ import annotations

import numpy as np
import pytest
from bench_modules import forget_benches, load_bench


@pytest.fixture(scope="module")
def bench():
    yield load_bench("item_decision_fit")
    forget_benches()


def rows_of(bench, spec):
    """Rows from (folder, label, rules' outcome, outcome if found, rule hit)."""
    return [bench.Row(folder, f"c{i}", "C2", label, rules, found, hit, rules, ())
            for i, (folder, label, rules, found, hit) in enumerate(spec)]


def grid_of(bench, rows, found_by_point, current=0):
    points = [bench.Params(False), bench.Params(True, 0.35, 0.8)]
    return bench.ItemGrid.from_found(rows, points, np.array(found_by_point, dtype=bool), current)


def test_a_fold_where_deciding_wins_on_the_other_folders_gets_the_decision(bench):
    # In every folder the classifier finds one restatement the rules missed: deciding is fitted
    # on the other two folders and puts each held-out folder's row right.
    rows = rows_of(bench, [("a", "pass", "fail", "pass", False), ("a", "pass", "pass", "pass", True),
                           ("b", "pass", "fail", "pass", False), ("b", "fail", "fail", "pass", False),
                           ("c", "pass", "fail", "pass", False)])
    grid = grid_of(bench, rows, [[0] * 5, [1, 1, 1, 0, 1]])
    held = grid.held_out()
    assert [(h.name, h.fitted, h.before, h.after) for h in held] == [("a", 1, 1, 2), ("b", 1, 1, 2), ("c", 1, 0, 1)]
    assert bench.adoptable(held)


def test_equal_agreement_keeps_the_parameters_in_use(bench):
    # Deciding puts one row right and one wrong in each training pair: no gain, so the current
    # parameters (deciding, point 1) stay, not the point with fewer decisions.
    rows = rows_of(bench, [("a", "pass", "fail", "pass", False), ("a", "fail", "fail", "pass", False),
                           ("b", "pass", "fail", "pass", False), ("b", "fail", "fail", "pass", False),
                           ("c", "pass", "fail", "pass", False), ("c", "fail", "fail", "pass", False)])
    grid = grid_of(bench, rows, [[0] * 6, [1] * 6], current=1)
    held = grid.held_out()
    assert [h.fitted for h in held] == [1, 1, 1]
    assert [(h.before, h.after) for h in held] == [(1, 1)] * 3
    assert not bench.adoptable(held)


def test_the_held_out_folder_never_trains_its_own_fit(bench):
    # a and b gain by deciding; c, held out, loses five: fitted on a + b alone it decides (and
    # loses c's five), which a fit that also read c would not.
    rows = rows_of(bench, [("a", "pass", "fail", "pass", False), ("b", "pass", "fail", "pass", False)]
                   + [("c", "fail", "fail", "pass", False)] * 5)
    grid = grid_of(bench, rows, [[0] * 7, [1] * 7])
    held = {h.name: h for h in grid.held_out()}
    assert held["c"].fitted == 1 and (held["c"].before, held["c"].after) == (5, 0)
    assert held["a"].fitted == 0
    assert not bench.adoptable(list(held.values()))  # c falls by five


def test_the_nearest_exemplars_must_agree_on_the_same_sentence(bench):
    probs, margins = np.array([0.9, 0.2]), np.array([-0.01, 0.05])
    near = bench.Params(True, 0.35, 0.8, 0.0)
    assert not bench.found_by(near, probs, margins, band_high=0.8)  # the high one is nearer the others
    assert bench.found_by(near, probs, np.array([0.0, 0.05]), band_high=0.8)
    # without neighbours the model's raised top decides, not the written one
    assert not bench.found_by(bench.Params(True, 0.35, 0.8), probs, margins, band_high=0.95)
    assert bench.found_by(bench.Params(True, 0.35, 0.8), probs, margins, band_high=0.85)
    assert not bench.found_by(bench.Params(False), probs, margins, band_high=0.1)


def test_a_fold_falling_by_two_blocks_adoption(bench):
    from fold_fit import Held
    held = [Held("a", 1, 3, 7, 10), Held("b", 1, 5, 3, 10)]
    assert not bench.adoptable(held)
    assert bench.adoptable([Held("a", 1, 3, 7, 10), Held("b", 1, 5, 4, 10)])


def test_of_equal_gains_the_fit_keeps_the_bank_weight_in_use(bench):
    # Deciding at either weight puts the same rows right: the weight the rubric has stays (the
    # standard rubrics weigh the other language alike for every item but B2).
    rows = rows_of(bench, [("a", "pass", "fail", "pass", False), ("b", "pass", "fail", "pass", False)])
    points = [bench.Params(False), bench.Params(True, 0.2, 0.8), bench.Params(True, 0.35, 0.8)]
    grid = bench.ItemGrid.from_found(rows, points, np.array([[0, 0], [1, 1], [1, 1]], dtype=bool), 0)
    assert grid.fit([0, 1]) == 2
    assert [h.fitted for h in grid.held_out()] == [2, 2]


def test_the_fresh_view_adopts_only_with_more_folds_up_than_down(bench):
    from fold_fit import Held
    # +3 in one hold-out, -1 in two: the total rises and no fold falls by more than one, but two
    # of three fresh hold-outs lose: not clear enough to adopt
    held = [Held("h7", 1, 5, 8, 10), Held("h8", 1, 6, 5, 10), Held("h9", 1, 7, 6, 10)]
    assert bench.adoptable(held)
    assert not bench.adoptable_fresh(held)
    assert bench.adoptable_fresh([Held("h7", 1, 5, 8, 10), Held("h8", 1, 6, 5, 10), Held("h9", 1, 7, 8, 10)])


def test_a_new_false_critical_fail_blocks_adoption_whatever_it_gains(bench):
    from fold_fit import Held
    held = [Held("h7", 1, 5, 8, 10), Held("h8", 1, 6, 7, 10)]
    assert bench.adoptable_fresh(held, [(0, 0), (1, 1)])
    assert not bench.adoptable_fresh(held, [(0, 1), (1, 1)])  # h7's gain comes with a harmless call failed


def test_false_critical_fails_are_harmless_calls_the_point_fails(bench):
    # B2: "pass" is no forbidden language. Row 0 is harmless and the classifier's breach fails it;
    # row 1 is a breach the classifier catches; row 2 is harmless and the rules pass it.
    rows = [bench.Row("a", f"c{i}", "B2", label, rules, found, False, rules, ())
            for i, (label, rules, found) in enumerate([("pass", "pass", "fail"), ("fail", "pass", "fail"),
                                                        ("pass", "pass", "fail")])]
    points = [bench.Params(False), bench.Params(True, 1.0, 0.7, 0.03)]
    grid = bench.ItemGrid.from_found(rows, points, np.array([[0, 0, 0], [1, 1, 0]], dtype=bool), 0)
    assert grid.false_fails(0, [0, 1, 2]) == 0
    assert grid.false_fails(1, [0, 1, 2]) == 1
    assert grid.agreed(1, [0, 1, 2]) == 2  # one breach caught, one harmless call lost


def test_b2_rows_read_the_breach_as_the_item_found(bench, keyword_encoder, learned_rubric):
    # B2 is `target: fail`: "found" is a breach, so the item's outcome with the classifier finding it
    # is fail; a rule hit (a breach the rules find) decides either way and the classifier is not asked.
    from qa_pipeline.records import Call, CallInfo, Turn

    def call(call_id, said):
        return Call(CallInfo(call_id), "en", (Turn("agent", 1.0, 3.0, said), Turn("customer", 4.0, 6.0, "ok")))

    calls = [("h7", call("c1", "restate you now"), {"B2": "fail"}),
             ("h8", call("c2", "that is not my problem"), {"B2": "fail"})]
    rows, _ = bench.read_rows("en", calls, ("B2",), learned_rubric)
    classifier, rule = rows
    assert (classifier.rules, classifier.found, classifier.rule_hit) == ("pass", "fail", False)
    assert classifier.sentences == ("restate you now",)
    assert (rule.rules, rule.found, rule.rule_hit) == ("fail", "fail", True)
