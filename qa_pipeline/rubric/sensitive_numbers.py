"""The confidentiality (E1) detectors for the ``detect`` check type: sensitive numbers said aloud.

Each takes one turn (its transcribed and normalised text) and the call, and returns ``(offset, label)``
of the first hit or ``None`` (see :mod:`qa_pipeline.rubric.detectors`, which registers them):

* ``sensitive_number``: a full bank-card number (13–19 digits), an 18-character Chinese ID
  number, or a one-time code / password with its digits, or the redaction placeholder
  left where one was ([CARD ****1234], [身份证号] / [ID], [CODE]). Last four digits are fine.
  Spoken digits count ("two two nine oh", "double five"), and so does a code a few words
  after its name ("the code we just sent you is 6 1 9 4 0 2", 验证码我给您念一下，是683921)
  or a password with letters and digits (临时密码是abc8826), also spelled out a few words after it
  is named ("a temporary password for you. It's Kestrel with a capital K, then 4 7 9 1"), said character by
  character ("capital P, lowercase q, 7, 7, hash") or as a count of one digit (六个八, "four zeros"), and a card,
  ID or code read in pieces across the agent's turns — not "sent to the phone ending 1234", "valid for 10
  minutes", "at least 8 characters", a code anyone may hear (a sort code, a promo code) or a number starting
  with 0. A long number is a card when it passes the Luhn check, an ID when it passes the GB 11643 check
  character, and otherwise only when the words around it call it a card, a bank account or an ID.
* ``personal_data``: a customer's phone number, account balance, address or date of birth stated by the
  agent (预留手机是139…, 欠费320元, 登记的地址是…路18号; "her mobile is 07700 900114", "the balance is 1240
  pounds", "registered to 9 Birch Lane", "date of birth the second of June"),
  not read back as a question for the caller to confirm, not a hotline's number. The E1
  rubrics look for it only up to the first identifier asked.
"""
from __future__ import annotations

import re
from typing import Optional

from qa_pipeline.language import CHINESE_CHARACTERS, has_chinese
from qa_pipeline.privacy.redaction import REDACTED_CARD_RE, REDACTED_CODE_RE, REDACTED_ID_RE
from qa_pipeline.privacy.sensitive import cn_id_valid, luhn_valid, write_spoken_digits
from qa_pipeline.rubric.text import normalize
from qa_pipeline.rubric.view import CallView, TurnView

Hit = Optional[tuple[int, str]]

_SPACE_OR_DASH = re.compile(r"[ -]")

# --- sensitive numbers --------------------------------------------------------------------

# 13–19 digits, spaces or dashes between them allowed, not inside a longer word or number.
# Written to start with \d (the edge check after it) so the regex engine skips to digits.
DIGIT_RUN = re.compile(r"\d(?<![0-9a-z]\d)(?:[ -]?\d){11,17}[ -]?[\dx](?![0-9a-z])")
# "code" after one of these words names something anyone may hear (a sort code, a dialling code, a
# promo code, an error code), not a secret: one list for every English code pattern below.
_PUBLIC_CODE_WORDS = (
    "post", "zip", "area", "promo", "promotion", "discount", "coupon", "gift", "voucher", "reference", "confirmation",
    "tracking", "product", "error", "fault", "country", "booking", "qr", "dress", "bar", "tax", "sort", "dial",
    "dialling", "dialing", "postal", "colour", "color", "branch", "bank", "swift", "ifsc", "routing", "course",
    "class", "station", "airport", "store", "shop", "item", "style", "model",
)
_PUBLIC_CODE_NOT_BEFORE = "".join(f"(?<!{word} )" for word in _PUBLIC_CODE_WORDS)
_PUBLIC_CODE = re.compile(rf"\b(?:{'|'.join(_PUBLIC_CODE_WORDS)}) codes?\b")
_CODE = re.compile(
    r"(?<![a-z])(?:验证码|动态码|校验码|密码|verification code|one time code|one time passcode|otp|passcode|password|"
    rf"security code|cvv|cvc|pin|combination|{_PUBLIC_CODE_NOT_BEFORE}code)"
    r"(?: number)?(?: is| 是|是|为)? ?(?:\d ?){4,8}(?!\d)"
)
# The digits first, then what they open: "4 8 1 9 is the gate code", "six two two one, that's your
# alarm code" (not "4 0 4 is the error code", a code anyone may hear).
_DIGITS_THEN_CODE = re.compile(
    r"(?<![\d.])\d(?: \d){3,7}(?! ?\d) (?:is|that is|that will be|will be|would be) (?:the|your|our|their) "
    rf"(?:[a-z]+ ){{0,2}}?{_PUBLIC_CODE_NOT_BEFORE}(?:code|pin|passcode|password|combination)\b"
)


# A card's security code is three or four digits, fewer than any other code: "the CVV is three one
# eight", "the security number on the back, 7 7 2" (not "the three digits on the back", a request).
_CARD_SECURITY_CODE = re.compile(
    r"(?<![a-z])(?:cvv2?|cvc2?|cv2|csc|card security (?:code|number)|(?<!social )security (?:code|number|digits)|"
    r"(?:code|number|numbers|digits) on the back)(?![a-z])"
    r"(?: of (?:the|your) card)?(?: is| are| was| reads| says)?(?: back to you)?(?: back)?(?: to you)? ?"
    r"(?P<digits>\d ?\d ?\d(?: ?\d)?)(?! ?\d)(?! ?(?:digits?|numbers?|characters?|times?)\b)"
)


