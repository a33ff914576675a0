"""Finding sensitive values in a transcript: card and ID numbers, codes, e-mails, phones.

Numbers are read in many shapes — ``6222 0212 3456 7890``, ``六二二二零二一二…``, ``幺三八``,
``four five three two``, mixed, or split over several ASR words with commas and fillers in
between — so the finder first turns every digit-like unit (digit runs, Chinese digit
characters, English digit words) into a *unit*, joins units separated only by spaces,
dashes, commas or fillers into *runs*, and then decides what each run is from its digits
(Luhn, ID checksum, phone shapes) and the words just before it (卡号, 验证码, "order number" …).

A number written or said the way phone numbers are (a Chinese mobile, a trunk-0 national number
such as ``010-12345678`` or ``07700 900 420``, ``+44 …`` or ``0044 …``, ``(212) 555-0199``) is a
phone whatever words stand around it: "my phone number on the order is 07700 900 420" names an
order, but the value is still a person's phone. Only a currency sign or a money word beside it,
or a company hotline shape (400/800, 95xxx), keeps such a number as said.
:mod:`qa_pipeline.privacy.redaction` replaces what is found with typed placeholders.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

__all__ = ["Hit", "find_sensitive", "write_spoken_digits", "luhn_valid", "cn_id_valid", "KINDS"]

KINDS: tuple[str, ...] = ("card", "id", "code", "email", "phone")

_ZH_DIGITS = {"零": "0", "〇": "0", "○": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3",
              "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_EN_DIGITS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
              "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_EN_WORD = "zero|oh|o|one|two|three|four|five|six|seven|eight|nine"
# Groups said as numbers ("five five five, twelve hundred", "forty-one twelve, double eight thirty"):
# teens, tens with an optional unit, and a digit or teen before "hundred" are that group's digits.
_EN_TEENS = {"ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
             "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19"}
_EN_TENS = {"twenty": "2", "thirty": "3", "forty": "4", "fourty": "4", "fifty": "5", "sixty": "6", "seventy": "7",
            "eighty": "8", "ninety": "9"}
_EN_TEEN_WORD = "|".join(_EN_TEENS)
_EN_TENS_WORD = "|".join(_EN_TENS)
_EN_UNIT_WORD = "one|two|three|four|five|six|seven|eight|nine"
# Where an English word starts and ends. Not \b: Python counts Chinese characters as word
# characters, so \b finds no edge in "是five five five" or "eight一二三", which code-switched
# calls are full of. A digit word is a word whatever script stands beside it.
_EN_START, _EN_END = r"(?<![A-Za-z])", r"(?![A-Za-z])"
_UNIT_RE = re.compile(
    rf"(?P<num>[0-9０-９]+)"
    rf"|(?P<zh>[{''.join(_ZH_DIGITS)}])"
    rf"|{_EN_START}(?P<hund>{_EN_UNIT_WORD}|{_EN_TEEN_WORD})[ -]hundred{_EN_END}"
    rf"|{_EN_START}(?P<tens>{_EN_TENS_WORD})(?:[ -](?P<tensu>{_EN_UNIT_WORD}))?{_EN_END}"
    rf"|{_EN_START}(?P<teen>{_EN_TEEN_WORD}){_EN_END}"
    rf"|{_EN_START}(?P<rep>double|triple)[ -](?:(?P<repw>{_EN_WORD}){_EN_END}|(?P<repd>[0-9])(?![0-9]))"
    rf"|{_EN_START}(?P<en>{_EN_WORD}){_EN_END}",
    re.IGNORECASE,
)
# What may stand between two pieces of one spoken number: spaces, dashes, commas, brackets, fillers.
# ASR writes a spoken card number as "4,532,015,112,830,366" too, so a bare comma joins groups.
_GAP_RE = re.compile(rf"^(?:[\s\-–—_()（）、，,]|嗯|呃|啊|额|{_EN_START}(?:uh|um|er|ah){_EN_END})*$", re.IGNORECASE)
_MAX_GAP = 6
_ID_CHECK_RE = re.compile(r"^[\s\-]?(?:[Xx×Ｘ]|叉|艾克斯)")
# "+44 …", "(+86) …", "plus four four …": what may stand just before an international number.
_PLUS_BEFORE_RE = re.compile(rf"(?:[(（]\s?)?(?:[+＋]|{_EN_START}plus{_EN_END})\s?[(（]?\s?$", re.IGNORECASE)
_BRACKET_BEFORE_RE = re.compile(r"[(（]\s?$")

# Context words before a number, longest first so "order number" wins over "number".
_CONTEXT = {
    "neg": r"订单号|订单编号|订单|单号|流水号|工单号|快递单|运单|编号|序列号|金额|余额|价格|费用|"
           r"order number|order no\.?|order|tracking number|tracking|reference number|reference|ref|"
           r"invoice|amount|balance|total|price|ticket number|case number|postal code|zip code|邮编|邮政编码|"
           r"acknowledge?ment number|acknowledge?ment|confirmation number|booking reference|booking number|"
           r"consignment number|consignment|waybill|application number|receipt number|transaction id|"
           r"transaction number|transaction reference|claim number|policy number|pnr",
    "code": r"验证码|校验码|动态码|动态密码|短信码|交易密码|支付密码|查询密码|密码|口令|安全码|"
            r"verification code|security code|confirmation code|access code|one[- ]time (?:pass)?code|"
            r"one[- ]time password|sms code|authentication code|your code|the code|otp|pin|password|passcode|cvv|cvc",
    "card": r"卡号|银行卡|信用卡|借记卡|储蓄卡|卡的号码|card number|credit card|debit card|card",
    "id": r"身份证号码|身份证号|身份证|证件号码|证件号|id number|identity number|id card|passport",
    "phone": r"手机号码|手机号|手机|电话号码|电话|座机|联系方式|号码|phone number|phone|mobile|cell|"
             r"call me on|call me at|reach me at|contact number|number",
}
_CONTEXT_RE = re.compile(
    "(?<![A-Za-z])(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _CONTEXT.items()) + ")(?![A-Za-z])",
    re.IGNORECASE,
)
_CONTEXT_WINDOW = 30  # characters looked back for a context word
_CONTEXT_GAP = 12  # at most this many characters between the context word and the number
# A unit right after the number means it is an amount, a date or a time, not an identifier.
_UNIT_AFTER_RE = re.compile(
    r"^\s?(?:元|块|毛|角|分钟|分(?!机)|秒|号|月|日|年|点|个|次|天|岁|%|％|万|千|百|十|小时|"
    r"percent|dollars?|yuan|usd|rmb|cents?|minutes?|hours?|days?|years?)", re.IGNORECASE)
# Money after a number: the one unit that keeps even a phone-shaped number as said.
_MONEY_AFTER_RE = re.compile(
    r"^\s?(?:元|块|毛|角|万元|美元|英镑|欧元|dollars?|yuan|usd|rmb|cents?|pounds?|euros?|gbp|eur)(?![A-Za-z])",
    re.IGNORECASE)

_CURRENCY = set("$¥￥€£")
_EMAIL_RE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}(?:@|＠|\s?艾特\s?)[A-Za-z0-9-]{1,63}(?:(?:\.|\s?点\s?)[A-Za-z0-9-]{1,63}){0,4}"
    r"(?:\.|\s?点\s?)[A-Za-z]{2,24}(?![A-Za-z0-9])"  # not \b: "163.com谢谢" ends at the m
    r"|(?<![A-Za-z0-9])[A-Za-z0-9]{1,64}(?: dot [A-Za-z0-9]{1,64}){0,4} at [A-Za-z0-9]{1,63}(?: dot [A-Za-z0-9]{1,63}){0,4} dot "
    r"(?:com|cn|net|org|edu|gov|io|co|uk|hk|tw|info|biz|me)(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Alphanumeric passwords read out after a password word ("密码是abc123", "password is Tiger77").
_PASSWORD_TOKEN_RE = re.compile(
    r"(?:密码|口令|password|passcode)(?:\s?(?:是|为|is|:|：))?\s?"
    r"(?P<tok>(?=[A-Za-z0-9@#$%^&*!_.-]{0,31}[0-9])(?=[A-Za-z0-9@#$%^&*!_.-]{0,31}[A-Za-z])"
    r"[A-Za-z0-9@#$%^&*!_.-]{4,32})",
    re.IGNORECASE,
)
_SERVICE_NUMBER_RE = re.compile(r"(?:400|800)[0-9]{7}|1010[0-9]{4}|95[0-9]{3,4}|1[0-9]{4}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Hit:
    """A sensitive value at ``text[start:end]``; ``digits`` normalised to ASCII (numbers only)."""

    start: int
    end: int
    kind: str
    digits: str = ""


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    digits: str
    # Said as a number of several digits ("twelve", "forty-one", "twelve hundred"): clock times
    # ("at ten fifteen") are said so, one-time codes digit by digit.
    grouped: bool = False


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def cn_id_valid(value: str) -> bool:
    """18-character resident ID: 17 digits and a check character (ISO 7064 MOD 11-2)."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS))
    return "10X98765432"[total % 11] == value[17].upper()


