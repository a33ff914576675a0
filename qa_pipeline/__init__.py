"""qa_pipeline: offline call-centre quality assurance.

Start reading at :func:`process_call`: decode → transcribe → separate speakers → assign
roles → redact; then :func:`score_call` against a rubric, and :func:`run_batch` for a
folder of recordings into a database::

    from qa_pipeline import CallInfo, Models, RunOptions, process_call, score_call, standard_rubric

    options = RunOptions(language="en")
    models = Models(options)  # each model loads once, on first use
    call = process_call("calls/0001.wav", CallInfo("0001"), models, options)
    result = score_call(call, standard_rubric("en"))

The names below load on first use, so ``import qa_pipeline`` (and the ``qa`` command's
start-up) stays cheap: the pipeline brings numpy and PyAV, the rubric engine its own
modules, the store DuckDB.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_WHERE = {
    "process_call": "qa_pipeline.pipeline",
    "run_batch": "qa_pipeline.pipeline",
    "Models": "qa_pipeline.pipeline",
    "RunOptions": "qa_pipeline.pipeline",
    "BatchSummary": "qa_pipeline.pipeline",
    "score_call": "qa_pipeline.rubric",
    "load_rubric": "qa_pipeline.rubric",
    "standard_rubric": "qa_pipeline.rubric",
    "standard_rubric_for": "qa_pipeline.rubric",
    "Rubric": "qa_pipeline.rubric",
    "connect": "qa_pipeline.store.database",
    "ProgressEvent": "qa_pipeline.progress",
    "ProgressHook": "qa_pipeline.progress",
    "QaError": "qa_pipeline.errors",
    "InputError": "qa_pipeline.errors",
    **{name: "qa_pipeline.records" for name in (
        "Audio", "Call", "CallInfo", "CallFailure", "CallMetrics", "CallResult", "Evidence", "Finding",
        "SpeakerSegment", "Turn", "Word")},
}

__all__ = [
    "__version__", "process_call", "run_batch", "Models", "RunOptions", "BatchSummary", "score_call", "load_rubric",
    "standard_rubric", "standard_rubric_for", "Rubric", "connect", "ProgressEvent", "ProgressHook", "QaError",
    "InputError", "Audio", "Call", "CallInfo", "CallFailure", "CallMetrics", "CallResult", "Evidence", "Finding",
    "SpeakerSegment", "Turn", "Word",
]

if TYPE_CHECKING:  # for type checkers and go-to-definition; at run time __getattr__ imports on first use
    from qa_pipeline.errors import InputError, QaError
    from qa_pipeline.pipeline import BatchSummary, Models, RunOptions, process_call, run_batch
    from qa_pipeline.progress import ProgressEvent, ProgressHook
    from qa_pipeline.records import (
        Audio,
        Call,
        CallFailure,
        CallInfo,
        CallMetrics,
        CallResult,
        Evidence,
        Finding,
        SpeakerSegment,
        Turn,
        Word,
    )
    from qa_pipeline.rubric import Rubric, load_rubric, score_call, standard_rubric, standard_rubric_for
    from qa_pipeline.store.database import connect


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'qa_pipeline' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found once; later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
