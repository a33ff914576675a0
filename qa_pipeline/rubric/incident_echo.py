"""The ``incident_echo`` detector (D2 "what happened and when" by structure): the agent reading the incident
back to the customer in the customer's own words, with when it happened.

D2's phrase lists enumerate the ways an agent asks for the time or says the incident back ("so the van never
came on Tuesday", 我跟您核对一下…); a read-back in other words ("the strand restrung and collected yesterday …
is that what happened", 今天下午签收 拆箱就发现…是这样吧) slips through them. Two structural signals do not
depend on the wording: the agent's turn holds a check question made of the customer's words
(:func:`qa_pipeline.rubric.need_echo.need_echo`: a tag or a 是…吗 form, two content words or four characters
shared with the customer's recent turns), and the same turn names a past time (yesterday, on Saturday, the 5th,
this morning, two days ago; 昨天, 前天, 上周三, 今天下午, 12月7号, 3点多), not a future one (by Friday, next
week, tomorrow; 明天, 下周, 之前 as a deadline) and not one the agent promises ("I'll ring you this afternoon";
我今天下午给您回电).

FOUND: customer "my parcel came on Monday and the jar inside was cracked" — agent "okay so the jar came cracked,
delivered Monday, is that right?"  NOT FOUND: agent "so the jar came cracked, is that right?" (no time), nor
"I'll send a new jar out on Monday, is that right?" (a promise).
"""
from __future__ import annotations

import re

from qa_pipeline.language import has_chinese
from qa_pipeline.rubric.need_confirmed import confirms, names, said_before
from qa_pipeline.rubric.need_echo import Hit, en_content, need_echo
from qa_pipeline.rubric.view import CallView, TurnView

_EN_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_EN_MONTHS = r"(?:january|february|march|april|june|july|august|september|october|november|december)"
_EN_PAST = re.compile(
    r"\b(?<!by )(?<!until )(?<!till )(?<!before )(?<!next )(?<!from )(?<!for )"
    r"(?:yesterday|last (?:night|week|month|weekend|" + _EN_DAYS[3:-1] + r")|this (?:morning|afternoon|evening)|"
    r"earlier today|the other day|(?:on |this |that )?" + _EN_DAYS + r"|on the \w+(?:st|nd|rd|th)\b|"
    r"\d+ (?:days|weeks|hours|months) ago|(?:a|one|two|three|four|five|six) (?:days|weeks|months) ago|"
    + _EN_MONTHS + r" \d+|the \d+(?:st|nd|rd|th)? of " + _EN_MONTHS + r")\b")
# a promise or a plan just before the time: the agent's, not the incident's
_EN_FUTURE = re.compile(r"\b(?:will|'ll|going to|gonna|shall|i am sending|we are sending|"
                        r"booked|scheduled|arranged|rebooked|rescheduled)\b[^.?!]{0,40}$")
_ZH_PAST = re.compile(
    r"(?:(?:\d+月)?\d+[日号](?!之前|前|以前|之内|内)|昨天|前天|大前天|上(?:个)?(?:周|星期|礼拜|月)|前几天|(?<![下本这])周[1-7日天]|"
    r"今天(?:上午|下午|早上|晚上|中午|凌晨)|当天|那天|(?<![明后]天)(?<!下午)(?<!上午)(?<!晚上)(?<!早上)(?<!中午)(?<!\d)\d+点(?:多|半|\d+分?)?(?![之以]?前|之内|内))")
_ZH_FUTURE = re.compile(r"(?:会|将|给您|帮您|为您|安排|预约|再|回头|到时候|之后|以后|然后|明天|后天|下周|下个?月|下星期|下礼拜)"
                        r"[^。？！]{0,10}$")


def past_time(turn: TurnView) -> bool:
    """Whether ``turn`` names a past time not introduced as the agent's promise or plan."""
    text = turn.norm if has_chinese(turn.text) else turn.text.lower()
    pattern, future = (_ZH_PAST, _ZH_FUTURE) if has_chinese(turn.text) else (_EN_PAST, _EN_FUTURE)
    return any(not future.search(text[max(0, m.start() - 40): m.start()]) for m in pattern.finditer(text))


def incident_echo(turn: TurnView, view: CallView) -> Hit:
    """The agent's check question of ``turn`` in the customer's words, where the turn also names a past time."""
    hit = need_echo(turn, view)
    if hit is None or not past_time(turn):
        return None
    return hit[0], "reads the incident back with its time: " + hit[1].split(": ", 1)[-1]


# content words of the customer's the agent's read-back repeats (with a past time, fewer than C2's three: the time
# is a second signal)
INCIDENT_SHARED = 2
# a change of booking restated ("so you want the seats moved from Saturday to Sunday?"): the times are the booking's,
# not an incident's
_CHANGE_WANTED = re.compile(r"\byou(?:'d| would)? (?:like|want|need) (?:\S+ ){0,6}?(?:moved|move|changed|change|keep|"
                            r"kept|extend|extended|rebook|rebooked|reschedul\w*|swap|swapped|switch|switched|brought forward)\b")


def incident_confirmed(turn: TurnView, view: CallView) -> Hit:
    """The agent's turn ``turn`` says the customer's words back and the customer's next turn confirms it ("that's
    right", "yes" to no plan), where the read-back or the confirmation names a past time (English): the incident
    confirmed with when it happened, however the read-back is put (no check question needed)."""
    if turn.role != "agent" or not view.has_customer or has_chinese(turn.text) or _CHANGE_WANTED.search(turn.text.lower()):
        return None
    answer = view.reply_to(turn)
    reply = answer.first
    if reply is None or not confirms(reply.text, " ".join(t.text for t in (turn, *answer.between))):
        return None
    if not (past_time(turn) or past_time(reply)):
        return None
    shared = (en_content(turn.text) - names(turn.text)) & said_before(turn, view)
    if len(shared) < INCIDENT_SHARED:
        return None
    return 0, "the incident confirmed by the customer: " + " ".join(sorted(shared))
