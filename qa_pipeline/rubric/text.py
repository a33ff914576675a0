"""Text normalisation shared by transcripts and rubric phrases.

Phrases and transcripts go through the same :func:`normalize`, so a phrase written in
any reasonable form matches whatever the speech recogniser produced:

* Chinese: full-width → half-width, punctuation and spaces removed, common ASR
  homophone confusions folded (宁好 → 您好, 公号 → 工号, 你 → 您), Chinese numerals
  turned into digits (二十四小时 → 24小时, 一三八 → 138).
* English: lower case, contractions expanded (I'll → i will), punctuation removed,
  number words turned into digits (twenty-four → 24, three → 3).

>>> normalize("宁好，我是公号一零三一", "zh")
'您好我是工号1031'
>>> normalize("I'll call you within twenty-four hours!", "en")
'i will call you within 24 hours'
"""
from __future__ import annotations

import re
import unicodedata

from qa_pipeline.language import has_chinese

__all__ = ["normalize", "normalize_many", "norm_row", "NORMALIZER_VERSION"]

# The stored normalised turns (table turn_norm_store) were made by this version: raise it
# whenever normalize() gives a different output for any text (tests/test_rubric_fastpath.py
# keeps a fingerprint of the output and says so), and turns stored under another version
# are normalised again when they are scored.
NORMALIZER_VERSION = 5  # 2: long digit-by-digit runs holding 一一 are numbers; 3: "youre", "gonna" expanded;
# 4: "ill" before a verb is "i will"; 5: accented Latin letters keep their base letter (Mōrena → morena)


# --- Chinese ----------------------------------------------------------------------------

# ASR confusions folded to one spelling. Bigrams first: they are unambiguous in context.
_ZH_BIGRAMS = {
    "宁好": "您好", "拎好": "您好", "凝好": "您好", "公号": "工号", "攻号": "工号", "功号": "工号",
    "宫号": "工号", "在见": "再见", "再件": "再见", "报歉": "抱歉", "抱欠": "抱歉", "马烦": "麻烦",
    "麻凡": "麻烦", "清问": "请问", "亲问": "请问", "情问": "请问", "谢射": "谢谢", "感射": "感谢",
    "敢谢": "感谢", "头诉": "投诉", "投素": "投诉", "来店": "来电", "莱电": "来电", "致点": "致电",
    "客府": "客服", "可服": "客服", "工单号": "工单号", "共单": "工单", "攻单": "工单", "对马": "对吗",
    "对嘛": "对吗", "是嘛": "是吗", "對嗎": "对吗",
}
# Single characters folded everywhere (both spellings are fine in every phrase we match).
_ZH_CHARS = str.maketrans({"你": "您", "妳": "您", "嗎": "吗", "謝": "谢", "們": "们", "麼": "么",
                           "號": "号", "話": "话", "電": "电", "請": "请", "對": "对", "為": "为",
                           "務": "务", "這": "这", "說": "说", "確": "确", "認": "认",
                           "見": "见", "問": "问", "題": "题", "幫": "帮",
                           "〇": "零", "幺": "一"})
_ZH_BIGRAM_RE = re.compile("|".join(sorted(map(re.escape, _ZH_BIGRAMS), key=len, reverse=True)))

_ZH_DIGIT = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_ZH_NUM_RE = re.compile(r"[零一二两三四五六七八九十百千万]+")
# Words where a numeral is part of the vocabulary, not a number: left as written.
_ZH_NUM_WORDS = re.compile(
    r"一下|一直|一起|一样|一定|一般|一些|一切|万一|十分|一会|统一|唯一|一致|一旦|一共|一边|一向|一再|"
    r"一贯|一方面|一律|千万|万分|一并|进一步|逐一|一一|之一|一点点|一时|一番|百分之|一概|三思"
)


def _zh_value(run: str) -> str:
    if not any(c in _ZH_UNIT for c in run):
        return "".join(str(_ZH_DIGIT[c]) for c in run)  # read digit by digit: 一三八 → 138
    total, section, digit = 0, 0, None
    for c in run:
        if c in _ZH_DIGIT:
            digit = _ZH_DIGIT[c]
        else:
            unit = _ZH_UNIT[c]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
    return str(total + section + (digit or 0))


