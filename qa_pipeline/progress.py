"""One progress protocol that the CLI (a rich bar) and the dashboard (st.progress) both drive.

The pipeline calls ``hook(event)`` as it goes; the default hook does nothing, so the
library never prints (the pyannote pattern). A batch (:func:`qa_pipeline.pipeline.run_batch`)
sends, in order::

    start                                   once: how many calls, how much audio
    decode, transcribe, [diarize, roles],   for each call, as each step begins (diarize and
    [score], store                          roles for mono calls only, score unless turned off)
    done | failed                           for each call, when it is stored

:func:`qa_pipeline.pipeline.process_call` on its own sends the per-call steps from decode to
roles. Step events carry the batch position: ``completed`` calls are finished, so the call
being worked on is number ``completed + 1`` of ``total``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Protocol

# Steps of one call, in the order they run, and what a display says while each runs.
CALL_STEPS: dict[str, str] = {
    "decode": "decoding",
    "transcribe": "transcribing",
    "diarize": "separating speakers of",
    "roles": "assigning roles in",
    "score": "scoring",
    "store": "storing",
}


@dataclass(frozen=True)
class ProgressEvent:
    step: str  # "start" | one of CALL_STEPS | "done" | "failed" | "skipped"
    call_id: Optional[str] = None
    completed: int = 0  # calls finished so far
    total: int = 0  # calls in the batch
    audio_seconds_done: float = 0.0
    audio_seconds_total: float = 0.0
    message: str = ""

    def describe(self) -> str:
        """What is happening, in words: "transcribing call 12/40", "call 12/40 done"."""
        if self.step in CALL_STEPS:
            # min(): the re-scorer reports "score" after each batch, with every call of it counted
            number = f" {min(self.completed + 1, self.total)}/{self.total}" if self.total else ""
            return f"{CALL_STEPS[self.step]} call{number}"
        if self.step in ("done", "failed", "skipped"):
            number = f" {self.completed}/{self.total}" if self.total else ""
            return f"call{number} {self.step}"
        return self.message or self.step


class ProgressHook(Protocol):
    def __call__(self, event: ProgressEvent) -> None: ...


def no_progress(event: ProgressEvent) -> None:
    """The default hook: does nothing."""
