"""Worker processes on this machine: ``qa run --workers N``.

Each worker process loads the models once and runs :func:`~qa_pipeline.pipeline.work_on` for one
call at a time (decode, transcribe, separate speakers, redact, score), with its next call
already given to it (:data:`IN_FLIGHT`); the process that started the batch stays the
database's one writer and stores each call as it comes back, while the workers go on with the
next ones; the calls that finished while it was storing come back together, and it stores them
in one transaction.

    summary = run_batch("calls/", "qa.duckdb", options=RunOptions(threads=1), executor=LocalWorkers(2))

A worker that dies (killed, out of memory, a crash in a native library) is replaced, and the
call it had in hand runs again on another worker (the one waiting behind it too); a call that loses its worker
:data:`MAX_ATTEMPTS` times is recorded as failed with that reason, so one poisonous recording
cannot stop the batch. :class:`CallQueue` keeps that account for the Ray cluster too.
"""
from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections import Counter, deque
from contextlib import contextmanager
from multiprocessing.connection import Connection, wait
from typing import Iterator, Optional, Sequence, Union

from qa_pipeline.errors import QaError
from qa_pipeline.pipeline import Arrival, CallJob, InProcess, Models, RunOptions, work_on
from qa_pipeline.progress import ProgressHook
from qa_pipeline.records import CallFailure

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a call whose worker died this many times is recorded as failed

# Cores per worker process when not told. Measured with bench/scale_out.py on this project's
# 2-core machine (README, "Benchmarks"): the speech model takes the same CPU time per call with
# one thread or two, one process with two threads finished 4 calls 12 % sooner than two worker
# processes with one (which each start an interpreter and load the models: 5 % more CPU time),
# so a 2-core machine runs one process. Above 4 threads faster-whisper barely gains (its
# users' reports, not measured here): a bigger machine runs one worker per 4 cores.
CORES_PER_WORKER = 4

# Calls given to each worker at a time: the one it works on and one waiting behind it, so that
# a worker whose call came back while the writer was storing goes on with the next instead of
# waiting for the writer, and the writer finds up to twice as many calls to store as one group.
# It pays where the writer is the bottleneck (short calls, fast workers). Measured
# (bench/scale_out.py in-flight: 2 workers, 100 3-s calls, fake recogniser, rounds alternating,
# 2 loaded cores): groups of 1.94 → 3.64 calls on average, storing 96 → 52 CPU ms a call, the whole
# batch 167 → 119 CPU ms a call (3 in flight: 38 and 112, a smaller step). Where recognition
# takes seconds a call the writer keeps up and stores each call alone either way. The waiting call
# is only a file's name until the worker begins it (no memory held); a worker that dies puts it
# back uncounted. A second call is given only while more calls wait than there are workers, so
# the batch's last calls go to whichever worker is free.
IN_FLIGHT = 2

# Fresh interpreters, not fork(): the batch's process has threads (the progress bar's,
# DuckDB's) that a forked child would inherit mid-lock.
_SPAWN = multiprocessing.get_context("spawn")


# The thread pools of the native libraries a worker loads (OpenMP: CTranslate2's and the sentence
# encoder's; MKL, OpenBLAS: numpy's and torch's), each read once, when the library loads: so
# they are set in a worker's environment before it starts, not after its imports. Left alone, each
# pool of each of N workers starts one thread per core, N times more threads than cores.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS")


def thread_limits(threads: int) -> dict[str, str]:
    """The environment that caps a worker's native thread pools at ``threads``."""
    return {name: str(max(threads, 1)) for name in THREAD_VARIABLES}