# Redaction (qa_pipeline.privacy.redaction) replaces values by typed placeholders before a call is
# stored; a placeholder of these kinds in an agent turn means the agent read the full value.
_PLACEHOLDER = re.compile("|".join(rx.pattern for rx in (REDACTED_CARD_RE, REDACTED_ID_RE, REDACTED_CODE_RE)))


_ANY_DIGIT = re.compile(r"\d")
_NOT_A_CARD = re.compile(
    r"(?:订单号|订单编号|单号|运单|快递单|工单|流水号|交易号|交易单号|编号|户号|合同号|保单号|会员号|宽带账号|宽带帐号|"
    r"客户号|缴费号|表号|车架号|设备号|序列号|串号|imei号?|imei码|sn码|发票号|税号|病历号|预约号|挂号单号|"
    r"order number|order|tracking number|tracking|reference number|reference|confirmation number|confirmation|"
    r"ticket number|case number|invoice number|policy number|policy|meter number|member number|membership number|"
    r"serial number|imei|claim number|booking number|account reference|customer number|"
    # other references read back ("the acknowledgement number is 5 3 1 7 …", "consignment 4 0 0 …")
    r"acknowledgement number|acknowledgment number|acknowledgement|acknowledgment|application number|"
    r"application id|consignment number|consignment|waybill|airway bill|awb|receipt number|receipt|"
    r"transaction id|transaction number|transaction reference|utr|pnr|docket number|token number|job number|"
    r"work order|registration number|certificate number|parcel number|shipment number|return number|rma)"
    r"(?: number)?(?: is| 是|是|为)? ?$")
# An 18-character Chinese resident ID: region, a birth date 19xx/20xx-mm-dd, sequence, check digit.
_ID_NUMBER = re.compile(r"\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dx]")


# Every code _CODE finds has one of these words in it: a turn without them needs no search.
_CODE_WORD = re.compile(r"验证码|动态码|校验码|取件码|(?:登录|临时|安全|激活|授权|开锁|门禁)码|密码|口令|code|otp|password|passcode|cvv|cvc|cv2|csc|pin|combination|security|on the back")
# A code word, a few words, then the digits: "the code we just sent you is 6 1 9 4 0 2",
# "验证码我给您念一下，是683921". The words in between may not turn the digits into something
# else (a date, a duration, a count of digits, the last digits of a phone or card).
_CODE_THEN_DIGITS = re.compile(
    r"(?<![a-z])(?:验证码|动态码|校验码|取件码|密码|口令|verification code|one time code|one time password|otp|"
    rf"passcode|password|pin|combination|{_PUBLIC_CODE_NOT_BEFORE}code)(?![a-z])"
    r"(?P<between>[^\d\n]{0,32}?)(?P<digits>\d(?: ?\d){3,7})(?! ?\d)(?P<after> ?\S{0,4})")
_NOT_THE_CODE = re.compile(
    r"尾号|后[四六4-6]位|末[四4]位|结尾|有效|分钟|发送到|发到|ending|last|ends|valid|expire|minute|second|hour|day|"
    r"\bon\b|since|date|changed on|updated|digit|character|long|at least|must|should|need|长度|不少于|至少|位数|需要")
_NOT_THE_CODE_AFTER = re.compile(r"^ ?(?:位|个|分钟|秒|小时|天|次|digits?|characters?|minutes?|seconds?|hours?|days?|times?)")
# A password or temporary password with letters and digits: "临时密码是abc8826", "your
# temporary password is maple7742".
_PASSWORD = re.compile(
    r"(?<![a-z])(?:密码|口令|password|passcode)(?![a-z])(?: (?:is|was|has been|will be|reset to|set to|changed to|now)){0,3}"
    r"(?:是|为|设成了?|改成了?|重置成了?|重置为|设置为|设为)? ?(?P<word>(?=[a-z0-9]*\d)(?=[0-9]*[a-z])[a-z0-9]{5,20})(?![a-z0-9])")
# A password spelled out a word or two after it is named, its letters said one by one or as a word
# with its case, then its digits: "I've set a temporary password for you. It's Kestrel with a capital
# K, then four seven nine one, then a hash sign" (not "the password is the one you set in 2019").
_PASSWORD_SPELLED = re.compile(
    r"(?<![a-z])(?:password|passcode|密码|口令)(?![a-z])"
    r"(?P<between>[^\d\n]{0,48}?\b(?:it is|that is|is|reads|goes)\b[^\d\n]{0,48}?)"
    r"(?P<digits>\d(?: ?\d){2,7})(?! ?\d)(?P<after> ?\S{0,4})")
_NOT_A_SPELLING = re.compile(r"\b(?:year|born|birth|birthday|same|the one|you set|you chose|you picked|date|postcode)\b")
# Digits said as English words are read as redaction reads them (write_spoken_digits). In an
# English turn the normaliser has written "five" as 5 already and left "oh", "o", "double" and
# "triple" as words. A Chinese turn keeps English words but loses the spaces between them
# ("是fivefivefive"), so its digit words are written as digits before it is normalised again.
_EN_LETTER = re.compile(r"[a-z]")


