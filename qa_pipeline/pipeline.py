"""The pipeline. Start reading here.

:func:`process_call` turns one recording into a speaker-attributed, redacted transcript:
decode → transcribe → separate speakers → assign roles → redact. :func:`run_batch` does
that for every recording under a folder, scores each call and stores it whole, in a
transaction of its own or shared with the calls that came back with it, so a batch killed at
any moment loses nothing already stored.

A batch runs in three stages: plan (:func:`plan_batch`: find the recordings, hash them, skip
those already stored, give each call its id), execute (a :class:`CallExecutor` runs
:func:`work_on` for each planned call: in this process by default, in worker processes
(:mod:`qa_pipeline.workers`) or on a Ray cluster (:mod:`qa_pipeline.cluster`)), and store:
this process, the database's one writer, stores each call as it comes back; calls that came
back while it was storing others are stored together (:func:`store_outcomes`).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Protocol, Sequence, Union

import duckdb
import numpy as np

from qa_pipeline.checksum import file_sha256
from qa_pipeline.errors import InputError
from qa_pipeline.metadata import MetadataTable, call_info
from qa_pipeline.privacy.redaction import redact_call
from qa_pipeline.progress import ProgressEvent, ProgressHook, no_progress
from qa_pipeline.records import Audio, Call, CallFailure, CallInfo, CallResult, SideCoverage, Word

# Registers the dashboard's write actions, so that the batch's read-write opens apply those
# journaled while it held the database.
from qa_pipeline.review import writes as _review_writes  # noqa: F401
from qa_pipeline.review.calibration import current_models
from qa_pipeline.rubric import encoder as encoders
from qa_pipeline.rubric.learned import ItemModel, models_in_use
from qa_pipeline.rubric.text import norm_row
from qa_pipeline.speakers.separation import SpeakerSeparator
from qa_pipeline.speakers.turns import build_turns
from qa_pipeline.speech.settings import SpeechSettings, speech_settings
from qa_pipeline.speech.audio import AUDIO_SUFFIXES, decode, is_dual_mono, is_silent, mono_mix, recorded_seconds
from qa_pipeline.speech.pieces import (Piece, Survey, WholeMix, pieces, read_in_pieces, survey,
                                        transcribe_pieces)
from qa_pipeline.speech.transcribe import CallSpeech, Transcript, load_transcriber
from qa_pipeline.speech.vocabulary import Vocabulary, VocabularyFile
from qa_pipeline.store import database as store
from qa_pipeline.store import turn_layout
from qa_pipeline.store.batch_lock import batch_lock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    language: str = "auto"  # auto | zh | en
    model: Optional[str] = None  # model pack name, local CTranslate2 dir or hub id
    agent_channel: str = "left"  # stereo: which channel is the agent (per call: metadata agent_channel)
    force: bool = False  # redo files already processed
    redact: bool = True
    score: bool = True
    diarize: bool = True
    diarization_pipeline: Optional[str] = None
    device: str = "auto"  # auto | cpu | cuda (auto: an NVIDIA GPU where CTranslate2 sees one)
    compute_type: Optional[str] = None  # CTranslate2's number type; None: float16 on a GPU, int8 on a CPU
    batch_size: Optional[int] = None  # speech windows decoded together; None: the fastest measured (speech.settings)
    threads: Optional[int] = None  # CPU threads per worker process; None: the cores shared out between workers
    beam_size: Optional[int] = None  # beam search width; None: the default measured (speech.settings.BEAM_SIZE)
    max_seconds: float = 4 * 3600
    vocabulary: Optional[VocabularyFile] = None  # the centre's names and number style (qa run --vocabulary)
    workers: int = 1  # worker processes sharing this machine's cores (threads default to their share)
    # Calls whose speech windows share the batches of one batched decoding (with batch_size above
    # 1; in this process, not in worker processes or on Ray): 1, each call's own batches. Not the
    # default: on 2 CPU cores two calls together cost 1.07 x the CPU of each alone, same words
    # (bench/throughput.py --sweep 8x2 --calls-per-batch 2; README, "Speed on one machine").
    calls_per_batch: int = 1
    # The centre's calibrated item models (qa calibrate) to score with; run_batch reads them from
    # the database, so that calls scored in worker processes are judged like re-scored ones.
    item_models: tuple[ItemModel, ...] = ()


class Models:
    """Every model a batch needs, each loaded once, on first use.

    Give a component to use it instead of loading one: a transcriber you already loaded,
    or a fake at the model boundary in a test::

        models = Models(options)                           # loads on first use
        models = Models(options, transcriber=loaded)        # reuse a loaded Transcriber
        models = Models(options, separator=SpeakerSeparator(diarizer=fake))
    """

    def __init__(self, options: RunOptions = RunOptions(), *, transcriber: Optional[Any] = None,
                 separator: Optional[SpeakerSeparator] = None):
        self.options = options
        self._transcriber = transcriber
        self._separator = separator

    @property
    def transcriber(self):
        if self._transcriber is None:
            from qa_pipeline.model_packs import resolve_asr_model

            chosen = self.speech_settings
            self._transcriber = load_transcriber(resolve_asr_model(self.options.model), device=chosen.device,
                                                 compute_type=chosen.compute_type, cpu_threads=chosen.cpu_threads,
                                                 batch_size=chosen.batch_size, beam_size=chosen.beam_size)
        return self._transcriber

    @functools.cached_property
    def speech_settings(self) -> SpeechSettings:
        """Device, number type, batch size and threads the speech model runs with: the
        options' values, the fastest measured for this machine where they give none."""
        return speech_settings(self.options.device, self.options.compute_type, self.options.batch_size,
                               self.options.threads, workers=self.options.workers, beam_size=self.options.beam_size)

    @property
    def separator(self) -> SpeakerSeparator:
        if self._separator is None:
            self._separator = SpeakerSeparator(enabled=self.options.diarize,
                                               pipeline=self.options.diarization_pipeline,
                                               device=self.speech_settings.device)
        return self._separator

    @property
    def asr_model(self) -> Optional[str]:
        """The speech model's name once one is loaded (a silent call loads none)."""
        return getattr(self._transcriber, "model_name", None)


