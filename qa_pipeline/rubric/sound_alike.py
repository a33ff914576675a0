"""Mandarin words that sound alike: how a recogniser's homophones still count as the customer's words.

A Mandarin recogniser writes what it hears with characters that sound right and often are not the ones meant
(腊肉 as 辣肉, 中庭 as 中停, 档期 as 挡期, 顺丰 as 顺风), and it does so on one side of a call and not the other: the
agent's read-back of the customer's words then shares fewer character pairs with them than it says. The structural
detectors that count the customer's words in an agent's turn (``need_echo``, ``need_confirmed``, ``incident_echo``)
compare two-character words; here a word also matches one that reads the same, tones left out (the recogniser's
slips keep the syllables and lose the tone or the character). The readings come from snownlp's pinyin dictionary
(already installed for sentiment), read a word at a time so that a character with two readings (银行, 行走) takes the
word's. Without snownlp the words match as written.

    >>> sorted(shared_by_sound({"中庭", "糖画", "价格"}, {"中停", "糖话", "收费"}))
    ['中庭', '糖画']
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Optional


@lru_cache(maxsize=1)
def _reader() -> Optional[Callable[[str], list[str]]]:
    try:
        from snownlp import normal
    except ImportError:  # the words then match as written
        return None
    return normal.get_pinyin


@lru_cache(maxsize=1 << 16)
def sound(word: str) -> str:
    """How ``word`` (Chinese characters) reads, syllables without tones ("zhong ting"); the word itself where it
    has no reading syllable for syllable."""
    read = _reader()
    if read is None:
        return word
    syllables = read(word)
    return " ".join(syllables) if len(syllables) == len(word) else word


def shared_by_sound(said: set[str], heard: set[str]) -> set[str]:
    """The words of ``said`` that ``heard`` holds, written alike or reading alike."""
    if not said or not heard:
        return set()
    sounds = {sound(w) for w in heard}
    return {w for w in said if w in heard or sound(w) in sounds}
