"""The centre's own words, given to the recogniser as hotwords: company, department and
product names, agents' names, the greeting of the standard script; and how its Mandarin
transcripts write numbers.

Whisper turns names it has never heard into near-homophones ("Northwind" → "North Wind",
"Contoso" → "Can't also"), so "the company name was said" cannot be found. A vocabulary
file (YAML, kept beside the metadata file, `qa run --vocabulary FILE`) lists the words per
centre, and optionally per team or queue (the metadata columns ``team`` and ``queue``)::

    terms: [Northwind Bank, Card Services, Platinum Rewards]
    greeting: Thank you for calling Northwind Bank, my name is
    teams:
      mortgages:
        terms: [Home Saver, Fixed Rate Plus]
    queues:
      cn-support:
        terms: [北风银行, 白金卡]
        greeting: 您好，北风银行，工号
        numbers: digits     # Mandarin numbers as digits: 六二二八 → 6228 (default: spoken)

A call gets the centre's words, its team's and its queue's, and its agent's name from the
metadata. They reach faster-whisper as ``hotwords`` (a prompt before each 30 s window),
which biases spelling towards them without making the model say them: silence is never
given to the model (see :mod:`qa_pipeline.speech.activity`), and
tests/speech/test_vocabulary.py checks that a call which never says a name does not get it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from qa_pipeline.errors import InputError
from qa_pipeline.records import CallInfo
from qa_pipeline.speech.chinese_text import NUMBER_STYLES

__all__ = ["Vocabulary", "VocabularyFile", "read_vocabulary"]

MAX_PROMPT_CHARS = 400  # Whisper's prompt is at most 223 tokens; keep well inside it


@dataclass(frozen=True)
class Vocabulary:
    """Words one call's recognition is biased towards."""

    terms: tuple[str, ...] = ()
    greeting: Optional[str] = None
    numbers: Optional[str] = None  # Mandarin: "digits" (六二二八 → 6228) or "spoken" (the default)

    def hotwords(self) -> Optional[str]:
        """The text given to faster-whisper as ``hotwords``; None when there is nothing."""
        parts = ([self.greeting] if self.greeting else []) + list(self.terms)
        text = ", ".join(dict.fromkeys(p.strip() for p in parts if p and p.strip()))
        return text[:MAX_PROMPT_CHARS] or None

    def __add__(self, other: "Vocabulary") -> "Vocabulary":
        return Vocabulary(tuple(dict.fromkeys(self.terms + other.terms)), other.greeting or self.greeting,
                          other.numbers or self.numbers)


@dataclass(frozen=True)
class VocabularyFile:
    """A centre's vocabulary file: words for every call, per team and per queue."""

    centre: Vocabulary = Vocabulary()
    teams: dict[str, Vocabulary] = field(default_factory=dict)
    queues: dict[str, Vocabulary] = field(default_factory=dict)
    path: Optional[str] = None

    def for_call(self, info: CallInfo) -> Vocabulary:
        """The centre's words, then the call's team's and queue's, and its agent's name."""
        vocabulary = self.centre
        if info.team and info.team in self.teams:
            vocabulary = vocabulary + self.teams[info.team]
        queue = str(info.metadata.get("queue") or "")
        if queue in self.queues:
            vocabulary = vocabulary + self.queues[queue]
        if info.agent_name:
            vocabulary = vocabulary + Vocabulary((info.agent_name,))
        return vocabulary


def read_vocabulary(path: str | Path) -> VocabularyFile:
    """Reads a vocabulary file; :class:`InputError` says which key is wrong and what is allowed."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(path, f"cannot read the vocabulary file ({exc})") from exc
    if not isinstance(data, dict):
        raise InputError(path, "a vocabulary file is a mapping with terms:, greeting:, teams:, queues:")
    centre = _vocabulary(path, "the top level", {k: v for k, v in data.items() if k not in ("teams", "queues")})
    groups = {}
    for key in ("teams", "queues"):
        value = data.get(key) or {}
        if not isinstance(value, dict):
            raise InputError(path, f"{key}: must map each {key[:-1]} name to its terms:/greeting:")
        groups[key] = {str(name): _vocabulary(path, f"{key}: {name}", entry or {}) for name, entry in value.items()}
    return VocabularyFile(centre, groups["teams"], groups["queues"], str(path))


def _vocabulary(path: Path, where: str, entry: Any) -> Vocabulary:
    if not isinstance(entry, dict):
        raise InputError(path, f"{where}: expected terms: and greeting:, got {type(entry).__name__}")
    unknown = set(entry) - {"terms", "greeting", "numbers"}
    if unknown:
        raise InputError(path, f"{where}: unknown key {sorted(unknown)[0]!r} (allowed: terms, greeting, numbers)")
    numbers = entry.get("numbers")
    if numbers is not None and numbers not in NUMBER_STYLES:
        raise InputError(path, f"{where}: numbers must be one of {', '.join(NUMBER_STYLES)}, got {numbers!r}")
    terms = entry.get("terms") or []
    if isinstance(terms, str):
        terms = [terms]
    if not isinstance(terms, list) or not all(isinstance(t, (str, int)) for t in terms):
        raise InputError(path, f"{where}: terms must be a list of words or names")
    greeting = entry.get("greeting")
    if greeting is not None and not isinstance(greeting, str):
        raise InputError(path, f"{where}: greeting must be a sentence")
    return Vocabulary(tuple(str(t).strip() for t in terms if str(t).strip()), greeting, numbers)
