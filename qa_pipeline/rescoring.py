"""Re-score stored calls (``qa score``): load transcripts, score, save results in bulk.

No audio is touched: the stored turns are scored again, with a given rubric or the
standard rubric of each call's language. What depends only on the transcript is reused
when stored by the current code: the conversation metrics (with the customer sentiment,
their slow part), the normalised turn texts and, with the learned judgements on, the
sentence embeddings the loaded encoder made (stored at ingest; a sentence without one, or
with another encoder's, is embedded and stored).
"""
from __future__ import annotations

import gc
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Optional, Sequence

import duckdb

from qa_pipeline.language import lang_family
from qa_pipeline.progress import ProgressEvent, ProgressHook, no_progress
from qa_pipeline.records import Call, CallMetrics, CallResult
from qa_pipeline.rubric import encoder as encoders
from qa_pipeline.rubric import standard_rubric_for
from qa_pipeline.rubric.engine import prepare, score_calls
from qa_pipeline.rubric.model import Rubric
from qa_pipeline.rubric.text import NORMALIZER_VERSION, norm_row
from qa_pipeline.store import database as store

log = logging.getLogger(__name__)

__all__ = ["RescoreSummary", "StoredMetrics", "rescore", "score_stored_call", "score_stored_calls", "stored_metrics"]

BATCH = 1000  # calls per worker task
WARM_UP = 50  # calls the parent scores itself before its workers fork (see _batches)
SAVE_EVERY = 2000  # calls per write (one transaction for the whole run) ...
WRITES_AT_MOST = 50  # ... or more, so that a re-score writes at most this many times



@dataclass(frozen=True)
class RescoreSummary:
    calls: int
    flagged: int
    mean_score: Optional[float]
    rubrics: tuple[str, ...]  # "id vVERSION" of every rubric used
    seconds: float
    missing: tuple[str, ...] = ()  # requested call ids that are not stored
    other_language: int = 0  # calls scored with a given rubric that does not list their language
    embedded: int = 0  # sentences the encoder embedded (not stored, or stored by another encoder)

    @property
    def calls_per_second(self) -> float:
        return self.calls / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class StoredMetrics:
    """What re-scoring reuses of each call's stored metrics (they depend on the transcript
    only): the customer sentiment, and the whole metrics when the current metrics version
    computed them (:func:`qa_pipeline.store.database.stored_metrics`)."""

    sentiments: dict
    metrics: dict

    def metrics_of(self, call_id: str) -> Optional[CallMetrics]:
        row = self.metrics.get(call_id)
        return CallMetrics(*row) if row is not None else None


def stored_metrics(con: duckdb.DuckDBPyConnection, call_ids: Optional[Sequence[str]]) -> StoredMetrics:
    return StoredMetrics(*store.stored_metrics(con, call_ids))


# Worker state for parallel scoring: set before the pool forks, so calls are not pickled out.
_JOB: dict = {}


def score_stored_call(call: Call, rubric: Optional[Rubric], rubrics: dict, stored: StoredMetrics,
                      norms: Optional[list[str]] = None) -> CallResult:
    """:func:`score_stored_calls` for one call."""
    return score_stored_calls([call], rubric, rubrics, stored, [norms])[0]


def score_stored_calls(calls: Sequence[Call], rubric: Optional[Rubric], rubrics: dict, stored: StoredMetrics,
                       norms: Optional[Sequence[Optional[list[str]]]] = None) -> list[CallResult]:
    """Score stored calls together (:func:`qa_pipeline.rubric.engine.score_calls`), each with
    ``rubric`` or else the standard rubric of its language (kept in ``rubrics``), reusing
    their stored metrics and customer sentiment."""
    return score_calls(calls, [rubric if rubric is not None else _standard_for(c, rubrics) for c in calls],
                       metrics=[stored.metrics_of(c.call_id) for c in calls],
                       sentiments=[stored.sentiments.get(c.call_id) for c in calls], norms=norms)


