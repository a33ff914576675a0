"""Rubrics: YAML QA forms scored against calls, with quoted, timed evidence per check.

Start at :func:`score_call`. A rubric file (see ``docs/rubrics.md``) lists checks built
from the check types in :mod:`qa_pipeline.rubric.checks`; :func:`load_rubric` validates it
completely before anything is scored.

>>> rubric = standard_rubric("zh")
>>> rubric.check_ids[:3]
('complaint', 'A1', 'A2')
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from qa_pipeline import package_data
from qa_pipeline.errors import InputError
from qa_pipeline.language import lang_family, looks_chinese
from qa_pipeline.rubric.engine import score_call
from qa_pipeline.rubric.loader import load_rubric, parse_rubric
from qa_pipeline.rubric.model import Check, Rubric

log = logging.getLogger(__name__)

__all__ = ["load_rubric", "parse_rubric", "standard_rubric", "standard_rubric_for", "score_call",
           "Rubric", "Check", "rubrics_dir", "STANDARD_FILES"]

STANDARD_FILES = {"zh": "standard-zh.yaml", "en": "standard-en.yaml"}


def rubrics_dir() -> Path:
    """Where the standard rubrics live: $QA_RUBRICS_DIR, else the ones shipped in the package."""
    env = os.environ.get("QA_RUBRICS_DIR")
    return Path(env) if env else package_data.rubrics_dir()


@lru_cache(maxsize=8)
def _standard(family: str, directory: str) -> Rubric:
    path = Path(directory) / STANDARD_FILES[family]
    if not path.exists():
        raise InputError(path, "standard rubric not found; set QA_RUBRICS_DIR to the folder holding "
                               f"{', '.join(STANDARD_FILES.values())}")
    return load_rubric(path)


def standard_rubric(language: str) -> Rubric:
    """The standard QA form for ``language``: Mandarin (zh, zh-CN, cmn…) or English.

    Any other language gets the English form: its checks still judge timings, numbers and
    structure, and its English phrases are the closest shared vocabulary."""
    family = lang_family(language)
    if family == "en" and (language or "en").lower()[:2] not in ("en", "", "un"):
        log.info("no standard rubric for language %r; using the English form", language)
    return _standard(family, str(rubrics_dir()))


def standard_rubric_for(call) -> Rubric:
    """The standard form for a call: by its language, or, when the language is unknown, by
    its script (a transcript that is mostly Chinese characters gets the Mandarin form)."""
    language = (call.language or "").lower()
    if language in ("", "unknown", "auto", "und"):
        text = "".join(t.text for t in call.turns[:20])
        language = "zh" if looks_chinese(text) else "en"
    return standard_rubric(language)