def _with_spoken_digits(turn: TurnView) -> tuple[str, str]:
    """The turn's text and normalised text with every digit said as a word written as a digit
    (once per turn: sensitive_number and personal_data both read it)."""
    return turn.memo("spoken digits", lambda: _spoken_digits(turn))  # type: ignore[return-value]


def _spoken_digits(turn: TurnView) -> tuple[str, str]:
    if has_chinese(turn.text):
        if not _EN_LETTER.search(turn.norm):
            return turn.text, turn.norm
        text = write_spoken_digits(turn.text)
        return text, (turn.norm if text == turn.text else normalize(text))
    if not _ANY_DIGIT.search(turn.norm):  # the normaliser writes every number it reads in digits
        return turn.text, turn.norm
    return turn.text, write_spoken_digits(turn.norm)


def _code_read_out(norm: str) -> Hit:
    m = _CODE.search(norm)
    if m:
        return m.start(), m.group()
    m = _DIGITS_THEN_CODE.search(norm)
    if m:
        return m.start(), m.group()
    m = _CARD_SECURITY_CODE.search(norm)
    if m:
        return m.start(), m.group()
    for m in _CODE_THEN_DIGITS.finditer(norm):
        between = _SENT_TO_PHONE.sub(" ", m.group("between"))
        if _NOT_THE_CODE.search(between) or _NOT_THE_CODE_AFTER.match(m.group("after")):
            continue
        return m.start(), m.group(0)[: m.end("digits") - m.start()]
    m = _PASSWORD.search(norm)
    if m and not _NOT_THE_CODE.search(norm[m.start():m.start("word")]):
        return m.start(), m.group()
    for m in _PASSWORD_SPELLED.finditer(norm):
        between = m.group("between")
        if not (_NOT_THE_CODE.search(between) or _NOT_A_SPELLING.search(between) or _NOT_A_BARE_CODE.search(between)
                or _NOT_THE_CODE_AFTER.match(m.group("after"))):
            return m.start(), m.group(0)[: m.end("digits") - m.start()]
    return None


# Normalised Chinese text loses its punctuation, so "2014-01-31 00:21 0时" and "输入 **21*13810011234#"
# read as one 13-digit run. A card or ID number is read out in one piece or in groups joined by
# spaces, dashes or commas; a colon (a clock time), a star or hash (a dial code), a slash or a dot
# (a date) between two digits ends a number. A run is a card only within one such piece.
_SPOKEN_DIGIT = "0-9零〇○一幺二两三四五六七八九"
_NUMBER_BREAK = re.compile(rf"(?<=[{_SPOKEN_DIGIT}])\s*[:：*＊#＃/／.．]+\s*(?=[{_SPOKEN_DIGIT}])")


def _one_number(digits: str, text: str) -> bool:
    """Whether ``digits`` (a run found in the normalised turn) is one number in ``text`` as
    written, not several joined by a colon, a star, a hash, a slash or a dot."""
    pieces = _NUMBER_BREAK.split(text)
    if len(pieces) == 1:
        return True
    return any(digits in _SPACE_OR_DASH.sub("", normalize(p)) for p in pieces)


# A code read out in a turn of its own, just after the code was talked about ("it wants a code
# that never came through" … "I can see it on my side: it's 6 0 3 9 1 7"): four to eight digits
# said one by one after "it is / that is / here it is", with a code word in this turn before
# them or in one of the two turns before. Not a number another word names ("your order is …",
# "ending …", "the number is …").
_CODE_TOPIC = re.compile(
    rf"(?<![a-z])(?:验证码|动态码|校验码|密码|口令|otp|passcode|password|pin|{_PUBLIC_CODE_NOT_BEFORE}code)s?(?![a-z])")
_BARE_CODE = re.compile(
    r"(?:^|\b(?:it is|that is|here it is|here you go|so it is|it says|it reads|the digits are))\b ?"
    r"(?P<digits>\d(?: \d){3,7})(?! ?\d)(?P<after> ?\S{0,4})")
_NOT_A_BARE_CODE = re.compile(
    r"number|mobile|phone|order|reference|account|ending|last|ends|card|date|born|birth|postcode|room|"
    r"unit|flat|meter|reading|policy|booking|ticket|case|claim|member|pnr|\bref\b|extension|\bext\b|option")


# The phone a code went to, named and done with before the digits ("验证码发到您手机上了，是417720", crit30):
# taken out of the words between the code and the digits, as _SENT_TO is in English below; "发到尾号…"
# and "sent to the number ending …" keep their guard words (尾号, ending).
_SENT_TO_PHONE = re.compile(
    r"(?:发到|发送到|发给|发至|发去)(?:了)?(?:您|你)?(?:的)?(?:手机|电话|邮箱|微信)(?:上|里)?(?:了|啦)?(?![^\n]{0,3}?(?:尾号|后[四六4-6]位|末[四4]位))")


# Where a code was sent names no number ("a code sent to the phone on file. I've just sent it. It's 5 2 9
# 4 0 8", crit30): the phone or mobile it went to is taken out of the words before the digits before they
# are asked whether they name another number ("your phone number is …" still does).
_SENT_TO = re.compile(
    r"\b(?:sent|send|sending|texted|text|texting|went|gone|going|delivered|messaged|came|coming|arrive[sd]?) "
    r"(?:[a-z0-9]+ ){0,4}?(?:to|through to|over to|on) (?:the|your|this|that|their) "
    r"(?:phone|mobile|cell|handset|device)(?: on (?:file|the account|record))?\b")