def _id_shaped(value: str) -> bool:
    """18 characters that look like an ID (region, birth date) even if the check char is off."""
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] in "Xx"):
        return False
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    return value[0] in "12345678" and 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def _said_as_number(m: re.Match) -> str:
    """The digits of a group said as a number: "twelve hundred" 1200, "forty-one" 41, "thirty" 30."""
    if m.group("hund"):
        word = m.group("hund").casefold()
        return (_EN_TEENS.get(word) or _EN_DIGITS[word]) + "00"
    if m.group("tens"):
        unit = m.group("tensu")
        return _EN_TENS[m.group("tens").casefold()] + (_EN_DIGITS[unit.casefold()] if unit else "0")
    return _EN_TEENS[m.group("teen").casefold()]


def _units(text: str, blocked: list[tuple[int, int]]) -> list[_Unit]:
    units = []
    for m in _UNIT_RE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in blocked):
            continue
        if m.group("num"):
            digits = m.group("num").translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        elif m.group("zh"):
            digits = _ZH_DIGITS[m.group("zh")]
        elif m.group("hund") or m.group("tens") or m.group("teen"):
            units.append(_Unit(m.start(), m.end(), _said_as_number(m), grouped=True))
            continue
        elif m.group("rep"):
            digit = m.group("repd") or _EN_DIGITS[m.group("repw").casefold()]
            digits = digit * (2 if m.group("rep").casefold() == "double" else 3)
        else:
            word = m.group("en").casefold()
            if word == "o" and not _neighbour_is_digit_word(text, m):
                continue  # a lone "o" is a letter, not zero
            if word == "oh" and _interjection(text, m):
                continue  # "Oh, five five five, oh one four two": the first "oh" is no zero
            digits = _EN_DIGITS[word]
        units.append(_Unit(m.start(), m.end(), digits))
    return units