def process_call(path: str | Path, info: CallInfo, models: Models, options: RunOptions = RunOptions(),
                 *, sha256: Optional[str] = None, progress: ProgressHook = no_progress) -> Call:
    """One recording → a Call with speaker-attributed turns and words (not yet scored).

    ``progress`` hears each step as it begins: decode, transcribe, then for a mono call
    diarize and roles (stereo channels are the speakers already). A recording longer than
    7.5 minutes is read and transcribed in pieces (:mod:`qa_pipeline.speech.pieces`)."""
    step = _step_hook(progress, info.call_id)
    step("decode")
    if read_in_pieces(recorded_seconds(path)):  # memory stays flat however long the call
        return _process_long_call(path, info, models, options, sha256=sha256, step=step)
    decoded = decode_call(path, info, options, sha256=sha256)
    if decoded.speech is None:
        return heard_call(decoded, [], models, options, step)
    step("transcribe")
    return heard_call(decoded, _transcribed(decoded, models), models, options, step)


@dataclass(frozen=True, eq=False)
class DecodedCall:
    """A short call decoded (:func:`decode_call`), and the speech recognition it needs:
    ``speech`` holds both sides of a stereo call, each with its role, or the mono mix; None
    when the call is silence only."""

    info: CallInfo
    audio: Audio
    language: str  # as asked: auto | zh | en
    speech: Optional[CallSpeech]
    stereo: bool


def decode_call(path: str | Path, info: CallInfo, options: RunOptions = RunOptions(), *,
                sha256: Optional[str] = None) -> DecodedCall:
    """The first step of :func:`process_call` for a recording read whole: decode it and say what
    to transcribe (a silent side of a stereo call is left out)."""
    audio = decode(path, max_seconds=options.max_seconds, sha256=sha256)
    language = info.language or options.language
    vocabulary = _vocabulary(info, options)
    if all(is_silent(ch) for ch in audio.channels):
        return DecodedCall(info, audio, language, None, stereo=audio.channel_count == 2)
    if audio.channel_count == 2 and not is_dual_mono(audio):
        # Both sides in one transcription: with language "auto" it is detected once, on the side
        # with the most speech; with batched decoding their speech windows share the batches.
        sides = tuple((samples, role) for samples, role in zip(audio.channels, _channel_roles(info, options))
                      if not is_silent(samples))
        return DecodedCall(info, audio, language, CallSpeech(sides, language, vocabulary=vocabulary), stereo=True)
    # language "auto": detected by the transcriber on the speech it decodes (no second pass)
    mono = CallSpeech(((mono_mix(audio), "unknown"),), language, vocabulary=vocabulary)
    return DecodedCall(info, audio, language, mono, stereo=False)


def _transcribed(decoded: DecodedCall, models: Models) -> list[Transcript]:
    """A decoded call's transcripts (one per channel in ``decoded.speech``), transcribed alone."""
    speech = decoded.speech
    if not decoded.stereo:  # the mono mix
        samples = speech.channels[0][0]
        return [models.transcriber.transcribe(samples, language=speech.language, vocabulary=speech.vocabulary)]
    return models.transcriber.transcribe_channels(speech.channels, language=speech.language,
                                                  vocabulary=speech.vocabulary)