def _standard_for(call: Call, rubrics: dict) -> Rubric:
    r = rubrics.get(call.language)
    if r is None:
        r = standard_rubric_for(call)
        if call.language not in ("", "unknown", "auto", "und"):
            rubrics[call.language] = r
    return r


@dataclass(frozen=True)
class _Batch:
    """What a scoring worker hands back: the rows to store and the figures for the summary."""

    rows: store.ResultRows
    last_call_id: Optional[str]
    flagged: int
    score_sum: float
    rubrics: tuple[str, ...]
    embedded: int = 0

    @property
    def calls(self) -> int:
        return self.rows.calls


@contextmanager
def _gc_paused():
    """Python's cycle collector paused while calls are read and scored: they make no
    reference cycles, and the collector's passes over the many young objects cost ~15 % of
    the scoring time. Restored afterwards (the next collection then finds what there is)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _score_batch(rows: store.StoredCallRows, lo: int, hi: int, rubric: Optional[Rubric], rubrics: dict,
                 stored: StoredMetrics) -> _Batch:
    with _gc_paused(), _one_blas_thread():
        return _score_rows(rows, lo, hi, rubric, rubrics, stored)


@contextmanager
def _one_blas_thread():
    """NumPy's BLAS on one thread while calls are scored. The learned judgements multiply a
    few sentence vectors by a model (or by B2's 2,546 exemplars) per call: far too little to
    share, and OpenBLAS's threads then spin waiting for work. Measured on the 10,000-call
    bench (2 cores, other work running): 6.1 ms of CPU per call with the default threads,
    2.3 ms with one. The workers already use every core."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # not installed: the default threads (slower, same results)
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _score_rows(rows: store.StoredCallRows, lo: int, hi: int, rubric: Optional[Rubric], rubrics: dict,
                stored: StoredMetrics) -> _Batch:
    results, made, embeddings = [], [], []
    encoder = encoders.sentence_encoder()
    if not isinstance(encoder, encoders.E5Encoder):
        encoder = None  # none, or a stand-in that keeps no count: nothing to store
    calls, norms_of = [], []
    for i in range(lo, hi):
        call, norms = rows.call(i), rows.norms(i)
        if norms is None and call.turns:  # not stored (an older database) or by another normaliser: store them
            row = norm_row(call)
            made.append(row)
            norms = row[2]
        calls.append(call)
        norms_of.append(norms)
    # All the calls of the task in one batch: each learned item scores the known sentences of
    # all of them in one product (see docs/rubrics.md, "Speed"); a call's result is the same
    # as scored alone.
    if encoder is None:
        results = score_stored_calls(calls, rubric, rubrics, stored, norms_of)
        embedded = 0
    else:
        before = encoder.encoded
        with encoders.recording() as heard:
            results = score_stored_calls(calls, rubric, rubrics, stored, norms_of)
        embedded = encoder.encoded - before
        if embedded:  # some sentence was not stored (or by another encoder): store those calls'
            have = encoders.stored_vectors(encoder.id)
            for call in calls:
                made_rows = encoders.embedding_rows(call, heard, encoder.id)
                if have is None or not all(have.holds(r[5]) for r in made_rows):
                    embeddings.extend(made_rows)
    used = tuple(dict.fromkeys(f"{r.rubric_id} v{r.rubric_version}" for r in results))
    return _Batch(store.result_rows(results, made, embeddings), results[-1].call_id if results else None,
                  sum(r.flagged for r in results), sum(r.score for r in results), used, embedded)


def _score_range(bounds: tuple[int, int]) -> _Batch:
    rows, rubric, rubrics, stored = _JOB["rows"], _JOB["rubric"], _JOB["rubrics"], _JOB["stored"]
    return _score_batch(rows, bounds[0], bounds[1], rubric, rubrics, stored)


def _shrinking_ranges(total: int, jobs: int, batch: int, smallest: int = 100) -> list[tuple[int, int]]:
    """Worker tasks that get smaller towards the end (guided scheduling): each is about a
    share of what is left, at most ``batch`` calls, so the workers finish together instead of
    one idling while another scores a whole last batch."""
    ranges, lo = [], 0
    smallest = min(smallest, batch)
    while lo < total:
        size = max(smallest, min(batch, (total - lo) // (2 * jobs)))
        if total - lo - size < smallest:
            size = total - lo  # no crumb of a task at the end
        ranges.append((lo, min(total, lo + size)))
        lo += size
    return ranges


def _prepare(rows: store.StoredCallRows, rubric: Optional[Rubric], rubrics: dict) -> None:
    """The rubrics the calls need, with what scoring makes on first use (the learned checks'
    models), made here once before the workers fork, rather than in every worker: each read
    ~30 models with their exemplars' vectors, ~0.3 s of CPU per worker."""
    first_of: dict[str, int] = {}
    for i, language in enumerate(rows.languages):
        first_of.setdefault(language, i)
    used = [rubric] if rubric is not None else [_standard_for(rows.call(i), rubrics) for i in first_of.values()]
    with _one_blas_thread():  # as the workers would have (a model fitted here is fitted the same)
        for r in {id(r): r for r in used}.values():
            prepare(r)


def _batches(rows: store.StoredCallRows, rubric: Optional[Rubric], stored: StoredMetrics, jobs: int, batch: int):
    """Scored batches, in ``jobs`` processes when that pays off (fork only). The workers make
    the Call records from the fetched rows themselves, in parallel."""
    import multiprocessing as mp

    rubrics: dict[str, Rubric] = {}
    ranges = [(i, min(i + batch, len(rows))) for i in range(0, len(rows), batch)]
    if jobs > 1 and len(ranges) > 1 and "fork" in mp.get_all_start_methods():
        _prepare(rows, rubric, rubrics)
        # The first calls are scored here, before the fork: what scoring makes the first time
        # it needs it (each regex searched on its own, each phrase's own regex, compiled when
        # first tried) is then made once and inherited, not again in every worker. Measured on
        # the bench's calls: a worker's first 1,000 calls took ≈ 0.24 s of CPU less after 40
        # scored before, which cost ≈ 0.3 s once (docs/rubrics.md, "Speed").
        first = min(WARM_UP, batch, len(rows))
        yield _score_batch(rows, 0, first, rubric, rubrics, stored)
        ranges = [(lo + first, hi + first) for lo, hi in _shrinking_ranges(len(rows) - first, jobs, batch)]
        _JOB.update(rows=rows, rubric=rubric, rubrics=rubrics, stored=stored)
        # What the workers inherit (rows, compiled rubrics) is set aside from the cycle
        # collector: never scanned, and its pages are not copied into each worker.
        gc.freeze()
        try:
            with mp.get_context("fork").Pool(min(jobs, len(ranges))) as pool:
                yield from pool.imap_unordered(_score_range, ranges)
        finally:
            gc.unfreeze()
            _JOB.clear()
        return
    for lo, hi in ranges:
        yield _score_batch(rows, lo, hi, rubric, rubrics, stored)


def rescore(con: duckdb.DuckDBPyConnection, rubric: Optional[Rubric] = None,
            call_ids: Optional[Sequence[str]] = None, *, progress: ProgressHook = no_progress,
            jobs: int = 1, batch: int = BATCH, save_every: int = SAVE_EVERY) -> RescoreSummary:
    """Score stored calls again and store the results (other rubric versions are kept).

    ``jobs`` > 1 scores in that many processes; the results are written every ``save_every``
    calls and committed once, at the end (all of them or none)."""
    # Reading builds a few objects per turn and compiling the rubrics many small ones: the
    # cycle collector's passes over them cost more than the reading (and find nothing).
    with _gc_paused():
        return _rescore(con, rubric, call_ids, progress, jobs, batch, save_every)


def _rescore(con: duckdb.DuckDBPyConnection, rubric: Optional[Rubric], call_ids: Optional[Sequence[str]],
             progress: ProgressHook, jobs: int, batch: int, save_every: int) -> RescoreSummary:
    started = time.perf_counter()
    stored = stored_metrics(con, call_ids)
    rows = store.fetch_call_rows(con, call_ids, words=False, normalizer=NORMALIZER_VERSION)
    languages = rows.languages
    missing = tuple(sorted(set(call_ids or ()) - set(rows.ids)))
    log.debug("read %d calls in %.2f s", len(rows), time.perf_counter() - started)
    if rubric is None:  # load the standard rubrics once, before any worker starts
        _load_standard_rubrics(set(languages) | {"zh", "en"})
    log.debug("rubrics ready at %.2f s", time.perf_counter() - started)
    # Whether the learned judgements are on is decided (and said) once, before any worker
    # forks; a worker that finds it on loads its own encoder, and uses the stored sentence
    # embeddings this encoder made, read here once (the workers share them).
    log.info("%s", encoders.encoder_status())
    encoder = encoders.sentence_encoder()
    if encoder is not None:
        hashes, vectors = store.stored_embeddings(con, call_ids, encoder.id)
        encoders.use_stored(encoder.id, hashes, vectors)
        log.debug("%d stored sentence embeddings of %s read at %.2f s", len(hashes), encoder.id,
                  time.perf_counter() - started)
    try:
        return _score_and_store(con, rubric, rows, stored, missing, progress, jobs, batch, save_every, started)
    finally:
        encoders.forget_stored()


def _score_and_store(con: duckdb.DuckDBPyConnection, rubric: Optional[Rubric], rows: store.StoredCallRows,
                     stored: StoredMetrics, missing: tuple[str, ...], progress: ProgressHook, jobs: int, batch: int,
                     save_every: int, started: float) -> RescoreSummary:
    languages = rows.languages

    used: dict[str, None] = {}
    other_language = 0
    if rubric is not None:
        served = {lang_family(x) for x in rubric.languages}
        other_language = sum(1 for lang in languages if lang_family(lang) not in served)
        if other_language:
            log.warning("%d calls are not in a language rubric %s serves (%s)", other_language, rubric.id,
                        ", ".join(rubric.languages))
    flagged, total_score, n, embedded = 0, 0.0, 0, 0
    total = len(rows)
    progress(ProgressEvent("start", total=total))
    pending: list[store.ResultRows] = []
    waiting = 0
    # One transaction, one commit (all results or none): results are written every
    # ``save_every`` calls while the workers score the next ones — at most ~50 writes, as
    # each write's DELETE scans the stored check rows (20 million for a million calls).
    save_every = max(save_every, total // WRITES_AT_MOST + 1)
    with _duckdb_threads(con, 1 if jobs > 1 else None), store.transaction(con):
        for b in _batches(rows, rubric, stored, jobs, batch):
            used.update(dict.fromkeys(b.rubrics))
            flagged += b.flagged
            embedded += b.embedded
            total_score += b.score_sum
            n += b.calls
            pending.append(b.rows)
            waiting += b.calls
            if waiting >= save_every:
                store.write_result_rows(con, pending)
                pending, waiting = [], 0
            progress(ProgressEvent("score", call_id=b.last_call_id, completed=n, total=total))
        if pending:
            store.write_result_rows(con, pending)
        log.debug("scored and written at %.2f s", time.perf_counter() - started)
    log.debug("committed at %.2f s", time.perf_counter() - started)
    if embedded:
        log.info("embedded %d sentences without a stored vector of this encoder (stored now)", embedded)
    progress(ProgressEvent("done", completed=n, total=total))
    return RescoreSummary(calls=n, flagged=flagged, mean_score=round(total_score / n, 1) if n else None,
                          rubrics=tuple(sorted(used)), seconds=time.perf_counter() - started, missing=missing,
                          other_language=other_language, embedded=embedded)


def _load_standard_rubrics(languages) -> None:
    from qa_pipeline.rubric import standard_rubric

    for language in languages:
        standard_rubric(language)


@contextmanager
def _duckdb_threads(con: duckdb.DuckDBPyConnection, threads: Optional[int]):
    """DuckDB on ``threads`` threads meanwhile: its writes share the cores with the scoring
    workers, and one thread then costs less CPU (and wall time) than one per core."""
    if threads is None:
        yield
        return
    before = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute(f"SET threads = {int(threads)}")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(before)}")

