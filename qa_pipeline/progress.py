"""One progress protocol that the CLI (a rich bar) and the dashboard (st.progress) both drive.

The pipeline calls ``hook(event)`` after each step; the default hook does nothing, so the
library never prints (the pyannote pattern).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Protocol


@dataclass(frozen=True)
class ProgressEvent:
    step: str  # "start" | "decode" | "transcribe" | "diarize" | "roles" | "score" | "store" | "done" | "failed" | "skipped"
    call_id: Optional[str] = None
    completed: int = 0  # calls finished so far
    total: int = 0  # calls in the batch
    audio_seconds_done: float = 0.0
    audio_seconds_total: float = 0.0
    message: str = ""


class ProgressHook(Protocol):
    def __call__(self, event: ProgressEvent) -> None: ...


def no_progress(event: ProgressEvent) -> None:
    """The default hook: does nothing."""
