"""How fast the dashboard's pages answer with a million (or ten million) calls (not run in CI).

    python bench/dashboard_speed.py                     # 1,000,000 calls in bench/results/
    python bench/dashboard_speed.py --calls 10000000 --db /tmp/b.duckdb   # ~20 GiB on disk (scattered: 19.7): delete it
    python bench/dashboard_speed.py --reuse --db /tmp/b.duckdb            # the pages again, same data

Generates a synthetic centre straight in SQL (calls, results, 17 findings and 8 turns per
call with varied Mandarin or English text from ``bench/call_text.py``, 2 % reviewed, queues,
targets) and the dashboard's call facts and day sums from them
and queue facts (store.call_facts.rebuild, the same SQL as migrations 14 and 16), then runs
each page's queries the way the page runs them on its first load (nothing cached) in a fresh
process, and prints the time per query and per page and that process's peak memory (RSS):
what a dashboard process needs. Last, what keeping the facts costs one call's write (rolled
back): a call just stored, a reviewed call. A page re-rendered with the same filters is served
from Streamlit's cache and takes milliseconds.

    python bench/dashboard_speed.py --refresh /tmp/b1m.duckdb /tmp/b10m.duckdb   # two built databases

What keeping the facts costs the writer per call stored, on each database, alternating in one
process: new calls stored (call row, result, findings) and refreshed from the rows written, as
the writer refreshes them (``call_facts.Stored``), in a transaction rolled back, one call and a
group of 200 (the grouped writer's), with ids after the stored ones and among them
(:func:`new_call_refresh`). The generation keeps DuckDB within 5 GB (it spills to disk past
it); ten million calls took 40 minutes here at load 13-15, 27 minutes at load 7-9 (4.4 GiB).

    python bench/dashboard_speed.py --calls 1000000 --scattered --db /tmp/s1m.duckdb   # 7 min at load 9, 1.6 GiB
    python bench/dashboard_speed.py --calls 5000000 --scattered --db /tmp/s5m.duckdb   # 16 min at load 10 (two-text turns)
    python bench/dashboard_speed.py --calls 10000000 --scattered --db /tmp/s10m.duckdb # 25 min, 5.8 GiB (two-text turns)
    # with the varied text (bench/call_text.py) and each turn's lowered text: 32 min at load 2-7, 44 at load 5-8, 19.7 GiB
    python bench/dashboard_speed.py --lookups /tmp/s500k.duckdb /tmp/s5m.duckdb      # two built databases

``--scattered`` generates call ids that do not follow the order the calls are stored in (a
permutation of the same ids), as a phone system's ids or re-imported old calls give; the
bench's own ids rise with the start, so each table's zone maps hold an id in one row group and
hide what a look-up by id costs otherwise. ``--lookups`` times what may grow with the store
then (:func:`lookups`), on each database alternating in one process.

    python bench/dashboard_speed.py --agreement-only --calls 10000000 --db /tmp/a.duckdb

The agreement-by-model view alone, on a database holding only the tables it reads (the full
generation of ten million calls does not fit a loaded 2-core machine): the call facts of every
call, made straight in SQL (the same calls, outcomes, reviews and results as the full
generation's), and the findings, reviews and results of the reviewed calls, from which
``call_facts.rebuild``'s SQL makes the agreement rows. Times the view's query before
migration 20 (the agreement rows joined to the facts of the calls the filter keeps) and after
it (the rows alone), alternating, in CPU seconds of the process (DuckDB's threads included).
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import call_text  # noqa: E402  (bench/call_text.py: the turns' text)
from qa_pipeline import records  # noqa: E402
from qa_pipeline.insights import aggregates, facts, filters, queries  # noqa: E402
from qa_pipeline.insights.filters import CallFilter  # noqa: E402
from qa_pipeline.privacy import access  # noqa: E402
from qa_pipeline.privacy.access import User, Viewer  # noqa: E402
from qa_pipeline.store import call_facts  # noqa: E402
from qa_pipeline.store import calls as stored_calls  # noqa: E402
from qa_pipeline.store import database as store  # noqa: E402
from qa_pipeline.store import journal  # noqa: E402
from qa_pipeline.store import results as stored_results  # noqa: E402
try:  # the turns' lowered text (migration 25); the pages also run with main's code, which has none
    from qa_pipeline.store.rows import TURN_LOWERED  # noqa: E402
except ImportError:
    TURN_LOWERED = "NULL"

ITEMS = ["A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3", "C4", "C5", "D1", "D2", "D3", "D4", "D5", "E1"]
WEIGHTS = [10, 5, 5, 10, 0, 5, 10, 10, 5, 10, 5, 5, 5, 5, 5, 5, 0]
GENERATE_MEMORY = "5GB"
TURN_WEEKS = 4
"""The turns' text is generated and sorted into storing order this many weeks of calls at a time."""


def call_ids(calls: int, scattered: bool) -> str:
    """SQL of the ``i``-th call's id: rising with ``i`` (the order calls are stored in), or with
    ``scattered`` a permutation of the same ids that does not follow it (ids a centre's phone
    system hands out: every page, lookup and delete by id then meets ids spread over all the
    row groups, as a store that re-scores or re-imports old calls also does)."""
    if not scattered:
        return "'c' || lpad(i::VARCHAR, 8, '0')"
    step = next(p for p in (999983, 1000003, 1000033) if calls % p)  # primes: coprime with the calls
    return f"'c' || lpad(((i * {step}) % {calls})::VARCHAR, 8, '0')"