def _zh_numbers(text: str) -> str:
    protected = {m.start(): m.end() for m in _ZH_NUM_WORDS.finditer(text)}
    if not protected:
        return _ZH_NUM_RE.sub(lambda m: _zh_value(m.group()), text)
    out, pos = [], 0
    for m in _ZH_NUM_RE.finditer(text):
        run = m.group()
        # A word like 一一 inside a long run of bare digits (六二二二零二零二零零一一…) is a
        # number read digit by digit, not the word.
        bare_digits = len(run) >= 4 and not any(c in _ZH_UNIT for c in run)
        if not bare_digits and any(s < m.end() and e > m.start() for s, e in protected.items()):
            continue
        out.append(text[pos:m.start()])
        out.append(_zh_value(m.group()))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


_ZH_DROP = re.compile(r"[^\w\n]|_")  # newlines kept: they separate turns in normalize_many


_FULL_WIDTH = re.compile(r"[\uff01-\uff5e\u3000]")


def _normalize_zh(text: str) -> str:
    if _FULL_WIDTH.search(text):  # full-width letters and digits; other text is already NFKC enough
        text = unicodedata.normalize("NFKC", text)
    text = text.lower().translate(_ZH_CHARS)
    text = _ZH_DROP.sub("", text)
    text = _ZH_BIGRAM_RE.sub(lambda m: _ZH_BIGRAMS[m.group()], text)
    return _zh_numbers(text)


# --- English ----------------------------------------------------------------------------

_CONTRACTIONS = {
    "won't": "will not", "can't": "cannot", "shan't": "shall not", "let's": "let us", "y'all": "you all",
    "i'm": "i am", "ain't": "is not",
}
_SUFFIXES = {"n't": " not", "'ll": " will", "'re": " are", "'ve": " have", "'d": " would", "'s": " is"}
_S_IS = frozenset("it that what there here he she who where how name everything nothing".split())
_CONTRACTION_RE = re.compile(r"\b[a-z]+(?:n't|'ll|'re|'ve|'d|'s|'m)\b")
# Speech recognisers and chat text often drop the apostrophe ("youre", "thats", "ive") and write
# the spoken forms "gonna", "wanna": expanded like the written contractions, so one phrase list
# serves both. Only forms that are not also ordinary words ("were", "its", "well", "id",
# "lets", "hell", "shell") stay as they are; "ill" is read from the words around it (below).
_BARE_CONTRACTIONS = {
    "youre": "you are", "youve": "you have", "youll": "you will", "youd": "you would",
    "theyre": "they are", "theyve": "they have", "theyll": "they will", "weve": "we have",
    "thats": "that is", "whats": "what is", "theres": "there is", "heres": "here is", "wheres": "where is",
    "ive": "i have", "im": "i am", "itll": "it will", "thatll": "that will",
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "cant": "cannot", "wont": "will not",
    "isnt": "is not", "arent": "are not", "wasnt": "was not", "werent": "were not", "havent": "have not",
    "hasnt": "has not", "hadnt": "had not", "wouldnt": "would not", "couldnt": "could not",
    "shouldnt": "should not", "gonna": "going to", "wanna": "want to", "gotta": "got to",
}
_BARE_CONTRACTION_RE = re.compile(r"\b(?:" + "|".join(_BARE_CONTRACTIONS) + r")\b")

# "ill" without its apostrophe ("ill call you back", "and ill ring you myself") is "i will", unless a
# word around it makes it the adjective: after be / feel / fall or a degree ("she is ill", "fell ill",
# "seriously ill"), before what an illness is said with ("ill with flu", "ill health"), or at the end.
_ILL_RE = re.compile(r"\bill\b")
_ILL_ADJECTIVE_BEFORE = frozenset(
    "am is are was were be been being feel feels felt feeling fall falls fell fallen falling get gets got getting "
    "become becomes became look looks looked seem seems seemed taken very really quite too seriously critically "
    "terminally gravely mentally chronically slightly bit little an the of no not".split())
_ILL_ADJECTIVE_AFTER = frozenset(
    "health with in at effects effect advised feeling will since again all for and or but from because after "
    "that person patient people child man woman tempered treated".split())


def _ill(m: re.Match) -> str:
    before = m.string[: m.start()].rsplit(None, 1)[-1:]
    after = m.string[m.end():].split(None, 1)[:1]
    if not after or (before and before[0] in _ILL_ADJECTIVE_BEFORE) or after[0] in _ILL_ADJECTIVE_AFTER:
        return m.group()
    return "i will"


