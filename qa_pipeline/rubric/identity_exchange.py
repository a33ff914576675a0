"""Two exchanges read by their structure rather than their wording (English): an identifier asked for and
answered (C1), and the customer's contact for the follow-up asked for or confirmed (D3).

The phrase lists of C1 and D3 enumerate the ways an agent asks ("can I have your account number", "is this
still the best number"); agents of other Englishes and unpunctuated transcripts ask in ways no list closes
("What the order number on your receipt?", "name on the booking", "this the number endin six one nine he should
call before he comes"). What such exchanges share is their shape:

* ``identifier_answered`` (C1): the agent's turn asks something (a question mark, a question or request word,
  or a clipped request of a few words) and the customer's next turn answers with an identifier's shape: a
  code or number read out (three or more letters and digits in a row, three digits at least: "M P S four one
  zero", "nine one two three, four four five six"), an e-mail address ("at gmail dot com"), or, where the agent
  asked for a name, an address, a postcode or a date of birth, a short first sentence (the name itself, "Fourteen
  Bute Street"). The customer answering with an identifier is what makes it a verification, whatever the
  question's words.
* ``contact_confirmed`` (D3): the agent's turn names a way to reach someone (phone, mobile, cell, landline,
  e-mail, WhatsApp, a number that is no order, account or reference number, "the one ending 4 1 1") and it is
  the customer's, for reaching them: "your" before it, "you" after a reaching verb (call, ring, text, reach,
  contact …), the number read back ("ending 6 1 9", digits), or the customer's next turn claiming it ("that's
  my cell", "yes", digits). A number asked to look the record up ("your registered mobile", "on the account",
  "so I can bring it up") is C1's, not this.

FOUND (C1): agent "name on the booking" — customer "kai um kai mensah". NOT FOUND: agent "how many do you need?"
— customer "two dozen" (no identifier's shape, no name asked). FOUND (D3): agent "if we need you we'll ring the
one ending four one one, yeah". NOT FOUND: agent "please note Govind's number, ring him yourself" (not the
customer's), "could you give me your account number so I can bring the order up?" (a look-up).
"""
from __future__ import annotations

import re
from typing import Optional

from qa_pipeline.language import has_chinese
from qa_pipeline.rubric.view import CallView, TurnView

Hit = Optional[tuple[int, str]]

_FILLERS = re.compile(r"\b(?:um+|uh+|er+|erm|ah+|eh|oh|hmm+|mm+|like|and|dash|hyphen|double|triple)\b")
# three or more single letters or numbers in a row (the normalised text writes number words as digits)
_CODE = re.compile(r"\b(?:(?:[a-z]|\d+) +){2,}(?:[a-z]|\d+)\b")
_EMAIL = re.compile(r"@|\bat \S+ (?:dot|\.) ?(?:com|co|net|org|ie|uk|au|in|ca|nz|edu|gov)\b")
_ASKS = re.compile(r"\b(?:what|which|whose|who|can i|could i|may i|can you|could you|would you|will you|please|"
                   r"kindly|tell me|give me|let me have|share|confirm|read me|spell)\b")
# what the agent asked for, where a short answer is the identifier itself
_ASKS_NAME = re.compile(r"\b(?:name|surname|address|street|postcode|post code|zip|eir ?code|birth|born|birthday|"
                        r"house number|flat number|initials?)\b")
_FIRST_SENTENCE = re.compile(r"^[^.?!;]*")
_LEAD = re.compile(r"^(?:(?:yes|yeah|yep|yah|aye|ok|okay|sure|right|so|well|it is|its|it s|that is|thats|this is|"
                   r"i am|im|my name is|the name is|name is|under|in|um|uh|er|ah|oh|it was|mrs|mr|miss|ms|dr) +)*")


def _code(norm: str) -> Optional[str]:
    """A code or number read out in ``norm``: three or more letters and numbers in a row, three digits at least."""
    for m in _CODE.finditer(_FILLERS.sub(" ", norm)):
        if sum(ch.isdigit() for ch in m.group()) >= 3:
            return m.group()
    return None


