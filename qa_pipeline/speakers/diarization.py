"""Who spoke when in a mono call: pyannote.audio speaker diarization, fully offline.

An optional extra (``pip install 'qa-pipeline[diarization]'``: torch, torchaudio,
pyannote.audio). Without it :func:`diarization_available` says what to install and mono
calls keep speaker ``unknown``. The default pipeline is the ``diarization`` model pack
(:mod:`qa_pipeline.speakers.diarization_pack`); any pyannote pipeline directory or, with the
network, a Hugging Face id such as ``pyannote/speaker-diarization-community-1`` works too.

Example::

    diarizer = Diarizer()                       # loads the models once, for the batch
    segments = diarizer.diarize(samples, 16000)  # [SpeakerSegment(0.5, 3.2, "SPEAKER_00"), ...]
    words = assign_speakers(words, segments)     # each word gets the label that overlaps it most
"""
from __future__ import annotations

import functools
import importlib.util
import logging
import os
import time
import warnings
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

from qa_pipeline.errors import QaError
from qa_pipeline.records import SpeakerSegment, Word

log = logging.getLogger(__name__)

DEFAULT_PACK = "diarization"
SAMPLE_RATE = 16000
# Below this much audio there is nothing to separate (a hang-up, a wrong number).
MIN_SECONDS = 2.0
# Peak level below which a call is taken as silent (about -60 dBFS).
SILENCE_PEAK = 1e-3
# A word no segment covers goes to the nearest segment within this distance.
NEAREST_SECONDS = 1.0

INSTALL_HINT = ("install the diarization extra: pip install 'qa-pipeline[diarization]' "
                "(torch==2.14.1, torchaudio==2.11.0, pyannote-audio==4.0.7), then `qa models install diarization`")


class DiarizationError(QaError):
    pass


def diarization_available() -> tuple[bool, str]:
    """Whether torch and pyannote.audio are installed; if not, what to install."""
    missing = [name for name in ("torch", "torchaudio", "pyannote.audio") if not _installed(name)]
    if missing:
        return False, f"{', '.join(missing)} not installed; {INSTALL_HINT}"
    return True, "pyannote.audio installed"


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # parent package missing
        return False


def resolve_pipeline(pipeline: Optional[str]) -> str:
    """``None`` or a pack name -> the pack directory (assembled if needed); a directory or
    config.yaml as is; anything else is taken as a Hugging Face id (needs the network)."""
    from qa_pipeline import model_packs as models

    name = pipeline or DEFAULT_PACK
    _, packs = models.load_manifest()
    if name in packs:
        pack = packs[name]
        if pack.kind != "diarization":
            raise DiarizationError(f"{name} is a {pack.kind} pack, not a diarization pipeline")
        if models.verify(name):
            return str(models.install(name))
        return str(models.pack_dir(pack))
    path = Path(name).expanduser()
    if path.exists():
        config = path / "config.yaml" if path.is_dir() else path
        if not config.is_file():
            raise DiarizationError(f"{path}: not a pyannote pipeline (no config.yaml)")
        return str(path)
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        raise DiarizationError(
            f"diarization pipeline {name!r} is neither a model pack ({', '.join(sorted(packs))}) nor a local "
            "directory, and HF_HUB_OFFLINE=1 forbids downloading it")
    return name


@functools.lru_cache(maxsize=2)
def _load_pipeline(source: str, device: str) -> Any:
    # pyannote.audio sends usage metrics to its authors unless told not to, before import.
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torchcodec/FFmpeg and Lightning notices: we decode audio ourselves
        from pyannote.audio import Pipeline

        started = time.monotonic()
        pipeline = Pipeline.from_pretrained(source, token=os.environ.get("HF_TOKEN"))
    if pipeline is None:
        raise DiarizationError(f"{source}: pyannote could not load this pipeline (private or gated on the hub? "
                               "set HF_TOKEN)")
    pipeline.to(torch.device(device))
    log.info("diarization pipeline %s loaded on %s in %.1f s", source, device, time.monotonic() - started)
    return pipeline