def generate(db: Path, calls: int, scattered: bool = False) -> None:
    started = time.perf_counter()
    with store.opened(db) as con:
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"SET memory_limit = '{GENERATE_MEMORY}'")  # spills to disk past it: a shared machine
        con.execute("""INSERT INTO agent_roster SELECT 'ag' || lpad(i::VARCHAR, 4, '0'), 'Agent ' || i,
            'Team ' || (i % 30), 'lead' || (i % 30), DATE '2025-06-01' + INTERVAL (i % 500) DAY, 'Centre'
            FROM range(400) t(i)""")
        con.execute(f"""INSERT INTO call_store (call_id, source_path, duration, language, agent_id, agent_name, team,
                started_at, metadata, source, status, processed_at)
            SELECT {call_ids(calls, scattered)}, NULL, 120 + i % 400, CASE WHEN i % 3 = 0 THEN 'en' ELSE 'zh' END,
                'ag' || lpad((i % 400)::VARCHAR, 4, '0'), 'Agent ' || (i % 400), 'Team ' || ((i % 400) % 30),
                TIMESTAMPTZ '2025-11-24 08:00:00+00' + to_seconds((i * 31536000 // {calls})::BIGINT),
                '{{"ring_seconds": 5}}', 'import', 'done',
                TIMESTAMPTZ '2025-11-24 08:05:00+00' + to_seconds((i * 31536000 // {calls})::BIGINT)
            FROM range({calls}) t(i)""")  # stored as they come in: processed_at follows the order of storing
        # Scored as the calls come in: the findings' and results' scored_at follow the order of storing.
        con.execute(f"""INSERT INTO check_store SELECT call_id, 'standard', '1', item, outcome, item IN ('B2', 'E1'),
                weight, 'evidence words', 'agent', 3.0, 5.0, 'bench', started_at + INTERVAL 10 MINUTE, 0
            FROM (SELECT call_id, started_at, unnest({ITEMS}) AS item, unnest({WEIGHTS}) AS weight,
                         hash(call_id) AS h FROM call_store) x,
            LATERAL (SELECT CASE WHEN hash(call_id || item) % 100 < 12 THEN 'fail'
                                 WHEN item LIKE 'D%' AND h % 5 <> 0 THEN 'na' ELSE 'pass' END AS outcome)""")
        con.execute("""INSERT INTO result_store SELECT call_id, 'standard', '1',
                CASE WHEN bool_or(critical AND outcome = 'fail') THEN 0 ELSE
                100.0 * sum(CASE WHEN outcome = 'pass' THEN weight ELSE 0 END)
                / nullif(sum(CASE WHEN outcome <> 'na' THEN weight ELSE 0 END), 0) END AS score,
                score < 70 OR bool_or(critical AND outcome = 'fail'),
                CASE WHEN bool_or(critical AND outcome = 'fail') THEN ['critical item'] WHEN score < 70
                     THEN ['low score'] ELSE [] END, bool_or(check_id LIKE 'D%' AND outcome <> 'na'),
                bool_or(critical AND outcome = 'fail'), max(scored_at), 0
            FROM check_store GROUP BY call_id""")
        call_text.load(con)  # varied text of the call's language, about 1,000 characters a call
        con.execute("SET preserve_insertion_order = true")  # in storing order, as the writer stores them
        for week in range(0, 53, TURN_WEEKS):  # a few weeks at a time: the sort of 5 M calls' turns ran out of 5 GB
            chunk = (f"(SELECT call_id, t, language, processed_at FROM call_store, range(8) r(t) WHERE processed_at"
                     f" >= TIMESTAMPTZ '2025-11-24 08:00:00+00' + INTERVAL {week} WEEK AND processed_at"
                     f" < TIMESTAMPTZ '2025-11-24 08:00:00+00' + INTERVAL {week + TURN_WEEKS} WEEK)")
            con.execute(f"""INSERT INTO turn_store (call_id, turn, speaker, start_s, end_s, text, stored_at, text_lower,
                                        agent_id)
                SELECT call_id, turn, speaker, turn * 6.0, turn * 6.0 + 5.5, text, stored_at, {TURN_LOWERED}, agent_id
                FROM ({call_text.turn_text_sql(chunk)}) JOIN (SELECT call_id, agent_id FROM call_store) USING (call_id)
                ORDER BY date_trunc('day', stored_at AT TIME ZONE 'UTC'), agent_id, stored_at, call_id, turn""")
            # stamped with the call's storing time (migration 23) and agent, each day's turns grouped by agent
            # as the writer leaves a day that is over (migration 26: store.turn_layout)
        con.execute("INSERT INTO turn_layout_store VALUES (TIMESTAMPTZ '2026-11-25 00:00:00+00')")  # every day (all over)
        con.execute("SET preserve_insertion_order = false")
        sample = "hash(call_id) % 50 = 0"
        con.execute(f"""INSERT INTO finding_review_store SELECT call_id, rubric_id, rubric_version, check_id,
                CASE WHEN hash(call_id || check_id) % 10 = 0 THEN 'override' ELSE 'confirm' END, outcome,
                CASE WHEN hash(call_id || check_id) % 10 = 0 THEN CASE outcome WHEN 'pass' THEN 'fail' ELSE 'pass' END
                     ELSE outcome END, NULL, 'qa' || (hash(call_id) % 6), now()
            FROM check_store WHERE {sample}""")
        con.execute(f"""INSERT INTO review_store SELECT call_id, rubric_id, rubric_version, 'qa' || (hash(call_id) % 6),
                score, greatest(score - 5, 0), 'bench review', now() FROM result_store WHERE {sample}""")
        con.execute(f"""INSERT INTO queue_store SELECT call_id, 'qa' || (hash(call_id) % 6),
                CASE WHEN flagged THEN 'flagged' ELSE 'sample' END, now()
            FROM result_store WHERE flagged OR {sample}""")
        con.execute("""INSERT INTO app_user (username, role, display_name) SELECT 'qa' || i, 'qa', 'QA ' || i
            FROM range(6) t(i)""")
        con.execute("""INSERT INTO target_store SELECT 'team', 'Team ' || i, 'score', 85, 'bench', now()
            FROM range(30) t(i)""")
        con.execute("CHECKPOINT")
        filled = time.perf_counter()
        call_facts.rebuild(con)  # what save_call keeps current, made in bulk as migration 14 does
        con.execute("CHECKPOINT")
        print(f"call facts and day sums in {time.perf_counter() - filled:.0f} s: "
              + ", ".join(f"{t} {con.execute(f'SELECT count(*) FROM {t}').fetchone()[0]:,} rows"
                          for t in ("call_fact_store", "daily_call_store", "daily_item_store")))
    print(f"generated {calls:,} calls in {time.perf_counter() - started:.0f} s: {db} "
          f"({db.stat().st_size / 2**30:.2f} GiB)")


