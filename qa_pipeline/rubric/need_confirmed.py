"""The ``need_confirmed`` detector (C2 "confirm the need" by the customer's answer): the agent puts the
customer's own words back and the customer says that is it.

``need_echo`` reads the agent's sentence alone and needs it to be said as a check (a question, a tag from a
closed list, a "so …" clause). Readers of other Englishes and unpunctuated transcripts say the check in ways
no list closes ("… that the thing", "… is that what happened", a read-back that simply stops), and an
agent's read-back often runs into a question of its own ("So it's thirty, in blue. And when do you need
them?"). What every such exchange shares is its structure: the agent's turn repeats what the customer
said they called about, and the customer's next turn confirms it. This detector finds an agent turn that

(a) repeats at least :data:`MIN_SHARED` of the content words (need_echo's crude lemmas; numbers never
    count) the customer said before it, leaving out the customer's answers to an identity question (their
    name, number or address, which a read-back for C1 repeats too);
(b) is answered by the customer's next turn opening on a confirmation of what was said — "that's right",
    "that's it", "that's the one / the problem", "exactly", "correct", "spot on", "you've got it" (in the
    forms recognisers write them: "thats right", "that the thing") — or on a plain "yes" / "yeah" where
    nothing the agent said between asks for consent (no plan, offer or action of the agent's: "I'll …",
    "we can …", "shall I …", "would you like …": a "yes" there agrees to the plan, not to the need);
(c) is not a read-back of the caller's identity (name, spelling, date of birth, address, phone number,
    security questions: the C1 scope); in a transcript with capitals, a word capitalised inside a sentence
    (a name: the caller's, their street's, their town's) does not count towards (a), days and months aside.

Mandarin (also adopted, stop 31): the same exchange, the agent's turn sharing the customer's content bigrams
(need_echo's) covering :data:`ZH_MIN_CHARS` characters, the customer's next turn opening on 对 / 对的 / 是的 / 没错 / 就是 / 是这样,
and no plan, offer or consent question of the agent's (我来…, 帮您办…, …可以吗/好吗) nor an identity word in the turn.

A bare "right" or "okay" is not a confirmation (it acknowledges anything). :data:`MIN_SHARED` is three, as
need_echo's "so …" statement without a question (two shared words are a topic, not a restatement); the
customer's confirmation stands in for the question form. Written from the read-back kinds stop 31 read on
dev_en/holdout15 (docs/rubrics.md, "Stop 31: C2 confirmed by the customer"), probes of my own in other
trades in tests/rubric/test_need_confirmed.py.
"""
from __future__ import annotations

import re
from typing import Optional

from qa_pipeline.language import has_chinese
from qa_pipeline.rubric.need_echo import en_content, zh_content, zh_shared
from qa_pipeline.rubric.view import CallView, TurnView

Hit = Optional[tuple[int, str]]

MIN_SHARED = 3
ZH_MIN_CHARS = 6  # three two-character words: the English three content words

# The customer's turn opening on a confirmation of what the agent said (after fillers and a "yes").
_LEAD = r"^\W*(?:(?:yes|yeah|yep|yup|aye|ja|mm|mhm|mm-hm|uh-huh|oh|ah|ok|okay|oh yes|yes yes)\W+)*"
_CONFIRMS = re.compile(
    _LEAD + r"(?:(?:that'?s|that is|thats|that|it'?s|it is|its|this is)\s+"
    r"(?:right|correct|it|exactly it|exactly right|exactly|all of it|about it|spot on|the (?:one|thing|problem|issue|"
    r"story|job|gist|trouble|order|lot|size of it))|exactly|correct|precisely|spot on|you(?:'?ve)? got it|"
    r"you(?:'?ve)? got it right|you have got it|right on|that'?s about the size of it)\b")
_YES = re.compile(r"^\W*(?:yes|yeah|yep|yup|aye|mm-hm|mhm|uh-huh)\b")
# What asks the customer's consent, so that a "yes" after it agrees to that: the agent's plan, offer or act.
_CONSENT = re.compile(
    r"\b(?:i'?ll|i will|we'?ll|we will|i'?ve|i have|i'?d|we'?d|let me|let us|let's|i can|we can|i could|we could|"
    r"i'?m going to|we'?re going to|i am going to|we are going to|shall i|shall we|should i|would you like|"
    r"do you want|would you prefer|is that ok|is that okay|is that alright|is that all right|does that work|"
    r"how about|what about|can you|could you|would you|will you)\b")
