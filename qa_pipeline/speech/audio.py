"""Decode a call recording: every channel kept, resampled to 16 kHz float32, with its facts.

PyAV (which faster-whisper already depends on) reads wav, flac, mp3, m4a, ogg and opus.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from qa_pipeline.checksum import file_sha256
from qa_pipeline.errors import InputError
from qa_pipeline.records import Audio

log = logging.getLogger(__name__)

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus")
TARGET_RATE = 16000
MIN_SOURCE_RATE, MAX_SOURCE_RATE = 8000, 48000


def decode(path: str | Path, *, max_seconds: float = 4 * 3600, sha256: str | None = None) -> Audio:
    """Decode ``path`` into an :class:`Audio` with one 16 kHz float32 array per channel.

    Raises :class:`InputError` with a reason a person understands (empty file, not audio,
    too many channels, unsupported sample rate, too long, silent). A long recording can be
    read in blocks instead (:func:`decoded_blocks`), without holding all of it.
    """
    path = Path(path)
    _readable_size(path)
    sha = sha256 or file_sha256(path)
    opened = decoded_blocks(path, max_seconds=max_seconds)
    rate = next(opened)
    chunks = list(opened)
    if not chunks:
        raise InputError(path, "no audio could be decoded (corrupt or truncated file)")
    data = np.concatenate(chunks, axis=1).astype(np.float32)
    duration = data.shape[1] / TARGET_RATE
    if duration < 0.1:
        raise InputError(path, f"only {duration:.2f} s of audio")
    return Audio(path=str(path), sha256=sha, sample_rate=TARGET_RATE, source_sample_rate=rate,
                 duration=duration, channels=tuple(data[i] for i in range(data.shape[0])))


def decoded_blocks(path: str | Path, *, max_seconds: float = 4 * 3600) -> Iterator[Any]:
    """The recording's source sample rate, then its audio as it decodes: arrays of shape
    (channels, samples) at 16 kHz, each a few hundred milliseconds, so that a long recording
    can be read without holding all of it (:mod:`qa_pipeline.speech.pieces`).

    Raises :class:`InputError` as :func:`decode` does; audio data corrupt after some decoded
    blocks ends the blocks there, with a warning.
    """
    import av

    path = Path(path)
    _readable_size(path)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.error.InvalidDataError, av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not a readable audio file ({_short(exc)})") from exc
    with container:
        if not container.streams.audio:
            raise InputError(path, "the file has no audio stream")
        stream = container.streams.audio[0]
        channels = stream.codec_context.channels or 0
        rate = stream.codec_context.sample_rate or 0
        if channels not in (1, 2):
            raise InputError(path, f"{channels}-channel audio; a call recording must be mono or stereo "
                                   f"(downmix it, e.g. `ffmpeg -i IN -ac 2 OUT.wav`)")
        if not MIN_SOURCE_RATE <= rate <= MAX_SOURCE_RATE:
            raise InputError(path, f"sample rate {rate} Hz is outside the supported 8–48 kHz")
        if stream.duration and stream.time_base and float(stream.duration * stream.time_base) > max_seconds:
            raise InputError(path, f"longer than the limit of {max_seconds / 3600:.1f} h "
                                   f"({float(stream.duration * stream.time_base) / 3600:.1f} h); "
                                   "split it or raise --max-hours")
        yield rate
        layout = "stereo" if channels == 2 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=TARGET_RATE)
        total = 0
        try:
            for frame in container.decode(stream):
                frame.pts = None
                for out in resampler.resample(frame):
                    arr = out.to_ndarray()
                    total += arr.shape[1]
                    yield arr
                if total > max_seconds * TARGET_RATE:
                    raise InputError(path, f"longer than the limit of {max_seconds / 3600:.1f} h; "
                                           "split it or raise --max-hours")
            for out in resampler.resample(None):
                arr = out.to_ndarray()
                total += arr.shape[1]
                yield arr
        except av.error.FFmpegError as exc:
            if not total:
                raise InputError(path, f"the audio data is corrupt ({_short(exc)})") from exc
            log.warning("%s: audio data corrupt after %.1f s; using what decoded", path, total / TARGET_RATE)


def _readable_size(path: Path) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from exc
    if size == 0:
        raise InputError(path, "the file is empty (0 bytes)")
    return size


def recorded_seconds(path: str | Path) -> float:
    """The recording's length as its container says (0.0 when it does not say, or cannot be
    read): cheap, read before decoding, and trusted only to choose how to decode."""
    try:
        import av

        with av.open(str(path), metadata_errors="ignore") as container:
            return float(container.duration or 0) / 1_000_000
    except Exception:
        return 0.0


def is_dual_mono(audio: Audio, *, tolerance: float = 0.02) -> bool:
    """True when a stereo file carries the same signal on both channels (many recorders
    write mono that way): it is then one mixed call, not two speakers."""
    if audio.channel_count != 2:
        return False
    left, right = audio.channels
    scale = max(float(np.abs(left).max(initial=0.0)), float(np.abs(right).max(initial=0.0)), 1e-9)
    diff = float(np.sqrt(np.mean((left - right) ** 2))) / scale
    denom = float(np.linalg.norm(left) * np.linalg.norm(right))
    return same_signal(diff, float(np.dot(left, right)) / denom if denom > 0 else 0.0, tolerance=tolerance)


def same_signal(relative_difference: float, correlation: float, *, tolerance: float = 0.02) -> bool:
    """The rule :func:`is_dual_mono` applies, from the channels' RMS difference over their peak
    and their correlation (also measured block by block on a long recording)."""
    if relative_difference <= tolerance:
        return True
    # Same voice at a different gain still counts as one signal.
    return correlation > 0.98


def is_silent(samples: np.ndarray, *, threshold_db: float = -55.0) -> bool:
    """True when no 0.1 s of ``samples`` (16 kHz) is louder than ``threshold_db`` (RMS, dBFS).

    The loudest stretch decides, not the whole channel's level: a quiet agent channel
    (speech at -30 dBFS, silent while the customer talks) averages below -55 dB and was
    once skipped as silence."""
    if samples.size == 0:
        return True
    step = TARGET_RATE // 10
    padded = np.zeros(-(-samples.size // step) * step, dtype=np.float64)
    padded[:samples.size] = samples
    loudest = float(np.sqrt(np.mean(padded.reshape(-1, step) ** 2, axis=1)).max())
    return 20 * np.log10(max(loudest, 1e-12)) < threshold_db


def mono_mix(audio: Audio) -> np.ndarray:
    if audio.channel_count == 1:
        return audio.channels[0]
    return (audio.channels[0] + audio.channels[1]) / 2


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