_OUTCOME_MACROS = f"""
CREATE OR REPLACE TEMP MACRO auto_outcome(cid, item) AS
    CASE WHEN hash(cid || item) % 100 < 12 THEN 'fail' WHEN item LIKE 'D%' AND hash(cid) % 5 <> 0 THEN 'na'
         ELSE 'pass' END;
CREATE OR REPLACE TEMP MACRO final_outcome(cid, item) AS
    CASE WHEN hash(cid) % 50 = 0 AND hash(cid || item) % 10 = 0
         THEN CASE auto_outcome(cid, item) WHEN 'pass' THEN 'fail' ELSE 'pass' END ELSE auto_outcome(cid, item) END;
CREATE OR REPLACE TEMP MACRO weighed(cid, counted) AS
    list_sum([CASE WHEN list_contains(counted, auto_outcome(cid, {ITEMS}[j])) THEN {WEIGHTS}[j] ELSE 0 END
              FOR j IN range(1, {len(ITEMS) + 1})]);
"""
"""What :func:`generate` decides per call and item (its outcome, a reviewer's override of it on
the reviewed calls), as macros: the call facts of ten million calls made without their 170
million findings."""


def generate_agreement_tables(db: Path, calls: int) -> None:
    """The tables the agreement view reads, for ``calls`` calls of :func:`generate`'s centre:
    every call's facts, and the reviewed calls' findings, reviews and results (the rest of the
    calls need none: the agreement rows are made of the reviewed calls alone)."""
    started = time.perf_counter()
    critical = [item for item, weight in zip(ITEMS, WEIGHTS) if item in ("B2", "E1")]
    with store.opened(db) as con:
        con.execute("SET preserve_insertion_order = false")
        con.execute(_OUTCOME_MACROS)
        lists = ", ".join(f"[x FOR x IN {ITEMS} IF final_outcome(call_id, x) = '{outcome}'] AS {name}"
                          for outcome, name in (("pass", "passed"), ("fail", "failed"), ("na", "na")))
        con.execute(f"""INSERT INTO call_fact_store
            SELECT call_id, started_at, started_at::DATE, team, agent_id, agent_name, language, 'import',
                   'standard', '1', score, score < 70 OR critical_fail,
                   CASE WHEN critical_fail THEN ['critical item'] WHEN score < 70 THEN ['low score']
                        ELSE []::VARCHAR[] END,
                   len([x FOR x IN {ITEMS} IF x LIKE 'D%' AND auto_outcome(call_id, x) <> 'na']) > 0, critical_fail,
                   passed, failed, na, started_at + INTERVAL 10 MINUTE
            FROM (SELECT *, CASE WHEN critical_fail THEN 0 ELSE
                                 100.0 * weighed(call_id, ['pass']) / nullif(weighed(call_id, ['pass', 'fail']), 0)
                            END AS score
                  FROM (SELECT 'c' || lpad(i::VARCHAR, 8, '0') AS call_id,
                               TIMESTAMPTZ '2025-11-24 08:00:00+00' + to_seconds((i * 31536000 // {calls})::BIGINT)
                                   AS started_at,
                               'Team ' || ((i % 400) % 30) AS team,
                               'ag' || lpad((i % 400)::VARCHAR, 4, '0') AS agent_id,
                               'Agent ' || (i % 400) AS agent_name,
                               CASE WHEN i % 3 = 0 THEN 'en' ELSE 'zh' END AS language
                        FROM range({calls}) t(i)),
                  LATERAL (SELECT len([x FOR x IN {critical} IF auto_outcome(call_id, x) = 'fail']) > 0
                                  AS critical_fail),
                  LATERAL (SELECT {lists}))
            ORDER BY started_at, call_id""")
        reviewed = "hash(call_id) % 50 = 0"
        con.execute(f"""INSERT INTO check_store SELECT call_id, 'standard', '1', item, auto_outcome(call_id, item),
                item IN ('B2', 'E1'), weight, 'evidence words', 'agent', 3.0, 5.0, 'bench', scored_at, 0
            FROM (SELECT call_id, scored_at, unnest({ITEMS}) AS item, unnest({WEIGHTS}) AS weight
                  FROM call_fact_store WHERE {reviewed})""")
        con.execute(f"""INSERT INTO result_store SELECT call_id, rubric_id, rubric_version, score, flagged,
                flag_reasons, complaint, critical_fail, scored_at, 0 FROM call_fact_store WHERE {reviewed}""")
        con.execute("""INSERT INTO finding_review_store SELECT call_id, rubric_id, rubric_version, check_id,
                CASE WHEN final_outcome(call_id, check_id) = outcome THEN 'confirm' ELSE 'override' END, outcome,
                final_outcome(call_id, check_id), NULL, 'qa' || (hash(call_id) % 6), now()
            FROM check_store""")
        con.execute("DELETE FROM agreement_fact_store")
        con.execute(call_facts.agreement_fill_sql())
        con.execute("CHECKPOINT")
        print(f"generated the agreement view's tables for {calls:,} calls in {time.perf_counter() - started:.0f} s: "
              + ", ".join(f"{t} {con.execute(f'SELECT count(*) FROM {t}').fetchone()[0]:,} rows"
                          for t in ("call_fact_store", "agreement_fact_store")))


