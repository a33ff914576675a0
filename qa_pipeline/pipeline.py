"""The pipeline. Start reading here.

:func:`process_call` turns one recording into a speaker-attributed, redacted transcript:
decode → transcribe → separate speakers → assign roles → redact. :func:`run_batch` does
that for every recording under a folder, scores each call and stores it, one call per
transaction, so a batch killed at any moment loses nothing already stored.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from qa_pipeline.errors import InputError
from qa_pipeline.metadata import MetadataTable, call_info
from qa_pipeline.progress import ProgressEvent, ProgressHook, no_progress
from qa_pipeline.records import Audio, Call, CallFailure, CallInfo, CallResult, SideCoverage, Word
from qa_pipeline.speakers.separation import SpeakerSeparator
from qa_pipeline.speakers.turns import build_turns
from qa_pipeline.speech.activity import coverage_flags
from qa_pipeline.speech.audio import AUDIO_SUFFIXES, decode, file_sha256, is_dual_mono, is_silent, mono_mix
from qa_pipeline.speech.transcribe import Transcript, load_transcriber
from qa_pipeline.speech.vocabulary import Vocabulary, VocabularyFile
from qa_pipeline.store import database as store
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
    device: str = "cpu"
    max_seconds: float = 4 * 3600
    vocabulary: Optional[VocabularyFile] = None  # the centre's names and number style (qa run --vocabulary)


class Models:
    """Every model a batch needs, each loaded once, on first use."""

    def __init__(self, options: RunOptions):
        self.options = options
        self._transcriber = None
        self._separator: Optional[SpeakerSeparator] = None

    @property
    def transcriber(self):
        if self._transcriber is None:
            from qa_pipeline.model_packs import resolve_asr_model

            self._transcriber = load_transcriber(resolve_asr_model(self.options.model), device=self.options.device)
        return self._transcriber

    @property
    def separator(self) -> SpeakerSeparator:
        if self._separator is None:
            self._separator = SpeakerSeparator(enabled=self.options.diarize,
                                               pipeline=self.options.diarization_pipeline,
                                               device=self.options.device)
        return self._separator


def process_call(path: str | Path, info: CallInfo, models: Models, options: RunOptions = RunOptions(),
                 *, sha256: Optional[str] = None) -> Call:
    """One recording → a Call with speaker-attributed turns and words (not yet scored)."""
    audio = decode(path, max_seconds=options.max_seconds, sha256=sha256)
    language = info.language or options.language
    if all(is_silent(ch) for ch in audio.channels):
        return _call(info, audio, "unknown" if language == "auto" else language, (), models,
                     role_note="silence only: no speech found")
    if audio.channel_count == 2 and not is_dual_mono(audio):
        words, language, coverage = _transcribe_stereo(audio, info, language, models, options)
        call = _call(info, audio, language, build_turns(words), models)
        return _finish(dataclasses.replace(call, coverage=coverage), options)
    samples = mono_mix(audio)
    if language == "auto":
        language, _ = models.transcriber.detect_language(samples)
    transcript = models.transcriber.transcribe(samples, language=language,
                                               vocabulary=_vocabulary(info, options))
    words, decision = models.separator.separate(samples, transcript.words, info, transcript.language)
    call = _call(info, audio, transcript.language, build_turns(words), models,
                 role_confidence=decision.confidence, role_note=decision.note)
    call = dataclasses.replace(call, roles_uncertain=decision.uncertain,
                               coverage=(_side_coverage(transcript, "unknown"),))
    return _finish(call, options)


def _transcribe_stereo(audio: Audio, info: CallInfo, language: str, models: Models,
                       options: RunOptions) -> tuple[list[Word], str, tuple[SideCoverage, ...]]:
    """Each channel on its own (VAD skips the silence on each); roles from the channel map;
    how much of each side's speech got words."""
    agent_left = str(info.metadata.get("agent_channel") or options.agent_channel).lower() in ("left", "0")
    roles = ("agent", "customer") if agent_left else ("customer", "agent")
    if language == "auto":
        language, _ = models.transcriber.detect_language(mono_mix(audio))
    words: list[Word] = []
    coverage = []
    for samples, role in zip(audio.channels, roles):
        if not is_silent(samples):
            transcript = models.transcriber.transcribe(samples, language=language, speaker=role,
                                                       vocabulary=_vocabulary(info, options))
            words.extend(transcript.words)
            coverage.append(_side_coverage(transcript, role))
    return words, language, tuple(coverage)


def _vocabulary(info: CallInfo, options: RunOptions) -> Optional[Vocabulary]:
    return options.vocabulary.for_call(info) if options.vocabulary else None


def _side_coverage(transcript: Transcript, speaker: str) -> SideCoverage:
    return SideCoverage(speaker, transcript.speech_seconds, transcript.untranscribed_seconds)


