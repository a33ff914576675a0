"""What may grow with the store where call ids are scattered, two checkouts' code alternating in one process.

    python bench/lookups_two_codes.py --baseline /work/main /tmp/s200k.duckdb /tmp/s2m.duckdb \
        --this /tmp/s200k_v24.duckdb /tmp/s2m_v24.duckdb

``--baseline ROOT DB...``: another checkout (main) and the databases its code reads (as that
code left them: a newer checkout migrates a database it opens, so give this one copies);
``--this DB...``: the same databases for this checkout's code. Each round runs, for each code
and database in turn, what ``dashboard_speed.py --lookups`` times (a page's findings, one
call's transcript, a reviewed call's refresh, the writer: a new call, a stored call stored
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
from datetime import date
from pathlib import Path

_MODULES = ("qa_pipeline.store.database", "qa_pipeline.store.call_facts", "qa_pipeline.store.results",
            "qa_pipeline.store.calls", "qa_pipeline.insights.queries", "qa_pipeline.privacy.access",
            "qa_pipeline.insights.filters", "dashboard_speed")


def load(root: Path) -> dict:
    """The modules this bench uses, imported from the checkout at ``root``."""
    for name in [n for n in sys.modules if n.split(".")[0] in ("qa_pipeline", "dashboard_speed")]:
        del sys.modules[name]
    sys.path[:0] = [str(root), str(root / "bench")]
    try:
        modules = {name: importlib.import_module(name) for name in _MODULES}
    finally:
        del sys.path[:2]
    assert Path(modules["dashboard_speed"].__file__).resolve().is_relative_to(root.resolve())
    return modules


def one_round(m: dict, db: Path, k: int, clock) -> None:
    store, facts, results, calls, queries, bench = (m[n] for n in (
        "qa_pipeline.store.database", "qa_pipeline.store.call_facts", "qa_pipeline.store.results",
        "qa_pipeline.store.calls", "qa_pipeline.insights.queries", "dashboard_speed"))
    access, filters = m["qa_pipeline.privacy.access"], m["qa_pipeline.insights.filters"]
    everyone = access.Viewer.of(access.User("bench", "manager"))
    week = filters.CallFilter(date_from=date(2026, 11, 16), date_to=date(2026, 11, 22))
    clock("a page's findings (D4 failed, a week)",
          lambda: queries.search_findings(db, everyone, week, item="D4", outcome="fail"))
    clock("one call's transcript", lambda: queries.call_turns(db, everyone, f"c{(k * 7919) % 200000:08d}"))
    with store.opened(db) as con:
        pick = ("SELECT call_id, agent_id, agent_name, team FROM call_fact_store WHERE {} "
                f"ORDER BY hash(call_id || '{k}') LIMIT 3")
        reviewed = con.execute(pick.format("call_id IN (SELECT call_id FROM review_fact_store)")).fetchall()
        stored = con.execute(pick.format("call_id NOT IN (SELECT call_id FROM queue_fact_store)")).fetchall()
        for i, (call_id, *template) in enumerate(stored):
            new_id = f"c{(k * 7919 + i * 104729) % 10**7:08d}x"  # sorts among the stored ids
            for label, write in (
                    ("refresh (a reviewed call)", lambda: facts.refresh(con, [reviewed[i][0]])),
                    ("writer: a new call stored", lambda: bench._store(con, new_id, template)),
                    ("writer: a stored call stored again", lambda: bench._store(con, call_id, template)),
                    ("writer: a stored call re-scored", lambda: results.write_result_rows(
                        con, [results.result_rows([bench._bench_call(call_id, template)[1]])])),
                    ("re-scoring's load of a stored call", lambda: calls.fetch_call_rows(
                        con, [call_id], words=True, normalizer=1))):
                con.execute("BEGIN TRANSACTION")
                try:
                    clock(label, write)
                finally:
                    con.execute("ROLLBACK")


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
                one_round(modules, db, k, clock)
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