_SENTENCES = re.compile(r"[^.?!]+[.?!]*")
# a number asked to reach someone by is the contact (D3), not an identifier
_TO_REACH = re.compile(r"\b(?:ring|call|reach|contact|text|whatsapp|message|(?:phone|email) (?:you|them|him|her))\b")
_OWN_NAME = re.compile(r"\b(?:my|our) name\b")


def _asks(turn: TurnView, kind: Optional[re.Pattern] = None) -> bool:
    """A sentence of the agent's turn asks something (a question mark, a question or request word; or the turn is
    a few words alone), holding ``kind`` where given, and not for a number to reach someone by nor the agent's own
    name."""
    sentences = _SENTENCES.findall(turn.text) or [turn.text]
    short = 0 < len(turn.norm.split()) <= 6
    for sentence in sentences:
        low = " ".join(re.findall(r"[a-z0-9]+", sentence.lower()))
        asked = short or "?" in sentence or bool(_ASKS.search(low))
        if asked and not _TO_REACH.search(low) and not _OWN_NAME.search(low) and (kind is None or kind.search(low)):
            return True
    return False


def _spoke_before(turn: TurnView, view: CallView) -> bool:
    """The customer said something before ``turn`` (an opening greeting asks nothing of an identifier)."""
    return any(t.role == "customer" for t in view.turns[: turn.index])


_ZH_ASKS = re.compile(r"[？?]|请问|麻烦|提供|报一下|说一下|告诉|多少|什么|哪个|哪位|几号|核对|确认")
_ZH_HOLD = re.compile(r"稍等|稍候|等一下|等一等")  # "please hold" asks for nothing
_ZH_TO_REACH = re.compile(r"回电|回访|联系您|打给|通知您|联系方式")
_ZH_ASKS_NAME = re.compile(r"姓名|名字|贵姓|称呼|全名")
_ZH_CODE = re.compile(r"\d{4,}|[a-z]+\d{3,}|\d{3,}[a-z]+")
_ZH_LEAD = re.compile(r"^(?:嗯|哦|噢|啊|好|对|是的|是|我叫|我是|叫|姓|名字是|姓名是|[，,。 ])+")


def _zh_identifier_answered(turn: TurnView, view: CallView) -> Hit:
    """The Mandarin form of :func:`identifier_answered`: an agent's question (？, 请问, 麻烦…, 多少) not about a number to
    call back on nor a hold, answered with four digits or more (a phone, order or ID number), or, where a name was
    asked, a first clause of six characters at most."""
    if not _ZH_ASKS.search(turn.text) or _ZH_TO_REACH.search(turn.text) or _ZH_HOLD.search(turn.text):
        return None
    reply = view.reply_to(turn).first
    if reply is None:
        return None
    m = _ZH_CODE.search(reply.norm)
    if m:
        return 0, f"identifier asked and answered: {m.group()}"
    if _ZH_ASKS_NAME.search(turn.text):
        first = _ZH_LEAD.sub("", re.split(r"[，,。.？?！!；;]", reply.text.strip())[0])
        if 0 < len(first) <= 6:
            return 0, f"identifier asked and answered: {first}"
    return None


def identifier_answered(turn: TurnView, view: CallView) -> Hit:
    """``turn`` (the agent's) asks, and the customer's next turn answers with an identifier's shape."""
    if turn.role != "agent" or not _spoke_before(turn, view):
        return None
    if has_chinese(turn.text):
        return _zh_identifier_answered(turn, view)
    if not _asks(turn):
        return None
    reply = view.reply_to(turn).first
    if reply is None:
        return None
    found = _code(reply.norm) or (_EMAIL.search(reply.norm) and "an e-mail address")
    if not found and _asks(turn, _ASKS_NAME):
        first = _FIRST_SENTENCE.match(reply.text.strip()).group()
        words = _LEAD.sub("", " ".join(re.findall(r"[a-z0-9]+", first.lower()))).split()
        found = 0 < len(words) <= 5 and " ".join(words)
    return (0, f"identifier asked and answered: {found}") if found else None