def heard_call(decoded: DecodedCall, transcripts: Sequence[Transcript], models: Models, options: RunOptions,
               step: Callable[[str], None]) -> Call:
    """The rest of :func:`process_call` once ``decoded.speech`` is transcribed (``transcripts``,
    one per channel; none for a silent call): speakers, roles, redaction."""
    info, audio, language = decoded.info, decoded.audio, decoded.language
    if decoded.speech is None:
        return _call(info, audio, "unknown" if language == "auto" else language, (), models,
                     role_note="silence only: no speech found")
    if decoded.stereo:
        words, language, coverage = _stereo_words(transcripts, decoded.speech, language)
        call = _call(info, audio, language, build_turns(words), models)
        return _finish(dataclasses.replace(call, coverage=coverage), options)
    [transcript] = transcripts
    return _separated_call(info, audio, decoded.speech.channels[0][0], transcript, models, options, step)


def _separated_call(info: CallInfo, audio: Union[Audio, Survey], samples: np.ndarray, transcript: Transcript,
                    models: Models, options: RunOptions, step: Callable[[str], None]) -> Call:
    """A mono call's words given to its speakers (diarization on ``samples``), the call made."""
    words, decision = models.separator.separate(samples, transcript.words, info, transcript.language, on_step=step)
    call = _call(info, audio, transcript.language, build_turns(words), models,
                 role_confidence=decision.confidence, role_note=decision.note)
    call = dataclasses.replace(call, roles_uncertain=decision.uncertain,
                               coverage=(_side_coverage(transcript, "unknown"),))
    return _finish(call, options)


def _process_long_call(path: str | Path, info: CallInfo, models: Models, options: RunOptions, *,
                       sha256: Optional[str], step: Callable[[str], None]) -> Call:
    """:func:`process_call` for a recording longer than ``pieces.LONG_CALL_SECONDS``: read
    twice, a block at a time, and transcribed in pieces (:mod:`qa_pipeline.speech.pieces`), so
    that its samples are never all in memory. A mono call that is diarized is the exception: speaker
    turns need the whole call, so its mono mix (16 kHz) is kept for the diarizer."""
    found = survey(path, max_seconds=options.max_seconds, sha256=sha256)
    language = info.language or options.language
    if all(found.silent):
        return _call(info, found, "unknown" if language == "auto" else language, (), models,
                     role_note="silence only: no speech found")
    step("transcribe")
    vocabulary = _vocabulary(info, options)
    recording = pieces(path, max_seconds=options.max_seconds)
    if found.channel_count == 2 and not found.dual_mono:
        kept = [(i, role) for i, role in enumerate(_channel_roles(info, options)) if not found.silent[i]]
        transcripts, language = transcribe_pieces(
            models.transcriber, recording, lambda piece: [(piece.channels[i], role) for i, role in kept],
            language=language, vocabulary=vocabulary)
        words = [w for transcript in transcripts for w in transcript.words]
        coverage = tuple(_side_coverage(transcript, role) for transcript, (_, role) in zip(transcripts, kept))
        call = _call(info, found, language, build_turns(words), models)
        return _finish(dataclasses.replace(call, coverage=coverage), options)
    whole = WholeMix(found) if models.separator.diarizer is not None else None

    def mixed(piece: Piece) -> list[tuple[np.ndarray, str]]:
        return [(piece.mono() if whole is None else whole.add(piece), "unknown")]

    [transcript], _ = transcribe_pieces(models.transcriber, recording, mixed, language=language,
                                        vocabulary=vocabulary)
    samples = whole.samples if whole is not None else np.zeros(0, dtype=np.float32)
    return _separated_call(info, found, samples, transcript, models, options, step)


def _channel_roles(info: CallInfo, options: RunOptions) -> tuple[str, str]:
    """The roles of a stereo call's (left, right) channels: the call's metadata, else ``--agent-channel``."""
    agent_left = str(info.metadata.get("agent_channel") or options.agent_channel).lower() in ("left", "0")
    return ("agent", "customer") if agent_left else ("customer", "agent")


def _step_hook(progress: ProgressHook, call_id: str) -> Callable[[str], None]:
    def step(name: str) -> None:
        progress(ProgressEvent(name, call_id=call_id))

    return step


