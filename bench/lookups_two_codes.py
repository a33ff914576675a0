"""What may grow with the store where call ids are scattered, two checkouts' code alternating in one process.

    python bench/lookups_two_codes.py --baseline /work/main /tmp/s200k.duckdb /tmp/s2m.duckdb \
        --this /tmp/s200k_v24.duckdb /tmp/s2m_v24.duckdb

``--baseline ROOT DB...``: another checkout (main) and the databases its code reads (as that
code left them: a newer checkout migrates a database it opens, so give this one copies);
``--this DB...``: the same databases for this checkout's code. Each round runs, for each code
and database in turn, what ``dashboard_speed.py --lookups`` times (its ``lookup_round``, this
checkout's loop given each code's modules: a page's findings, the words search over one day,
one call's transcript, a reviewed call's refresh, the writer: a new call, a stored call stored
again and re-scored, re-scoring's load of a stored call; the writes rolled back), and prints
the median CPU of the process per operation: baseline → this, database by database. Each
code's modules are imported apart (``qa_pipeline`` loaded once from each checkout), so both
run in one process under the same load.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dashboard_speed  # noqa: E402  (this checkout's bench loop, run with each code's modules)

_MODULES = {"records": "qa_pipeline.records", "database": "qa_pipeline.store.database",
            "call_facts": "qa_pipeline.store.call_facts", "results": "qa_pipeline.store.results",
            "calls": "qa_pipeline.store.calls", "queries": "qa_pipeline.insights.queries",
            "filters": "qa_pipeline.insights.filters", "access": "qa_pipeline.privacy.access"}


def load(root: Path) -> dashboard_speed.Code:
    """The package modules the bench calls, imported from the checkout at ``root``."""
    for name in [n for n in sys.modules if n.split(".")[0] == "qa_pipeline"]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        code = dashboard_speed.Code(**{field: importlib.import_module(name) for field, name in _MODULES.items()})
    finally:
        del sys.path[0]
    assert Path(code.database.__file__).resolve().is_relative_to(root.resolve())
    return code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", nargs="+", required=True, metavar=("ROOT", "DB"))
    parser.add_argument("--this", nargs="+", type=Path, required=True, metavar="DB")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    root, *baseline_dbs = args.baseline
    if len(baseline_dbs) != len(args.this):
        parser.error("give --baseline and --this the same number of databases")
    codes = {"baseline": (load(Path(root)), [Path(db) for db in baseline_dbs]),
             "this": (load(Path(__file__).resolve().parent.parent), args.this)}
    took: dict[tuple[str, int, str], list[float]] = {}
    for k in range(args.rounds):
        for code, (modules, dbs) in codes.items():
            for d, db in enumerate(dbs):
                def clock(label: str, fn, key=(code, d)) -> None:
                    started = time.process_time()
                    fn()
                    took.setdefault((*key, label), []).append(time.process_time() - started)
                dashboard_speed.lookup_round(db, k, clock, modules)
    print(f"median CPU of the process ({args.rounds} rounds), baseline ({root}) -> this; "
          + " vs ".join(db.name for db in args.this))
    for label in dict.fromkeys(label for _, _, label in took):
        cells = []
        for code in codes:
            runs = [sorted(took[(code, d, label)]) for d in range(len(args.this))]
            cells.append(" vs ".join(f"{r[len(r) // 2] * 1000:6.1f}" for r in runs))
        print(f"    {label:<40} {cells[0]} ms -> {cells[1]} ms")


if __name__ == "__main__":
    main()
