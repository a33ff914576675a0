"""Transcripts made elsewhere, imported: ``qa import``.

:func:`import_transcripts` reads transcript files (JSON in the qa-examples FORMAT.md format, or
JSON lines), redacts and scores each call as :func:`qa_pipeline.pipeline.run_batch` would, and
stores them through the batch's one writer (:func:`qa_pipeline.pipeline.store_outcomes`), in
groups of up to :data:`qa_pipeline.pipeline.STORE_GROUP_MAX` calls (read from there when an import
runs: one group size for batches and imports).
"""
from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import duckdb

from qa_pipeline.errors import InputError
from qa_pipeline import pipeline
from qa_pipeline.pipeline import Database, Outcome, ProcessedCall, RunOptions
from qa_pipeline.privacy.redaction import redact_call
from qa_pipeline.progress import ProgressEvent, ProgressHook, no_progress
from qa_pipeline.records import Call, CallFailure
from qa_pipeline.rubric.text import norm_row
from qa_pipeline.store import database as store
from qa_pipeline.store.batch_lock import batch_lock
from qa_pipeline.transcript_io import iter_transcript_files, read_transcript_records

log = logging.getLogger(__name__)


@dataclass
class ImportSummary:
    imported: int = 0  # calls stored (a call id given twice in the import counts once)
    flagged: int = 0
    skipped: list[str] = field(default_factory=list)  # files that could not be read, each with the reason
    failed: list[str] = field(default_factory=list)  # calls not stored: where each was read, its id, why
    repeated: list[str] = field(default_factory=list)  # call ids given again in the import (the later kept)
    files: int = 0  # transcript files found
    files_done: int = 0  # of them, files whose every call is stored, failed or skipped
    model_version: Optional[int] = None  # the centre's model version that scored the calls; None: the banks'


class ImportInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`import_transcripts`: ``summary`` counts the calls stored before it
    (the calls waiting to be stored with them are not); importing again stores every call again."""

    def __init__(self, summary: ImportSummary):
        super().__init__(f"{summary.imported} calls imported from {summary.files_done} of {summary.files} files")
        self.summary = summary


def import_transcripts(path: str | Path, db_path: Database, *, options: RunOptions = RunOptions(),
                       progress: ProgressHook = no_progress) -> ImportSummary:
    """Store transcripts made elsewhere (JSON in the qa-examples FORMAT.md format; a file or a
    folder of them), redacted and scored as ``options`` say, through the batch's writer
    (:func:`~qa_pipeline.pipeline.store_outcomes`): in groups of up to
    :data:`~qa_pipeline.pipeline.STORE_GROUP_MAX` calls, a transaction each.

    A call id stored already is replaced, as by :func:`~qa_pipeline.pipeline.run_batch`; one
    given twice in the import is too: the later replaces the earlier (they are never in one
    group), and ``summary.repeated`` says where. A file that cannot be read is skipped with its
    reason, and a call that cannot be scored or stored fails alone (``summary.failed``); the
    rest go in. Holds the batch lock like ``run_batch``, so an import and a batch never write
    the same database at once. ``progress`` hears "start" and then "done" or "failed" for each
    file, once its calls are stored. Ctrl-C raises :class:`ImportInterrupted`; the groups
    stored before it are kept."""
    summary = ImportSummary()
    with _batch_lock(db_path), pipeline.centre_models(db_path, options) as (summary.model_version, _):
        files = list(iter_transcript_files(path))
        summary.files = len(files)
        progress(ProgressEvent("start", total=len(files)))
        writer = _ImportWriter(db_path, summary, progress)
        try:
            for file in files:
                try:
                    records = read_transcript_records(file)
                except InputError as exc:
                    summary.skipped.append(str(exc))
                    writer.end_file(_ImportedFile(file.name, problem=str(exc)))
                    continue
                read = _ImportedFile(file.name)
                for where, call in records:
                    writer.add(read, where, _imported(call, options))
                writer.end_file(read)
            writer.store()
        except BaseException as exc:
            if not (isinstance(exc, KeyboardInterrupt) or store.is_interrupted(exc)):
                raise
            raise ImportInterrupted(summary) from None
    return summary


def _imported(call: Call, options: RunOptions) -> Outcome:
    """An imported call redacted and scored as ``options`` say, ready to store, or why it failed
    (a bug or a model failure fails the call, as in ``work_on``, never the import)."""
    try:
        call = redact_call(call) if options.redact else call
        results, embedded = pipeline.score_embedded(call) if options.score else ([], [])
    except Exception as exc:
        if store.is_interrupted(exc):
            raise
        log.exception("%s: unexpected failure", call.call_id)
        return CallFailure(call.call_id, None, f"internal error: {type(exc).__name__}: {exc}"[:300])
    return ProcessedCall(call, tuple(results), tuple(embedded), norm_row(call))


@dataclass
class _ImportedFile:
    """A transcript file of an import; ``problem``: why it, or its first call that failed, failed."""

    name: str
    problem: Optional[str] = None


class _ImportWriter:
    """:func:`import_transcripts`'s calls on their way to the batch's writer: they wait until
    ``STORE_GROUP_MAX`` of them do, or until one comes with the id of a call waiting (then the
    waiting ones are stored first: the later call replaces the earlier, as a re-import does,
    and no group holds a call id twice). A file's end ("done" or "failed") is heard once every
    call read before it is stored, so the progress counts only calls that are in the database."""

    def __init__(self, db: Database, summary: ImportSummary, progress: ProgressHook):
        self.db, self.summary, self.progress = db, summary, progress
        self.waiting: list[tuple[_ImportedFile, str, ProcessedCall]] = []
        self.waiting_ids: set[str] = set()
        self.ends: list[_ImportedFile] = []  # files read whole, waiting for their calls to be stored
        self.first_read: dict[str, str] = {}  # call id → where this import first read it
        self.flagged: dict[str, bool] = {}  # call id → whether the version stored by this import is flagged

    def add(self, file: _ImportedFile, where: str, outcome: Outcome) -> None:
        call_id = outcome.call_id if isinstance(outcome, CallFailure) else outcome.call.call_id
        first = self.first_read.get(call_id)
        if first is None:
            self.first_read[call_id] = where
        else:
            self.summary.repeated.append(f"{where}: call id {call_id!r} was read before, at {first}; "
                                         "the later one replaces it, as importing it again would")
        if isinstance(outcome, CallFailure):
            self._failed(file, where, outcome)
            return
        if call_id in self.waiting_ids:
            self.store()
        self.waiting.append((file, where, outcome))
        self.waiting_ids.add(call_id)
        if len(self.waiting) >= pipeline.STORE_GROUP_MAX:
            self.store()

    def end_file(self, file: _ImportedFile) -> None:
        self.ends.append(file)
        if not self.waiting:
            self._hear_ends()

    def store(self) -> None:
        """Store the calls waiting, as one group, then hear the ends of the files read before."""
        if self.waiting:
            stored = pipeline.store_outcomes(self.db, [outcome for _, _, outcome in self.waiting],
                                             record_failures=False)
            # counted before the ends are heard: a Ctrl-C in a progress hook leaves them counted
            for (file, where, _), outcome in zip(self.waiting, stored):
                if isinstance(outcome, CallFailure):
                    self._failed(file, where, outcome)
                else:
                    self.flagged[outcome.call.call_id] = any(r.flagged for r in outcome.results)
            self.summary.imported, self.summary.flagged = len(self.flagged), sum(self.flagged.values())
            self.waiting, self.waiting_ids = [], set()
        self._hear_ends()

    def _failed(self, file: _ImportedFile, where: str, failure: CallFailure) -> None:
        problem = f"{where}: call {failure.call_id!r}: {failure.reason}"
        self.summary.failed.append(problem)
        file.problem = file.problem or problem

    def _hear_ends(self) -> None:
        for file in self.ends:
            self.summary.files_done += 1
            self.progress(ProgressEvent("failed" if file.problem else "done", call_id=file.name,
                                        completed=self.summary.files_done, total=self.summary.files,
                                        message=file.problem or ""))
        self.ends = []


def _batch_lock(db: Database):
    """The batch lock of a database file (:func:`~qa_pipeline.store.batch_lock.batch_lock`); a
    connection the caller holds is no other process's to write."""
    return nullcontext() if isinstance(db, duckdb.DuckDBPyConnection) else batch_lock(db)