# Where a digit said as a word may start: a text without one is returned as it is, without
# reading every number in it (`qa score` reads E1's turns through write_spoken_digits; most hold
# digits and no digit word: a third of the time of reading them all).
_SPOKEN_UNIT_RE = re.compile(rf"(?=[A-Za-z])(?:{_UNIT_RE.pattern})", re.IGNORECASE)
# What every match of _SPOKEN_UNIT_RE starts with: one of these words as a whole run of letters.
# ASCII text holding none of them is not searched with it (the regex tries its alternatives at
# every letter: ~80 µs a 130-character turn, its word runs ~10 µs). Text beyond ASCII is always
# searched: with IGNORECASE [A-Za-z] also matches "ſ" and the Kelvin sign.
_LEAD_WORDS = frozenset(_EN_DIGITS) | frozenset(_EN_TEENS) | frozenset(_EN_TENS) | {"double", "triple"}
_LETTER_RUN = re.compile(r"[a-z]+")


def _may_say_a_digit(text: str) -> bool:
    """False only when no digit can be said as a word in ``text`` (no run of letters is a lead word)."""
    return not text.isascii() or not _LEAD_WORDS.isdisjoint(_LETTER_RUN.findall(text.lower()))


def write_spoken_digits(text: str) -> str:
    """``text`` with every digit said as an English word written as that digit, read as
    :func:`find_sensitive` reads them (the E1 check reads spoken numbers through this too).
    Digits and Chinese digit characters stay as they are.

    >>> write_spoken_digits("是five five five, oh one four two, double 7")
    '是5 5 5, 0 1 4 2, 77'
    >>> write_spoken_digits("five five five, twelve hundred; forty-one twelve")
    '5 5 5, 1200; 41 12'
    >>> write_spoken_digits("Oh, I see")
    'Oh, I see'
    """
    if not _may_say_a_digit(text) or not _SPOKEN_UNIT_RE.search(text):  # no unit starts with a letter:
        return text  # nothing is written
    out, pos = [], 0
    for u in _units(text, []):
        if text[u.start].isascii() and text[u.start].isalpha():
            out += (text[pos:u.start], u.digits)
            pos = u.end
    return "".join(out) + text[pos:] if out else text


