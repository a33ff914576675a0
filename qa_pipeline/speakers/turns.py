"""Turns from word times: a turn is one speaker's stretch of speech that ends when another
speaker starts or at a pause of more than about a second.

Whisper's segments are not turns: on a per-channel transcript one segment can run straight
across the other speaker's turn, so turns are rebuilt from the words.
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Iterable, Sequence

from qa_pipeline.language import written_without_spaces
from qa_pipeline.records import Turn, Word

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
    if written_without_spaces(left) or written_without_spaces(right):
        return False
    if right in ",.!?;:%)]}'’”，。！？；：、":
        return False
    return True


def build_turns(words: Sequence[Word], *, pause: float = PAUSE_SECONDS) -> tuple[Turn, ...]:
    """Group words (each with its ``speaker``) into turns, ordered by start time.

    A speaker's turn ends at a pause longer than ``pause`` or when another speaker starts
    talking in the gap between two of its words. Speech that overlaps (a talk-over, both
    channels at once) does not cut the turn it overlaps: both turns are kept whole, which
    is what the talk-over and silence metrics need.
    """
    by_speaker: dict[str, list[Word]] = {}
    for w in sorted(words, key=lambda w: (w.start, w.end)):
        by_speaker.setdefault(w.speaker, []).append(w)
    starts = {spk: [w.start for w in ws] for spk, ws in by_speaker.items()}
    turns: list[Turn] = []
    for speaker, ws in by_speaker.items():
        others = sorted(s for spk, ss in starts.items() if spk != speaker for s in ss)
        current = [ws[0]]
        for prev, word in zip(ws, ws[1:]):
            gap_start = prev.end
            interrupted = bisect_left(others, gap_start) < bisect_left(others, word.start)
            if word.start - prev.end > pause or interrupted:
                turns.append(_turn(current))
                current = []
            current.append(word)
        turns.append(_turn(current))
    return tuple(sorted(turns, key=lambda t: (t.start, t.end)))


def _turn(words: list[Word]) -> Turn:
    return Turn(
        speaker=words[0].speaker,
        start=round(words[0].start, 3),
        end=round(max(w.end for w in words), 3),
        text=join_words(w.text for w in words),
        words=tuple(words),
    )