class Diarizer:
    """A pyannote pipeline loaded once (per process, source and device) for a whole batch."""

    def __init__(self, pipeline: Optional[str] = None, device: str = "cpu", threads: Optional[int] = None):
        ok, reason = diarization_available()
        if not ok:
            raise DiarizationError(reason)
        self.source = resolve_pipeline(pipeline)
        self.device = device
        # One torch thread by default: on a 2-core machine shared with transcription and other
        # work, two threads spin-wait on each other and ran 1.5-2x slower than one.
        self.threads = threads or int(os.environ.get("QA_DIARIZATION_THREADS", "1"))
        try:
            self.pyannote = _load_pipeline(self.source, device)
        except QaError:
            raise
        except Exception as exc:  # pyannote raises many kinds; say which pipeline failed
            raise DiarizationError(f"{self.source}: cannot load the diarization pipeline: {exc}") from exc
        self.last_status = "not run"
        self.last_seconds = 0.0
        self.last_steps: dict[str, float] = {}  # seconds per pyannote step of the last call

    def diarize(self, samples: np.ndarray, sample_rate: int, *, min_speakers: Optional[int] = None,
                max_speakers: Optional[int] = None) -> list[SpeakerSegment]:
        """Speaker turns of a mono recording (float samples in [-1, 1]), sorted by start.

        Returns ``[]`` for audio too short or silent to separate; :attr:`last_status` says why.
        Overlapping speech gives overlapping segments of different labels.
        """
        import torch

        audio = np.asarray(samples, dtype=np.float32)
        if audio.ndim == 2:  # (channels, samples) or soundfile's (samples, channels): mix down
            audio = audio.mean(axis=0 if audio.shape[0] < audio.shape[1] else 1)
        duration = audio.shape[-1] / float(sample_rate) if sample_rate else 0.0
        if duration < MIN_SECONDS:
            return self._nothing(f"audio too short to separate speakers ({duration:.1f} s < {MIN_SECONDS:.0f} s)")
        if not np.isfinite(audio).all() or float(np.max(np.abs(audio))) < SILENCE_PEAK:
            return self._nothing("audio is silent; no speakers to separate")
        waveform = torch.from_numpy(audio)[None]
        if sample_rate != SAMPLE_RATE:  # e.g. 8 kHz telephone audio
            import torchaudio.functional

            waveform = torchaudio.functional.resample(waveform, sample_rate, SAMPLE_RATE)
        started = time.monotonic()
        kwargs = {k: v for k, v in (("min_speakers", min_speakers), ("max_speakers", max_speakers)) if v}
        self.last_steps = {}
        threads = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                output = self.pyannote({"waveform": waveform, "sample_rate": SAMPLE_RATE},
                                        hook=_StepTimer(self.last_steps), **kwargs)
        finally:
            torch.set_num_threads(threads)
        self.last_seconds = time.monotonic() - started
        self.last_steps["output"] = max(0.0, self.last_seconds - sum(self.last_steps.values()))
        annotation = getattr(output, "speaker_diarization", output)  # pyannote 4 output, or 3.x Annotation
        segments = sorted(
            (SpeakerSegment(round(seg.start, 3), round(seg.end, 3), str(label))
             for seg, _, label in annotation.itertracks(yield_label=True)),
            key=lambda s: (s.start, s.end, s.label),
        )
        labels = {s.label for s in segments}
        if not segments:
            return self._nothing("no speech found by diarization")
        self.last_status = f"{len(labels)} speaker(s) in {len(segments)} turns ({self.last_seconds:.1f} s)"
        log.debug("diarization: %s", self.last_status)
        return segments

    def _nothing(self, reason: str) -> list[SpeakerSegment]:
        self.last_status = reason
        self.last_seconds = 0.0
        log.info("diarization: %s", reason)
        return []


class _StepTimer:
    """pyannote hook: the time up to each step's last report is that step's time.

    pyannote reports "discrete_diarization" after clustering and reconstruction; we call it
    clustering."""

    NAMES = {"discrete_diarization": "clustering"}

    def __init__(self, steps: dict[str, float]):
        self.steps = steps
        self.last = time.monotonic()

    def __call__(self, step_name: str, step_artifact: Any, file: Any = None, total: Optional[int] = None,
                 completed: Optional[int] = None) -> None:
        now = time.monotonic()
        name = self.NAMES.get(step_name, step_name)
        self.steps[name] = self.steps.get(name, 0.0) + now - self.last
        self.last = now


def assign_speakers(words: Sequence[Word], segments: Sequence[SpeakerSegment]) -> list[Word]:
    """Give each word the label of the segment that overlaps it most.

    Words in overlapping speech go to whichever speaker covers more of the word, so both
    speakers keep their own words; a word lying wholly inside both turns goes to the turn
    that started first (the ongoing speaker, whom the recogniser usually follows). A word no segment touches goes to the nearest segment
    within :data:`NEAREST_SECONDS` and otherwise stays ``unknown``.
    """
    if not segments:
        return [_with_speaker(w, "unknown") for w in words]
    ordered = sorted(segments, key=lambda s: s.start)
    starts = np.array([s.start for s in ordered])
    longest = max(s.end - s.start for s in ordered)
    out = []
    for word in words:
        # Only segments starting before the word ends and not too long before it can touch it.
        lo = int(np.searchsorted(starts, word.start - longest - NEAREST_SECONDS, side="left"))
        hi = int(np.searchsorted(starts, word.end + NEAREST_SECONDS, side="right"))
        near = ordered[lo:hi]
        label = "unknown"
        if near:
            best = max(near, key=lambda s: _overlap(word, s))
            if _overlap(word, best) > 0:
                label = best.label
            else:
                nearest = min(near, key=lambda s: _gap(word, s))
                if _gap(word, nearest) <= NEAREST_SECONDS:
                    label = nearest.label
        out.append(_with_speaker(word, label))
    return out


def _overlap(word: Word, seg: SpeakerSegment) -> float:
    return min(word.end, seg.end) - max(word.start, seg.start)


def _gap(word: Word, seg: SpeakerSegment) -> float:
    return max(seg.start - word.end, word.start - seg.end, 0.0)


def _with_speaker(word: Word, speaker: str) -> Word:
    return Word(word.start, word.end, word.text, word.probability, speaker)

