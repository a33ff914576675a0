"""How bench/fold_fit.py fits a parameter leaving one fold out (its docstring's example, and the fold never read)."""
from __future__ import annotations

import doctest

import pytest
from bench_modules import forget_benches, load_bench


@pytest.fixture(scope="module")
def fold_fit():
    yield load_bench("fold_fit")
    forget_benches()


def test_the_docstring_example_holds(fold_fit):
    result = doctest.testmod(fold_fit)
    assert result.attempted and not result.failed


def test_each_fold_is_fitted_on_the_other_folds_rows_alone(fold_fit):
    folds = {"a": [1, 2], "b": [3], "c": [4, 5]}
    assert fold_fit.fitted_leaving_out(folds, lambda rows: tuple(sorted(rows))) == {
        "a": (3, 4, 5), "b": (1, 2, 4, 5), "c": (1, 2, 3)}
