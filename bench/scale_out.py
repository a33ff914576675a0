"""`qa run` spread out: worker processes on one machine, a local Ray cluster, and how the batch's
own work (planning, storing) grows with the number of calls.

    .venv/bin/python bench/scale_out.py workers [--calls DIR] [--copies 1] [--rounds 1]

runs the same calls (default: the bundled demo calls, rendered) with the real speech
model four ways, rounds alternating so that load from other processes hits each alike:
1 process × 1 thread, 1 process × 2 threads (`--workers 1` on 2 cores), 2 worker processes ×
1 thread (`--workers 2`), and a local 2-CPU Ray cluster of 2 actors × 1 thread (`--ray`).
Each run starts from an empty database and includes loading the models in each worker.
Prints wall time, audio hours per wall-clock hour, seconds per call, the CPU time spent (this
process and its worker processes; Ray's actors are not its children, so not for Ray) per
audio minute, the ratios to `--workers 1`, and the load average.

On a machine other jobs keep busy, wall times say little about parallel speed-up: Linux
schedules each session as one group (autogroup), so extra processes of a batch get no extra
CPU share while the cores are saturated. CPU time per audio minute does not depend on that: a
setup that needs fewer CPU-seconds per call does more calls per hour on idle cores, and N
independent single-thread workers use N cores fully.

    .venv/bin/python bench/scale_out.py growth [--sizes 10 100 1000] [--call-seconds 3]

stores batches of short distinct calls through `qa run`'s path (:func:`run_batch`) with the
fake recogniser (``QA_FAKE_ASR=1``), in CPU ms per call: planning (find, hash, skip, call ids),
decoding and the fake recogniser, scoring, and storing (one transaction per call, of it
``call_facts.refresh``), then a re-run that skips every call. Linear growth shows as flat
per-call figures. Then the store step's parts (opening the database, inserting the rows,
the results, the facts refresh, the rest) for the batch's first and last tenth of calls: a
part that grows with the calls already stored grows there. Then the writer's own cost, in the
same run, two ways over the same calls: one at a time (the writer keeps up: each call stored as
it comes back, as above) and with a backlog (every call worked on first, then all handed back
at once, as worker processes or a cluster do when the writer falls behind: it stores them in
groups of up to ``STORE_GROUP_MAX``): the group sizes seen, CPU ms per call of storing and of
its facts refresh, the longest a group held the database (wall), and the calls a day one writer
could store at that cost. Not a test: figures on a shared machine are noisy; the CPU figures
are the ones to compare.

    .venv/bin/python bench/scale_out.py in-flight [--calls 200] [--workers 2] [--depths 1 2] [--rounds 3]

runs the same short calls (fake recogniser) through ``--workers 2`` giving each worker 1 call
at a time, then 2 (``LocalWorkers(in_flight=)``), rounds alternating: the groups the writer
stored, its storing CPU ms per call, and the whole batch's CPU ms (writer and workers) and
wall ms per call.

    .venv/bin/python bench/scale_out.py import [--calls 300] [--rounds 2] [--no-score]

imports the same one-call transcript files each call in a transaction of its own, then in the
writer's groups, rounds alternating: CPU ms per call.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from qa_pipeline import pipeline
from qa_pipeline.pipeline import InProcess, Models, RunOptions, find_recordings, run_batch
from qa_pipeline.progress import ProgressEvent


def demo_calls(folder: Path, copies: int) -> Path:
    """The bundled demo calls rendered into ``folder/calls``, each ``copies`` times."""
    from qa_pipeline.demo.bundled import build_small_demo

    rendered, _ = build_small_demo(folder / "demo")
    calls = folder / "calls"
    calls.mkdir()
    for path in sorted(rendered.glob("*.wav")):
        for n in range(copies):
            shutil.copy(path, calls / f"{path.stem}-{n}.wav")
    return calls


def audio_seconds(calls: Path) -> float:
    return sum(sf.info(str(p)).duration for p in find_recordings(calls))


def workers(args: argparse.Namespace) -> None:
    import ray

    from qa_pipeline.cluster import RayCluster
    from qa_pipeline.workers import LocalWorkers

    tmp = Path(tempfile.mkdtemp(prefix="scale-out-"))
    calls = Path(args.calls) if args.calls else demo_calls(tmp, args.copies)
    n_calls, audio = len(find_recordings(calls)), audio_seconds(calls)
    started = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    ray_start = time.perf_counter() - started
    setups = {  # name: (executor, threads per worker, cores used)
        "1 process x 1 thread": (None, 1, 1),
        "--workers 1 (1 process x 2 threads)": (None, 2, 2),
        "--workers 2 (2 processes x 1 thread)": (LocalWorkers(2), 1, 2),
        "--ray, local 2 CPUs (2 actors x 1 thread)": (RayCluster(workers=2, threads=1), 1, 2),
    }
    walls: dict[str, list[float]] = {name: [] for name in setups}
    cpus: dict[str, list[float]] = {name: [] for name in setups}
    loads = [os.getloadavg()]
    for round_ in range(args.rounds):
        for n, (name, (executor, threads, _)) in enumerate(setups.items()):
            db = tmp / f"round{round_}-setup{n}.duckdb"
            options = RunOptions(language=args.language, threads=threads)
            cpu_before = cpu_seconds()
            summary = run_batch(calls, db, options=options, executor=executor)
            assert summary.processed == n_calls and not summary.failed, summary
            walls[name].append(summary.wall_seconds)
            cpus[name].append(cpu_seconds() - cpu_before)
            loads.append(os.getloadavg())
            print(f"round {round_ + 1} {name}: {summary.wall_seconds:.1f} s wall, {cpus[name][-1]:.1f} CPU-s "
                  f"(load {loads[-1][0]:.1f})", flush=True)
    ray.shutdown()
    print(f"\n{platform.node()}: {os.cpu_count()} cores; {n_calls} calls, {audio / 60:.1f} min of audio; "
          f"{args.rounds} rounds, median wall time; Ray start-up {ray_start:.1f} s (once, not counted)")
    base = statistics.median(walls["--workers 1 (1 process x 2 threads)"])
    print(f"{'setup':<44}{'wall s':>8}{'audio h/h':>11}{'s/call':>8}{'CPU-s/audio min':>17}{'vs --workers 1':>16}")
    for name in setups:
        wall = statistics.median(walls[name])
        cpu = f"{statistics.median(cpus[name]) / (audio / 60):.2f}" if "ray" not in name else "-"
        print(f"{name:<44}{wall:>8.1f}{audio / wall:>11.1f}{wall / n_calls:>8.2f}{cpu:>17}{base / wall:>15.2f}x")
    print("load average (1, 5, 15 min) before, after each run: "
          + "; ".join(" ".join(f"{x:.2f}" for x in load) for load in loads))


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its children that have ended (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class CpuTimed:
    """A function that sums the CPU seconds (this process's) spent inside it."""

    def __init__(self, function):
        self.function, self.cpu = function, 0.0

    def __call__(self, *args, **kwargs):
        began = time.process_time()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.cpu += time.process_time() - began


# timed inside a call's store step (database._write_calls holds the three after it and the DELETEs)
STORE_PARTS = ("connect", "_write_calls", "_bulk_insert", "write_result_rows", "refresh")
PART_NAMES = ("open", "DELETEs", "insert rows", "results", "facts", "commit and close")


class Backlog:
    """An executor that works on every call in this process first and then hands them all back
    at once: the writer finds a backlog waiting, as when workers outrun it."""

    def run(self, jobs, options, on_step):
        yield [pair for arrival in InProcess(Models(options)).run(jobs, options, on_step) for pair in arrival]


class StoreTimed:
    """Wraps :func:`pipeline.store_outcomes` and :func:`call_facts.refresh`: per stored group,
    its size, CPU seconds, wall seconds and CPU seconds inside the facts refresh."""

    def __init__(self):
        from qa_pipeline.store import call_facts

        self.groups: list[tuple[int, float, float, float]] = []
        self.store, self.refresh = pipeline.store_outcomes, CpuTimed(call_facts.refresh)

    def __enter__(self):
        from qa_pipeline.store import call_facts

        def timed(db_path, outcomes, progress):
            cpu, wall, facts = time.process_time(), time.perf_counter(), self.refresh.cpu
            try:
                return self.store(db_path, outcomes, progress)
            finally:
                self.groups.append((len(outcomes), time.process_time() - cpu, time.perf_counter() - wall,
                                    self.refresh.cpu - facts))

        pipeline.store_outcomes, call_facts.refresh = timed, self.refresh
        return self

    def __exit__(self, *exc):
        from qa_pipeline.store import call_facts

        pipeline.store_outcomes, call_facts.refresh = self.store, self.refresh.function


def writer_modes(calls: Path, tmp: Path) -> list[tuple]:
    """The writer's cost over ``calls`` one at a time and with a backlog, each into a new
    database: (mode, group sizes, store CPU ms per call, facts CPU ms per call, longest group
    wall ms, calls a day)."""
    rows = []
    for mode, executor in (("one at a time", None), ("backlog", Backlog())):
        with StoreTimed() as timed:
            summary = run_batch(calls, tmp / f"{mode}.duckdb", options=RunOptions(language="en"), executor=executor)
        n = summary.processed
        sizes = [size for size, *_ in timed.groups]
        store_cpu, facts_cpu = sum(g[1] for g in timed.groups), sum(g[3] for g in timed.groups)
        seen = f"{min(sizes)}" if min(sizes) == max(sizes) else f"{min(sizes)}-{max(sizes)}"
        rows.append((mode, f"{len(sizes)} x {seen}", 1000 * store_cpu / n, 1000 * facts_cpu / n,
                     1000 * max(g[2] for g in timed.groups), 86400 * n / store_cpu))
    return rows


def growth(args: argparse.Namespace) -> None:
    from qa_pipeline.store import call_facts, database

    os.environ["QA_FAKE_ASR"] = "1"  # the speech model's boundary: what is left is the batch's own work
    rng = np.random.default_rng(0)
    print("CPU ms per call of this process (DuckDB's threads included), wall ms per call beside the total. "
          "store: the call's one transaction, of which facts: call_facts.refresh; store 1st/last 10%: the "
          "batch's first and last tenth of calls, stored while the database holds 0-10 % and 90-100 % of "
          "the batch; re-run: the same batch again (every call skipped). A first batch of 3 calls, not shown, "
          "pays the one-time loading (rubrics, sentence encoder)")
    header = ("calls", "plan", "decode + fake ASR", "score", "store", "of it facts", "store 1st 10%", "store last 10%",
              "total CPU", "total wall", "re-run CPU")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header), flush=True)
    parts_by_size, writer_by_size = {}, {}
    for shown, size in [(False, 3), *((True, size) for size in args.sizes)]:
        with tempfile.TemporaryDirectory(prefix="scale-growth-") as tmp:
            calls = Path(tmp) / "calls"
            calls.mkdir()
            for n in range(size):  # short stereo calls at 8 kHz, each its own content
                samples = rng.normal(0, 0.1, (8000 * args.call_seconds, 2)).astype(np.float32)
                sf.write(calls / f"c{n:05d}.wav", samples, 8000)
            db = Path(tmp) / "qa.duckdb"
            # (step, CPU seconds of this process, CPU seconds inside each of STORE_PARTS so far) at each event
            times: list[tuple[str, float, tuple[float, ...]]] = []
            timed = {name: CpuTimed(getattr(call_facts if name == "refresh" else database, name))
                     for name in STORE_PARTS}

            def hear(event: ProgressEvent) -> None:
                times.append((event.step, time.process_time(), tuple(t.cpu for t in timed.values())))

            for name, wrapper in timed.items():
                setattr(call_facts if name == "refresh" else database, name, wrapper)
            cpu_began = time.process_time()
            try:
                summary = run_batch(calls, db, options=RunOptions(language="en"), progress=hear)
            finally:
                for name, wrapper in timed.items():
                    setattr(call_facts if name == "refresh" else database, name, wrapper.function)
            cpu = time.process_time() - cpu_began
            assert summary.processed == size, summary
            plan = times[0][1] - cpu_began

            def spans(start: str, end: str) -> list[tuple[float, ...]]:
                """(CPU, then each store part's CPU) of every span from a ``start`` event to an ``end`` one."""
                return [(t2 - t1, *(b - a for a, b in zip(p1, p2)))
                        for (s1, t1, p1), (s2, t2, p2) in zip(times, times[1:]) if s1 == start and s2 == end]

            score = sum(span[0] for span in spans("score", "store"))
            stores = spans("store", "done")
            store, tenth = sum(span[0] for span in stores), max(1, size // 10)
            began = time.process_time()
            again = run_batch(calls, db, options=RunOptions(language="en"))
            rerun = time.process_time() - began
            assert again.skipped == size and again.processed == 0
            ms = 1000 / size
            row = (plan * ms, (cpu - plan - score - store) * ms, score * ms, store * ms,
                   sum(span[-1] for span in stores) * ms,
                   1000 * statistics.mean(span[0] for span in stores[:tenth]),
                   1000 * statistics.mean(span[0] for span in stores[-tenth:]), cpu * ms,
                   summary.wall_seconds * ms, rerun * ms)
            if shown:
                print(f"| {size} | " + " | ".join(f"{x:.1f}" for x in row) + " |", flush=True)
                parts_by_size[size] = (stores[:tenth], stores[-tenth:])
                writer_by_size[size] = writer_modes(calls, Path(tmp))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\nThe store step's parts, CPU ms per call, the batch's first tenth -> last tenth (DELETEs: of a "
          "replaced call's rows, one per call table)")
    print("| calls | " + " | ".join(PART_NAMES) + " |")
    print("|---|" + "---|" * len(PART_NAMES))
    for size, (first, last) in parts_by_size.items():
        cells = [f"{a:.1f} -> {b:.1f}" for a, b in zip(_parts_ms(first), _parts_ms(last))]
        print(f"| {size} | " + " | ".join(cells) + " |", flush=True)
    print(f"\nThe writer one call at a time vs with a backlog (groups of up to {pipeline.STORE_GROUP_MAX} in one "
          "transaction), same calls, same run: CPU ms per call of storing (open, rows, facts, commit, close) and of "
          "its facts refresh, the longest a group held the database (wall ms), and the calls a day one writer "
          "stores at that CPU cost")
    print("| calls | writer | groups | store CPU ms/call | of it facts | longest hold ms | calls/day |")
    print("|---|---|---|---|---|---|---|")
    for size, rows in writer_by_size.items():
        for mode, groups, store, facts, hold, per_day in rows:
            print(f"| {size} | {mode} | {groups} | {store:.1f} | {facts:.1f} | {hold:.0f} | {per_day:,.0f} |",
                  flush=True)


def in_flight(args: argparse.Namespace) -> None:
    """``LocalWorkers`` giving each worker 1 call at a time vs more (``--depths``), same calls,
    rounds alternating: the groups the writer stored, its storing CPU per call, and the whole
    batch's CPU (this process and its workers) and wall time per call."""
    from qa_pipeline.workers import LocalWorkers

    os.environ["QA_FAKE_ASR"] = "1"  # short calls the workers finish faster than one is stored alone
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="scale-in-flight-") as tmp:
        calls = Path(tmp) / "calls"
        calls.mkdir()
        for n in range(args.calls):
            samples = rng.normal(0, 0.1, (8000 * args.call_seconds, 2)).astype(np.float32)
            sf.write(calls / f"c{n:05d}.wav", samples, 8000)
        rows: dict[int, list[tuple]] = {depth: [] for depth in args.depths}
        for round_ in range(args.rounds):
            for depth in args.depths:
                db = Path(tmp) / f"round{round_}-depth{depth}.duckdb"
                cpu_before = cpu_seconds()
                with StoreTimed() as timed:
                    summary = run_batch(calls, db, options=RunOptions(language="en", diarize=False, threads=1),
                                        executor=LocalWorkers(args.workers, in_flight=depth))
                cpu = cpu_seconds() - cpu_before
                assert summary.processed == args.calls and not summary.failed, summary
                sizes = [size for size, *_ in timed.groups]
                store_cpu = sum(g[1] for g in timed.groups)
                rows[depth].append((len(sizes), statistics.mean(sizes), max(sizes), 1000 * store_cpu / args.calls,
                                    1000 * cpu / args.calls, 1000 * summary.wall_seconds / args.calls))
                print(f"round {round_ + 1}, {depth} in flight: groups {len(sizes)} (mean {statistics.mean(sizes):.2f}, "
                      f"max {max(sizes)}), store {rows[depth][-1][3]:.1f} CPU ms/call, batch {rows[depth][-1][4]:.1f} "
                      f"CPU ms/call, {summary.wall_seconds:.1f} s wall (load {os.getloadavg()[0]:.1f})", flush=True)
    print(f"\n{args.workers} worker processes x 1 thread, {args.calls} calls of {args.call_seconds} s (fake recogniser), "
          f"{args.rounds} rounds alternating, medians")
    print("| calls in flight per worker | groups | mean group | largest | store CPU ms/call | "
          "batch CPU ms/call (writer + workers) | wall ms/call |")
    print("|---|---|---|---|---|---|---|")
    for depth, runs in rows.items():
        med = [statistics.median(column) for column in zip(*runs)]
        print(f"| {depth} | {med[0]:.0f} | {med[1]:.2f} | {med[2]:.0f} | {med[3]:.1f} | {med[4]:.1f} | {med[5]:.1f} |")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def imports(args: argparse.Namespace) -> None:
    """``qa import`` of one-call files, each call in a transaction of its own (``STORE_GROUP_MAX``
    1, as imports stored before they went through the writer's groups) vs in groups, same files,
    rounds alternating: CPU ms per call of this process."""
    import json

    from qa_pipeline.importing import import_transcripts

    with tempfile.TemporaryDirectory(prefix="scale-import-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for n in range(args.calls):
            folder.joinpath(f"t{n:05d}.json").write_text(json.dumps({"call_id": f"t{n}", "language": "en", "turns": [
                {"speaker": "agent", "start": 0, "end": 2, "text": "Thank you for calling Acme, this is Ann."},
                {"speaker": "customer", "start": 2, "end": 4, "text": f"Hello, my order {n} never came."},
                {"speaker": "agent", "start": 4, "end": 6, "text": "I am sorry, let me check that for you."}]}))
        options = RunOptions(score=not args.no_score)
        import_transcripts(folder, Path(tmp) / "warm.duckdb", options=options)  # rubrics, encoder: loaded once
        cpu: dict[str, list[float]] = {"one call a transaction": [], f"groups of {pipeline.STORE_GROUP_MAX}": []}
        for round_ in range(args.rounds):
            for mode, group in zip(cpu, (1, pipeline.STORE_GROUP_MAX)):
                saved, pipeline.STORE_GROUP_MAX = pipeline.STORE_GROUP_MAX, group
                began = time.process_time()
                try:
                    summary = import_transcripts(folder, Path(tmp) / f"{round_}-{group}.duckdb", options=options)
                finally:
                    pipeline.STORE_GROUP_MAX = saved
                cpu[mode].append(1000 * (time.process_time() - began) / args.calls)
                assert summary.imported == args.calls, summary
                print(f"round {round_ + 1}, {mode}: {cpu[mode][-1]:.1f} CPU ms/call (load {os.getloadavg()[0]:.1f})",
                      flush=True)
    print(f"\n{args.calls} one-call files, {'not ' if args.no_score else ''}scored, median of {args.rounds}: "
          + "; ".join(f"{mode} {statistics.median(v):.1f} CPU ms/call" for mode, v in cpu.items()))


def _parts_ms(spans: list[tuple[float, ...]]) -> tuple[float, ...]:
    """Mean CPU ms per call of each of PART_NAMES over store ``spans`` (the span's CPU, then
    the CPU inside each of STORE_PARTS)."""
    def parts(span: tuple[float, ...]) -> tuple[float, ...]:
        total, connect, write, rows, results, facts = span
        return connect, write - rows - results - facts, rows, results, facts, total - connect - write

    return tuple(1000 * statistics.mean(column) for column in zip(*(parts(span) for span in spans)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    w = sub.add_parser("workers", help="--workers 1 vs 2 vs a local Ray cluster, real speech model")
    w.add_argument("--calls", help="folder of recordings (default: the demo calls, rendered)")
    w.add_argument("--copies", type=int, default=1, help="copies of each demo call")
    w.add_argument("--rounds", type=int, default=1)
    w.add_argument("--language", default="en")
    g = sub.add_parser("growth", help="planning and storing cost per call as batches grow (fake recogniser)")
    g.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    g.add_argument("--call-seconds", type=int, default=3,
                   help="each call's length (the fake recogniser gives 5 words a second: 60 s, 300 words)")
    f = sub.add_parser("in-flight", help="worker processes given 1 call at a time vs more (fake recogniser)")
    f.add_argument("--calls", type=int, default=200)
    f.add_argument("--call-seconds", type=int, default=3)
    f.add_argument("--workers", type=int, default=2)
    f.add_argument("--depths", type=int, nargs="+", default=[1, 2])
    f.add_argument("--rounds", type=int, default=3)
    i = sub.add_parser("import", help="qa import one call a transaction vs in groups")
    i.add_argument("--calls", type=int, default=300)
    i.add_argument("--rounds", type=int, default=2)
    i.add_argument("--no-score", action="store_true")
    args = parser.parse_args()
    {"workers": workers, "growth": growth, "in-flight": in_flight, "import": imports}[args.what](args)


if __name__ == "__main__":
    main()
