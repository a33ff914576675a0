"""Worker processes on this machine: ``qa run --workers N``.

Each worker process loads the models once and runs :func:`~qa_pipeline.pipeline.work_on` for one
call at a time (decode, transcribe, separate speakers, redact, score); the process that started
the batch stays the database's one writer and stores each call as it comes back, while the
workers go on with the next ones.

    summary = run_batch("calls/", "qa.duckdb", options=RunOptions(threads=1), executor=LocalWorkers(2))

A worker that dies (killed, out of memory, a crash in a native library) is replaced, and the
call it had in hand runs again on another worker; a call that loses its worker
:data:`MAX_ATTEMPTS` times is recorded as failed with that reason, so one poisonous recording
cannot stop the batch. :class:`CallQueue` keeps that account for the Ray cluster too.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from collections import Counter, deque
from contextlib import contextmanager
from multiprocessing.connection import Connection, wait
from typing import Iterator, Optional, Sequence

from qa_pipeline.errors import QaError
from qa_pipeline.pipeline import CallJob, InProcess, Models, Outcome, RunOptions, work_on
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

# Fresh interpreters, not fork(): the batch's process has threads (the progress bar's,
# DuckDB's) that a forked child would inherit mid-lock.
_SPAWN = multiprocessing.get_context("spawn")


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

    Each worker's speech model gets its share of the cores as threads (``RunOptions.workers``,
    :func:`qa_pipeline.speech.settings.speech_settings`) unless ``RunOptions.threads`` says.
    """

    def __init__(self, workers: int, *, max_attempts: int = MAX_ATTEMPTS):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self.max_attempts = max_attempts

    def run(self, jobs: Sequence[CallJob], options: RunOptions,
            on_step: ProgressHook) -> Iterator[tuple[CallJob, Outcome]]:
        if min(self.workers, len(jobs)) <= 1:  # one call, or one worker: no process to start
            yield from InProcess(Models(options)).run(jobs, options, on_step)
            return
        queue = CallQueue(jobs, self.max_attempts)
        started_without_work = 0  # workers that died before finishing a call, in a row
        slots = [_WorkerProcess(options) for _ in range(min(self.workers, len(jobs)))]
        try:
            for slot in slots:
                slot.give(queue.next())
            while any(slot.job for slot in slots):
                busy = [slot for slot in slots if slot.job]
                wait([slot.conn for slot in busy] + [slot.process.sentinel for slot in busy])
                finished: list[tuple[CallJob, Outcome]] = []
                for n, slot in enumerate(slots):
                    for job, outcome in slot.read(on_step):
                        started_without_work = 0
                        finished.append((job, outcome))
                        slot.give(queue.next())
                    if slot.job and not slot.process.is_alive():
                        started_without_work += not slot.finished_any
                        if started_without_work > self.max_attempts * len(slots):
                            raise QaError(f"worker processes keep stopping before they finish a call (exit code "
                                          f"{slot.process.exitcode}); see the log above, or run with --workers 1")
                        job, slots[n] = slot.job, _WorkerProcess(options)
                        failure = queue.lost(job, f"worker process exit code {slot.process.exitcode}")
                        if failure is not None:
                            finished.append((job, failure))
                        slots[n].give(queue.next())
                yield from finished  # the writer stores these while the workers go on
        finally:
            for slot in slots:
                slot.stop()


class _WorkerProcess:
    """One worker process and the pipe to it; ``job`` is the call it has in hand."""

    def __init__(self, options: RunOptions):
        self.conn, theirs = _SPAWN.Pipe()
        self.process = _SPAWN.Process(target=_serve, args=(theirs, options), daemon=True, name="qa-worker")
        with _ctrl_c_ignored():  # inherited: Ctrl-C reaches the writer, which stops the workers
            self.process.start()
        theirs.close()
        self.job: Optional[CallJob] = None
        self.finished_any = False

    def give(self, job: Optional[CallJob]) -> None:
        self.job = job
        if job is not None:
            try:
                self.conn.send(job)
            except OSError:  # it has died: the caller sees the job in hand and a dead process
                pass

    def read(self, on_step: ProgressHook) -> list[tuple[CallJob, Outcome]]:
        """Relay the step events that arrived; the finished call, if one did."""
        done = []
        while self.job is not None and self._poll():
            try:
                kind, payload = self.conn.recv()
            except (EOFError, OSError):
                break
            if kind == "step":
                on_step(payload)
            else:
                done.append((self.job, payload))
                self.job = None
                self.finished_any = True
        return done

    def _poll(self) -> bool:
        try:
            return self.conn.poll()
        except (EOFError, OSError):
            return False

    def stop(self) -> None:
        if self.process.is_alive() and self.job is None:
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.process.join(timeout=5)
        if self.process.is_alive():  # a call in hand (Ctrl-C): it is dropped, not stored
            self.process.terminate()
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _serve(conn: Connection, options: RunOptions) -> None:
    """A worker process: load the models once, then run every call it is given."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    models = Models(options)
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the writer is gone
            return
        if job is None:
            return
        outcome = work_on(job, models, options, lambda event: conn.send(("step", event)))
        conn.send(("done", outcome))


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