def _stereo_words(transcripts: Sequence[Transcript], speech: CallSpeech,
                  language: str) -> tuple[list[Word], str, tuple[SideCoverage, ...]]:
    """A stereo call's words (each side's transcript, roles from the channel map), its language
    (``"auto"``: the one detected) and how much of each side's speech got words."""
    if language == "auto":
        language = next((t.language for t in transcripts if t.language not in ("auto", "unknown")), "unknown")
    words = [w for transcript in transcripts for w in transcript.words]
    coverage = tuple(_side_coverage(transcript, role) for transcript, (_, role) in zip(transcripts, speech.channels))
    return words, language, coverage


def _vocabulary(info: CallInfo, options: RunOptions) -> Optional[Vocabulary]:
    return options.vocabulary.for_call(info) if options.vocabulary else None


def _side_coverage(transcript: Transcript, speaker: str) -> SideCoverage:
    return SideCoverage(speaker, transcript.speech_seconds, transcript.untranscribed_seconds)


def _call(info: CallInfo, audio: Union[Audio, Survey], language: str, turns, models: Models, *,
          role_confidence: Optional[float] = None, role_note: Optional[str] = None) -> Call:
    return Call(info=info, language=language, turns=tuple(turns), sha256=audio.sha256,
                duration=round(audio.duration, 3), channels=audio.channel_count,
                sample_rate=audio.source_sample_rate, source="audio",
                asr_model=models.asr_model,
                role_confidence=role_confidence, role_note=role_note)


def _finish(call: Call, options: RunOptions) -> Call:
    return redact_call(call) if options.redact else call


def score(call: Call, rubric=None) -> list[CallResult]:
    """Score a call with ``rubric`` or the standard rubric for its language."""
    from qa_pipeline.rubric import score_call, standard_rubric_for

    return [score_call(call, rubric or standard_rubric_for(call))]


def score_embedded(call: Call, rubric=None) -> tuple[list[CallResult], list[store.EmbeddingRow]]:
    """:func:`score`, and the rows storing the vectors of the sentences its learned judgements
    read (none without an encoder), so that ``qa score`` need not embed them again."""
    with encoders.recording() as heard:
        results = score(call, rubric)
    encoder = encoders.sentence_encoder() if heard else None
    return results, encoders.embedding_rows(call, heard, encoder.id) if encoder is not None else []


Database = Union[str, Path, duckdb.DuckDBPyConnection]
"""Where calls are stored: a database file, opened only while a call or a group is written, or a
connection the caller holds open (an in-memory database), used as it is."""


@contextmanager
def _opened(db: Database) -> Iterator[duckdb.DuckDBPyConnection]:
    """``db`` open for one write: a file opened and closed after it (so that the dashboard reads
    between writes), or the caller's connection, left open."""
    if isinstance(db, duckdb.DuckDBPyConnection):
        yield db
        return
    with store.opened(db) as con:
        yield con


@contextmanager
def centre_models(db_path: Database,
                  options: RunOptions) -> Iterator[tuple[Optional[int], tuple[ItemModel, ...]]]:
    """Score with the centre's latest model version (``qa calibrate``) inside the block, as
    ``qa score`` does, so that a new call is judged like a re-scored one; yields the version
    (None: the exemplar banks' models) and its item models (for worker processes, which score
    with ``RunOptions.item_models``). The models in use before come back after it."""
    if not options.score:
        yield None, ()
        return
    with _opened(db_path) as con:  # briefly: the batch opens the database only while it writes a call
        version, models = current_models(con)
    if version is not None:
        log.info("learned judgements: this centre's model version %d (qa calibrate)", version)
    with models_in_use(models):
        yield version, tuple(models)