# The agreement-by-model view's query before migration 20 (main at 0c2b36e), to compare with.
_AGREEMENT_BEFORE = """SELECT x.check_id, x.model_version, count(*) AS reviewed,
           avg((x.human_outcome = x.auto_outcome)::INT) AS agreement,
           count(*) FILTER (WHERE x.auto_outcome = 'pass' AND x.human_outcome = 'fail') AS missed,
           count(*) FILTER (WHERE x.auto_outcome = 'fail' AND x.human_outcome = 'pass') AS false_alarms,
           bool_or(x.current) AS current
    FROM agreement_fact_store x JOIN (SELECT call_id FROM call_fact_store WHERE {where}) c ON c.call_id = x.call_id
    GROUP BY x.check_id, x.model_version ORDER BY x.check_id, x.model_version NULLS FIRST"""


def agreement_only(db: Path, rounds: int = 5) -> None:
    """The agreement view before and after migration 20, alternating, ``rounds`` times each:
    the median CPU and wall seconds per filter; the two must give the same figures."""
    everyone = Viewer.of(User("bench", "manager"))
    team = Viewer.of(User("lead3", "team_lead", team="Team 3"))
    last12 = CallFilter(date_from=date(2026, 9, 1), date_to=date(2026, 11, 23))
    views = [("all time", everyone, CallFilter()), ("12 weeks", everyone, last12),
             ("team lead, 12 weeks", team, last12), ("team lead, all time", team, CallFilter()),
             ("failed item C3, 12 weeks", everyone, CallFilter(date_from=last12.date_from, failed_item="C3"))]

    def before(viewer: Viewer, f: CallFilter) -> list:
        where, args = facts.call_where(viewer, f)
        return journal.read(db, _AGREEMENT_BEFORE.format(where=where), args).rows()

    def after(viewer: Viewer, f: CallFilter) -> list:
        return queries.agreement_by_model(db, viewer, f).drop("model").rows()

    print(f"agreement by model version, before -> after migration 20 (median of {rounds}, alternating; "
          f"CPU of the process, all threads):")
    for label, viewer, f in views:
        took: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        for _ in range(rounds):
            for name, fn in (("before", before), ("after", after)):
                t, c = time.perf_counter(), time.process_time()
                rows = fn(viewer, f)
                took[name].append((time.process_time() - c, time.perf_counter() - t))
                if name == "before":
                    want = rows
            assert rows == want, (label, rows, want)  # the same figures
        cpu, wall = ({k: sorted(v)[len(v) // 2][i] for k, v in took.items()} for i in (0, 1))
        print(f"    {label:<28} CPU {cpu['before']:.3f} -> {cpu['after']:.3f} s   "
              f"(wall {wall['before']:.2f} -> {wall['after']:.2f} s; {len(want)} rows)")


def peak_memory() -> float:
    """This process's peak resident memory in GiB: its own (``VmHWM``), where Linux tells it;
    ``ru_maxrss`` keeps the peak of the process it was forked from across the exec, so the pages'
    process of a generating run showed the generator's 4.8 GiB at 5 M calls."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 2**20


def timed(label: str, fn, *args, **kwargs) -> tuple[float, float]:
    """Run one query; print and return its CPU seconds (the process's, DuckDB's threads
    included: the firmer figure on a loaded machine) and wall seconds."""
    kwargs = {k: v.make() if isinstance(v, Kept) else v for k, v in kwargs.items()}
    t, c = time.perf_counter(), time.process_time()
    fn(*args, **kwargs)
    cpu, took = time.process_time() - c, time.perf_counter() - t
    peak = peak_memory()
    print(f"    {label:<36} CPU {cpu * 1000:6.0f} ms   wall {took * 1000:6.0f} ms   "
          f"(peak memory so far {peak:.2f} GiB)")
    return cpu, took


@dataclass(frozen=True)
class Kept:
    """An argument a page step gets from an earlier load, which the dashboard keeps cached:
    :func:`timed` makes it before its clock starts."""
    make: Callable[[], Any]


def next_page(db: Path, viewer: Viewer, f: CallFilter, words: str) -> tuple[Any, tuple, dict]:
    """The step of the second page of a words search, as the coaching page reads it: given the
    calls the search found on its first page (``queries.calls_said``, cached by the dashboard)
    where the code keeps them; else (main's code) the search runs again for the page."""
    if not hasattr(queries, "calls_said"):
        return queries.search_findings, (db, viewer, f), {"words": words, "page": 1}
    return queries.search_findings, (db, viewer, f), {
        "words": words, "page": 1, "found": Kept(lambda: queries.calls_said(db, viewer, f, words))}


def pages(db: Path) -> dict[str, float]:
    """Each page's queries on a first load; returns the CPU seconds per page."""
    everyone = Viewer.of(User("bench", "manager"))
    team = Viewer.of(User("lead3", "team_lead", team="Team 3"))
    last12 = CallFilter(date_from=date(2026, 9, 1), date_to=date(2026, 11, 23))
    week = CallFilter(date_from=date(2026, 11, 16), date_to=date(2026, 11, 22))
    day = CallFilter(date_from=date(2026, 11, 20), date_to=date(2026, 11, 20))
    year = CallFilter(date_from=date(2025, 11, 24), date_to=date(2026, 11, 23))
    quarter = CallFilter(date_from=date(2026, 8, 24), date_to=date(2026, 11, 23))
    agent_year = CallFilter(date_from=year.date_from, date_to=year.date_to, agents=("ag0003",))

    def agent_feedback(period: CallFilter) -> list:
        """The agent feedback page's queries for one agent of the team lead's team over ``period``."""
        return [
            ("filter_options (team lead)", aggregates.filter_options, (db, team), {}),
            ("agent_weekly", aggregates.agent_weekly, (db, team, "ag0003", period), {}),
            ("agent_items", aggregates.agent_items, (db, team, "ag0003", period), {}),
            ("agent_calls_failing", queries.agent_calls_failing, (db, team, "ag0003", "C3", period), {}),
            ("agent_reviews", queries.agent_reviews, (db, team, "ag0003", period), {}),
        ]

    plans = {
        "Review queue": [
            ("filter_options", aggregates.filter_options, (db, everyone), {}),
            ("specialists", queries.specialists, (db,), {}),
            ("flagged_unqueued", queries.flagged_unqueued, (db, everyone), {}),
            ("review_queue (open, newest)", queries.review_queue, (db, everyone, CallFilter()),
             {"assignee": "qa1"}),
            ("review_queue (worst, item C3)", queries.review_queue, (db, everyone, CallFilter(failed_item="C3")),
             {"order": "worst", "status": "all"}),
            ("call_header", queries.call_header, (db, everyone, "c00500000"), {}),
            ("call_turns", queries.call_turns, (db, everyone, "c00500000"), {}),
            ("call_findings", queries.call_findings, (db, everyone, "c00500000", "standard", "1"), {}),
        ],
        "Agent feedback": agent_feedback(last12),
        "Agent feedback, one agent over a year": agent_feedback(year),
        "A team over a quarter (team lead)": [
            ("filter_options (team lead)", aggregates.filter_options, (db, team), {}),
            ("weekly_trends (by agent)", aggregates.weekly_trends, (db, team, quarter, "agent"), {}),
            ("item_pass_by_team", aggregates.item_pass_by_team, (db, team, quarter), {}),
            ("training_needs", aggregates.training_needs, (db, team, quarter), {}),
            ("search_findings (item, fail)", queries.search_findings, (db, team, quarter),
             {"item": "C3", "outcome": "fail"}),
            ("search_findings (words)", queries.search_findings, (db, team, quarter), {"words": "refund"}),
            ("agreement_by_model", queries.agreement_by_model, (db, team, quarter), {}),
        ],
        "Coaching clips": [
            ("filter_options", aggregates.filter_options, (db, everyone), {}),
            ("search_findings (item, fail)", queries.search_findings, (db, everyone, last12),
             {"item": "D4", "outcome": "fail"}),
            ("search_findings (words, one day)", queries.search_findings, (db, everyone, day), {"words": "投诉"}),
            ("search_findings (words)", queries.search_findings, (db, everyone, week), {"words": "投诉"}),
            ("search_findings (English words)", queries.search_findings, (db, everyone, week),
             {"words": "Complaint"}),
            ("search_findings (words, all time)", queries.search_findings, (db, everyone, CallFilter()),
             {"words": "投诉"}),
            ("search_findings (words no call has)", queries.search_findings, (db, everyone, last12),
             {"words": "没有人说过"}),
            ("search_findings (English, no call has)", queries.search_findings, (db, everyone, last12),
             {"words": "Nobody Ever Says This"}),
            ("search_findings (words, next page)", *next_page(db, everyone, week, "投诉")),
            ("training_needs (12 weeks)", aggregates.training_needs, (db, everyone, last12), {}),
            ("playlists", queries.playlists, (db,), {}),
        ],
        # A team lead's coaching clips of one agent over a year: the filter keeps one call in 400 of
        # the days' calls, so the search reads every turn of the year (no cap reached: 25,000 calls at 10 M)
        "Coaching clips, one agent over a year (team lead)": [
            ("search_findings (words)", queries.search_findings, (db, team, agent_year), {"words": "refund"}),
            ("search_findings (words no call has)", queries.search_findings, (db, team, agent_year),
             {"words": "没有人说过"}),
            ("search_findings (English, no call has)", queries.search_findings, (db, team, agent_year),
             {"words": "Nobody Ever Says This"}),
        ],
        "Team trends": [
            ("filter_options", aggregates.filter_options, (db, everyone), {}),
            ("weekly_trends (team, 12 weeks)", aggregates.weekly_trends, (db, everyone, last12, "team"), {}),
            ("item_pass_by_team", aggregates.item_pass_by_team, (db, everyone, last12), {}),
            ("agreement_by_model", queries.agreement_by_model, (db, everyone, last12), {}),
            ("score_agreement", queries.score_agreement, (db, everyone, last12), {}),
            ("new_agents", aggregates.new_agents, (db, everyone, last12), {}),
            ("targets", aggregates.targets, (db, everyone, last12), {}),
        ],
    }
    totals = {}
    for page, steps in plans.items():
        print(f"  {page}")
        took = [timed(label, fn, *args, **kwargs) for label, fn, args, kwargs in steps]
        totals[page] = sum(cpu for cpu, _ in took)
        print(f"    {'= page, nothing cached':<36} CPU {totals[page] * 1000:6.0f} ms   "
              f"wall {sum(wall for _, wall in took) * 1000:6.0f} ms")
    return totals


def writes(db: Path, calls: int = 12) -> None:
    """What keeping the facts costs a write at this size: :func:`call_facts.refresh` of a call
    the pipeline has just stored (its facts taken out first, as if it were new: it is not
    queued or reviewed), of a queued and reviewed call (a review or an override), and
    :func:`call_facts.refresh_queue` (a review, dispute or queue change), single calls, each
    in a transaction rolled back (the database is unchanged)."""
    with store.opened(db) as con:
        new = [r[0] for r in con.execute(
            "SELECT call_id FROM call_fact_store c WHERE NOT EXISTS (SELECT 1 FROM queue_store q WHERE "
            f"q.call_id = c.call_id) AND NOT EXISTS (SELECT 1 FROM finding_review_store f WHERE f.call_id = c.call_id) "
            f"ORDER BY hash(call_id || 'new') LIMIT {calls}").fetchall()]
        queued = [r[0] for r in con.execute(
            "SELECT call_id FROM queue_fact_store q WHERE EXISTS (SELECT 1 FROM finding_review_store f WHERE "
            f"f.call_id = q.call_id) ORDER BY hash(call_id || 'queued') LIMIT {calls}").fetchall()]
        print(f"keeping the facts, per write of one call (median of {calls}, rolled back):")
        for label, fn, ids, fresh in (("refresh (a call just stored)", call_facts.refresh, new, True),
                                      ("refresh (a reviewed call)", call_facts.refresh, queued, False),
                                      ("refresh_queue", call_facts.refresh_queue, queued, False)):
            wall, cpu = [], []
            for call_id in ids:
                con.execute("BEGIN TRANSACTION")
                if fresh:  # no facts of it yet; its sums are counted twice until the rollback
                    for table in ("call_fact_store", "queue_fact_store", "agreement_fact_store"):
                        con.execute(f"DELETE FROM {table} WHERE call_id = ?", [call_id])
                t, c = time.perf_counter(), time.process_time()
                fn(con, [call_id])
                wall.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
                con.execute("ROLLBACK")
            print(f"    {label:<34} {sorted(wall)[len(wall) // 2] * 1000:8.0f} ms   "
                  f"(CPU {sorted(cpu)[len(cpu) // 2] * 1000:.0f} ms)")


def _store_new_calls(con, template: str, ids: list[str]) -> call_facts.Stored:
    """Store ``ids`` as new calls of the last day (copies of the call ``template``: its call row,
    result and findings), as the writer does just before its facts refresh: through temporary
    tables of the rows written, which the refresh reads (``call_facts.Stored``)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _bench_ids AS SELECT unnest(?::VARCHAR[]) AS id", [ids])
    day = "TIMESTAMPTZ '2026-11-23 12:00:00+00'"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _written_calls AS SELECT c.* REPLACE (b.id AS call_id,
        {day} AS started_at) FROM call_store c, _bench_ids b WHERE c.call_id = ?""", [template])
    for table, written in (("result_store", "_written_results"), ("check_store", "_written_checks")):
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {written} AS SELECT c.* REPLACE (b.id AS call_id)
            FROM {table} c, _bench_ids b WHERE c.call_id = ?""", [template])
    for table, written in (("call_store", "_written_calls"), ("result_store", "_written_results"),
                           ("check_store", "_written_checks")):
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {written}")
    con.execute("DROP TABLE temp._bench_ids")
    return call_facts.Stored("_written_calls", "_written_results", "_written_checks", ())


def new_call_refresh(dbs: list[Path], rounds: int = 7, group: int = 200) -> None:
    """What keeping the facts costs the writer per call stored, on each database in ``dbs``
    (alternating, in this one process): new calls (not yet stored) are stored as the writer
    stores them (call row, result, findings) in a transaction, :func:`call_facts.refresh` of
    them is timed, and the transaction rolled back. One call at a time (``rounds``, median) and
    a group of ``group`` calls (as the pipeline's grouped writer, median of 3), with call ids of
    two shapes: sorting after every stored one (the bench's ids follow the start time, so each
    table's zone maps hold a new id apart) and scattered among the stored ids (ids that do not
    follow the order calls are stored in: no zone map can skip a row group)."""
    shapes = {"ids after the stored": lambda n, k: [f"d{k:03d}{i:06d}" for i in range(n)],
              "ids among the stored": lambda n, k: [f"c{(i * 7919 + k * 104729) % 10**8:08d}x" for i in range(n)]}
    cons = {db: store.connect(db) for db in dbs}
    try:
        templates = {db: con.execute(
            "SELECT call_id FROM call_fact_store c WHERE NOT EXISTS (SELECT 1 FROM queue_store q WHERE "
            "q.call_id = c.call_id) AND day = DATE '2026-11-23' ORDER BY call_id LIMIT 1").fetchone()[0]
            for db, con in cons.items()}
        took: dict[tuple, list[tuple[float, float]]] = {}
        for k in range(rounds):
            for size in (1, group):
                if size > 1 and k >= 3:
                    continue
                for shape, make in shapes.items():
                    for db, con in cons.items():
                        ids = make(size, k)
                        con.execute("BEGIN TRANSACTION")
                        stored = _store_new_calls(con, templates[db], ids)
                        t, c = time.perf_counter(), time.process_time()
                        call_facts.refresh(con, ids, stored)
                        took.setdefault((size, shape, db), []).append(
                            (time.process_time() - c, time.perf_counter() - t))
                        if k == 0:
                            got = con.execute("SELECT count(*) FROM call_fact_store WHERE call_id IN "
                                              "(SELECT unnest(?::VARCHAR[]))", [ids]).fetchone()[0]
                            assert got == size, (db, shape, got)
                        con.execute("ROLLBACK")
        print("keeping the facts, per new call stored (CPU of the process, all threads; wall in brackets; "
              "median; rolled back): " + " vs ".join(f"{db.name}" for db in dbs))
        for size in (1, group):
            for shape in shapes:
                cells = []
                for db in dbs:
                    runs = sorted(took[(size, shape, db)])
                    cpu = runs[len(runs) // 2][0]
                    wall = sorted(w for _, w in runs)[len(runs) // 2]
                    cells.append(f"{cpu * 1000 / size:7.2f} ms ({wall * 1000 / size:.2f})")
                label = "one call" if size == 1 else f"a group of {size}, per call"
                print(f"    {label + ', ' + shape:<44} " + "  vs ".join(cells))
    finally:
        for con in cons.values():
            con.close()


@dataclass(frozen=True)
class Code:
    """The package modules the look-ups call: this checkout's (:data:`THIS_CODE`), or another
    checkout's imported apart (``bench/lookups_two_codes.py`` times main's and this one's in one
    process with the same bench loop, :func:`lookup_round`)."""
    records: ModuleType
    database: ModuleType
    call_facts: ModuleType
    results: ModuleType
    calls: ModuleType
    queries: ModuleType
    filters: ModuleType
    access: ModuleType


THIS_CODE = Code(records, store, call_facts, stored_results, stored_calls, queries, filters, access)


def _bench_call(call_id: str, template: tuple, code: Code = THIS_CODE):
    """A call of eight turns and its result of the bench's 17 items, as the pipeline hands them
    to the writer; ``template``: a stored call's agent id, name and team."""
    agent_id, agent_name, team = template
    r = code.records
    turns = tuple(r.Turn("agent" if t % 2 == 0 else "customer", t * 6.0, t * 6.0 + 5.5,
                         "您好，请问有什么可以帮您" if t % 2 == 0 else "我想查询一下订单") for t in range(8))
    call = r.Call(r.CallInfo(call_id, agent_id=agent_id, agent_name=agent_name, team=team,
                             started_at="2026-11-23T12:00:00+00:00"),
                  "zh", turns, duration=60.0, source="import")
    evidence = r.Evidence("evidence words", "agent", 3.0, 5.0)
    findings = tuple(r.Finding(item, "fail" if item == "C3" else "pass", evidence, "bench",
                               critical=item in ("B2", "E1"), weight=float(weight))
                     for item, weight in zip(ITEMS, WEIGHTS))
    return call, r.CallResult(call_id, "standard", "1", 90.0, False, (), findings)


def _store(con, call_id: str, template: tuple, code: Code = THIS_CODE) -> None:
    """Store a call as the pipeline's writer does, inside the caller's transaction."""
    call, result = _bench_call(call_id, template, code)
    code.database._write_calls(con, [call], [result], ())


def lookup_round(db: Path, k: int, clock, code: Code = THIS_CODE, per_round: int = 3) -> None:
    """One round of :func:`lookups` on ``db`` with ``code``'s modules, each operation timed by
    ``clock(label, fn)``: the reads, then for ``per_round`` stored calls picked by the round
    ``k`` the writes, each in a transaction rolled back."""
    everyone = code.access.Viewer.of(code.access.User("bench", "manager"))
    week = code.filters.CallFilter(date_from=date(2026, 11, 16), date_to=date(2026, 11, 22))
    day = code.filters.CallFilter(date_from=date(2026, 11, 20), date_to=date(2026, 11, 20))
    clock("a page's findings (item D4 failed, a week)",
          lambda: code.queries.search_findings(db, everyone, week, item="D4", outcome="fail"))
    clock("words search, one day", lambda: code.queries.search_findings(db, everyone, day, words="投诉"))
    clock("one call's transcript", lambda: code.queries.call_turns(db, everyone, f"c{(k * 7919) % 200000:08d}"))
    with code.database.opened(db) as con:
        pick = ("SELECT call_id, agent_id, agent_name, team FROM call_fact_store WHERE {} "
                f"ORDER BY hash(call_id || '{k}') LIMIT {per_round}")
        reviewed = con.execute(pick.format("call_id IN (SELECT call_id FROM review_fact_store)")).fetchall()
        stored = con.execute(pick.format("call_id NOT IN (SELECT call_id FROM queue_fact_store)")).fetchall()
        for i, (call_id, *template) in enumerate(stored):
            new_id = f"c{(k * 7919 + i * 104729) % 10**7:08d}x"  # sorts among the stored ids
            for label, write in (
                    ("refresh (a reviewed call)", lambda: code.call_facts.refresh(con, [reviewed[i][0]])),
                    ("writer: a new call stored", lambda: _store(con, new_id, template, code)),
                    ("writer: a stored call stored again", lambda: _store(con, call_id, template, code)),
                    ("writer: a stored call re-scored", lambda: code.results.write_result_rows(
                        con, [code.results.result_rows([_bench_call(call_id, template, code)[1]])])),
                    ("re-scoring's load of a stored call", lambda: code.calls.fetch_call_rows(
                        con, [call_id], words=True, normalizer=1))):
                con.execute("BEGIN TRANSACTION")
                try:
                    clock(label, write)
                finally:
                    con.execute("ROLLBACK")


def lookups(dbs: list[Path], rounds: int = 5) -> None:
    """What may grow with the store where call ids do not follow the order calls are stored in
    (``--scattered``), on each database in ``dbs`` alternating in this one process, median CPU:
    a page's findings (a failed item's clips over a week: the findings of 50 calls looked up by
    id), the words search over one day, one call's transcript, a reviewed call's facts refresh, and the writer: a new
    call stored (its id among the stored ones), a stored call stored again, a stored call
    re-scored (``write_result_rows``, its facts refreshed), each rolled back; and what re-scoring
    reads of a stored call (``fetch_call_rows``: its call row, turns, words, normalised texts)."""
    took: dict[tuple[str, Path], list[float]] = {}
    for k in range(rounds):
        for db in dbs:
            def clock(label: str, fn, db=db) -> None:
                c = time.process_time()
                fn()
                took.setdefault((label, db), []).append(time.process_time() - c)
            lookup_round(db, k, clock)
    print(f"lookups by call id (median CPU of the process, all threads; {rounds} rounds): "
          + " vs ".join(db.name for db in dbs))
    for label in dict.fromkeys(label for label, _ in took):
        cells = [f"{sorted(took[(label, db)])[len(took[(label, db)]) // 2] * 1000:8.1f} ms" for db in dbs]
        print(f"    {label:<44} " + "  vs ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path(__file__).parent / "results" / "dashboard_1m.duckdb")
    parser.add_argument("--reuse", action="store_true", help="Keep an existing database of that name.")
    parser.add_argument("--pages-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--agreement-only", action="store_true",
                        help="Only the agreement view's tables and query, before and after migration 20.")
    parser.add_argument("--refresh", type=Path, nargs="+", metavar="DB",
                        help="Only the facts refresh of new calls stored into these databases (built), "
                             "one call and a group of 200, alternating between them.")
    parser.add_argument("--scattered", action="store_true",
                        help="Generate call ids that do not follow the order calls are stored in.")
    parser.add_argument("--lookups", type=Path, nargs="+", metavar="DB",
                        help="Only the lookups by call id that may grow with the store (a page's findings, "
                             "the words search per day, a reviewed call's refresh, the writer's deletes) on "
                             "these databases (built), alternating between them.")
    args = parser.parse_args()
    if args.lookups:
        lookups(args.lookups)
        return
    if args.refresh:
        new_call_refresh(args.refresh)
        return
    args.db.parent.mkdir(parents=True, exist_ok=True)
    if args.agreement_only:
        if not (args.reuse and args.db.exists()):
            for stale in (args.db, Path(f"{args.db}.wal")):
                stale.unlink(missing_ok=True)
            generate_agreement_tables(args.db, args.calls)
        agreement_only(args.db)
        return
    if not args.pages_only:
        if not (args.reuse and args.db.exists()):
            for stale in (args.db, Path(f"{args.db}.wal")):
                stale.unlink(missing_ok=True)
            generate(args.db, args.calls, args.scattered)
        started = time.perf_counter()
        with store.opened(args.db):  # an older bench database: migrations 14 and 16 fill the facts (once)
            pass
        print(f"opened read-write (migrating an older database) in {time.perf_counter() - started:.0f} s")
        # The pages in a process of their own: its peak memory is a dashboard process's, not the generator's.
        code = subprocess.call([sys.executable, __file__, "--pages-only", "--db", str(args.db)])
        writes(args.db)
        sys.exit(code)
    print(f"page queries on {os.cpu_count()} cores (first load: nothing cached):")
    pages(args.db)
    print(f"peak memory (RSS) of this process: {peak_memory():.2f} GiB")


if __name__ == "__main__":
    main()