_PAUSE_AFTER_RE = re.compile(r"\s?[,!.?;:]")
_DIGIT_BEFORE_RE = re.compile(rf"(?:[0-9０-９]|{_EN_START}(?:{_EN_WORD}))[\s,\-]*$", re.IGNORECASE)


def _interjection(text: str, m: re.Match) -> bool:
    """An "oh" followed by a pause mark and with no digit said just before it."""
    return bool(_PAUSE_AFTER_RE.match(text, m.end())) and not _DIGIT_BEFORE_RE.search(text[max(0, m.start() - 12):m.start()])


_DIGIT_NEAR_RE = re.compile(rf"{_EN_START}(?:{_EN_WORD}){_EN_END}|[0-9]", re.IGNORECASE)


def _neighbour_is_digit_word(text: str, m: re.Match) -> bool:
    around = text[max(0, m.start() - 8):m.start()] + " " + text[m.end():m.end() + 8]
    return bool(_DIGIT_NEAR_RE.search(around.replace(m.group(0), "", 1)))


def _runs(text: str, units: list[_Unit]) -> list[list[_Unit]]:
    runs: list[list[_Unit]] = []
    for u in units:
        if runs:
            gap = text[runs[-1][-1].end:u.start]
            if (len(gap) <= _MAX_GAP and _GAP_RE.match(gap)) or _dot_between_digits(text, runs[-1][-1], u, gap):
                runs[-1].append(u)
                continue
        runs.append([u])
    return runs


def _dot_between_digits(text: str, left: _Unit, right: _Unit, gap: str) -> bool:
    """``212.555.0199``: a dot with digits right on both sides joins groups (such a run counts
    only when it has a phone, card or ID shape: ``1,299.00`` and ``2024.05.03`` stay as said)."""
    return gap == "." and text[left.end - 1].isdigit() and text[right.start].isdigit()


def _context(text: str, start: int) -> Optional[str]:
    """The kind the words just before ``start`` suggest. The nearest word counts, except that a
    phone word anywhere in the window beats an order or amount word after it ("my phone number
    on the order is …")."""
    window_start = max(0, start - _CONTEXT_WINDOW)
    found = list(_CONTEXT_RE.finditer(text, window_start, start))
    if not found:
        return None
    last = found[-1]
    if start - last.end() > _CONTEXT_GAP:
        return None
    if re.search(r"[0-9０-９]", text[last.end():start]):
        return None
    if last.lastgroup == "neg" and any(m.lastgroup == "phone" for m in found):
        return "phone"
    return last.lastgroup


_MAX_DIGITS = 22  # the longest value: 0086 + an 11-digit mobile, a 19-digit card, an 18-character ID
_KEEP = "keep"  # a number recognised as harmless: neither it nor a part of it is redacted


def _split_as(breaks: frozenset[int], *at: int) -> bool:
    """The number may be read as groups ending at ``at`` (digit positions): a pause was heard,
    or a group written, at each of them (more pauses do not matter)."""
    return all(i in breaks for i in at)


