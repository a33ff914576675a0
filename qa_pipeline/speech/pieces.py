"""A long recording read and transcribed in pieces, so that memory stays flat however long it is.

A 3-hour stereo call decoded whole is 1.4 GB of 16 kHz samples, and the speech-activity pass
over it several times that. A recording longer than :data:`LONG_CALL_SECONDS` (by its
container) is instead read twice, a block at a time: once to learn what :func:`decode` would
tell about it (length, silent channels, the same signal on both: :func:`survey`), then in
pieces of about :data:`PIECE_SECONDS` (:func:`pieces`), each cut at the quietest half second
of its last :data:`CUT_SEARCH_SECONDS` (both channels together), so that no word is cut in two.
Each piece is transcribed as a short call is (:func:`transcribe_pieces`, the transcriber's own
``transcribe_channels`` with the piece's start as offset), and its words join the call's.

Decoding twice costs little beside recognition (bench/long_calls.py). Shorter recordings are
decoded whole, as before.

    found = survey("long.wav")
    transcripts, language = transcribe_pieces(transcriber, pieces("long.wav"),
                                              lambda piece: [(piece.channels[0], "agent")], language="en")
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence

import numpy as np

from qa_pipeline.checksum import file_sha256
from qa_pipeline.errors import InputError
from qa_pipeline.speech.audio import TARGET_RATE, decoded_blocks, is_silent, same_signal
from qa_pipeline.speech.transcribe import Transcript
from qa_pipeline.speech.vocabulary import Vocabulary

log = logging.getLogger(__name__)

# What a piece costs in memory grows with its length: the speech-activity pass and Whisper's
# features take about 75 MB per minute of a stereo piece beside the samples (bench/long_calls.py:
# 10-minute pieces peaked at 1.0 GB with whisper-base loaded, a 5-minute call at 0.64 GB).
PIECE_SECONDS = 300.0
LONG_CALL_SECONDS = 450.0  # longer recordings are read in pieces; no piece is then shorter than 2.5 min
CUT_SEARCH_SECONDS = 60.0
STEP = TARGET_RATE // 10  # pieces start on a 0.1 s grid, as is_silent measures
SPAN = 60 * TARGET_RATE  # the unit the decoded audio is regrouped in


@dataclass(frozen=True)
class Piece:
    """A stretch of the recording: ``start`` seconds into it, one 16 kHz array per channel."""

    start: float
    channels: tuple[np.ndarray, ...]

    @property
    def seconds(self) -> float:
        return len(self.channels[0]) / TARGET_RATE if self.channels else 0.0

    def mono(self) -> np.ndarray:
        """Both channels mixed, as :func:`qa_pipeline.speech.audio.mono_mix` mixes a call."""
        if len(self.channels) == 1:
            return self.channels[0]
        return (self.channels[0] + self.channels[1]) / 2


@dataclass(frozen=True)
class Survey:
    """What decoding a recording whole tells about it, found a block at a time."""

    path: str
    sha256: str
    source_sample_rate: int
    duration: float
    silent: tuple[bool, ...]  # per channel: no 0.1 s louder than is_silent's threshold
    dual_mono: bool  # stereo with the same signal on both channels (audio.is_dual_mono)

    @property
    def channel_count(self) -> int:
        return len(self.silent)


class WholeMix:
    """The mono mix of a whole recording read in pieces, filled as the pieces pass: what a
    diarized mono call keeps for the diarizer, which needs the whole call (pyannote's
    segmentation reads the whole waveform and clusters the speakers over the call; CAM++
    removes the call's mean). One array of the survey's length holds the mix once, where
    joining the pieces at the end held it twice (1.4 GB at 3 hours)."""

    def __init__(self, found: Survey):
        # zeros: its pages are mapped as the pieces fill them, so memory grows with the call read
        self.samples = np.zeros(round(found.duration * TARGET_RATE), dtype=np.float32)

    def add(self, piece: Piece) -> np.ndarray:
        """``piece``'s mono mix, kept in its place in the whole mix."""
        mono = piece.mono()
        at = round(piece.start * TARGET_RATE)
        self.samples[at:at + len(mono)] = mono
        return mono


def read_in_pieces(seconds: float) -> bool:
    """Whether a recording of ``seconds`` (as its container says) is read in pieces."""
    return seconds > LONG_CALL_SECONDS


def survey(path: str | Path, *, max_seconds: float = 4 * 3600, sha256: Optional[str] = None) -> Survey:
    """One pass over the recording, holding a minute of it at a time; raises
    :class:`InputError` where :func:`~qa_pipeline.speech.audio.decode` would."""
    path = Path(path)
    blocks = decoded_blocks(path, max_seconds=max_seconds)
    rate = next(blocks)
    sha = sha256 or file_sha256(path)
    silent: Optional[list[bool]] = None
    peaks = [0.0, 0.0]
    squared_difference = dot = left_energy = right_energy = 0.0
    total = 0
    for span in _spans(blocks, SPAN):
        if silent is None:
            silent = [True] * span.shape[0]
        for i, channel in enumerate(span):
            silent[i] = silent[i] and is_silent(channel)
        if span.shape[0] == 2:
            left, right = span.astype(np.float64)
            peaks = [max(peaks[0], float(np.abs(left).max(initial=0.0))),
                     max(peaks[1], float(np.abs(right).max(initial=0.0)))]
            squared_difference += float(np.sum((left - right) ** 2))
            dot += float(np.dot(left, right))
            left_energy += float(np.dot(left, left))
            right_energy += float(np.dot(right, right))
        total += span.shape[1]
    if silent is None:
        raise InputError(path, "no audio could be decoded (corrupt or truncated file)")
    if total / TARGET_RATE < 0.1:
        raise InputError(path, f"only {total / TARGET_RATE:.2f} s of audio")
    dual = False
    if len(silent) == 2:
        scale = max(peaks[0], peaks[1], 1e-9)
        denom = float(np.sqrt(left_energy) * np.sqrt(right_energy))
        dual = same_signal(float(np.sqrt(squared_difference / total)) / scale, dot / denom if denom > 0 else 0.0)
    return Survey(str(path), sha, rate, total / TARGET_RATE, tuple(silent), dual)


def pieces(path: str | Path, *, piece_seconds: Optional[float] = None, max_seconds: float = 4 * 3600,
           search_seconds: float = CUT_SEARCH_SECONDS) -> Iterator[Piece]:
    """The recording in pieces of about ``piece_seconds``, in order, each cut at the quietest
    half second (both channels together) of the last ``search_seconds`` before that length.
    At most one and a half pieces of audio are held at a time; the last piece is the rest
    (half a piece to one and a half). ``piece_seconds`` defaults to :data:`PIECE_SECONDS`."""
    piece = _on_grid((piece_seconds or PIECE_SECONDS) * TARGET_RATE)
    search = min(_on_grid(search_seconds * TARGET_RATE), piece // 2)
    blocks = decoded_blocks(path, max_seconds=max_seconds)
    next(blocks)
    held: list[np.ndarray] = []
    count = 0
    start = 0
    for span in _spans(blocks, STEP * 100):
        held.append(span)
        count += span.shape[1]
        if count < piece + piece // 2:
            continue
        data = np.concatenate(held, axis=1)
        cut = quiet_cut(data, piece - search, piece)
        yield Piece(start / TARGET_RATE, tuple(data[:, :cut]))
        held, count, start = [data[:, cut:].copy()], data.shape[1] - cut, start + cut
        del data
    if count:
        data = np.concatenate(held, axis=1)
        yield Piece(start / TARGET_RATE, tuple(data))


def quiet_cut(data: np.ndarray, lo: int, hi: int) -> int:
    """Where to cut ``data`` (channels × samples) between samples ``lo`` and ``hi``: the middle
    of its quietest half second, all channels together, on the 0.1 s grid."""
    hop = TARGET_RATE // 50  # 20 ms
    lo, hi = max(lo, 0), min(hi, data.shape[1])
    n = (hi - lo) // hop
    if n < 25:
        return _on_grid(hi)
    frames = data[:, lo: lo + n * hop].astype(np.float64).reshape(data.shape[0], n, hop)
    energy = (frames ** 2).mean(axis=2).sum(axis=0)
    smooth = np.convolve(energy, np.ones(25) / 25, mode="valid")  # each 0.5 s window
    middle = lo + (int(np.argmin(smooth)) + 12) * hop + hop // 2
    return min(max(round(middle / STEP) * STEP, STEP), _on_grid(hi))


def transcribe_pieces(transcriber, recording: Iterable[Piece],
                      sides: Callable[[Piece], Sequence[tuple[np.ndarray, str]]], *, language: str = "auto",
                      vocabulary: Optional[Vocabulary] = None) -> tuple[list[Transcript], str]:
    """Each piece's ``sides(piece)`` (``(samples, speaker)``, the same speakers in the same
    order for every piece) transcribed with the transcriber's ``transcribe_channels``, times
    offset by the piece's start; one :class:`Transcript` per side for the whole recording, and
    the language (``"auto"``: detected on the first piece, as a short call's is on the call).
    """
    joined: list[list[Transcript]] = []
    for piece in recording:
        said = transcriber.transcribe_channels(list(sides(piece)), language=language, offset=piece.start,
                                               vocabulary=vocabulary)
        if language == "auto":  # detected by the transcriber on the first piece's speech, then kept
            language = next((t.language for t in said if t.language not in ("auto", "unknown")), "auto")
        log.debug("piece at %.0f s (%.0f s): %d words", piece.start, piece.seconds, sum(len(t.words) for t in said))
        joined = [[t] for t in said] if not joined else [parts + [t] for parts, t in zip(joined, said)]
    return [_whole_call(parts) for parts in joined], "unknown" if language == "auto" else language


def _whole_call(parts: Sequence[Transcript]) -> Transcript:
    heard = next((t for t in parts if t.words), parts[0])
    thresholds = [t.vad_threshold for t in parts if t.vad_threshold is not None]
    return Transcript(tuple(w for t in parts for w in t.words), heard.language, heard.language_probability,
                      round(sum(t.speech_seconds for t in parts), 2),
                      round(sum(t.untranscribed_seconds for t in parts), 2),
                      min(thresholds) if thresholds else None)


def _spans(blocks: Iterable[np.ndarray], size: int) -> Iterator[np.ndarray]:
    """The decoded blocks regrouped into arrays of exactly ``size`` samples (the last shorter)."""
    held: list[np.ndarray] = []
    count = 0
    for block in blocks:
        held.append(block)
        count += block.shape[1]
        if count >= size:
            data = np.concatenate(held, axis=1)
            whole = data.shape[1] // size * size
            for at in range(0, whole, size):
                yield data[:, at: at + size].astype(np.float32, copy=False)
            held, count = [data[:, whole:]], data.shape[1] - whole
    if count:
        yield np.concatenate(held, axis=1).astype(np.float32, copy=False)


def _on_grid(samples: float) -> int:
    return int(samples) // STEP * STEP