def _expand(m: re.Match) -> str:
    word = m.group()
    if word in _CONTRACTIONS:
        return _CONTRACTIONS[word]
    for suffix, repl in _SUFFIXES.items():
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            if suffix == "'s" and stem not in _S_IS:
                return stem + "s"  # a possessive: the customer's → the customers
            return stem + repl
    return word


_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"hundred": 100, "thousand": 1000}
_NUMBER_WORD = "|".join(sorted(list(_UNITS) + list(_TENS) + list(_SCALES), key=len, reverse=True))
_EN_NUM_RE = re.compile(rf"\b(?:{_NUMBER_WORD})(?:[ -](?:and )?(?:{_NUMBER_WORD}))*\b")


def _en_value(words: list[str]) -> str:
    total, current = 0, 0
    for w in words:
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * _SCALES[w]
            current = 0
    return str(total + current)


_NUMBER_SPLIT = re.compile(r"[ -]")


def _en_number_run(match: re.Match) -> str:
    words = [w for w in _NUMBER_SPLIT.split(match.group()) if w and w != "and"]
    # A run of single digits ("four four one four") is read out digit by digit.
    if len(words) > 1 and all(w in _UNITS and _UNITS[w] < 10 for w in words):
        return " ".join(str(_UNITS[w]) for w in words)
    # "twenty four" is one number, "three five" two, "sixty four ninety nine" two.
    groups: list[list[str]] = [[]]
    for w in words:
        g = groups[-1]
        if g and not (w in _SCALES or (g[-1] in _TENS and w in _UNITS and _UNITS[w] < 10)
                      or g[-1] in _SCALES):
            groups.append([])
        groups[-1].append(w)
    return " ".join(_en_value(g) for g in groups)


_EN_DROP = re.compile(r"[^a-z0-9@\n]+")
_EN_LINE_EDGES = re.compile(r" *\n *")


def _normalize_en(text: str) -> str:
    if not text.isascii():
        if not unicodedata.is_normalized("NFKC", text):  # the quick check: curly quotes, dashes are NFKC
            text = unicodedata.normalize("NFKC", text)
        text = text.replace("\u2019", "'")
        if not text.isascii():  # a letter with a macron or an accent keeps its base letter (Mōrena, café)
            text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.lower()
    if "'" in text:
        text = _CONTRACTION_RE.sub(_expand, text)
    text = _EN_DROP.sub(" ", text.replace("'", ""))
    text = _BARE_CONTRACTION_RE.sub(lambda m: _BARE_CONTRACTIONS[m.group()], text)
    if "ill" in text:
        text = _ILL_RE.sub(_ill, text)
    text = _EN_NUM_RE.sub(_en_number_run, text)
    return _EN_LINE_EDGES.sub("\n", text).strip(" ") if "\n" in text else text.strip(" ")


def normalize(text: str, language: str | None = None) -> str:
    """The form both transcripts and phrases are compared in (see the module docstring).

    The script decides, not ``language``: text with Chinese characters is normalised as
    Chinese, other text as English, so mixed-language calls and phrases still match.
    """
    text = text.replace("\n", " ").replace("\r", " ")
    return _normalize_zh(text) if has_chinese(text) else _normalize_en(text)


def normalize_many(texts: list[str]) -> list[str]:
    """:func:`normalize` for many texts at once (the turns of a call): each script's texts
    are joined by newlines and normalised in one pass, which is much faster than one by one."""
    out = [""] * len(texts)
    groups: dict[bool, list[tuple[int, str]]] = {True: [], False: []}
    for i, t in enumerate(texts):
        t = t.replace("\n", " ").replace("\r", " ")
        groups[has_chinese(t)].append((i, t))
    for chinese, items in groups.items():
        if not items:
            continue
        joined = (_normalize_zh if chinese else _normalize_en)("\n".join(t for _, t in items))
        for (i, _), norm in zip(items, joined.split("\n")):
            out[i] = norm
    return out


def norm_row(call) -> tuple[str, int, list[str]]:
    """What storage keeps of a call for re-scoring: its turns' texts normalised for rubric
    matching, with the normaliser's version (``store.save_call(..., norms=)`` takes it; re-scoring
    reuses it while the version is the current one)."""
    return call.call_id, NORMALIZER_VERSION, normalize_many([t.text or "" for t in call.turns])