def _phone_shaped(digits: str, groups: list[int], plus: bool, breaks: frozenset[int] = frozenset()) -> bool:
    """Written or said the way a phone number is, whatever the words around it: these shapes
    stand on their own. 7- and 8-digit local numbers do not (they need a phone word).
    ``breaks``: the digit positions where the number may be split into groups (see
    :func:`_breaks`): ``(212) 555-0199``, ``2 1 2 5 5 5 0 1 9 9`` and "two one two, five five
    five, oh one nine nine" all split as 3-3-4; ``1,234,567,890`` does not."""
    n = len(digits)
    if plus:  # +44 7700 900420, +1 (212) 555-0199, +86 10 1234 5678, plus four four ...
        return 8 <= n <= 15 and digits[0] != "0"
    if _SERVICE_NUMBER_RE.fullmatch(digits):
        return False  # a company hotline (400 820 5789), kept for QA
    return bool(
        re.fullmatch(r"(?:0086|86)?1[3-9][0-9]{9}", digits)  # Chinese mobile
        or (len(groups) > 1 and re.fullmatch(r"00[1-9][0-9]{7,13}", digits))  # 0044 7700 900420
        or re.fullmatch(r"0[1-9][0-9]{8,10}", digits)  # trunk 0: 010-12345678, 0755 8765 4321, 07700 900 420
        or (n == 10 and _split_as(breaks, 3, 6) and re.fullmatch(r"[2-9][0-9]{9}", digits))
        or (n == 11 and _split_as(breaks, 1, 4, 7) and re.fullmatch(r"1[2-9][0-9]{9}", digits))
    )


def _date_shaped(digits: str, groups: list[int]) -> bool:
    """2024-05-03, 2024.05.03, 03-05-2024: a date, even after a phone word."""
    if groups == [4, 2, 2]:
        year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    elif groups == [2, 2, 4]:
        year, month, day = int(digits[4:]), min(int(digits[:2]), int(digits[2:4])), max(int(digits[:2]), int(digits[2:4]))
    else:
        return False
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def _classify(digits: str, groups: list[int], ctx: Optional[str], amount_after: bool,
              strong_only: bool = False, *, money: bool = False, plus: bool = False,
              dotted: bool = False, breaks: Optional[frozenset[int]] = None) -> Optional[str]:
    """The kind of a run of digits (or :data:`_KEEP`, or None); ``groups`` are the lengths of
    its written groups. ``strong_only``: only shapes that stand on their own (a part of a
    longer run), not the weak US-style and after-a-phone-word rules. ``money``: a currency
    sign or money word beside it; ``plus``: a ``+`` (or "plus") before it; ``dotted``: its
    groups are joined by dots, as ``1,299.00`` is too, so only standalone shapes count;
    ``breaks``: where the number may be split into groups (by default where ``groups`` end)."""
    n = len(digits)
    if breaks is None:
        breaks = _group_ends(groups)
    if n == 18 and cn_id_valid(digits):
        return "id"
    if money:
        return _KEEP
    if digits.isdigit() and _phone_shaped(digits, groups, plus, breaks):
        return "phone"
    if ctx == "neg" or amount_after or _date_shaped(digits, groups):
        return _KEEP
    strong_only = strong_only or dotted
    if ctx == "code" and (4 <= n <= 8 or (n == 3 and digits.isdigit())):
        return "code"
    if not digits.isdigit():
        return "id" if _id_shaped(digits) or (ctx == "id" and n == 18) else None
    if _SERVICE_NUMBER_RE.fullmatch(digits):
        return _KEEP  # a company hotline, not a person's number: QA may check it was given right
    if 13 <= n <= 19 and luhn_valid(digits):
        return "card"
    if _id_shaped(digits) or (ctx == "id" and n in (15, 18)):
        return "id"
    if ctx == "card" and 13 <= n <= 19:
        return "card"
    if strong_only:
        return None
    if n == 7 and _split_as(breaks, 3) and re.fullmatch(r"[2-9][0-9]{6}", digits):
        return "phone"  # US style 555-0123, also as the recogniser cuts it: 5 -5 -5 -0142, "five five five, oh one four two"
    if ctx == "phone" and 7 <= n <= 12:
        return "phone"
    return None


def _group_lengths(text: str, run: list[_Unit]) -> list[int]:
    """Digits per written group: units joined without any gap belong to one group."""
    groups = [len(run[0].digits)]
    for prev, u in zip(run, run[1:]):
        if u.start == prev.end:
            groups[-1] += len(u.digits)
        else:
            groups.append(len(u.digits))
    return groups


