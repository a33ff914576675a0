"""How speech recognition runs on this machine: device, number type, batch size, threads.

`qa run` with no tuning flags calls :func:`speech_settings` and gets the fastest settings
measured for the machine it runs on (bench/throughput.py; figures in the README):

- an NVIDIA GPU (CTranslate2 sees one): ``cuda``, ``float16``, batches of 16;
- otherwise the CPU, ``int8``, sequential decoding (batching lost accuracy there), and the
  cores shared out between the worker processes as threads;
- either way beam search 2 wide (:data:`BEAM_SIZE`).

Any value given (``qa run --device/--compute-type/--batch-size/--threads``) is kept as given.
"""
from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass
from typing import Optional

log = logging.getLogger(__name__)

DEVICES = ("auto", "cpu", "cuda")
# On 2 CPU cores batched decoding (batch 8) spent 30 % less CPU time than sequential decoding
# on the same calls, but its English WER rose from 0.091 to 0.105, above bare faster-whisper's
# 0.098 (bench/throughput.py; no previous text as context, no temperature fallback): so the
# CPU default stays sequential and batching is opt-in there (`qa run --batch-size 8`).
CPU_BATCH_SIZE = 1
# Not measured here (no GPU on the development machine): faster-whisper's own GPU benchmark
# uses batches of 16 for large-v2/v3; a base-size model is far smaller, so 16 fits any card.
CUDA_BATCH_SIZE = 16
# Beam 2, not faster-whisper's 5, keeping its temperature fallback and previous-text context:
# on 4 rendered stereo calls + the 4 shared clips (bench/throughput.py, one run) `qa run` spent
# 97 CPU s instead of 115 (-16 %), English WER 0.134 vs 0.141, Mandarin CER 0.065 both.
BEAM_SIZE = 2


@dataclass(frozen=True)
class SpeechSettings:
    device: str  # cpu | cuda
    compute_type: str  # CTranslate2's: int8, float16, int8_float16, float32, ...
    batch_size: int  # 1: sequential decoding (faster-whisper's own loop)
    cpu_threads: int  # per worker process; 0: CTranslate2's default
    beam_size: int = BEAM_SIZE  # beam search width (faster-whisper's default: 5)


def cuda_device_count() -> int:
    """GPUs CTranslate2 can use (0 where it was built without CUDA or the driver is missing)."""
    import ctranslate2

    try:
        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # no driver, no libcuda: a CPU machine
        return 0


def supported_compute_types(device: str) -> set[str]:
    """CTranslate2's number types for ``device`` on this machine (empty where it cannot say)."""
    import ctranslate2

    try:
        return set(ctranslate2.get_supported_compute_types(device))
    except Exception:
        return set()


def speech_settings(device: str = "auto", compute_type: Optional[str] = None, batch_size: Optional[int] = None,
                    threads: Optional[int] = None, workers: int = 1, beam_size: Optional[int] = None) -> SpeechSettings:
    """The settings to load the speech model with; ``None`` (and ``device="auto"``) means
    "the fastest measured for this machine".

    >>> speech_settings("cpu", threads=None, workers=2).cpu_threads == max((os.cpu_count() or 1) // 2, 1)
    True
    """
    if device not in DEVICES:
        raise ValueError(f"device {device!r}: use one of {', '.join(DEVICES)}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch size {batch_size}: use 1 (no batching) or more")
    if beam_size is not None and beam_size < 1:
        raise ValueError(f"beam size {beam_size}: use 1 (greedy decoding) or more")
    if threads is not None and threads < 0:
        raise ValueError(f"threads {threads}: use 0 (CTranslate2's default) or more")
    gpus = cuda_device_count() if device in ("auto", "cuda") else 0
    if device == "cuda" and gpus == 0:
        raise ValueError("--device cuda: no NVIDIA GPU that CTranslate2 can use was found; use --device cpu or auto")
    chosen = "cuda" if gpus > 0 else "cpu"
    if chosen == "cuda":
        settings = SpeechSettings("cuda", compute_type or "float16",
                                  CUDA_BATCH_SIZE if batch_size is None else batch_size,
                                  threads if threads is not None else 0)
    else:
        settings = SpeechSettings("cpu", compute_type or "int8", CPU_BATCH_SIZE if batch_size is None else batch_size,
                                  threads if threads is not None else max((os.cpu_count() or 1) // max(workers, 1), 1))
    settings = dataclasses.replace(settings, beam_size=BEAM_SIZE if beam_size is None else beam_size)
    supported = supported_compute_types(settings.device)
    if supported and settings.compute_type not in supported | {"default", "auto"}:
        raise ValueError(f"compute type {settings.compute_type!r} is not available on {settings.device}; "
                         f"use one of {', '.join(sorted(supported))}")
    log.info("speech recognition on %s (%s), batch size %d, beam %d, %d CPU threads", settings.device,
             settings.compute_type, settings.batch_size, settings.beam_size, settings.cpu_threads)
    return settings