# A read-back of the caller's identity (C1's scope): its words are the caller's, and a "that's right" follows.
_IDENTITY = re.compile(
    r"\b(?:name|surname|spell|spelt|spelled|spelling|date of birth|birthday|born|dob|postcode|post code|zip|"
    r"address|phone number|mobile number|contact number|email|e-mail|security|verify|verification|password|"
    r"passcode|pin|digits|last four|account holder|memorable|initials?)\b")


_NAME = re.compile(r"(?<=[a-z0-9,;:)] )[A-Z][a-z'A-Z-]*")
_DATES = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december""".split())


def names(text: str) -> set[str]:
    """The content words of ``text`` written as names (capitalised inside a sentence: after a lower-case word,
    a digit or a comma), days and months aside; none in a transcript without capitals or without small letters."""
    if text == text.lower() or text == text.upper():
        return set()
    return en_content(" ".join(w for w in _NAME.findall(text) if w.lower() not in _DATES))


_ZH_CONFIRMS = re.compile(r"^\W*(?:嗯|恩|哦|噢|啊|对|是)?[，,。 ]*(?:对对?对?|对的|是的|没错|就是|是这样|对头|是啊|对啊|对呀)")
_ZH_CONSENT = re.compile(
    r"我(?:来|给您|帮您|这边给|这边帮|马上)|我们(?:会|来|给您|帮您)|(?:给|帮)您(?:办|安排|退|换|补|寄|登记|申请|处理|预约)|"
    r"可以吗|好吗|行吗|好不好|行不行|要不要|需要.*吗")
_ZH_IDENTITY = re.compile(
    r"姓名|名字|贵姓|全名|怎么称呼|手机号|电话号|号码|身份证|证件|地址|住址|生日|出生|验证码|密码|尾号|后四位|账号|卡号")


def _zh_need_confirmed(turn: TurnView, view: CallView) -> Hit:
    """The Mandarin form of :func:`need_confirmed`."""
    if _ZH_IDENTITY.search(turn.text):
        return None
    reply = view.reply_to(turn)
    if (reply.first is None or not _ZH_CONFIRMS.search(reply.first.text)
            or any(_ZH_CONSENT.search(t.text) for t in (turn, *reply.between))):
        return None
    shared = zh_shared(zh_content(turn.text), said_before(turn, view, chinese=True))
    if len({ch for bigram in shared for ch in bigram}) < ZH_MIN_CHARS:
        return None
    return 0, "need confirmed by the customer: " + " ".join(sorted(shared))


def confirms(reply: str, agent_said: str) -> bool:
    """The customer's ``reply`` confirms what the agent said (``agent_said``: the agent's turns it answers)."""
    low = reply.lower()
    if _CONFIRMS.search(low):
        return True
    return bool(_YES.search(low)) and not _CONSENT.search(agent_said.lower())


def said_before(turn: TurnView, view: CallView, chinese: bool = False) -> set[str]:
    """The content words (Mandarin: bigrams) the customer said before ``turn``, less their answers to an
    identity question."""
    read, identity = (zh_content, _ZH_IDENTITY) if chinese else (en_content, _IDENTITY)
    words: set[str] = set()
    asked_identity = False
    for t in view.turns[: turn.index]:
        if t.role == "agent":
            asked_identity = bool(identity.search(t.text.lower()))
        elif t.role == "customer":
            if not asked_identity:
                words |= t.memo(("need_confirmed", chinese), lambda t=t: read(t.text))
            asked_identity = False
    return words


def need_confirmed(turn: TurnView, view: CallView) -> Hit:
    """``turn`` (the agent's) puts the customer's words back and the customer's next turn confirms it."""
    if turn.role != "agent" or not view.has_customer:
        return None
    if has_chinese(turn.text):
        return _zh_need_confirmed(turn, view)
    low = turn.text.lower()
    if _IDENTITY.search(low):
        return None
    reply = view.reply_to(turn)
    if reply.first is None or not confirms(reply.first.text, " ".join(t.text for t in (turn, *reply.between))):
        return None
    shared = (en_content(turn.text) - names(turn.text)) & said_before(turn, view)
    if len(shared) < MIN_SHARED:
        return None
    return 0, "need confirmed by the customer: " + " ".join(sorted(shared))