def _code_after_topic(norm: str, turn: TurnView, view: CallView) -> Hit:
    for m in _BARE_CODE.finditer(norm):
        near = _SENT_TO.sub(" ", norm[max(0, m.start() - 80):m.start()])[-40:]
        if _NOT_THE_CODE_AFTER.match(m.group("after")) or _NOT_A_BARE_CODE.search(near):
            continue
        before = [norm[:m.start()]] + [t.norm for t in view.turns[max(0, turn.index - 2):turn.index]]
        if any(_CODE_TOPIC.search(b) for b in before):
            return m.start("digits"), m.group("digits")
    return None


# The number the customer just asked about ("what's my tracking number?" … "it's 4 4 0 9 …"):
# a reference named in one of the two turns before, and no card word there or in this turn.
_REFERENCE_WORD = re.compile(
    r"(?<![a-z])(?:order|tracking|reference|confirmation|consignment|acknowledge?ment|application|booking|"
    r"invoice|receipt|transaction|waybill|pnr|policy|claim|case|ticket|serial|imei|docket|token|parcel|"
    r"shipment)(?: number| no| id| ref)?(?![a-z])")
_CARD_WORD = re.compile(r"(?<![a-z])(?:card|visa|mastercard|amex|debit|credit|卡)")


def _reference_asked_before(norm: str, turn: TurnView, view: CallView) -> bool:
    if _CARD_WORD.search(norm):
        return False
    before = [t.norm for t in view.turns[max(0, turn.index - 2):turn.index]]
    return any(_REFERENCE_WORD.search(b) for b in before) and not any(_CARD_WORD.search(b) for b in before)


# A number named by what it is just before it, a noun then "number / id / no / ref" ("your SR number
# is …", "your order ID is 114 5567892 …", "the request no. is …"), is that thing, not a card: a
# card is named as one ("card", "debit", "visa", "the long number on the front"). The noun may not
# be a card, account or identity word; a short "of the …" may follow ("the transaction reference of
# the duplicate debit is …").
_NAMED_NUMBER = re.compile(
    r"(?<![a-z])(?P<noun>[a-z]+) (?:number|id|no|ref|reference|serial)(?: (?:of|for|on) (?:the|your|this|that|my)(?: [a-z]+){1,3})?"
    r"(?: is| was| will be)? ?$")
_CARD_OR_IDENTITY = re.compile(
    r"^(?:card|debit|credit|visa|mastercard|amex|account|bank|identity|id|national|social|security|ssn|aadhaar|"
    r"aadhar|pan|passport|licence|license|insurance|tax|your|the|my|his|her|their|this|that|a|full|long|whole|"
    r"new|old|same|phone|mobile|cell|contact|pin|cvv|cvc|cards|digit|digits|its|it)$")


def _named_reference(before: str) -> bool:
    """Whether the words just before a digit run name it as a reference of some kind (an SR,
    order, request or ticket id) rather than a card, an account or an identity number.

    >>> _named_reference("your sr number is "), _named_reference("your card number is ")
    (True, False)
    """
    m = _NAMED_NUMBER.search(before)
    return m is not None and not _CARD_OR_IDENTITY.match(m.group("noun"))


# A code handed over to be typed in, whatever it is called or not called (round 7): four to eight
# digits said one by one, with the customer told to enter them a few words before or after ("so you
# can type it in: 7 1 4 99 2", "是八二六幺五三 您直接输进去就行"). Said one by one: in English spaced
# digits, in Chinese digit characters (not 两千五百, an amount, nor 2500). Not a number named as
# something else just before (a phone, an order, the last digits), nor a year or an amount after.
# crit31: nor digits the customer said in the three turns before (a callback number or a reference the
# caller gave, said back: "what number do I ring you on" … "seven four six one eight" … "7 4 6 1 8, I'll
# put it right"): a code to type in is the agent's to hand over, never the caller's own digits echoed.
_ENTER_EN = re.compile(r"\b(?:type|key|punch|enter|pop|put|tap)(?: (?:it|this|that|them|these|those|those digits|the digits))?(?: in| into)?\b")
_ENTER_ZH = re.compile(r"输进去|输入|输上|填进去|填入|填上|敲进去|录入|打进去")
_CODE_EN = re.compile(r"(?<![\d.])\d{1,2}(?: \d{1,2}){2,7}(?![\d.]| ?\d)")
_CODE_ZH = re.compile(r"(?<![0-9零〇一幺二两三四五六七八九十百千万亿])[零〇一幺二三四五六七八九](?:[ ，,、-]?[零〇一幺二三四五六七八九]){3,7}"
                      r"(?![0-9零〇一幺二两三四五六七八九十百千万亿元块点号位年月日个次天分秒])")
_NOT_A_CODE_ZH = re.compile(r"尾号|后[四六4-6]位|末[四4]位|分机|手机|电话|号码|订单|单号|编号|账号|卡号|门牌|房间|楼|金额")
_NOT_A_CODE_AFTER = re.compile(r"year|date|amount|extension|postcode|pounds?|dollars?|euros?|rupees?|digits?|minutes?|meter|reading")