def _group_ends(groups: list[int]) -> frozenset[int]:
    ends, pos = set(), 0
    for g in groups[:-1]:
        pos += g
        ends.add(pos)
    return frozenset(ends)


def _breaks(text: str, run: list[_Unit]) -> frozenset[int]:
    """Digit positions where the run may be split into groups: after every written group, and
    inside a group after every digit said as a word (幺三八一二三四 or "five five five"
    carries no written grouping, so every position is a possible one)."""
    breaks, pos = set(), 0
    for prev, u in zip(run, run[1:]):
        pos += len(prev.digits)
        if u.start != prev.end or not text[prev.start].isdigit() or not text[u.start].isdigit():
            breaks.add(pos)
    return frozenset(breaks)


def _classify_run(text: str, run: list[_Unit], ctx: Optional[str], strong_only: bool = False) -> Optional[Hit]:
    digits = "".join(u.digits for u in run)
    start, end = run[0].start, run[-1].end
    check = _ID_CHECK_RE.match(text[end:])
    if len(digits) == 17 and check:
        digits, end = digits + "X", end + check.end()
    money = bool(_MONEY_AFTER_RE.match(text[end:])) or text[max(0, start - 2):start].strip()[-1:] in _CURRENCY
    amount_after = money or bool(_UNIT_AFTER_RE.match(text[end:]))
    before = text[max(0, start - 12):start]
    plus = _PLUS_BEFORE_RE.search(before)
    dotted = any(text[a.end:b.start] == "." for a, b in zip(run, run[1:]))
    kind = _classify(digits, _group_lengths(text, run), ctx, amount_after, strong_only,
                     money=money, plus=plus is not None, dotted=dotted, breaks=_breaks(text, run))
    if kind is None or (kind == "code" and any(u.grouped for u in run)):
        return None  # a code is read digit by digit; "the code expires at ten fifteen" is a time
    if kind == _KEEP:
        return Hit(start, end, _KEEP, digits)
    if kind == "phone":  # the "+" or "(" before the number goes with it
        prefix = plus or _BRACKET_BEFORE_RE.search(before)
        if prefix:
            start -= len(prefix.group(0))
    return Hit(start, end, kind, digits)


def _split_run(text: str, run: list[_Unit], ctx: Optional[str]) -> list[Hit]:
    """The run as one value, or else the longest stretches of it that stand on their own
    (two numbers said in one breath), left to right."""
    whole = _classify_run(text, run, ctx)
    if whole:
        return [] if whole.kind == _KEEP else [whole]
    hits, i = [], 0
    while i < len(run):
        # no value is longer than _MAX_DIGITS: looking further only costs time (quadratic)
        j_max, digits = i, 0
        while j_max < len(run) and digits + len(run[j_max].digits) <= _MAX_DIGITS:
            digits += len(run[j_max].digits)
            j_max += 1
        for j in range(max(j_max, i + 1), i, -1):
            if j - i == len(run):
                continue
            hit = _classify_run(text, run[i:j], ctx if i == 0 else None, strong_only=True)
            if hit:
                if hit.kind != _KEEP:
                    hits.append(hit)
                i = j
                break
        else:
            i += 1
    return hits


def find_sensitive(text: str, blocked: tuple[tuple[int, int], ...] = ()) -> list[Hit]:
    """Every sensitive value in ``text``, in order, not overlapping ``blocked`` spans."""
    hits: list[Hit] = []
    taken = list(blocked)
    emails = _EMAIL_RE.finditer(text) if re.search(r"[@＠]|艾特| at ", text) else ()
    for m in emails:
        if "@" in m.group(0) or "＠" in m.group(0) or "艾特" in m.group(0) or " at " in m.group(0).lower():
            hits.append(Hit(m.start(), m.end(), "email"))
            taken.append((m.start(), m.end()))
    for m in _PASSWORD_TOKEN_RE.finditer(text):
        s, e = m.span("tok")
        if not any(a < e and s < b for a, b in taken):
            hits.append(Hit(s, e, "code"))
            taken.append((s, e))
    for run in _runs(text, _units(text, taken)):
        hits.extend(_split_run(text, run, _context(text, run[0].start)))
    return sorted(hits, key=lambda h: h.start)