@dataclass
class BatchSummary:
    total: int = 0
    processed: int = 0
    skipped: int = 0
    failed: list[CallFailure] = field(default_factory=list)
    flagged: int = 0
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0
    model_version: Optional[int] = None  # the centre's model version that scored the calls; None: the banks'


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`run_batch`: ``summary`` counts the calls stored before it, out of
    ``to_process``; running the batch again continues with the rest."""

    def __init__(self, summary: BatchSummary, to_process: int):
        super().__init__(f"{summary.processed + len(summary.failed)} of {to_process} calls stored")
        self.summary = summary
        self.to_process = to_process


def find_recordings(calls_dir: str | Path) -> list[Path]:
    root = Path(calls_dir)
    if not root.is_dir():
        raise InputError(root, "not a folder of recordings")
    found = []
    for p in sorted(root.rglob("*")):
        if p.suffix.lower() in AUDIO_SUFFIXES and not p.name.startswith("."):
            if p.is_dir():
                continue  # a folder named like a recording: its contents are searched anyway
            found.append(p)  # a broken or looping link stays in: it fails with its own reason
    return found


@dataclass(frozen=True)
class CallJob:
    """One recording of a batch as planned: its file, its content's hash (None when the file
    cannot be read) and the id its call is stored under."""

    path: Path
    sha256: Optional[str]
    info: CallInfo
    clash: Optional[str] = None  # why the call cannot have the id its metadata gives (it fails with this)
    audio_seconds: float = 0.0  # the recording's length, as its container says (for progress)


@dataclass(frozen=True)
class ProcessedCall:
    """A call a worker finished, with everything the writer stores for it."""

    call: Call
    results: tuple[CallResult, ...]
    embeddings: tuple[store.EmbeddingRow, ...]
    norms: store.NormRow


Outcome = Union[ProcessedCall, CallFailure]


@dataclass(frozen=True)
class BatchPlan:
    """What :func:`run_batch` will do: ``jobs`` to process, in order, out of ``total`` recordings
    found; ``skipped`` are stored already with the same content."""

    jobs: tuple[CallJob, ...]
    total: int
    skipped: int

    @property
    def audio_seconds(self) -> float:
        return sum(job.audio_seconds for job in self.jobs)


Arrival = list[tuple[CallJob, Outcome]]
"""Calls an executor hands back together: every one that finished while the writer was busy."""


class CallExecutor(Protocol):
    """Runs :func:`work_on` for planned calls somewhere and hands back each call's outcome.

    ``run`` yields arrivals: each the ``(job, outcome)`` of every call that has finished and
    is waiting when the writer asks for more (one call when the writer keeps up; several when
    calls finished while it stored the last ones, which the writer then stores together), in
    the order they finished; every job once in all. It gives ``on_step`` the step events
    (decode, transcribe, ...) of the calls where it can. A worker lost on the way is the
    executor's to replace: its call runs again, never dropped and never yielded twice. Closing
    the iterator (Ctrl-C, or the writer failing) stops the workers.
    """

    def run(self, jobs: Sequence[CallJob], options: RunOptions,
            on_step: ProgressHook) -> Iterator[Arrival]: ...


class InProcess:
    """This process, one call after another, with ``models`` loaded here (the default).

    With ``options.calls_per_batch`` above 1, that many calls at a time are decoded, their
    speech transcribed together (:func:`work_on_together`), then each finished and handed back
    in order."""

    def __init__(self, models: Models):
        self.models = models

    def run(self, jobs: Sequence[CallJob], options: RunOptions,
            on_step: ProgressHook) -> Iterator[Arrival]:
        # One call at a time: the writer stores each before the next is worked on, so nothing waits.
        if options.calls_per_batch > 1:
            for i in range(0, len(jobs), options.calls_per_batch):
                for finished in work_on_together(jobs[i:i + options.calls_per_batch], self.models, options, on_step):
                    yield [finished]
            return
        for job in jobs:
            yield [(job, work_on(job, self.models, options, on_step))]


def run_batch(calls_dir: str | Path, db_path: str | Path, *, metadata: Optional[MetadataTable] = None,
              options: RunOptions = RunOptions(), progress: ProgressHook = no_progress,
              models: Optional[Models] = None, executor: Optional[CallExecutor] = None) -> BatchSummary:
    """Process every recording under ``calls_dir`` into ``db_path``; new or changed files only
    unless ``options.force``. Each call is stored (or recorded as failed) by this process as it
    comes back from ``executor`` (default: :class:`InProcess` with ``models``, or with models
    loaded on first use): on its own when the writer keeps up, else with the others that came
    back while it was storing, up to :data:`STORE_GROUP_MAX` in a transaction
    (:func:`store_outcomes`)."""
    started = time.monotonic()
    summary = BatchSummary()
    with batch_lock(db_path), centre_models(db_path, options) as (summary.model_version, centre):
        options = dataclasses.replace(options, item_models=centre)  # workers score with them too
        plan = plan_batch(calls_dir, db_path, metadata=metadata, options=options)
        summary.total, summary.skipped = plan.total, plan.skipped
        total_audio = plan.audio_seconds
        executor = executor or InProcess(models or Models(options))

        def placed(event: ProgressEvent) -> ProgressEvent:  # a call's event, with where the batch is
            return dataclasses.replace(event, completed=summary.processed + len(summary.failed), total=len(plan.jobs),
                                       audio_seconds_done=summary.audio_seconds, audio_seconds_total=total_audio)

        def hear(event: ProgressEvent) -> None:
            progress(placed(event))

        progress(ProgressEvent("start", total=len(plan.jobs), audio_seconds_total=total_audio,
                               message=f"{len(plan.jobs)} to process, {summary.skipped} already done"))
        try:
            with closing(executor.run(plan.jobs, options, hear)) as arrivals:
                for arrival in arrivals:
                    for group in _store_groups(arrival):
                        stored = store_outcomes(db_path, [outcome for _, outcome in group], hear)
                        for end in _count_stored(summary, group, stored, placed):
                            progress(end)
        except BaseException as exc:  # Ctrl-C: the calls in hand are dropped; every one before them is stored
            if not (isinstance(exc, KeyboardInterrupt) or store.is_interrupted(exc)):
                raise
            summary.wall_seconds = time.monotonic() - started
            raise BatchInterrupted(summary, len(plan.jobs)) from None
    summary.wall_seconds = time.monotonic() - started
    return summary


def _store_groups(arrival: Arrival) -> Iterator[Arrival]:
    """The calls of an arrival in the groups the writer stores, :data:`STORE_GROUP_MAX` at most each."""
    for first in range(0, len(arrival), STORE_GROUP_MAX):
        yield arrival[first:first + STORE_GROUP_MAX]


def _count_stored(summary: BatchSummary, group: Arrival, stored: Sequence[Outcome],
                  placed: Callable[[ProgressEvent], ProgressEvent]) -> list[ProgressEvent]:
    """Count a group's calls in ``summary`` as the writer stored them (``stored``: each call's
    outcome, a failure where it could not be stored); returns each call's end, "done" or
    "failed", ``placed`` where the batch then was, to be heard after: the whole group is counted
    first, so that a Ctrl-C in a progress hook leaves the summary counting every call it stored."""
    ends = []
    for (job, _), outcome in zip(group, stored):
        failed = isinstance(outcome, CallFailure)
        if failed:
            summary.failed.append(outcome)
        else:
            summary.processed += 1
            summary.flagged += int(any(r.flagged for r in outcome.results))
        summary.audio_seconds += job.audio_seconds
        ends.append(placed(ProgressEvent("failed" if failed else "done", call_id=job.info.call_id,
                                         message=outcome.reason if failed else "")))
    return ends


def plan_batch(calls_dir: str | Path, db_path: str | Path, *, metadata: Optional[MetadataTable] = None,
               options: RunOptions = RunOptions()) -> BatchPlan:
    """The recordings under ``calls_dir`` that :func:`run_batch` processes, each hashed and
    given its call id (see :func:`_own_call_id`); those stored already with the same content
    are skipped unless ``options.force``. Reads ``db_path``: call it holding the batch lock."""
    root = Path(calls_dir).resolve()
    metadata = metadata or MetadataTable()
    with store.opened(db_path) as con:
        if root.is_dir():  # the dashboard plays recordings from the folders calls were read from
            store.remember_recordings_folder(con, root)
        done = store.processed_hashes(con)
        stored = {call_id: (Path(p), sha) for call_id, (p, sha) in store.call_owners(con).items()}
    files = find_recordings(root)
    todo: list[tuple[Path, Optional[str]]] = []
    for path in files:
        sha = _safe_sha(path)
        if options.force or sha is None or done.get(str(path)) != sha:
            todo.append((path, sha))
    batch = set(files)
    holders = {call_id: p for call_id, (p, _) in stored.items() if p in batch}  # call id → its file in this batch
    jobs = []
    for path, sha in todo:
        rel = path.relative_to(root).as_posix()
        row = metadata.row_for(rel, Path(rel).stem)
        info, clash = _own_call_id(call_info(rel, row, source_path=str(path)), root, rel, path, sha,
                                   holders, stored, bool(row.get("call_id")))
        holders[info.call_id] = path  # the later files of the batch see the id taken
        jobs.append(CallJob(path, sha, info, clash, recorded_seconds(path)))
    return BatchPlan(tuple(jobs), total=len(files), skipped=len(files) - len(todo))


def _own_call_id(info: CallInfo, root: Path, rel: str, path: Path, sha: Optional[str], holders: dict[str, Path],
                 stored: dict[str, tuple[Path, Optional[str]]], from_metadata: bool) -> tuple[CallInfo, Optional[str]]:
    """A call's id is its file name, but recorders reuse names (``0001.wav`` in every day's
    folder). When another file of this batch holds the id, or a stored call from another file
    with other content does, this recording is known by its path under CALLS_DIR (``b/a`` for
    ``b/a.wav``), else by that path under CALLS_DIR's own name (``2026-12-02/0001`` when each
    day's folder is run on its own), so neither call's row carries the other's transcript or
    error. A stored call whose file is gone (moved) or has the same content (copied) is the same
    call and keeps its id. An id the metadata gives is the call's own across batches; given
    twice in one batch it is an error (the second value returned), recorded under a path id so
    the first call's row is kept as it was."""

    def free(call_id: str) -> bool:
        if call_id in holders:
            return holders[call_id] == path
        if from_metadata and call_id == info.call_id:
            return True
        owner, owner_sha = stored.get(call_id, (None, None))
        return owner is None or owner == path or (sha is not None and owner_sha == sha) or not owner.exists()

    if free(info.call_id):
        return info, None
    in_dir = Path(rel).with_suffix("").as_posix()
    own_id = next((c for c in (in_dir, f"{root.name}/{in_dir}") if free(c)),
                  f"{in_dir}~{hashlib.sha1(str(path).encode()).hexdigest()[:8]}")
    own = dataclasses.replace(info, call_id=own_id)
    if from_metadata:
        return own, (f"call id {info.call_id!r} is already used by {holders[info.call_id]}; "
                     "give the call its own call_id in the metadata file")
    return own, None