def _code_to_enter(text: str, norm: str, turn: TurnView, view: CallView) -> Hit:
    if has_chinese(text):
        for m in _CODE_ZH.finditer(text):
            near = text[max(0, m.start() - 16):m.start()] + "|" + text[m.end():m.end() + 12]
            if _ENTER_ZH.search(near) and not _NOT_A_CODE_ZH.search(text[max(0, m.start() - 12):m.start()]) \
                    and not _said_by_the_customer(m.group(), turn, view):
                return m.start(), m.group()
        return None
    for m in _CODE_EN.finditer(norm):
        before, after = norm[max(0, m.start() - 40):m.start()], norm[m.end():m.end() + 24]
        if ((_ENTER_EN.search(before[-24:]) or _ENTER_EN.search(after))
                and not _NOT_A_BARE_CODE.search(before) and not _PUBLIC_CODE.search(before)
                and not _NOT_A_CODE_AFTER.search(after)
                and not _NOT_THE_CODE_AFTER.match(after)
                and not _said_by_the_customer(m.group(), turn, view)):
            return m.start(), m.group()
    return None


# A password said character by character after it is named (round 8): letters, with or without their
# case, digits and symbols, at least six of them, a letter and a digit among them ("your new password
# is capital P, lowercase q, 7, 7, hash, m, 2"). Not a rule about what it must contain ("at least one
# capital letter and a number": "capital" then a word, not a letter).
_CHARACTER = (r"(?:(?:capital|upper ?case|lower ?case|small|big) (?:letter )?[a-z]|[a-z]|\d|hash|at sign|at|star|"
              r"asterisk|dollar(?: sign)?|exclamation(?: mark| point)?|underscore|dash|hyphen|dot|plus|percent|ampersand)")
_PASSWORD_CHARACTERS = re.compile(
    r"(?<![a-z])(?:password|passcode|pin)(?![a-z])[^\d\n]{0,32}?\b(?:is|it is|that is|reads|goes|to|as)"
    rf" (?P<chars>{_CHARACTER}(?: (?:then |and |followed by )?{_CHARACTER}){{5,}})(?![a-z0-9])")
_LETTER_CHARACTER = re.compile(r"(?<![a-z0-9])(?:capital|upper ?case|lower ?case|small|big)? ?[a-z](?![a-z])")
# A code or password said as a count of one digit (初始密码是六个八, "the PIN is four zeros"): the whole
# of it, however short it sounds. Not a rule ("不能设成六个相同的数字", "don't use six zeros").
_REPEATED_DIGIT = re.compile(
    r"(?:密码|口令|验证码|动态码|password|passcode|pin|code)[^\n]{0,16}?(?<![不别])(?:是|为|成|成了|is|to|as)(?: now| just| simply)? ?(?:就是)?"
    r"(?:[4-8]个[0-9]|(?:4|5|6|8) (?:zeros|noughts|ohs|ones|twos|threes|fours|fives|sixes|sevens|eights|nines)\b)")
_NOT_A_PASSWORD_RULE = re.compile(r"不能|不要|不可以|别|避免|不允许|cannot|can not|must not|should not|do not|never|avoid|not allowed")


def _password_characters(norm: str) -> Hit:
    m = _PASSWORD_CHARACTERS.search(norm)
    if m and len(_LETTER_CHARACTER.findall(m.group("chars"))) and _ANY_DIGIT.search(m.group("chars")) \
            and not _NOT_THE_CODE.search(norm[m.start():m.start("chars")]):
        return m.start(), m.group()
    m = _REPEATED_DIGIT.search(norm)
    if m and not _NOT_A_PASSWORD_RULE.search(norm[max(0, m.start() - 16):m.end()]):
        return m.start(), m.group()
    return None


# A code or password whose length is said first, then read (crit29: 临时密码是八位数，您记一下：58130726;
# "your new PIN is four digits, it's 7 3 9 0"): the digits that follow make exactly the length named,
# so they are the secret itself, not a phone, a date or the last digits of something. Not a rule or an
# example of one (密码是6位数字，不要设成123456), nor the last digits of where it was sent.
_LENGTH_THEN_DIGITS = re.compile(
    r"(?<![a-z])(?:验证码|动态码|校验码|取件码|(?:登录|临时|安全|激活|授权|开锁|门禁)码|密码|口令|verification code|"
    rf"one time code|otp|passcode|password|pin|{_PUBLIC_CODE_NOT_BEFORE}code)(?![a-z])[^\n]{{0,12}}?(?<!\d)"
    r"(?P<length>\d{1,2}) ?(?:位数字|位数|位|个数字|digits?|numbers?)"
    r"(?P<between>[^\n]{0,20}?)(?P<digits>(?<!\d)\d(?: ?\d){3,11})(?! ?\d)")
_NOT_THE_SECRET = re.compile(r"不要|不能|别|比如|例如|像|这种|这样|such as|like|e ?g|for example|not|never|avoid|don ?t|尾号|后[四六4-6]位|末[四4]位|ending|last|ends")


def _secret_of_said_length(norm: str) -> Hit:
    for m in _LENGTH_THEN_DIGITS.finditer(norm):
        digits = _SPACE_OR_DASH.sub("", m.group("digits"))
        if len(digits) == int(m.group("length")) and not _NOT_THE_SECRET.search(m.group("between")):
            return m.start(), m.group()
    return None


