"""Mandarin words that sound alike: how a recogniser's homophones still count as the customer's words.

A Mandarin recogniser writes what it hears with characters that sound right and often are not the ones meant
(腊肉 as 辣肉, 中庭 as 中停, 档期 as 挡期, 顺丰 as 顺风), and it does so on one side of a call and not the other: the
agent's read-back of the customer's words then shares fewer character pairs with them than it says. The structural
detectors that count the customer's words in an agent's turn (``need_echo``, ``need_confirmed``, ``incident_echo``)
compare two-character words; here a word also matches one that reads the same, tones left out (the recogniser's
slips keep the syllables and lose the tone or the character). The readings come from snownlp's pinyin dictionary
(already installed for sentiment), read a word at a time so that a character with two readings (银行, 行走) takes the
word's: the longest entry at each position, as snownlp's own ``normal.get_pinyin`` reads it. The table is read from
the package's data file, not through ``import snownlp`` (which loads its segmenter, tagger and sentiment models:
about 4 s and 400 MB, that re-scoring from stored rows never needs otherwise). Without snownlp the words match as
written.

    >>> sorted(shared_by_sound({"中庭", "糖画", "价格"}, {"中停", "糖话", "收费"}))
    ['中庭', '糖画']
"""
from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional


@lru_cache(maxsize=1)
def pinyin_table() -> Optional[tuple[dict[str, list[str]], int]]:
    """snownlp's pinyin table (a word or character → its syllables, the last line of a word winning as in its
    trie) and its longest entry; None without snownlp."""
    spec = importlib.util.find_spec("snownlp")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "normal" / "pinyin.txt"
    if not path.is_file():
        return None
    table: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts:
            table[parts[0]] = parts[1:]
    return table, max(map(len, table), default=1)


_HANZI = re.compile("([\u4e00-\u9fa5]+)")


def syllables(text: str) -> Optional[list[str]]:
    """The syllables of ``text`` as snownlp reads them: in each run of Chinese characters the longest entry of the
    table at each position (a character it lacks stays as it is), anything else as its words; None without
    the table."""
    found = pinyin_table()
    if found is None:
        return None
    out: list[str] = []
    for run in _HANZI.split(text):
        if _HANZI.fullmatch(run):
            out.extend(_read_run(run, *found))
        else:
            out.extend(run.split())
    return out


def _read_run(text: str, table: dict[str, list[str]], longest: int) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        for size in range(min(longest, len(text) - pos), 0, -1):
            entry = table.get(text[pos:pos + size])
            if entry is not None:
                out.extend(entry)
                pos += size
                break
        else:
            out.append(text[pos])
            pos += 1
    return out


@lru_cache(maxsize=1 << 16)
def sound(word: str) -> str:
    """How ``word`` (Chinese characters) reads, syllables without tones ("zhong ting"); the word itself where it
    has no reading syllable for syllable."""
    read = syllables(word)
    if read is None:
        return word
    return " ".join(read) if len(read) == len(word) else word


def shared_by_sound(said: set[str], heard: set[str]) -> set[str]:
    """The words of ``said`` that ``heard`` holds, written alike or reading alike."""
    if not said or not heard:
        return set()
    sounds = {sound(w) for w in heard}
    return {w for w in said if w in heard or sound(w) in sounds}