def work_on(job: CallJob, models: Models, options: RunOptions = RunOptions(),
            progress: ProgressHook = no_progress) -> Outcome:
    """One planned call, from its recording to what the writer stores (decode → transcribe →
    separate speakers → assign roles → redact → score), or why it failed: a bad recording or a
    bug fails its own call, never the batch. Runs wherever the executor runs it."""
    return _outcome(job, options, lambda: process_call(job.path, job.info, models, options, sha256=job.sha256,
                                                       progress=progress), progress)


def work_on_together(jobs: Sequence[CallJob], models: Models, options: RunOptions = RunOptions(),
                     progress: ProgressHook = no_progress) -> Iterator[tuple[CallJob, Outcome]]:
    """:func:`work_on` for several calls, their speech transcribed together
    (``Transcriber.transcribe_calls``: with batched decoding, the speech windows of all of them
    share the batches); the outcomes, in the order of ``jobs``, are the same as each call's own.

    All of them are decoded first, so their samples are in memory together: a call read in
    pieces (a long one) is left to :func:`work_on`. If transcribing them together fails, each
    call is transcribed alone, so that the call at fault fails alone."""
    decoded: list[Union[DecodedCall, Exception, None]] = []  # None: work_on does it all
    for job in jobs:
        if job.clash or job.sha256 is None or read_in_pieces(job.audio_seconds):
            decoded.append(None)
            continue
        _step_hook(progress, job.info.call_id)("decode")
        try:
            decoded.append(decode_call(job.path, job.info, options, sha256=job.sha256))
        except Exception as exc:  # the call's own failure, told by _outcome below
            if store.is_interrupted(exc):
                raise
            decoded.append(exc)
    speaking = [d for d in decoded if isinstance(d, DecodedCall) and d.speech is not None]
    for d in speaking:
        _step_hook(progress, d.info.call_id)("transcribe")
    heard: dict[int, list[Transcript]] = {}
    try:
        together = models.transcriber.transcribe_calls([d.speech for d in speaking]) if speaking else []
        heard = {id(d): transcripts for d, transcripts in zip(speaking, together)}
    except Exception as exc:
        if store.is_interrupted(exc):
            raise
        log.warning("transcribing %d calls together failed (%s): each is transcribed alone", len(speaking), exc)

    def finished(d: Union[DecodedCall, Exception], step: Callable[[str], None]) -> Call:
        if isinstance(d, Exception):
            raise d
        transcripts = heard.get(id(d)) if d.speech is not None else []
        return heard_call(d, _transcribed(d, models) if transcripts is None else transcripts, models, options, step)

    for job, d in zip(jobs, decoded):
        if d is None:
            yield job, work_on(job, models, options, progress)
        else:
            step = _step_hook(progress, job.info.call_id)
            yield job, _outcome(job, options, lambda d=d, step=step: finished(d, step), progress)


