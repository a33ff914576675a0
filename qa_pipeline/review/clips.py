"""Audio for the dashboard and coaching clips: a few seconds around the evidence, bleeped.

Recordings are opened only inside the recordings folders (``QA_RECORDINGS``, ``os.pathsep``-separated,
from ``qa dashboard --recordings``; by default the database's folder and the folders ``qa run`` read
calls from, as recorded in the database) and exports are written only
inside the export folder (``QA_EXPORTS``; by default ``exports/`` beside the database):
:func:`qa_pipeline.privacy.access.safe_path` refuses ``../`` escapes and symlinks out. Every
redacted span (a card or ID number said aloud) is bleeped in whatever leaves this module.
"""
from __future__ import annotations

import io
import logging
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import soundfile as sf

from qa_pipeline.privacy import access
from qa_pipeline.records import Call
from qa_pipeline.store import database as store
from qa_pipeline.store import journal as shared_db

log = logging.getLogger(__name__)

CLIP_PAD_SECONDS = 2.0
MAX_CLIP_SECONDS = 60.0


def recording_roots(db_path: str | os.PathLike) -> list[Path]:
    """The folders recordings may be played from: those given to ``qa dashboard --recordings``
    (``QA_RECORDINGS``) if any, else the database's folder and every folder ``qa run`` (or the
    demo) read calls from into this database."""
    configured = [p for p in os.environ.get("QA_RECORDINGS", "").split(os.pathsep) if p.strip()]
    if configured:
        return [Path(p).expanduser().resolve() for p in configured]
    roots = [Path(db_path).expanduser().resolve().parent]
    if Path(db_path).exists():
        with shared_db.read_connection(db_path) as con:
            roots += [Path(p) for p in store.recordings_folders(con) if Path(p) not in roots]
    return roots


def not_allowed_message(exc: access.PathNotAllowed) -> str:
    """What to tell a user whose recording lies outside every allowed folder, and how to allow it."""
    return (f"This recording is outside the folders the dashboard may play from ({exc}). Start the dashboard "
            "with `qa dashboard --recordings FOLDER` naming the folder that holds it (repeatable), or run "
            "`qa run FOLDER` on that folder once more: it skips the calls already stored and remembers the folder.")


def export_root(db_path: str | os.PathLike) -> Path:
    configured = os.environ.get("QA_EXPORTS", "").strip()
    return Path(configured).expanduser().resolve() if configured else Path(db_path).expanduser().resolve().parent / "exports"


def resolve_recording(db_path: str | os.PathLike, source_path: Optional[str]) -> Optional[Path]:
    """The recording's path if it is inside a recordings folder and exists; ``None`` for calls
    without audio. Raises :class:`qa_pipeline.privacy.access.PathNotAllowed` for paths outside."""
    if not source_path:
        return None
    path = access.safe_path(recording_roots(db_path), source_path)
    return path if path.is_file() else None


def load_call(db_path: str | os.PathLike, call_id: str) -> Optional[Call]:
    with shared_db.read_connection(db_path) as con:
        return next(iter(store.load_calls(con, [call_id])), None)


def _redacted_spans(call: Optional[Call]) -> list[tuple[float, float]]:
    try:
        from qa_pipeline.privacy import redaction
    except ImportError:  # no redaction module in this build: nothing was redacted
        return []
    if call is None or not (call.redacted or redaction.redaction_enabled()):
        return []
    return redaction.redacted_audio_spans(call)


def decode(path: Path) -> tuple[np.ndarray, int]:
    """Samples as float32 (frames, channels) at the file's own rate; formats soundfile cannot
    read go through faster-whisper's decoder (16 kHz mono)."""
    try:
        samples, rate = sf.read(str(path), dtype="float32", always_2d=True)
        return samples, int(rate)
    except (sf.LibsndfileError, RuntimeError):
        from faster_whisper import decode_audio

        return decode_audio(str(path), sampling_rate=16000)[:, None].astype(np.float32), 16000


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def call_audio(db_path: str | os.PathLike, call_id: str, source_path: Optional[str]) -> Optional[bytes]:
    """The whole recording as WAV with redacted spans bleeped, or ``None`` without audio."""
    path = resolve_recording(db_path, source_path)
    if path is None:
        return None
    samples, rate = decode(path)
    spans = _redacted_spans(load_call(db_path, call_id))
    if spans:
        from qa_pipeline.privacy.redaction import bleep

        samples = bleep(samples, rate, spans)
    return wav_bytes(samples, rate)


def clip_window(start: Optional[float], end: Optional[float], pad: float = CLIP_PAD_SECONDS) -> tuple[float, float]:
    start = max(0.0, (start or 0.0) - pad)
    end = (end if end is not None else start + pad) + pad
    return start, min(end, start + MAX_CLIP_SECONDS)


MIN_CLIP_SECONDS = 0.2  # a shorter cut is no clip: no WAV is written, no player is shown


def clip_audio(db_path: str | os.PathLike, call_id: str, source_path: Optional[str],
               start: Optional[float], end: Optional[float], pad: float = CLIP_PAD_SECONDS) -> Optional[bytes]:
    """``pad`` seconds either side of ``start``..``end`` as WAV, bleeped; ``None`` when there
    is nothing to cut: a call without audio, a finding without a time, a stretch past the end
    of the recording (:func:`why_no_clip` says which). Never an empty WAV."""
    if start is None:
        return None
    path = resolve_recording(db_path, source_path)
    if path is None:
        return None
    samples, rate = decode(path)
    a, b = clip_window(start, end, pad)
    piece = samples[int(a * rate):int(b * rate)]
    if len(piece) < MIN_CLIP_SECONDS * rate:
        return None
    spans = [(s - a, e - a) for s, e in _redacted_spans(load_call(db_path, call_id)) if e > a and s < b]
    if spans:
        from qa_pipeline.privacy.redaction import bleep

        piece = bleep(piece, rate, spans)
    return wav_bytes(piece, rate)


