"""Fit a decision parameter on labelled folds and measure it leaving one fold out.

The mechanism the benches that choose a learned check's decision share (complaint_channel_bar.py:
a public thread's bar, fitted leaving one real batch out, and a call's, leaving one written folder
out; item_decision_fit.py: each item's band, ``decides`` and bank weight, fitted leaving one
written folder out). A fold is the honest unit: each was written or labelled by someone else, so
a parameter fitted on the other folds and scored on the held-out one says what it does on calls
nobody fitted it to.

* :func:`best` — the grid's parameter with the highest key (agreement first, then whatever
  breaks ties), the first of equals in grid order;
* :func:`fitted_leaving_out` — for each fold, the parameter fitted on the others (for a bench
  that scores the held-out fold its own way: complaint_channel_bar's threads, scored in full);
* :func:`leave_one_out` — for each fold, the parameter fitted on the others and the fold's
  agreement with the parameter in use and with the fitted one;
* :func:`adoptable` — a fitted parameter is adopted only where it raises the held-out total and
  lowers no fold by more than ``slack`` items.

>>> folds = {"a": [1, 1, 0], "b": [1, 0], "c": [1, 1]}
>>> def agreed(p, rows): return sum(r == p for r in rows)
>>> def fit(rows): return best((0, 1), lambda p: (agreed(p, rows),))
>>> [(h.name, h.fitted, h.before, h.after) for h in leave_one_out(folds, fit, agreed, current=0)]
[('a', 1, 1, 2), ('b', 1, 1, 1), ('c', 1, 0, 2)]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, Iterable, Mapping, Sequence, TypeVar

P = TypeVar("P")
R = TypeVar("R")


def best(grid: Iterable[P], key: Callable[[P], tuple]) -> P:
    """The parameter of ``grid`` whose ``key`` is highest; of equals the first in grid order."""
    return max(grid, key=key)  # max keeps the first of equal keys


@dataclass(frozen=True)
class Held(Generic[P]):
    """One fold held out: the parameter fitted on the others, and the fold's agreement with the
    parameter in use (``before``) and with the fitted one (``after``), of ``n``."""
    name: str
    fitted: P
    before: int
    after: int
    n: int


def fitted_leaving_out(folds: Mapping[str, Sequence[R]], fit: Callable[[list[R]], P]) -> dict[str, P]:
    """For each fold of ``folds`` (name → its rows), the parameter ``fit`` chooses from the rows of
    every other fold (the held-out fold's own rows never read)."""
    return {name: fit([r for other, rs in folds.items() if other != name for r in rs]) for name in folds}


def leave_one_out(folds: Mapping[str, Sequence[R]], fit: Callable[[list[R]], P],
                  agreed: Callable[[P, Sequence[R]], int], current: P) -> list[Held[P]]:
    """Each fold of ``folds`` (name → its rows) scored by ``agreed`` with ``current`` and with the
    parameter ``fit`` chooses from the rows of every other fold (:func:`fitted_leaving_out`)."""
    fitted = fitted_leaving_out(folds, fit)
    return [Held(name, fitted[name], agreed(current, rows), agreed(fitted[name], rows), len(rows))
            for name, rows in folds.items()]


def totals(held: Sequence[Held]) -> tuple[int, int, int]:
    """(agreed before, agreed after, rows) summed over the folds."""
    return sum(h.before for h in held), sum(h.after for h in held), sum(h.n for h in held)


def adoptable(held: Sequence[Held], slack: int = 1) -> bool:
    """The fitted parameter raises the held-out total and lowers no fold by more than ``slack``."""
    before, after, _ = totals(held)
    return after > before and all(h.after >= h.before - slack for h in held)