# "number" is a way to reach the customer only straight after a determiner or a contact word ("the number", "your
# number", "contact number", "this the number ending …"), not after a record's noun ("the reservation number",
# "the order number", "the PNR number"); a single figure after it is a label ("number 2 table").
_CONTACT_NUMBER = (r"\b(?:your|the|this|that|a|best|good|same|which|what|whats|contact|phone|mobile|cell|home|work|"
                   r"callback|back|right|other|new|different|another|landline|telephone) number(?! \d+\b(?! \d))")
_ENDING = r"\b(?:one|1|line|number|mobile|phone|cell|landline) endin[g]? (?:in |with )?\d"
# (the channel as a noun: "I'll email you a label" uses a way to reach the customer, it confirms none)
_CHANNEL = re.compile(r"\b(?:phone|mobile|cell|cellphone|handphone|landline|email|e mail|whatsapp)\b(?! (?:you|them|him|her|us)\b)|"
                      + _CONTACT_NUMBER + "|" + _ENDING)
_YOURS = re.compile(r"\byour (?:(?:best|home|work|mobile|phone|cell|telephone|contact|personal|own) )?(?:phone|mobile|cell|cellphone|handphone|landline|email|e mail|whatsapp|number|"
                    r"contact)\b|\b(?:call|ring|phone|text|reach|contact|email|message|whatsapp|sms|update|get hold of|"
                    r"get back to|get in touch with|get)(?: back)? you\b|\bfor you\b|" + _ENDING + "|"
                    r"\b(?:that|this|it) is your\b|"
                    # which one the news should go to: "which email should the report go to?"
                    r"\b(?:which|what) (?:\S+ )?(?:email|e mail|number|phone|mobile|cell|whatsapp) (?:\S+ ){0,3}?(?:should|shall|can|do|will|would)\b")
_LOOKUP = re.compile(r"\b(?:account|registered|on file under|under the|look (?:you|it|that) up|pull (?:you|it|that) up|"
                     r"bring (?:you|it|that|the \S+) up|find (?:you|your|the)|locate|verify|verification|security|"
                     r"so i can (?:check|see|find|locate|bring|pull|look)|website|web site|our (?:email|number|phone|whatsapp|line)|"
                     r"(?:to|email|ring|call|text|message) (?:us|them|him|her)\b|"
                     # asked beside a record's number, or as the one a record was made with: identification
                     r"(?:the|your) (?:order|booking|reservation|policy|invoice|ticket|reference|claim|case|job|tracking|member|"
                     r"membership|customer) (?:number|reference|ref|id|code)|"
                     r"you (?:ordered|booked|registered|signed up|paid|bought it|reserved) (?:with|under|on)\b)\b")
_CLAIMED = re.compile(r"\b(?:my|the shop|the home|the work|the office|the house) (?:\S+ )?(?:number|cell|phone|mobile|"
                      r"email|landline|line|whatsapp)\b|^\W*(?:yes|yeah|yep|yup|yah|aye|ok|okay|sure|right|correct|"
                      r"that is right|that is fine|fine)\b|(?:\d ){4,}|@|\bat \S+ dot\b")


def contact_confirmed(turn: TurnView, view: CallView) -> Hit:
    """``turn`` (the agent's) asks for or confirms a way to reach the customer for the follow-up."""
    if turn.role != "agent" or has_chinese(turn.text) or not _spoke_before(turn, view):
        return None
    m = _CHANNEL.search(turn.norm)
    if not m or _LOOKUP.search(turn.norm):
        return None
    if _YOURS.search(turn.norm):
        return m.start(), "the customer's contact: " + m.group()
    reply = view.reply_to(turn).first
    if reply is not None and _asks(turn) and _CLAIMED.search(reply.norm):
        return m.start(), "the customer's contact, confirmed: " + m.group()
    return None
