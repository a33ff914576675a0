"""What the writer's once-a-day rewrite of a day over (its turns grouped by agent) costs, by the day's size.

    python bench/day_regroup_cost.py --calls-per-day 2740 27400 --rounds 3   # a 1 M and a 10 M centre's day

The writer holds the database while it rewrites the day that ended (``store.turn_layout``,
after a group of calls it stores: the dashboard's reads wait, up to ``journal.READ_WAIT_SECONDS``).
The rewrite reads, deletes and inserts that day's turns alone: the turns of other days are
skipped by their storing time's zone maps, and the calls' agents read from the call rows stored
that day (``processed_at``), so its cost follows the day's turns, not the store's size. For each
size, a database of three days of that centre (the day before grouped, the day, the day after
open; 8 turns a call with ``bench/call_text.py``'s varied text, stored interleaved by agent as
calls come in, 400 agents) is built in a temporary folder, and the day is rewritten ``rounds``
times, the sizes alternating (the mark moved back before each: the same rows rewritten again),
printing the median CPU of the process (DuckDB's threads) and wall per rewrite, and the turns.

Stop 30 (load 15-22, 2 cores): 21,920 turns 0.34-0.37 s CPU / 2.9-3.2 s wall, 219,200 turns
3.7-3.9 s CPU / 31-35 s wall: linear in the day's turns. Rewriting the day a slice of its agents
per opening (tried, not kept) left the longest opening at 2.8 s CPU: of a slice of 40,000 turns
the reads, delete and insert cost 0.25 s, the commit 0.4 s and the checkpoint when the file is
closed up to 1.5 s (DuckDB rewrites the day's row groups that hold deleted rows), whatever the slice.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import call_text  # noqa: E402  (bench/call_text.py: the turns' text)
from qa_pipeline.store import database as store  # noqa: E402
from qa_pipeline.store import turn_layout  # noqa: E402
from qa_pipeline.store.rows import TURN_LOWERED  # noqa: E402

DAY0 = datetime(2026, 11, 20, tzinfo=timezone.utc)
"""The day before the day rewritten (grouped); the day rewritten is the next, the one after stays open."""


def build(db: Path, per_day: int) -> int:
    """Three days of ``per_day`` calls into ``db``; returns the turns of the day rewritten."""
    calls = 3 * per_day
    with store.opened(db) as con:
        con.execute("SET preserve_insertion_order = true")  # in storing order, as the writer stores them
        con.execute(f"""INSERT INTO call_store (call_id, duration, language, agent_id, agent_name, team, started_at,
                source, status, processed_at)
            SELECT 'c' || lpad(((i * 999983) % {calls})::VARCHAR, 8, '0'), 300,
                CASE WHEN i % 3 = 0 THEN 'en' ELSE 'zh' END, 'ag' || lpad((i % 400)::VARCHAR, 4, '0'),
                'Agent ' || (i % 400), 'Team ' || ((i % 400) % 30),
                TIMESTAMPTZ '{DAY0.isoformat()}' + to_seconds((i * 86400 // {per_day})::BIGINT),
                'import', 'done', TIMESTAMPTZ '{DAY0.isoformat()}' + to_seconds((i * 86400 // {per_day})::BIGINT + 1)
            FROM range({calls}) t(i)""")
        call_text.load(con)
        chunk = "(SELECT call_id, t, language, processed_at FROM call_store, range(8) r(t))"
        con.execute(f"""INSERT INTO turn_store (call_id, turn, speaker, start_s, end_s, text, stored_at, text_lower,
                                    agent_id)
            SELECT call_id, turn, speaker, turn * 6.0, turn * 6.0 + 5.5, text, stored_at, {TURN_LOWERED}, agent_id
            FROM ({call_text.turn_text_sql(chunk)}) JOIN (SELECT call_id, agent_id FROM call_store) USING (call_id)
            ORDER BY stored_at, call_id, turn""")  # as calls come in: the agents interleaved
        turn_layout.cluster_closed_days(con, now=DAY0 + timedelta(days=1))  # the day before: grouped
        con.execute("CHECKPOINT")
        return con.execute("SELECT count(*) FROM turn_store WHERE stored_at >= ? AND stored_at < ?",
                           [DAY0 + timedelta(days=1), DAY0 + timedelta(days=2)]).fetchone()[0]


def rewrite_day(db: Path) -> tuple[float, float]:
    """The day after DAY0 rewritten once, as the writer does (opened, rewritten, closed): CPU and wall seconds."""
    with store.opened(db) as con:
        con.execute("DELETE FROM turn_layout_store")
        con.execute("INSERT INTO turn_layout_store VALUES (?)", [DAY0 + timedelta(days=1)])
    cpu, wall = time.process_time(), time.perf_counter()
    with store.opened(db) as con:
        turn_layout.cluster_closed_days(con, now=DAY0 + timedelta(days=2))
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls-per-day", type=int, nargs="+", default=[2740, 27400])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="day_regroup_") as folder:
        dbs, turns = {}, {}
        for n in args.calls_per_day:
            dbs[n] = Path(folder) / f"day_{n}.duckdb"
            started = time.perf_counter()
            turns[n] = build(dbs[n], n)
            print(f"{n:,} calls a day: built in {time.perf_counter() - started:.0f} s ({turns[n]:,} turns a day)")
        took: dict[int, list[tuple[float, float]]] = {n: [] for n in dbs}
        for _ in range(args.rounds):
            for n, db in dbs.items():
                took[n].append(rewrite_day(db))
        print(f"the day's rewrite (opened, grouped, closed), median of {args.rounds}, CPU / wall:")
        for n in dbs:
            cpu = statistics.median(c for c, _ in took[n])
            wall = statistics.median(w for _, w in took[n])
            runs = ", ".join(f"{c:.2f}/{w:.2f}" for c, w in took[n])
            print(f"  {n:>7,} calls a day ({turns[n]:>9,} turns): {cpu:6.2f} s CPU / {wall:6.2f} s wall   ({runs})")


if __name__ == "__main__":
    main()