# A password read out as words with a number in it (crit29: "your password on the system is harbour 42
# gull"; 您的登录密码是海鸥2024): whatever it is made of, once its value is said after "is" it is a secret
# read aloud. Up to three words before the digits, a qualifier of where it is kept between. Not what the
# password must be or how old it is ("is at least 8 characters", "was changed 2 days ago", 密码是6位数).
_PASSWORD_WORDS = re.compile(
    r"(?<![a-z])(?:password|passcode|密码|口令)(?![a-z])"
    r"(?: (?:on|in|for|of) (?:the|your|our|this|that) (?:[a-z]+ ){0,2}?(?:system|file|account|record|records|app|portal|"
    r"website|site|profile|login))?"
    r"(?: (?:is|was|reads|is set to|was set to|has been set to|is still|was still)|是|为|设的是|设成了|还是) ?"
    r"(?P<value>(?:(?:[a-z]+ ){1,3}|[\u4e00-\u9fff]{1,6})\d{2,8}(?: [a-z]+)?)(?!\d)(?P<after> ?\S{0,8})")
_NOT_A_VALUE = re.compile(
    r"\b(?:at|least|most|must|should|need|needs|needed|more|less|than|only|about|around|over|under|up|to|changed|"
    r"updated|reset|expires?|expired|set|valid|last|first|every|within|after|before|since|the|your|a|an|same|"
    r"case|sensitive|length|long|on|in|of|from|by|with|for|page|step|section|line|item|option|screen|box|letter|"
    r"email|text|sms|message|sent|printed|written|shown)\b|长度|至少|不少于|不能|需要|必须|改过|修改|过期|有效|之前|以前|以后|最近|已经|去年|今年|"
    r"前年|上个|上次|位|个|次|天")
# a date, an amount or a count after the digits, not the rest of a password (密码是去年12月改的)
_NOT_A_VALUE_AFTER = re.compile(
    r"^ ?(?:月|年|日|号|点|元|块|岁|周|个|位|次|天|分|秒|小时|%|percent|days?|weeks?|months?|years?|times?|digits?|"
    r"characters?|letters?|numbers?|minutes?|hours?)")


def _password_in_words(norm: str) -> Hit:
    m = _PASSWORD_WORDS.search(norm)
    if m and not _NOT_A_VALUE.search(m.group("value")) and not _NOT_A_VALUE_AFTER.match(m.group("after")) \
            and not _NOT_THE_CODE.search(m.group("value")):
        return m.start(), m.group(0)[: m.end("value") - m.start()]
    return None


# A number read in pieces across the agent's turns (round 8: a card in two parts; round 12: any card,
# ID or code, and with the customer fetching a wallet in between): "the card we saved is 4118 2203"
# … "wait, I'll get my wallet" … "okay, no rush" … "5567 9901"; "the code starts 7 1 3" … "and then
# 5 8 2"; 验证码前三位是五一九 … 后三位是零七三. The first piece ends one of the agent's turns, the rest
# opens a later one of theirs within four turns, with no other number said by the agent between.
# The pieces joined are searched as one turn is (a full card or ID number, a code after its name).
# "前三位" / "后三位" (the first / last three) only say which piece this is. Not the last four read
# as such (尾号, "ending 1164"), nor an expiry date.
_PIECE_END = re.compile(r"\d(?:[ -]?\d){1,14}(?: (?:then|and|so|um|uh))?$")
_PIECE_NEXT = re.compile(r"^(?P<lead>\D{0,16}?)(?P<digits>\d(?:[ -]?\d){1,12})(?!\d)")
_PIECE_NAME = re.compile(r"[前后](?:面|边)?\d{1,2}位")
_NOT_THE_REST = re.compile(r"ending|last|ends|expir|尾号|后[四4]位|末[四4]位|有效期")
_CLAUSE_END = re.compile(r"[，。,；;！!？?]")
_PIECE_CLOSE = " .。,，;；!！?？…"



def _read_in_pieces(turn: TurnView, view: CallView) -> Hit:
    text, norm = _with_spoken_digits(turn)
    if has_chinese(text):  # the first clause only: "后三位是零七三，五分钟内有效" is 073, not 0735
        norm = normalize(_CLAUSE_END.split(text, 1)[0])
    second = _PIECE_NEXT.search(_PIECE_NAME.sub("", norm))
    if second is None or _NOT_THE_REST.search(norm[:norm.find(second.group("digits"))]):
        return None
    for earlier in reversed(view.turns[max(0, turn.index - 4):turn.index]):
        if earlier.speaker != turn.speaker:
            continue
        e_text, e_norm = _with_spoken_digits(earlier)
        e_norm = _PIECE_NAME.sub("", e_norm)
        first = _PIECE_END.search(e_norm)
        if first is None:
            if _ANY_DIGIT.search(e_norm):
                return None  # another number said between the pieces
            continue  # "okay, no rush"
        if _NOT_THE_REST.search(e_norm[max(0, first.start() - 24):]):
            return None
        # the first piece's closing full stop is no break inside the number (_one_number)
        j_text = f"{e_text.rstrip(_PIECE_CLOSE)} {second.group('digits')}"
        j_norm = f"{e_norm} {second.group('digits')}"
        hit = _full_number(j_text, j_norm, earlier, view) or _code_read_out(j_norm)
        if hit and not (_full_number(e_text, e_norm, earlier, view) or _code_read_out(e_norm)):
            return second.start("digits"), f"read in pieces across turns: {hit[1]}"
        return None
    return None


