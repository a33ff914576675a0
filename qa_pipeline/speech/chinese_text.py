"""Chinese transcript text as Chinese readers expect it: Simplified characters, full-width
punctuation, and numbers written as the centre configures.

Whisper writes Mandarin with ASCII punctuation ("我想查一下,谢谢.") and sometimes in
Traditional characters (廣州). :func:`chinese_words` fixes one recognised word at a time
(punctuation arrives attached to words); :func:`numbers_as_digits` turns spoken numbers
into digits in a whole text (a number spans several words), for centres that want account
numbers and amounts as 6228 rather than 六二二八.

    >>> full_width_punctuation("您好,请问有什么可以帮您?")
    '您好，请问有什么可以帮您？'
    >>> numbers_as_digits("卡号是六二二八，金额三千五百元")
    '卡号是6228，金额3500元'
"""
from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import Sequence

from qa_pipeline.records import Word

__all__ = ["NUMBER_STYLES", "chinese_words", "full_width_punctuation", "numbers_as_digits", "simplify",
           "words_with_digits"]

NUMBER_STYLES = ("spoken", "digits")  # as recognised, or Arabic digits

_FULL_WIDTH = {",": "，", ".": "。", "?": "？", "!": "！", ":": "：", ";": "；"}
_MARKS = str.maketrans(_FULL_WIDTH)


def _has_han(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in text)


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s").convert


def simplify(text: str) -> str:
    """Traditional → Simplified Chinese (Whisper sometimes writes 廣州 for 广州)."""
    return _to_simplified()(text) if _has_han(text) else text


def full_width_punctuation(text: str) -> str:
    """ASCII , . ? ! : ; → ，。？！：； where they punctuate Chinese: next to a Chinese
    character, or ending a text that has one. Left alone between digits (3.5, 1,000) and
    after English words inside the text ("Visa, 对")."""
    out = []
    for i, c in enumerate(text):
        if c not in _FULL_WIDTH:
            out.append(c)
            continue
        before = text[:i].rstrip()[-1:]
        after = text[i + 1:].lstrip()[:1]
        if before.isdigit() and after.isdigit():
            out.append(c)
        elif _has_han(before) or _has_han(after) or (not after and _has_han(text) and not before.isascii()):
            out.append(_FULL_WIDTH[c])
        else:
            out.append(c)
    # Whisper puts a space after ASCII punctuation; a full-width mark carries its own.
    return re.sub(r"([，。？！：；])\s+", r"\1", "".join(out)).rstrip() if _has_han(text) else text


def chinese_words(word: str) -> str:
    """One recognised word of a Mandarin transcript in Simplified characters with full-width
    punctuation. Whisper attaches punctuation to a word (" 分析,") or sends it alone (",",
    after a Chinese word: made full-width too)."""
    text = simplify(word)
    stripped = text.strip()
    if stripped and all(c in _FULL_WIDTH for c in stripped):
        return text.translate(_MARKS)
    return full_width_punctuation(text) if _has_han(text) else text


_DIGITS = {"零": "0", "〇": "0", "幺": "1", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5",
           "六": "6", "七": "7", "八": "8", "九": "9"}
_NUMBER = re.compile(r"[零〇幺一二两三四五六七八九十][零〇幺一二两三四五六七八九十百千万亿点]+")
_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十百点]+)")


def _number(run: str) -> str:
    tail = ""
    while run.endswith("点"):  # 一点 is "a little", not "1."
        run, tail = run[:-1], "点" + tail
    if len(run) < 2:
        return run + tail
    if all(c in _DIGITS for c in run):  # read digit by digit: account and phone numbers
        return "".join(_DIGITS[c] for c in run) + tail
    import cn2an

    try:
        value = cn2an.cn2an(run.replace("幺", "一"), "smart")
    except (ValueError, KeyError):
        return run + tail
    return (str(int(value)) if float(value).is_integer() else str(value)) + tail


def numbers_as_digits(text: str) -> str:
    """Spoken Chinese numbers as digits: 六二二八 → 6228, 三千五百 → 3500, 百分之五十 → 50%.

    A lone numeral stays a word (一下, 一个月, 两个人), as does 一点 ("a little")."""
    if not _has_han(text):
        return text
    text = _PERCENT.sub(lambda m: _number(m.group(1)) + "%", text)
    return _NUMBER.sub(lambda m: _number(m.group(0)), text)


_NUMERALS = set("零〇幺一二两三四五六七八九十百千万亿点")


def words_with_digits(words: Sequence[Word]) -> list[Word]:
    """Recognised Mandarin words with their spoken numbers as digits. A number read out
    over several words (六二 二八) becomes one word spanning their times."""
    out: list[Word] = []
    run: list[Word] = []

    def flush() -> None:
        if not run:
            return
        text = numbers_as_digits("".join(w.text for w in run))
        if text == "".join(w.text for w in run):
            out.extend(run)
        else:
            probability = min((w.probability for w in run if w.probability is not None), default=None)
            out.append(Word(run[0].start, run[-1].end, text, probability, run[0].speaker))
        run.clear()

    for word in words:
        if word.text and set(word.text) <= _NUMERALS and (not run or run[-1].speaker == word.speaker):
            run.append(word)
            continue
        flush()
        converted = numbers_as_digits(word.text)
        out.append(word if converted == word.text else dataclasses.replace(word, text=converted))
    flush()
    return out