def _call(info: CallInfo, audio: Audio, language: str, turns, models: Models, *,
          role_confidence: Optional[float] = None, role_note: Optional[str] = None) -> Call:
    return Call(info=info, language=language, turns=tuple(turns), sha256=audio.sha256,
                duration=round(audio.duration, 3), channels=audio.channel_count,
                sample_rate=audio.source_sample_rate, source="audio",
                asr_model=getattr(models._transcriber, "model_name", None),
                role_confidence=role_confidence, role_note=role_note)


def _finish(call: Call, options: RunOptions) -> Call:
    if not options.redact:
        return call
    from qa_pipeline.privacy.redaction import redact_call

    return redact_call(call)


def score(call: Call, rubric=None) -> list[CallResult]:
    """Score a call with ``rubric`` or the standard rubric for its language."""
    from qa_pipeline.rubric import score_call, standard_rubric_for

    result = score_call(call, rubric or standard_rubric_for(call))
    extra = ("roles uncertain",) * call.roles_uncertain + coverage_flags(call.coverage)
    if extra:
        result = dataclasses.replace(result, flagged=True, flag_reasons=tuple(result.flag_reasons) + extra)
    return [result]


@dataclass
class BatchSummary:
    total: int = 0
    processed: int = 0
    skipped: int = 0
    failed: list[CallFailure] = field(default_factory=list)
    flagged: int = 0
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0


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


def run_batch(calls_dir: str | Path, db_path: str | Path, *, metadata: Optional[MetadataTable] = None,
              options: RunOptions = RunOptions(), progress: ProgressHook = no_progress,
              models: Optional[Models] = None) -> BatchSummary:
    """Process every recording under ``calls_dir`` into ``db_path``; new or changed files only
    unless ``options.force``. Each call is stored (or recorded as failed) in its own transaction."""
    started = time.monotonic()
    root = Path(calls_dir).resolve()
    metadata = metadata or MetadataTable()
    summary = BatchSummary()
    with batch_lock(db_path):
        with store.opened(db_path) as con:
            done = store.processed_hashes(con)
        files = find_recordings(root)
        summary.total = len(files)
        todo: list[tuple[Path, str]] = []
        for path in files:
            sha = _safe_sha(path)
            if not options.force and sha is not None and done.get(str(path)) == sha:
                summary.skipped += 1
                continue
            todo.append((path, sha))
        durations = {p: _probe_duration(p) for p, _ in todo}
        total_audio = sum(durations.values())
        models = models or Models(options)
        seen_ids: dict[str, Path] = {}
        progress(ProgressEvent("start", total=len(todo), audio_seconds_total=total_audio,
                               message=f"{len(todo)} to process, {summary.skipped} already done"))
        for n, (path, sha) in enumerate(todo):
            rel = path.relative_to(root).as_posix()
            info = call_info(rel, metadata.row_for(rel, Path(rel).stem), source_path=str(path))
            outcome = _process_one(path, sha, info, seen_ids, models, options, db_path)
            if isinstance(outcome, CallFailure):
                summary.failed.append(outcome)
                step = "failed"
            else:
                summary.processed += 1
                summary.flagged += int(any(r.flagged for r in outcome))
                step = "done"
            summary.audio_seconds += durations[path]
            progress(ProgressEvent(step, call_id=info.call_id, completed=n + 1, total=len(todo),
                                   audio_seconds_done=summary.audio_seconds, audio_seconds_total=total_audio,
                                   message=outcome.reason if isinstance(outcome, CallFailure) else ""))
    summary.wall_seconds = time.monotonic() - started
    return summary


def _process_one(path: Path, sha: Optional[str], info: CallInfo, seen_ids: dict[str, Path], models: Models,
                 options: RunOptions, db_path) -> Sequence[CallResult] | CallFailure:
    try:
        if sha is None:
            raise InputError(path, _unreadable_reason(path))
        if info.call_id in seen_ids:
            raise InputError(path, f"call id {info.call_id!r} is already used by {seen_ids[info.call_id]}; "
                                   "give the call its own call_id in the metadata file")
        seen_ids[info.call_id] = path
        call = process_call(path, info, models, options, sha256=sha)
        results = score(call) if options.score else []
    except InputError as exc:
        failure = CallFailure(info.call_id, str(path), exc.problem, sha)
    except Exception as exc:  # a bug or a model failure must not stop the batch
        log.exception("%s: unexpected failure", path)
        failure = CallFailure(info.call_id, str(path), f"internal error: {type(exc).__name__}: {exc}"[:300], sha)
    else:
        with store.opened(db_path) as con:
            store.save_call(con, call, results)
        return results
    with store.opened(db_path) as con:
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


def _probe_duration(path: Path) -> float:
    try:
        import av

        with av.open(str(path), metadata_errors="ignore") as c:
            return float(c.duration or 0) / 1_000_000
    except Exception:
        return 0.0
