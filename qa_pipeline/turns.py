"""Turns from word times: a turn is one speaker's stretch of speech that ends when another
speaker starts or at a pause of more than about a second.

Whisper's segments are not turns: on a per-channel transcript one segment can run straight
across the other speaker's turn, so turns are rebuilt from the words.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from .records import Turn, Word

PAUSE_SECONDS = 1.0


def join_words(texts: Iterable[str]) -> str:
    """Join recognised words: no space between CJK characters, one between Latin words."""
    out = ""
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if out and _needs_space(out[-1], text[0]):
            out += " "
        out += text
    return out


def _needs_space(left: str, right: str) -> bool:
    if _is_cjk(left) or _is_cjk(right):
        return False
    if right in ",.!?;:%)]}'’”，。！？；：、":
        return False
    return True


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (0x3000 <= code <= 0x9FFF) or (0xF900 <= code <= 0xFAFF) or (0xFF00 <= code <= 0xFFEF)


def build_turns(words: Sequence[Word], *, pause: float = PAUSE_SECONDS) -> tuple[Turn, ...]:
    """Group time-ordered words (each with its ``speaker``) into turns."""
    ordered = sorted(words, key=lambda w: (w.start, w.end))
    turns: list[Turn] = []
    current: list[Word] = []
    for word in ordered:
        if current and (word.speaker != current[-1].speaker or word.start - current[-1].end > pause):
            turns.append(_turn(current))
            current = []
        current.append(word)
    if current:
        turns.append(_turn(current))
    return tuple(turns)


def _turn(words: list[Word]) -> Turn:
    return Turn(
        speaker=words[0].speaker,
        start=round(words[0].start, 3),
        end=round(max(w.end for w in words), 3),
        text=join_words(w.text for w in words),
        words=tuple(words),
    )


def relabel(turns: Sequence[Turn], mapping: dict[str, str]) -> tuple[Turn, ...]:
    """Replace speaker labels (e.g. diarization clusters) by roles."""
    out = []
    for t in turns:
        words = tuple(Word(w.start, w.end, w.text, w.probability, mapping.get(w.speaker, w.speaker)) for w in t.words)
        out.append(Turn(mapping.get(t.speaker, t.speaker), t.start, t.end, t.text, words))
    return tuple(out)
