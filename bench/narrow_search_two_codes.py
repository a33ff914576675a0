"""The words search narrowed to one agent over a year, two checkouts' code alternating in one process.

    python bench/narrow_search_two_codes.py --baseline /work/main /tmp/b1m.duckdb --this /tmp/b1m_v26.duckdb

``--baseline ROOT DB``: another checkout (main) and the bench database as its code left it;
``--this DB``: a copy that this checkout's code opened (migrated: migration 26 groups each day's
turns by agent). Each round runs, for each code in turn, the searches of the dashboard speed
bench's pages that a narrow filter or the turns' order touch (the team lead's coaching clips of
one agent over a year, an agent's own year, a team over a quarter, the whole centre's searches
of the coaching page), nothing cached, and prints the median CPU of the process (DuckDB's
threads included) and wall per search: baseline → this, with their ratio; and checks that both
codes found the same calls in the same order, the same totals and reach (``search_findings``:
the page's rows, the total, the day the search reached back to).
"""
from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from types import ModuleType

_MODULES = ("qa_pipeline.insights.queries", "qa_pipeline.insights.filters", "qa_pipeline.privacy.access")


def load(root: Path) -> dict[str, ModuleType]:
    """The package modules the searches need, imported from the checkout at ``root``."""
    for name in [n for n in sys.modules if n.split(".")[0] == "qa_pipeline"]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        modules = {name.rsplit(".", 1)[1]: importlib.import_module(name) for name in _MODULES}
    finally:
        del sys.path[0]
    assert Path(modules["queries"].__file__).resolve().is_relative_to(root.resolve())
    return modules


def searches(code: dict[str, ModuleType]) -> dict[str, tuple]:
    """``label: (viewer, filter, words)`` of the searches timed, in ``code``'s types."""
    access, filters = code["access"], code["filters"]
    F = filters.CallFilter
    everyone = access.Viewer.of(access.User("bench", "manager"))
    lead = access.Viewer.of(access.User("lead3", "team_lead", team="Team 3"))
    agent = access.Viewer.of(access.User("ag3", "agent", agent_id="ag0003"))
    year = dict(date_from=date(2025, 11, 24), date_to=date(2026, 11, 23))
    last12 = F(date_from=date(2026, 9, 1), date_to=date(2026, 11, 23))
    return {
        "agent's year (lead): refund": (lead, F(agents=("ag0003",), **year), "refund"),
        "agent's year (lead): 没有人说过": (lead, F(agents=("ag0003",), **year), "没有人说过"),
        "agent's year (lead): English none": (lead, F(agents=("ag0003",), **year), "Nobody Ever Says This"),
        "agent's own year: 投诉": (agent, F(**year), "投诉"),
        "team quarter (lead): refund": (lead, F(date_from=date(2026, 8, 24), date_to=date(2026, 11, 23)), "refund"),
        "centre, one day: 投诉": (everyone, F(date_from=date(2026, 11, 20), date_to=date(2026, 11, 20)), "投诉"),
        "centre, 12 weeks: 没有人说过": (everyone, last12, "没有人说过"),
        "centre, 12 weeks: English none": (everyone, last12, "Nobody Ever Says This"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", nargs=2, required=True, metavar=("ROOT", "DB"))
    parser.add_argument("--this", type=Path, required=True, metavar="DB")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="Only the searches whose label holds this.")
    args = parser.parse_args()
    codes = {"baseline": (load(Path(args.baseline[0])), Path(args.baseline[1])),
             "this": (load(Path(__file__).resolve().parent.parent), args.this)}
    took: dict[tuple[str, str], list[tuple[float, float]]] = {}
    found: dict[tuple[str, str], tuple] = {}
    labels = [label for label in searches(codes["this"][0]) if args.only in label]
    for _ in range(args.rounds):
        for label in labels:
            for name, (code, db) in codes.items():
                viewer, f, words = searches(code)[label]
                cpu, wall = time.process_time(), time.perf_counter()
                got = code["queries"].search_findings(db, viewer, f, words=words)
                took.setdefault((label, name), []).append((time.process_time() - cpu, time.perf_counter() - wall))
                found[label, name] = (got.rows["call_id"].to_list(), got.total, got.searched_from)
    print(f"median of {args.rounds} (CPU of the process / wall, s): baseline -> this (ratio); same calls found")
    for label in labels:
        base, this = (took[label, name] for name in ("baseline", "this"))
        b_cpu, t_cpu = (statistics.median(c for c, _ in runs) for runs in (base, this))
        b_wall, t_wall = (statistics.median(w for _, w in runs) for runs in (base, this))
        same = found[label, "baseline"] == found[label, "this"]
        print(f"  {label:<38} {b_cpu:6.2f} / {b_wall:6.2f} -> {t_cpu:6.2f} / {t_wall:6.2f}   "
              f"CPU x{t_cpu / b_cpu:.2f}   {'same' if same else 'DIFFERENT'} "
              f"({len(set(found[label, 'this'][0]))} calls on the page, total {found[label, 'this'][1]}, "
              f"reached {found[label, 'this'][2]})")


if __name__ == "__main__":
    main()
