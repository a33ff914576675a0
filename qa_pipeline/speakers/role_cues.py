"""What agents and customers say: the phrase cues :mod:`qa_pipeline.speakers.roles` scores speakers with.

Each cue is a regular expression with a weight: positive weights point to the agent,
negative ones to the customer. Chinese text is matched after conversion to simplified
characters; English after lower-casing. Both lists apply to every call, because calls
switch language (an English product name in a Chinese call, a bilingual agent).

The weights were set on the labelled calls in ``../shared/qa-examples`` and the STC-3
helpdesk dialogues (``bench/diarization.py --roles-text`` reports the accuracy).
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern[str]
    weight: float  # > 0: agent, < 0: customer


def _cue(name: str, pattern: str, weight: float) -> Cue:
    return Cue(name, re.compile(pattern), weight)


# The agent answers with the company name, offers help, identifies themself, asks for
# verification details and handles the request; the customer states a problem about
# "my" things and talks about the company as "you (people)".
CUES: tuple[Cue, ...] = (
    # --- English, agent
    _cue("thank you for calling", r"thanks? (you )?for (calling|contacting|choosing)", 3.0),
    _cue("you've reached", r"you'?ve reached|you have reached|welcome to\b", 3.0),
    _cue("how can I help", r"(how|what) (can|may|could|might) (i|we) (help|assist|do for)", 3.0),
    _cue("anything else I can help with", r"anything else (i|we) can|is there anything else", 3.0),
    _cue("this is NAME speaking", r"\b(this is|it'?s) \w+( \w+)?,? speaking\b|you'?re speaking (with|to)\b", 2.5),
    _cue("asks for details", r"(can|could|may) i (please )?(have|get|take|confirm) (your|the)\b", 2.5),
    _cue("asks to verify",
         r"(can|could) you (please )?(confirm|verify|spell|provide)\b|for (security|verification)", 2.0),
    _cue("handles the request",
         r"\b(let me|i'?ll|i will|i can|i'?m going to) (go ahead|check|look|pull|see|transfer|put you|process|"
         r"arrange|book|send|escalate|refund|waive|credit|update|cancel|schedule|note|open|file|connect|reissue)", 1.5),
    _cue("asks to hold",
         r"(one|a) moment|bear with me|please hold|on hold|thanks? (you )?for (holding|waiting|your patience)", 1.5),
    _cue("apologises for the company",
         r"i apologi[sz]e|sorry (for|about) the (inconvenience|wait|trouble|delay)|i understand (your|how|that)", 1.5),
    _cue("we are sorry", r"\bwe(('| a)re| are) (so |very )?sorry|sorry for (your|any) inconvenience", 2.0),
    _cue("we will handle it",
         r"\b(please )?(tell|send|give|contact) us\b|\bwe('ll| will| have| can) (\w+ )?(check|verify|handle|record|"
         r"report|deal|inquire|look|contact|send|arrange|fix|process|help|follow)", 1.5),
    _cue("gives instructions",
         r"\b(please|you can|you could|you may) (try|restart|reinstall|update|visit|log in|go to)\b", 1.5),
    # --- English, customer
    _cue("why is it", r"\bwhy (is|are|does|do|did|can't|won't|was|has|have)\b", -1.0),
    _cue("I tried / I called", r"\bi (called|applied|tried|complained|have been|can'?t|couldn'?t|haven'?t)\b", -1.5),
    _cue("I'm calling about", r"\bi'?m calling (about|because|to|regarding)|\bi'?m ringing\b", -2.5),
    _cue("I ordered / I was charged",
         r"\bi (ordered|bought|paid|was charged|got charged|received|booked|lost|purchased|signed up)\b", -2.0),
    _cue("I'd like to", r"\bi'?d like to\b|\bi would like to\b|\bi want(ed)? to\b|\bi need\b", -1.5),
    _cue("my order / my bill",
         r"\bmy (order|package|parcel|bill|account|card|flight|appointment|car|claim|booking|reservation|"
         r"payment|refund|delivery|phone|internet|furnace|policy|luggage|bag|bags)\b", -1.5),
    _cue("can you help me", r"(can|could) you help me|help me with", -2.0),
    _cue("you people", r"\byou guys\b|\byour (company|service|website|app|people|store)\b", -1.5),
    _cue("complains", r"\b(complain|complaint|ridiculous|unacceptable)\b", -1.0),
    _cue("is anyone there", r"^(hello|hi)\?|is anyone there|can you hear me", -1.5),
    # --- Chinese, agent
    _cue("有什么可以帮您", r"有什么(可以|能|需要)(帮|为)|可以帮(您|你)的", 3.0),
    _cue("为您服务", r"为您服务|很高兴为您", 3.0),
    _cue("工号", r"工号", 3.0),
    _cue("我是客服", r"我是客服|客服(专员|代表|小\w)|(客服|服务)(中心|热线|专线)", 2.0),
    _cue("感谢您的来电", r"感谢(您的)?来电|感谢您的(耐心|等待|理解|支持|配合)|请(您)?稍等|请您稍候", 2.5),
    _cue("我帮您办理",
         r"(帮|为|给)您(查|看|办|处理|登记|申请|转接|记录|安排|核实|提交|反馈|预约|修改|开通|取消)", 2.0),
    _cue("核实身份", r"麻烦您|请问您(的|是)|核实|核对|身份证后", 2.0),
    _cue("抱歉给您带来不便", r"给您带来|非常抱歉|很抱歉|不好意思让您", 1.5),
    _cue("祝您", r"祝您", 1.5),
    _cue("我们会处理", r"我们(已经|会|将|这边|马上|尽快)", 1.5),
    _cue("请您", r"请您|您可以|建议您|您看", 1.5),
    # --- Chinese, customer
    _cue("为什么", r"为什么|怎么(还|又|一直|总是|老是)", -1.5),
    _cue("我要投诉", r"我要投诉|我想投诉", -3.0),
    _cue("我想", r"我想|我要|我需要", -1.5),
    _cue("你们", r"你们", -1.5),
    _cue("我的东西", r"我家|我的|我这个|我那个|我刚", -1.0),
    _cue("怎么回事", r"怎么回事|怎么搞的|凭什么|什么破|太差|搞什么", -2.0),
    _cue("喂", r"^喂", -1.0),
)

# A cue counts at most this many times per speaker, so a talkative speaker does not
# outweigh a clear greeting.
MAX_HITS_PER_CUE = 2

# Addressing the other person politely (您) vs plainly (你): agents say 您.
POLITE_YOU_WEIGHT = 0.4
POLITE_YOU_CAP = 3.0

# Self-introductions that can carry the agent's name from the call metadata.
SELF_INTRO_EN = (r"(this is|it'?s|my name is|my name'?s|i'?m|i am|speaking with|speaking to)\s+{name}\b"
                 r"|\b{name},? speaking\b")
SELF_INTRO_ZH = r"(我是|我叫|客服|工号\d*)\s*{name}|{name}(为您|很高兴|竭诚)"
AGENT_NAME_WEIGHT = 5.0