def why_no_clip(db_path: str | os.PathLike, source_path: Optional[str], start: Optional[float]) -> str:
    """Why :func:`clip_audio` gave no audio, in words for the user."""
    if not source_path:
        return "no audio: the call is an imported transcript without a recording"
    if start is None:
        return ("no audio: the finding points at no moment of the call (a check passed for finding nothing, "
                "a trigger that did not fire, or a transcript without times)")
    try:
        path = resolve_recording(db_path, source_path)
    except access.PathNotAllowed:
        return "no audio: the recording is outside the folders the dashboard may play from (qa dashboard --recordings)"
    if path is None:
        return "no audio: the recording file is not on this server"
    return "no audio: the finding's time lies past the end of the recording"


def finding_evidence(db_path: str | os.PathLike, call_id: str, check_id: str) -> Optional[tuple[Optional[str], Optional[float], Optional[float]]]:
    """The newest scored evidence (text, start, end) of ``check_id`` on ``call_id``; for a
    failed finding, the window that was searched. ``None`` when the call has no such finding."""
    with shared_db.read_connection(db_path) as con:
        row = con.execute("SELECT evidence_text, evidence_start, evidence_end FROM check_results "
                          "WHERE call_id = ? AND check_id = ? ORDER BY scored_at DESC LIMIT 1",
                          [call_id, check_id]).fetchone()
    return tuple(row) if row else None


def excerpt(call: Call, start: Optional[float], end: Optional[float], pad: float = CLIP_PAD_SECONDS) -> list[str]:
    """The transcript lines a clip covers ("[01:02] agent: ..."); empty for a call without
    times (an imported chat log), where callers show the evidence text instead."""
    a, b = clip_window(start, end, pad)
    lines = []
    for t in call.turns:
        if t.start is None or t.end is None:
            continue
        if t.end >= a and t.start <= b:
            lines.append(f"[{_mmss(t.start)}] {t.speaker}: {t.text}")
    return lines


def _mmss(seconds: Optional[float]) -> str:
    if seconds is None:
        return "--:--"
    return f"{int(seconds // 60):02d}:{int(seconds % 60):02d}"


@dataclass(frozen=True)
class ClipSpec:
    """One playlist clip to export: ``start``..``end`` is the stretch to cut, as stored."""

    call_id: str
    check_id: Optional[str]
    start: Optional[float]
    end: Optional[float]
    note: Optional[str]
    source_path: Optional[str]
    evidence: Optional[str] = None


def _slug(text: str) -> str:
    slug = re.sub(r"[^\w.-]+", "-", text, flags=re.UNICODE).strip("-.")
    return slug[:60] or "playlist"


def export_playlist(db_path: str | os.PathLike, name: str, clips: Sequence[ClipSpec],
                    out_dir: Optional[str | os.PathLike] = None, mask: bool = False) -> Path:
    """Write the clips as numbered WAV files plus ``transcript.txt`` with each excerpt into a
    new folder inside the export folder; returns the folder. A clip saved without times takes
    its finding's scored evidence (for a failed finding, the window searched). Clips without
    audio contribute their transcript excerpt only, and the transcript says why there is no
    audio: no empty WAV is ever written. ``mask``: long numbers in the excerpts are
    masked (:func:`qa_pipeline.privacy.access.mask_identifiers`) for viewers who may not see
    customer identifiers (``Viewer.masks_identifiers``)."""
    root = export_root(db_path)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    target = access.safe_path([root], out_dir or f"{_slug(name)}-{stamp}")
    target.mkdir(parents=True, exist_ok=True)
    lines = [f"Playlist: {name}", f"Exported: {stamp} UTC", ""]
    for n, clip in enumerate(clips, start=1):
        call = load_call(db_path, clip.call_id)
        start, end, evidence = clip.start, clip.end, clip.evidence
        if clip.check_id and (start is None or evidence is None):  # a clip saved without times: the finding's own
            found = finding_evidence(db_path, clip.call_id, clip.check_id)
            if found and start is None and found[1] is not None:
                start, end = found[1], found[2]
            evidence = evidence or (found[0] if found else None)
        a, b = clip_window(start, end, pad=0.0)
        label = f"{n:02d}_{_slug(clip.call_id)}" + (f"_{_slug(clip.check_id)}" if clip.check_id else "")
        audio, why = None, ""
        try:
            audio = clip_audio(db_path, clip.call_id, clip.source_path, start, end, pad=0.0)
        except access.PathNotAllowed as exc:
            log.warning("clip %s: recording not exported: %s", label, exc)
        if audio:
            (target / f"{label}.wav").write_bytes(audio)
        else:
            why = why_no_clip(db_path, clip.source_path, start)
        lines.append(f"== {label}" + (f" ({_mmss(a)}–{_mmss(b)})" if start is not None else "")
                     + (f" [{why}]" if why else ""))
        if clip.note:
            lines.append(f"note: {clip.note}")
        body = excerpt(call, start, end, pad=0.0) if call and start is not None else []
        body = body or ([f"evidence: {evidence}"] if evidence else
                        ["(no transcript for this clip: the finding has no time and no quoted evidence)"])
        lines += [access.mask_identifiers(line) for line in body] if mask else body
        lines.append("")
    (target / "transcript.txt").write_text("\n".join(lines), encoding="utf-8")
    return target


def zip_folder(folder: Path) -> bytes:
    """The folder's files as one zip (for a browser download)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                zf.write(path, arcname=f"{folder.name}/{path.name}")
    return buf.getvalue()