# Letters spelled before the digits ("your returns reference is V A R 2 0 2 6 …") make an
# alphanumeric reference: a card number never starts with letters.
_SPELLED_LETTERS = re.compile(r"(?<![a-z])(?:[a-z] ){2,5}$")


# A long number that fails the check of both a card (Luhn) and an 18-character ID (GB 11643) is a
# card or ID only when the words say so, in this turn or the three before ("the card we hold is …",
# 我给您重复一遍 … 工商银行, the customer's "my ID number is …"; a card named by what it does counts too:
# 您绑定的是…, 扣款…, "the one on file", "refund it to …"): an order, ring, waybill or invoice number, or a
# date-and-sequence number, read back with no such word is none of them.
_CARD_OR_ID_WORD = re.compile(
    r"(?<![a-z])(?:card|visa|mastercard|amex|debit|credit|bank|identity|id number|id card|national id|on file|"
    r"pay(?:ing|ment)? (?:with|by|from)|charge(?:d)? (?:it )?to|refund(?:ed)? (?:it )?(?:back )?to)(?![a-z])"
    r"|卡|银行|身份证|证件|户名|开户|绑定|扣款|付款|支付|还款")


# A turn made of digits alone ("four seven one six", "二二零八 。"): a piece of a number being dictated.
_DIGITS_ONLY = re.compile(r"[\d\s.,，。;；:：-]+")


def _card_or_id_said(norm: str, turn: TurnView, view: CallView) -> bool:
    """The card or ID named in this turn or the three before it; turns of digits alone between (a number
    dictated piece by piece and said back) do not count among the three, so the agent's "what's the card?"
    before a dictated number still names what is read back whole after it."""
    if _CARD_OR_ID_WORD.search(norm):
        return True
    worded = 0
    for earlier in reversed(view.turns[:turn.index]):
        if _CARD_OR_ID_WORD.search(earlier.norm):
            return True
        if not _DIGITS_ONLY.fullmatch(_with_spoken_digits(earlier)[1].strip() or "-"):
            worded += 1
            if worded == 3:
                return False
    return False


def _full_number(text: str, norm: str, turn: TurnView, view: CallView) -> Hit:
    """A full card or ID number in ``norm`` (the turn, or pieces of it joined), ``text`` as written."""
    for m in DIGIT_RUN.finditer(norm):
        digits = _SPACE_OR_DASH.sub("", m.group())
        named = (_NOT_A_CARD.search(norm[max(0, m.start() - 32):m.start()])
                 or _named_reference(norm[max(0, m.start() - 64):m.start()])
                 or _SPELLED_LETTERS.search(norm[max(0, m.start() - 12):m.start()]))
        if named and not _ID_NUMBER.fullmatch(digits):
            continue  # an order, tracking or ticket number read back is not a card number
        if _reference_asked_before(norm, turn, view) and not _ID_NUMBER.fullmatch(digits):
            continue  # "what's my tracking number?" … "it's 4 4 0 9 …": the number asked about
        # No card number and no Chinese ID starts with 0; a long run that does is a phone number
        # dialled from abroad ("0044 20 7946 0958") or a trunk prefix, not a card.
        if not (13 <= len(digits) <= 19 and digits[0] != "0" and digits[:-1].isdigit() and _one_number(digits, text)):
            continue
        if not (luhn_valid(digits) or cn_id_valid(digits) or _card_or_id_said(norm, turn, view)):
            continue  # neither checks out as a card or ID nor is called one
        kind = "ID number" if len(digits) == 18 else "card number"
        return m.start(), f"full {kind} {digits}"
    return None


def sensitive_number(turn: TurnView, view: CallView) -> Hit:
    if "[" in turn.text:
        m = _PLACEHOLDER.search(turn.text)
        if m:
            return m.start(), f"redacted {m.group()}"
    text, norm = _with_spoken_digits(turn)
    if not _ANY_DIGIT.search(norm):  # most turns hold no number at all
        return None
    hit = _full_number(text, norm, turn, view)
    if hit is None and _CODE_WORD.search(norm):
        hit = (_code_read_out(norm) or _password_characters(norm) or _secret_of_said_length(norm)
               or _password_in_words(norm))
    return (hit or _code_after_topic(norm, turn, view) or _code_to_enter(text, norm, turn, view)
            or _read_in_pieces(turn, view))


# --- personal data stated --------------------------------------------------------------

# A customer's phone number or account balance stated by the agent (not asked
# back as a question). The E1 rubrics look for it only before any identifier was asked: data
# read out to a caller nobody verified is a breach of confidentiality.
_ORDINAL_DAY = ("first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
                "fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty ?(?:first|second|third|"
                "fourth|fifth|sixth|seventh|eighth|ninth)|thirtieth|thirty ?first")