def _outcome(job: CallJob, options: RunOptions, make_call: Callable[[], Call], progress: ProgressHook) -> Outcome:
    """The call ``make_call`` makes of ``job``, scored, or why it failed (see :func:`work_on`)."""
    step = _step_hook(progress, job.info.call_id)
    path, sha = job.path, job.sha256
    try:
        if job.clash:
            raise InputError(path, job.clash)
        if sha is None:
            raise InputError(path, _unreadable_reason(path))
        call = make_call()
        if options.score:
            step("score")
        with models_in_use(options.item_models):  # the centre's calibrated models, in any worker
            results, embedded = score_embedded(call) if options.score else ([], [])
    except InputError as exc:
        return CallFailure(job.info.call_id, str(path), exc.problem, sha)
    except Exception as exc:  # a bug or a model failure must not stop the batch
        if store.is_interrupted(exc):
            raise
        log.exception("%s: unexpected failure", path)
        return CallFailure(job.info.call_id, str(path), f"internal error: {type(exc).__name__}: {exc}"[:300], sha)
    return ProcessedCall(call, tuple(results), tuple(embedded), norm_row(call))


# The most calls the writer stores in one transaction. Storing calls together costs less per
# call (one open, one commit and checkpoint, one facts refresh), but the database is closed to
# the dashboard's readers while the transaction lasts. Measured (bench/scale_out.py growth, README
# "Benchmarks", 2 loaded cores): a group of 200 held it about as long as one call stored alone in
# the same run (3-s calls: 1.1 s wall vs up to 2.5 s; 60-s calls: 0.92 s vs 0.89 s), at 1.7 and 3.1
# ms CPU a call instead of 186 and 182; far below the dashboard's read wait
# (store.journal.READ_WAIT_SECONDS).
STORE_GROUP_MAX = 200


