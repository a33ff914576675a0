"""How bench/complaint_aim_fit.py reads a call at any aim bars, and fits them leaving a folder out."""
from __future__ import annotations

import pytest
from bench_modules import forget_benches, load_bench


@pytest.fixture(scope="module")
def bench():
    yield load_bench("complaint_aim_fit")
    forget_benches()


def test_each_bar_acts_where_it_should(bench):
    R, now = bench.Reading, bench.GRID[0]
    third_party_hit = R([0.2], "", 0.0, False)       # a rule hit in a turn aimed elsewhere
    calm_grievance = R([], "flag", 0.8, False)        # the classifier may only flag it; aimed at the company
    policy_found = R([], "found", 0.2, True)          # the classifier decided; aimed at a public rule
    thread = R([], "", 0.0, True)                     # a public thread's own bar: no aim bar touches it
    assert [bench.outcome(r, now) for r in (third_party_hit, calm_grievance, policy_found, thread)] == [True, False, True, True]
    assert bench.outcome(third_party_hit, (0.3, 0.0, bench.NEVER)) is False
    assert bench.outcome(R([0.2, 0.6], "", 0.0, False), (0.3, 0.0, bench.NEVER)) is True  # one turn aimed at us is enough
    assert bench.outcome(calm_grievance, (None, 0.0, 0.75)) is True
    assert bench.outcome(policy_found, (None, 0.3, bench.NEVER)) is False
    assert all(bench.outcome(thread, bars) for bars in bench.GRID)


def test_the_current_setting_wins_ties_and_a_bar_must_gain_held_out(bench):
    R = bench.Reading
    # one folder's false rule hit aimed elsewhere, and no other folder to learn it from: nothing carries over
    folds = {"a": [(R([0.2], "", 0.0, False), False)], "b": [(R([0.9], "", 0.0, False), True)]}
    held = bench.leave_one_out(folds, bench.fit, bench.agreed, bench.GRID[0])
    assert [h.fitted for h in held] == [bench.GRID[0], (0.3, 0.0, bench.NEVER)]  # b's bar is fitted on a
    assert [(h.before, h.after) for h in held] == [(0, 0), (1, 1)]
    assert not bench.adoptable(held)
    # two folders each holding such a hit: each is fixed by the bar fitted on the other
    folds["c"] = [(R([0.25], "", 0.0, False), False)]
    held = bench.leave_one_out(folds, bench.fit, bench.agreed, bench.GRID[0])
    assert [(h.name, h.before, h.after) for h in held] == [("a", 0, 1), ("b", 1, 1), ("c", 0, 1)]
    assert bench.adoptable(held)


def test_the_agents_reaction_finds_only_a_flagged_call(bench):
    R, now = bench.Reading, bench.OWNED_GRID[0]
    owned_flag = R([], "flag", 0.3, False, 0.8)       # unsure or flag-only, and the agent owned a fault
    sympathy_flag = R([], "flag", 0.3, False, 0.4)    # unsure, the agent only sympathised
    unread = R([], "", 0.0, False, 0.0)               # the customer's best sentence below the band: never read
    assert [bench.outcome(r, now) for r in (owned_flag, sympathy_flag, unread)] == [False, False, False]
    at = (None, 0.0, bench.NEVER, 0.7)
    assert [bench.outcome(r, at) for r in (owned_flag, sympathy_flag, unread)] == [True, False, False]
    assert bench.outcome(owned_flag, (None, 0.0, bench.NEVER)) is False  # three bars: no `owned`
    assert bench.fit([(owned_flag, True), (sympathy_flag, False)], bench.OWNED_GRID) == (None, 0.0, bench.NEVER, 0.5)
