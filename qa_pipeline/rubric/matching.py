"""Phrase lists compiled once per rubric into fast, ASR-tolerant regular expressions.

Phrase syntax (after :func:`~qa_pipeline.rubric.text.normalize`):

* plain text: ``感谢您的来电``, ``thank you for calling``;
* ``...`` (or ``…``): a short gap of any words (up to ``gap`` characters in Chinese,
  words in English): ``请...提供`` matches 请您提供, 请您帮忙提供;
* ``{name}``: any entry of the rubric's synonym list ``name``;
* ``^`` at the start / ``$`` at the end: only at the start / end of a turn;
* ``re:`` followed by a regular expression over the normalised text.

Fuzzy matching tolerates speech-recognition errors: a Chinese stretch of four or more
characters also matches with one inner character wrong (感谢您的来电 ~ 感谢您的来店), an
English phrase also matches with one extra word inside it, and a phrase of four or more
words with one inner word dropped (thank you for calling ~ thank you calling).

>>> m = compile_phrases(["thank you for calling"], {}, fuzzy=True)
>>> m.search("well thank you all for calling").phrase
'thank you for calling'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Mapping, Optional, Sequence

from .text import is_cjk_text, normalize

__all__ = ["PhraseMatcher", "PhraseHit", "compile_phrases", "PhraseError"]

ZH_GAP = 8
EN_GAP = 4
_TOKEN = re.compile(r"\{([a-z_][a-z0-9_]*)\}|\.\.\.|…")


class PhraseError(ValueError):
    """A phrase that cannot be compiled (bad regex, unknown synonym list)."""


@dataclass(frozen=True)
class PhraseHit:
    start: int
    end: int
    phrase: str


def _zh_literal(text: str, fuzzy: bool) -> str:
    if not text:
        return ""
    exact = re.escape(text)
    if not fuzzy or len(text) < 4:
        return exact
    variants = [exact] + [re.escape(text[:i]) + "." + re.escape(text[i + 1:]) for i in range(1, len(text) - 1)]
    return "(?:" + "|".join(variants) + ")"


def _en_words(words: list[str], fuzzy: bool) -> str:
    if not words:
        return ""
    sep = r" (?:\S+ )?" if fuzzy and len(words) >= 3 else " "
    variants = [sep.join(map(re.escape, words))]
    if fuzzy and len(words) >= 4:
        for i in range(1, len(words) - 1):
            variants.append(sep.join(map(re.escape, words[:i] + words[i + 1:])))
    return variants[0] if len(variants) == 1 else "(?:" + "|".join(variants) + ")"


class _Compiler:
    def __init__(self, synonyms: Mapping[str, Sequence[str]], fuzzy: bool, gap: Optional[int]):
        self.synonyms = synonyms
        self.fuzzy = fuzzy
        self.gap = gap
        self._groups: dict[str, str] = {}

    def group(self, name: str) -> str:
        if name not in self._groups:
            if name not in self.synonyms:
                raise PhraseError(f"unknown synonym list {{{name}}}; define it under 'synonyms:'")
            entries = [self.phrase(e, fuzzy=False, allow_groups=False) for e in self.synonyms[name]]
            self._groups[name] = "(?:" + "|".join(sorted(entries, key=len, reverse=True)) + ")"
        return self._groups[name]

    def phrase(self, phrase: str, fuzzy: Optional[bool] = None, allow_groups: bool = True) -> str:
        fuzzy = self.fuzzy if fuzzy is None else fuzzy
        if phrase.startswith("re:"):
            body = phrase[3:]
            if "(?P<" in body:
                raise PhraseError(f"named groups are not allowed in {body!r}; use (?:...)")
            try:
                re.compile(body)
            except re.error as exc:
                raise PhraseError(f"bad regular expression {body!r}: {exc}") from exc
            return f"(?:{body})"
        head = tail = ""
        if phrase.startswith("^"):
            phrase, head = phrase[1:].lstrip(), r"(?<![^\n])"
        if phrase.endswith("$"):
            phrase, tail = phrase[:-1].rstrip(), r"(?![^\n])"
        # A phrase made only of synonym lists and gaps takes the script of its lists.
        zh = is_cjk_text(phrase) or any(
            is_cjk_text(entry) for name in _TOKEN.findall(phrase) if name for entry in self.synonyms.get(name, ()))
        gap = self.gap if self.gap is not None else (ZH_GAP if zh else EN_GAP)
        pieces: list[tuple[str, str]] = []  # (kind, value): lit | syn | gap
        pos = 0
        for m in _TOKEN.finditer(phrase):
            if m.start() > pos:
                pieces.append(("lit", phrase[pos:m.start()]))
            if m.group(1):
                if not allow_groups:
                    raise PhraseError(f"synonym entries cannot refer to other lists: {phrase!r}")
                pieces.append(("syn", m.group(1)))
            else:
                pieces.append(("gap", ""))
            pos = m.end()
        if pos < len(phrase):
            pieces.append(("lit", phrase[pos:]))
        body = self._zh(pieces, fuzzy, gap) if zh else self._en(pieces, fuzzy, gap)
        return head + body + tail

    def _zh(self, pieces, fuzzy, gap) -> str:
        out = []
        for kind, value in pieces:
            if kind == "lit":
                out.append(_zh_literal(normalize(value, "zh"), fuzzy))
            elif kind == "syn":
                out.append(self.group(value))
            else:
                out.append(f".{{0,{gap}}}")
        return "".join(out)

    def _en(self, pieces, fuzzy, gap) -> str:
        # A word sequence where synonym groups and gaps are single units.
        units: list[tuple[bool, str]] = []  # (is_gap, regex)
        words: list[str] = []

        def flush() -> None:
            if words:
                units.append((False, _en_words(words[:], fuzzy)))
                words.clear()

        for kind, value in pieces:
            if kind == "lit":
                words.extend(normalize(value, "en").split())
            elif kind == "syn":
                flush()
                units.append((False, self.group(value)))
            else:
                flush()
                units.append((True, f"(?:\\S+ ){{0,{gap}}}"))
        flush()
        body, after_gap = "", True
        for is_gap, regex in units:
            body += ("" if after_gap else " ") + regex
            after_gap = is_gap
        return rf"(?<![a-z0-9]){body}(?![a-z0-9])"


class PhraseMatcher:
    """A compiled phrase list: one regular expression, one named group per phrase."""

    def __init__(self, phrases: Sequence[str], pattern: str):
        self.phrases = tuple(phrases)
        self.regex = re.compile(pattern)

    def search(self, text: str, pos: int = 0) -> Optional[PhraseHit]:
        m = self.regex.search(text, pos)
        if m is None:
            return None
        return PhraseHit(m.start(), m.end(), self.phrases[int(m.lastgroup[1:])])

    def finditer(self, text: str) -> Iterator[PhraseHit]:
        for m in self.regex.finditer(text):
            yield PhraseHit(m.start(), m.end(), self.phrases[int(m.lastgroup[1:])])

    def __bool__(self) -> bool:
        return bool(self.phrases)


def compile_phrases(phrases: Sequence[str], synonyms: Mapping[str, Sequence[str]], *,
                    fuzzy: bool = True, gap: Optional[int] = None) -> PhraseMatcher:
    """Compile ``phrases`` into one matcher (raises :class:`PhraseError` naming the phrase)."""
    compiler = _Compiler(synonyms, fuzzy, gap)
    parts = []
    for i, p in enumerate(phrases):
        if not isinstance(p, str) or not p.strip():
            raise PhraseError(f"phrase {i + 1} is empty or not text: {p!r}")
        try:
            parts.append(f"(?P<p{i}>{compiler.phrase(p.strip())})")
        except PhraseError as exc:
            raise PhraseError(f"phrase {p!r}: {exc}") from None
    pattern = "|".join(parts) if parts else r"(?!x)x"
    try:
        return PhraseMatcher([p.strip() for p in phrases], pattern)
    except re.error as exc:
        raise PhraseError(f"phrases do not compile together: {exc}") from exc