def worker_share(options: RunOptions, workers: int) -> int:
    """Threads for each of ``workers`` processes: ``options.threads`` when given, else the
    machine's cores shared out between them."""
    return options.threads or max((os.cpu_count() or 1) // max(workers, 1), 1)


def limit_threads(threads: int) -> None:
    """Cap this process's thread pools at ``threads``: the environment (read by the libraries
    not loaded yet) and torch's pool, when torch is loaded already."""
    os.environ.update(thread_limits(threads))
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(max(threads, 1))


def threads_in_use() -> dict[str, Union[int, str, None]]:
    """This process's thread settings, as a worker reports them when it starts: the
    environment's caps, torch's pool (when loaded) and the BLAS pools numpy loaded (where
    threadpoolctl, an optional library, can tell)."""
    report: dict[str, Union[int, str, None]] = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    if "torch" in sys.modules:
        report["torch"] = int(sys.modules["torch"].get_num_threads())
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return report
    for pool in threadpool_info():
        report[f"{pool['user_api']}:{pool['internal_api']}"] = int(pool["num_threads"])
    return report


def default_workers() -> int:
    """How many worker processes ``qa run`` starts when not told: one per 4 cores (one on a
    machine of up to 7 cores), each with its share of the cores as threads."""
    return max(1, (os.cpu_count() or 1) // CORES_PER_WORKER)


class CallQueue:
    """The calls still to run, in order; a call whose worker was lost goes back to the front,
    at most ``max_attempts`` times in all."""

    def __init__(self, jobs: Sequence[CallJob], max_attempts: int = MAX_ATTEMPTS):
        self._waiting = deque(jobs)
        self._attempts: Counter[str] = Counter()
        self.max_attempts = max_attempts

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def __len__(self) -> int:
        return len(self._waiting)

    def put_back(self, jobs: Sequence[CallJob]) -> None:
        """Calls given to a worker that never began them: back at the front, in order, no attempt counted."""
        self._waiting.extendleft(reversed(jobs))

    def next(self) -> Optional[CallJob]:
        return self._waiting.popleft() if self._waiting else None

    def lost(self, job: CallJob, why: str) -> Optional[CallFailure]:
        """``job``'s worker stopped before it finished (``why``): back in the queue, or, after
        ``max_attempts`` such losses, the failure to record."""
        key = str(job.path)
        self._attempts[key] += 1
        if self._attempts[key] >= self.max_attempts:
            log.warning("%s: its worker stopped %d times (%s); recorded as failed", job.info.call_id,
                        self._attempts[key], why)
            return CallFailure(job.info.call_id, str(job.path),
                               f"the worker processing this call stopped {self._attempts[key]} times ({why}); "
                               "the recording may be too long for the worker's memory, or crash the decoder",
                               job.sha256)
        log.warning("%s: its worker stopped (%s); the call runs again on another worker", job.info.call_id, why)
        self._waiting.appendleft(job)
        return None


class LocalWorkers:
    """``workers`` processes on this machine, each with its own :class:`Models`, loaded once.

    Each worker gets its share of the cores (:func:`worker_share`) as threads, unless
    ``RunOptions.threads`` says: its speech model's, and every native thread pool's
    (:func:`thread_limits`), so that the workers together do not start more threads than there
    are cores. ``worker_threads`` keeps what each worker reported of them as it started.
    """

    def __init__(self, workers: int, *, max_attempts: int = MAX_ATTEMPTS, in_flight: int = IN_FLIGHT):
        if workers < 1 or in_flight < 1:
            raise ValueError("workers and in_flight must be at least 1")
        self.workers = workers
        self.max_attempts = max_attempts
        self.in_flight = in_flight
        self.worker_threads: list[dict] = []

    def run(self, jobs: Sequence[CallJob], options: RunOptions,
            on_step: ProgressHook) -> Iterator[Arrival]:
        if min(self.workers, len(jobs)) <= 1:  # one call, or one worker: no process to start
            yield from InProcess(Models(options)).run(jobs, options, on_step)
            return
        queue = CallQueue(jobs, self.max_attempts)
        started_without_work = 0  # workers that died before finishing a call, in a row
        threads = worker_share(options, self.workers)
        if options.threads is None:  # the speech model's threads too (RunOptions.workers may not say)
            options = dataclasses.replace(options, threads=threads)

        def start() -> _WorkerProcess:
            return _WorkerProcess(options, threads, self.worker_threads)

        slots = [start() for _ in range(min(self.workers, len(jobs)))]

        def fill() -> None:  # each worker its next call first, then, while calls are plenty, a waiting one
            for depth in range(1, self.in_flight + 1):
                for slot in slots:
                    if len(slot.jobs) < depth and queue and (depth == 1 or len(queue) > len(slots)):
                        slot.give(queue.next())

        try:
            fill()
            while any(slot.jobs for slot in slots):
                busy = [slot for slot in slots if slot.jobs]
                wait([slot.conn for slot in busy] + [slot.process.sentinel for slot in busy])
                finished: Arrival = []  # every call that came back while the writer stored the last ones
                for n, slot in enumerate(slots):
                    for job, outcome in slot.read(on_step):
                        started_without_work = 0
                        finished.append((job, outcome))
                    if slot.jobs and not slot.process.is_alive():
                        started_without_work += not slot.finished_any
                        if started_without_work > self.max_attempts * len(slots):
                            raise QaError(f"worker processes keep stopping before they finish a call (exit code "
                                          f"{slot.process.exitcode}); see the log above, or run with --workers 1")
                        (job, *waiting), slots[n] = slot.jobs, start()
                        queue.put_back(waiting)  # never begun: not held against them
                        failure = queue.lost(job, f"worker process exit code {slot.process.exitcode}")
                        if failure is not None:
                            finished.append((job, failure))
                fill()
                if finished:
                    yield finished  # the writer stores these while the workers go on
        finally:
            for slot in slots:
                slot.stop()


class _WorkerProcess:
    """One worker process and the pipe to it; ``jobs``: the calls given to it and not yet back,
    in order (it works on the first; the others wait in the pipe)."""

    def __init__(self, options: RunOptions, threads: int, reports: list[dict]):
        self.conn, theirs = _SPAWN.Pipe()
        self.process = _SPAWN.Process(target=_serve, args=(theirs, options, threads), daemon=True, name="qa-worker")
        # both inherited: Ctrl-C reaches the writer, which stops the workers; the thread caps
        # hold from the worker's first import
        with _ctrl_c_ignored(), _environment(thread_limits(threads)):
            self.process.start()
        theirs.close()
        self.jobs: deque[CallJob] = deque()
        self.finished_any = False
        self.reports = reports

    def give(self, job: Optional[CallJob]) -> None:
        if job is None:
            return
        self.jobs.append(job)
        try:
            self.conn.send(job)
        except OSError:  # it has died: the caller sees the jobs in hand and a dead process
            pass

    def read(self, on_step: ProgressHook) -> Arrival:
        """Relay the step events that arrived; the finished calls, if any did."""
        done = []
        while self.jobs and self._poll():
            try:
                kind, payload = self.conn.recv()
            except (EOFError, OSError):
                break
            if kind == "step":
                on_step(payload)
            elif kind == "threads":
                log.debug("worker process %d threads: %s", self.process.pid, payload)
                self.reports.append(payload)
            else:
                done.append((self.jobs.popleft(), payload))
                self.finished_any = True
        return done

    def _poll(self) -> bool:
        try:
            return self.conn.poll()
        except (EOFError, OSError):
            return False

    def stop(self) -> None:
        if self.process.is_alive() and not self.jobs:
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.process.join(timeout=5)
        if self.process.is_alive():  # calls in hand (Ctrl-C): they are dropped, not stored
            self.process.terminate()
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _serve(conn: Connection, options: RunOptions, threads: int) -> None:
    """A worker process: load the models once, then run every call it is given."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_threads(threads)
    models = Models(options)
    reported = False
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the writer is gone
            return
        if job is None:
            return
        if not reported:  # with its first call, when the writer reads from it
            conn.send(("threads", threads_in_use()))
            reported = True
        outcome = work_on(job, models, options, lambda event: conn.send(("step", event)))
        conn.send(("done", outcome))


@contextmanager
def _environment(values: dict[str, str]):
    """``values`` in this process's environment inside the block (a worker started in it
    inherits them), what was there before put back after it."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _ctrl_c_ignored():
    """SIGINT ignored while a worker starts, which it inherits (signals are set on the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