def store_outcomes(db: Database, outcomes: Sequence[Outcome], progress: ProgressHook = no_progress, *,
                   record_failures: bool = True) -> list[Outcome]:
    """Store processed calls and record failed ones, all in one transaction with one facts
    refresh (a "store" step event before each processed call); returns each call's outcome as
    stored, in order: a call that could not be stored comes back as a :class:`CallFailure`
    saying why, recorded as failed (unless not ``record_failures``: an import records no failed
    calls), and the others are stored all the same. The calls' ids must differ (a call given
    twice in one transaction would be stored twice).

    The database is opened for the group and closed after it, as for one call: the dashboard
    reads between groups. When the group's transaction fails, nothing of it is kept and each call
    is stored in a transaction of its own, so that a bad call fails alone; a disk that is full
    or read-only (:class:`~qa_pipeline.store.database.StoreError`) stops the batch instead."""
    for outcome in outcomes:
        if isinstance(outcome, ProcessedCall):
            progress(ProgressEvent("store", call_id=outcome.call.call_id))
    with _opened(db) as con:
        stored = _stored_together(con, outcomes, record_failures)
        _group_days_over(con)
        return stored


def _stored_together(con, outcomes: Sequence[Outcome], record_failures: bool) -> list[Outcome]:
    if len(outcomes) > 1:
        try:
            _save_outcomes(con, outcomes)
            return list(outcomes)
        except Exception as exc:
            if isinstance(exc, store.StoreError) or store.is_interrupted(exc):
                raise
            log.warning("storing %d calls together failed (%s): each is stored alone", len(outcomes), exc)
    return [_stored_alone(con, outcome, record_failures) for outcome in outcomes]


def _group_days_over(con) -> None:
    """Once a day is over, its turns grouped by agent (:mod:`qa_pipeline.store.turn_layout`: a
    search for an agent's calls then reads their turns' text alone); a failure is logged, not
    raised: the calls are stored, and the next group tries again."""
    try:
        turn_layout.cluster_closed_days(con)
    except Exception as exc:
        if isinstance(exc, store.StoreError) or store.is_interrupted(exc):
            raise
        log.warning("grouping the turns of the days over by agent failed (%s): the next group of calls tries again",
                    exc)


def _save_outcomes(con, outcomes: Sequence[Outcome]) -> None:
    calls = [o for o in outcomes if isinstance(o, ProcessedCall)]
    store.save_calls(con, [(o.call, o.results) for o in calls], norms=[o.norms for o in calls],
                     embeddings=[row for o in calls for row in o.embeddings],
                     failures=[o for o in outcomes if isinstance(o, CallFailure)])


def _stored_alone(con, outcome: Outcome, record_failures: bool = True) -> Outcome:
    """``outcome`` stored in its own transaction; a call that cannot be stored (a value the
    database refuses) recorded as failed with the reason, instead."""
    try:
        _save_outcomes(con, [outcome])
        return outcome
    except Exception as exc:
        if isinstance(exc, store.StoreError) or store.is_interrupted(exc) or isinstance(outcome, CallFailure):
            raise
        log.exception("%s: could not be stored", outcome.call.info.source_path or outcome.call.call_id)
        failure = CallFailure(outcome.call.call_id, outcome.call.info.source_path,
                              f"could not be stored: {type(exc).__name__}: {exc}"[:300], outcome.call.sha256)
        if record_failures:
            store.save_failure(con, failure)
        return failure


def _unreadable_reason(path: Path) -> str:
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == 40:
            return "a symbolic link that loops back on itself"
        if not path.exists():
            return "the file vanished, or is a link to a file that does not exist"
        return f"cannot read the file ({exc.strerror})"
    return "cannot read the file (permission denied)"


def _safe_sha(path: Path) -> Optional[str]:
    try:
        return file_sha256(path)
    except OSError:
        return None
