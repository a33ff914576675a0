"""A batch spread over a Ray cluster: ``qa run CALLS --ray ADDRESS``.

The recordings are shared out over long-lived Ray actors (:class:`CallWorker`), each holding
the models, loaded once; every actor runs :func:`~qa_pipeline.pipeline.work_on` for one call
at a time, reading the recording from its path. The calls come back to this process, which
stores each one in DuckDB as it arrives (those that arrived while it was storing others
together, in one transaction): the database keeps one writer, and a re-run skips what is
stored, as on one machine.

    summary = run_batch("/mnt/calls", "qa.duckdb", executor=RayCluster("auto"))

Every node must read the recordings at the path this process reads them (a shared file system
mounted at the same place on every node): the workers check that before the batch starts, and
say which host cannot. A worker lost on the way (killed, out of memory, its node gone) is
replaced by a new actor and its call runs again (:class:`~qa_pipeline.workers.CallQueue`);
each call is stored once.

Ray is an optional dependency: ``pip install 'qa-pipeline[cluster]'`` on this machine and on
every node.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import queue
import socket
import threading
from typing import Any, Iterator, Optional, Sequence, Union

from qa_pipeline.errors import QaError
from qa_pipeline.pipeline import Arrival, CallJob, Models, Outcome, RunOptions, work_on
from qa_pipeline.progress import ProgressEvent, ProgressHook, no_progress
from qa_pipeline.records import CallFailure
from qa_pipeline.workers import MAX_ATTEMPTS, CallQueue, limit_threads, thread_limits, threads_in_use

log = logging.getLogger(__name__)

RAY_VERSION = "2.60.0"
INSTALL = f"pip install 'qa-pipeline[cluster]' (Ray {RAY_VERSION})"


def ray_module() -> Any:
    """The ``ray`` module, or an error saying how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise QaError(f"--ray needs Ray, which is not installed here: {INSTALL}, on this machine "
                      "and on every node of the cluster") from exc
    return ray


class CallWorker:
    """A Ray actor: the models, loaded once on first use, and the calls it is given."""

    def __init__(self, options: RunOptions):
        limit_threads(options.threads or 1)  # its environment has the caps already (RayCluster)
        self.options = options
        self.models = Models(options)
        self.host = socket.gethostname()

    def threads(self) -> dict:
        """This worker's thread settings (:func:`qa_pipeline.workers.threads_in_use`)."""
        return threads_in_use()

    def cannot_read(self, path: str) -> Optional[str]:
        """Why this worker cannot read ``path`` (None when it can)."""
        try:
            with open(path, "rb") as f:
                f.read(1)
        except OSError as exc:
            return f"the worker on {self.host} cannot read {path} ({exc.strerror})"
        return None

    def work_on(self, job: CallJob, progress: ProgressHook = no_progress) -> Outcome:
        problem = self.cannot_read(str(job.path)) if job.sha256 is not None else None
        if problem:  # the writer could read it: this node does not see the same files
            return CallFailure(job.info.call_id, str(job.path), f"{problem}; {SHARED_FILES}", job.sha256)
        return work_on(job, self.models, self.options, progress)

    def work_on_with_steps(self, job: CallJob) -> Iterator[Union[ProgressEvent, Outcome]]:
        """:meth:`work_on`, yielding the call's step events (decode, transcribe, ...) as each
        begins and then its outcome (a Ray streaming generator: the writer hears the steps
        while the call runs, as it does from a local worker process)."""
        heard: queue.Queue = queue.Queue()
        finished: list[Outcome] = []
        failed: list[BaseException] = []

        def run() -> None:
            try:
                finished.append(self.work_on(job, heard.put))
            except BaseException as exc:  # raised again below, where Ray reports it
                failed.append(exc)
            finally:
                heard.put(None)

        worker = threading.Thread(target=run, name="qa-call", daemon=True)
        worker.start()
        while (event := heard.get()) is not None:
            yield event
        worker.join()
        if failed:
            raise failed[0]
        yield finished[0]


_PASSES = 8  # more than the step events of a call (decode, transcribe, diarize, roles, score) and its outcome


SHARED_FILES = ("every node must read the recordings at the path `qa run` reads them "
                "(a shared file system mounted at the same place on every node)")


