"""What counts as Chinese text, and which language family a language code belongs to.

One place for both rules, used by transcription (Simplified Chinese output), turn building
(no space between Chinese characters), role cues, the rubric's text normalisation,
metrics, sentiment, the choice of standard rubric and the CSV decoder.

>>> has_chinese("您好，工号 1024")
True
>>> lang_family("zh-CN"), lang_family("cmn"), lang_family("en-GB"), lang_family(None)
('zh', 'zh', 'en', 'en')
"""
from __future__ import annotations

import re
from typing import Optional

__all__ = ["CHINESE_CHARACTERS", "CHINESE_CHARACTER", "is_chinese_character", "has_chinese", "count_chinese",
           "looks_chinese", "written_without_spaces", "lang_family"]

# The Han ideographs: the unified block (U+4E00–9FFF), Extension A (U+3400–4DBF), the
# compatibility ideographs (U+F900–FAFF) and Extensions B–G (U+20000–3134F). A regex
# character-class body: f"[{CHINESE_CHARACTERS}]".
CHINESE_CHARACTERS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
CHINESE_CHARACTER = re.compile(f"[{CHINESE_CHARACTERS}]")


def is_chinese_character(c: str) -> bool:
    """One character that is a Han ideograph."""
    return ("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\uf900" <= c <= "\ufaff"
            or "\U00020000" <= c <= "\U0003134f")


def has_chinese(text: str) -> bool:
    """Whether ``text`` holds any Chinese character: Chinese text, for every rule that asks."""
    return CHINESE_CHARACTER.search(text) is not None


def count_chinese(text: str) -> int:
    return len(CHINESE_CHARACTER.findall(text))


def looks_chinese(text: str, share: float = 0.3) -> bool:
    """Whether Chinese characters make up at least ``share`` of the characters of ``text``
    other than spaces (a transcript of unknown language mostly in Chinese)."""
    written = text.replace(" ", "")
    return bool(written) and count_chinese(written) >= share * len(written)


def written_without_spaces(c: str) -> bool:
    """CJK script and punctuation (U+3000–9FFF: ideographs, kana, CJK punctuation), the
    compatibility ideographs and full-width forms: joined to its neighbours without a space."""
    return "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" or is_chinese_character(c)


def lang_family(language: Optional[str]) -> str:
    """'zh' for Chinese variants (zh, zh-CN, cmn, yue …), 'en' for everything else."""
    lang = (language or "").lower()
    return "zh" if lang.startswith(("zh", "cmn", "yue", "wuu")) else "en"