_PERSONAL = re.compile(
    r"(?:预留|登记|绑定|注册|户主|机主|账户|账号|您的|他的|她的)[^\n]{0,8}?(?:手机号码?|手机|电话号码?|号码|邮箱)(?:是|为)? ?"
    r"(?P<zh_phone>1[3-9]\d{9})(?!\d)"
    r"|(?:欠费|余额|欠款|待缴|应缴)(?:是|为|有|还有)?(?P<zh_money>\d[\d.]*元)"
    r"|(?:(?<!their )(?<!\bour )(?:mobile|phone|cell|number|email)(?: number)?(?: on (?:the account|file|record))? is|"
    r"registered (?:mobile|phone|number|email)(?: is)?) (?P<en_phone>0 ?\d(?: ?\d){8,9}|\d(?: ?\d){9})(?! ?\d)"
    # a US local number said in groups ("five five five, twelve hundred"): only after a phone word
    r"|(?:(?<!their )(?<!\bour )(?:mobile|phone|cell)(?: number)?(?: on (?:the account|file|record))? is) "
    r"(?P<en_local>[2-9] ?\d ?\d ?\d(?: ?\d){3})(?! ?\d)"
    r"|(?:balance|amount owed|amount outstanding|arrears)(?: on (?:the|this|your) account)? (?:is|stands at|of) "
    r"(?P<en_money>\d[\d ]*(?:pounds?|dollars?|euros?|rupees?)?)"
    # crit12: the holder's address or date of birth ("the policy's registered at 14 Alder Close", "date of
    # birth the second of June 1979", 登记的地址是…路18号): a house number and a street word, a day and a month
    r"|(?:registered|lives|living|resides|address(?: on (?:the account|file|record))?(?: is)?)(?: at| to)? "
    r"(?P<en_address>\d{1,4}[a-z]? (?:[a-z]+ ){1,3}(?:street|road|close|lane|avenue|drive|way|court|place|crescent|"
    r"gardens|grove|terrace|square|rise|hill|mews|row|walk|park)\b)"
    rf"|(?:date of birth|birthday|dob|born on|born)(?: is| of| on)? (?:the )?(?P<en_birth>(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL_DAY})"
    r" (?:of )?(?:january|february|march|april|may|june|july|august|september|october|november|december)\b)"
    r"|(?:登记|预留|注册|家庭|居住|您的|您家)[^\n]{0,6}?(?:地址|住址)(?:是|为|在)"
    r"(?P<zh_address>[^\n]{2,16}?(?:路|街|巷|弄|村|小区|花园|公寓|大厦)\d+号)"
)
_ASKED_BACK = re.compile(r"吗|对吧|对不对|是不是|没错吧|is that|is it|correct|right$|still")
_NOT_PERSONAL = re.compile(r"热线|客服|服务电话|拨打|致电|官方|hotline|helpline|call us|office|branch|\bour |\btheir ")


# A phone number said to be a business's or a worker's ("the depot's mobile is …", "the engineer's
# direct number is …") is no caller's data: the owner named just before the phone word is not the
# caller, the account or its holder.
_OWNER_BEFORE_PHONE = re.compile(
    r"(?<![a-z])(?:the|a|our|their|that|this) (?P<owner>[a-z]+?)(?:s|es)? (?:direct |own |work |office |main )?"
    r"(?:mobile|phone|cell|contact|number)(?: number)?(?: on (?:the account|file|record))? is $")
_CALLER_OWNER = re.compile(
    r"^(?:account|holder|customer|client|member|tenant|caller|patient|policyholder|subscriber|user|registered|"
    r"mobile|phone|cell|contact|number)$")


def _someone_elses_phone(before: str) -> bool:
    """Whether the words before a phone number name its owner as someone other than the caller.

    >>> _someone_elses_phone("the depots mobile number is "), _someone_elses_phone("the account holders mobile is ")
    (True, False)
    """
    m = _OWNER_BEFORE_PHONE.search(before)
    return m is not None and not _CALLER_OWNER.match(m.group("owner"))


_NOT_DIGIT = re.compile(r"\D")
# Chinese digit characters as digits, so that 七四六一八 and "7 4 6 1 8" compare as the same number.
_ZH_DIGIT_TABLE = str.maketrans("零〇○一幺二两三四五六七八九", "00011223456789")


def _said_by_the_customer(number: str, turn: TurnView, view: CallView) -> bool:
    """Whether a number the agent states was said by the other side in one of the three turns
    before ("my new number is 07700 900 123" … "so your mobile is 07700 900 123 now"): repeating
    the caller's own words back discloses nothing."""
    digits = _NOT_DIGIT.sub("", number.translate(_ZH_DIGIT_TABLE))
    return bool(digits) and any(
        t.speaker != turn.speaker and digits in _NOT_DIGIT.sub("", _with_spoken_digits(t)[1].translate(_ZH_DIGIT_TABLE))
        for t in view.turns[max(0, turn.index - 3):turn.index])


def personal_data(turn: TurnView, view: CallView) -> Hit:
    norm = turn.norm
    if not _ANY_DIGIT.search(norm):
        return None
    if "?" in turn.text or "？" in turn.text or _ASKED_BACK.search(norm):
        return None  # a number read back for the caller to confirm is a verification, not a disclosure
    norm = _with_spoken_digits(turn)[1]  # "oh seven seven double oh, …", "five five five, twelve hundred"
    m = _PERSONAL.search(norm)
    if m is None or _NOT_PERSONAL.search(norm[max(0, m.start() - 12):m.end()]):
        return None
    phone = m.group("en_phone") or m.group("en_local")
    if phone and (_someone_elses_phone(norm[max(0, m.start() - 40):m.start(m.lastgroup)])
                  or _said_by_the_customer(phone, turn, view)):
        return None
    return m.start(), m.group()