class RayCluster:
    """Runs the calls of a batch on a Ray cluster's actors, one call at a time per actor.

    ``address``: the cluster's (``ray start --head`` prints it), ``"auto"`` for the cluster
    this machine belongs to, ``"local"`` for a new one-machine cluster. Used as it is when this
    process is connected already (``ray.init`` called). ``workers``: how many actors (default:
    as many as the cluster's CPUs, or GPUs with a CUDA device, allow); ``threads``: CPUs each
    actor reserves and gives the speech model. The workers run with this process's ``QA_*``
    settings, and their native thread pools capped at ``threads``. Each call's steps (decode,
    transcribe, ...) reach the progress hook as the worker begins them, as from local worker
    processes. ``worker_threads`` keeps what each worker reported of its thread settings.
    """

    def __init__(self, address: str = "auto", *, workers: int = 0, threads: int = 1,
                 max_attempts: int = MAX_ATTEMPTS, start_timeout: float = 300.0):
        self.address = address
        self.workers = workers
        self.threads = max(1, threads)
        self.max_attempts = max_attempts
        self.start_timeout = start_timeout
        self.worker_threads: list[dict] = []

    def run(self, jobs: Sequence[CallJob], options: RunOptions,
            on_step: ProgressHook) -> Iterator[Arrival]:
        if not jobs:
            return
        ray = ray_module()
        started_here = not ray.is_initialized()
        if started_here:
            extra = {"include_dashboard": False} if self.address == "local" else {}
            ray.init(address=self.address, logging_level=logging.WARNING,
                     runtime_env={"env_vars": {k: v for k, v in os.environ.items() if k.startswith("QA_")}}, **extra)
        try:
            yield from self._run(ray, jobs, options, on_step)
        finally:
            if started_here:
                ray.shutdown()

    def _run(self, ray: Any, jobs: Sequence[CallJob], options: RunOptions,
             on_step: ProgressHook) -> Iterator[Arrival]:
        from ray.exceptions import NodeDiedError, ObjectLostError, RayActorError, RayTaskError, WorkerCrashedError

        lost_errors = (RayActorError, ObjectLostError, WorkerCrashedError, NodeDiedError)
        gpu = options.device.startswith("cuda")
        # Ray does not restart them: a lost worker is replaced here, where its call in hand is known.
        # The thread caps are in the actor's environment from its start (merged with the job's).
        worker = ray.remote(num_cpus=self.threads, num_gpus=1 if gpu else 0, max_restarts=0,
                            runtime_env={"env_vars": thread_limits(self.threads)})(CallWorker)
        options = _with_threads(options, self.threads)
        actors = [worker.remote(options) for _ in range(min(self._actor_count(ray, gpu), len(jobs)))]
        calls = CallQueue(jobs, self.max_attempts)
        in_flight: dict[Any, tuple[int, CallJob]] = {}  # each actor's call in hand: its stream of steps
        losses_in_a_row = 0

        def give(n: int) -> None:
            job = calls.next()
            if job is not None:
                steps = actors[n].work_on_with_steps.options(num_returns="streaming").remote(job)
                in_flight[steps] = (n, job)

        try:
            self._check_readable(ray, actors, jobs)
            for n in range(len(actors)):
                give(n)
            while in_flight:
                ray.wait(list(in_flight), num_returns=1)  # a call's next step or outcome
                arrived: Arrival = []  # every call that finished while the writer stored the last ones
                for steps in self._waiting(ray, in_flight):
                    n, job = in_flight[steps]
                    try:
                        outcome = ray.get(next(steps))
                        if isinstance(outcome, ProgressEvent):  # a step of the call: it goes on
                            on_step(outcome)
                            continue
                    except StopIteration:  # the stream ended without an outcome: lost with its worker
                        outcome = None
                    except lost_errors as exc:
                        outcome = exc
                    except RayTaskError as exc:  # work_on keeps a call's own errors: this is Ray's
                        outcome = CallFailure(job.info.call_id, str(job.path),
                                              f"internal error on the Ray worker: {_first_line(exc)}"[:300],
                                              job.sha256)
                    del in_flight[steps]
                    if outcome is None or isinstance(outcome, BaseException):
                        why = type(outcome).__name__ if outcome is not None else "its stream of steps ended"
                        losses_in_a_row += 1
                        if losses_in_a_row > self.max_attempts * len(actors):
                            raise QaError("the Ray workers keep dying before they finish a call: "
                                          f"{_first_line(outcome) if outcome is not None else why}")
                        ray.kill(actors[n], no_restart=True)
                        actors[n] = worker.remote(options)
                        failure = calls.lost(job, f"Ray: {why}")
                        give(n)
                        if failure is not None:
                            arrived.append((job, failure))
                        continue
                    losses_in_a_row = 0
                    give(n)  # before the writer stores this call, so the actor is not left idle
                    arrived.append((job, outcome))
                if arrived:
                    yield arrived
        finally:
            for a in actors:
                ray.kill(a, no_restart=True)

    @staticmethod
    def _waiting(ray: Any, in_flight: dict) -> Iterator[Any]:
        """The streams (calls in hand) with a step or an outcome ready, each as often as one is:
        a few passes, so that a call whose last steps and outcome came while the writer was
        storing is taken whole, and a busy cluster's stream of steps does not hold the writer."""
        for _ in range(_PASSES):
            ready, _ = ray.wait(list(in_flight), num_returns=len(in_flight), timeout=0) if in_flight else ([], [])
            if not ready:
                return
            yield from (steps for steps in ready if steps in in_flight)

    def _actor_count(self, ray: Any, gpu: bool) -> int:
        if self.workers:
            return self.workers
        resources = ray.cluster_resources()
        if gpu:
            return max(1, int(resources.get("GPU", 0)))
        return max(1, int(resources.get("CPU", 1) // self.threads))

    def _check_readable(self, ray: Any, actors: list, jobs: Sequence[CallJob]) -> None:
        """Before the batch: every actor reads the first recording, so that a node without the
        shared file system is named at once instead of failing each call it is given (and says
        what its thread settings are)."""
        from ray.exceptions import GetTimeoutError, RayActorError

        sample = next((str(j.path) for j in jobs if j.sha256 is not None), None)
        if sample is None:
            return
        try:
            problems = ray.get([a.cannot_read.remote(sample) for a in actors], timeout=self.start_timeout)
            self.worker_threads.extend(ray.get([a.threads.remote() for a in actors], timeout=self.start_timeout))
        except GetTimeoutError:
            raise QaError(f"the Ray workers did not start within {self.start_timeout:.0f} s: the cluster has "
                          f"{ray.cluster_resources()}; each worker asks for {self.threads} CPU; ask for fewer "
                          "with --workers") from None
        except RayActorError as exc:
            raise QaError(f"a Ray worker could not start: {_first_line(exc)}; is qa-pipeline installed on every "
                          f"node ({INSTALL})?") from None
        problem = next((p for p in problems if p), None)
        if problem:
            raise QaError(f"{problem}: {SHARED_FILES}")


def _with_threads(options: RunOptions, threads: int) -> RunOptions:
    return options if options.threads is not None else dataclasses.replace(options, threads=threads)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
