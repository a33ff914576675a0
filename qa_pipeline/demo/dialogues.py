"""Scripted call dialogues for the demo centre, composed from interchangeable steps.

A call is built step by step the way the standard form expects it — greeting, the
customer's need, identity check, confirming the need, the answer, offering more help,
closing — with a complaint branch (apology, when it happened, contact, reply time,
ownership). Every step has several phrasings (:mod:`qa_pipeline.demo.phrases_zh`,
:mod:`qa_pipeline.demo.phrases_en`), and an agent's :class:`Habits` decide how often each
step is skipped or done badly, so the automatic scores differ between agents the way
real ones do.

>>> rng = random.Random(1)
>>> d = compose(rng, "en", Persona("E3001", "Ann Lee", "Ann", "3001"), Habits())
>>> d.lines[0].speaker
'agent'
"""
from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass, fields
from types import ModuleType
from typing import Optional

from qa_pipeline.demo import phrases_en as demo_phrases_en
from qa_pipeline.demo import phrases_zh as demo_phrases_zh
from qa_pipeline.language import CHINESE_CHARACTERS
from qa_pipeline.records import Turn

__all__ = ["Habits", "Persona", "Line", "Dialogue", "compose", "timed_turns", "speech_seconds", "DOMAINS"]

_BANKS: dict[str, ModuleType] = {"zh": demo_phrases_zh, "en": demo_phrases_en}
DOMAINS: tuple[str, ...] = tuple(demo_phrases_zh.DOMAINS)


@dataclass(frozen=True)
class Habits:
    """How often (0–1, per call) an agent skips or fumbles each step of the script."""

    no_name: float = 0.04
    no_company: float = 0.02
    no_identity: float = 0.04
    no_confirm: float = 0.06
    misorder: float = 0.02  # confirms the need only after answering
    no_more_help: float = 0.06
    bad_closing: float = 0.06
    curt: float = 0.01  # no 请 / please, no thanks
    forbidden: float = 0.002
    card_readout: float = 0.01  # of calls that touch a card
    long_hold: float = 0.03
    interrupts: float = 0.02
    late_start: float = 0.02
    no_apology: float = 0.08
    no_incident_time: float = 0.10
    no_contact: float = 0.10
    vague_reply: float = 0.12
    deflect: float = 0.04

    def scaled(self, factor: float) -> "Habits":
        """The same habits, each made ``factor`` times as likely (capped at 0.95)."""
        return Habits(**{k: min(0.95, v * factor) for k, v in asdict(self).items()})

    def with_(self, **changes: float) -> "Habits":
        return Habits(**{**asdict(self), **changes})


HABIT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Habits))


@dataclass(frozen=True)
class Persona:
    """The agent as the customer hears them."""

    agent_id: str
    name: str
    given: str  # what they call themselves on the phone
    number: str  # 工号 / agent number


@dataclass(frozen=True)
class Line:
    """One line of the script; ``gap`` is the silence before it (negative: starts talking over)."""

    speaker: str
    text: str
    gap: float = 0.6


@dataclass(frozen=True)
class Dialogue:
    language: str
    domain: str
    queue: str
    company: str
    complaint: bool
    account: bool  # touches a personal record: an identity check is due
    lines: tuple[Line, ...]
    defects: tuple[str, ...]  # the habits that showed in this call, e.g. ("no_identity",)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def _card_number(rng: random.Random, prefix: str) -> str:
    """A 16-digit card number with a valid Luhn check digit, as real card numbers have."""
    body = prefix + _digits(rng, 15 - len(prefix))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def _slots(rng: random.Random, language: str) -> dict[str, str]:
    zh = language == "zh"
    card = _card_number(rng, "6222" if zh else "4929")
    return {
        "amount": f"{rng.randint(20, 900)}.{rng.randint(0, 9)}元" if zh else f"${rng.randint(20, 900)}.{rng.randint(10, 99)}",
        "phone": ("1" + rng.choice("35789") + _digits(rng, 9)) if zh else f"07700 900 {_digits(rng, 3)}",
        "card": card if zh else " ".join(card[i:i + 4] for i in range(0, 16, 4)),
        "last4": card[-4:],
        "ticket": ("GD" if zh else "TK-") + _digits(rng, 7),
        "hotline": ("400-" + _digits(rng, 3) + "-" + _digits(rng, 4)) if zh else "0800 " + _digits(rng, 6),
    }


def _id_value(label: str, slots: dict[str, str], rng: random.Random, language: str) -> str:
    lab = label.lower()
    if any(k in lab for k in ("手机", "电话", "phone", "mobile")):
        return slots["phone"]
    if "后六位" in lab:
        return _digits(rng, 5) + rng.choice("0123456789X")
    if "后四位" in lab or "last four" in lab or "pin" in lab or "密码" in lab:
        return slots["last4"] if ("卡" in lab or "card" in lab) else _digits(rng, 4)
    if any(k in lab for k in ("订单", "order", "booking", "保单", "policy")):
        return rng.choice(["DD", "BX", "NO"] if language == "zh" else ["BK", "PL", "OR"]) + _digits(rng, 8)
    if "email" in lab:
        return rng.choice(["sam.k@mailbox.net", "j.rivera@postmail.com", "li.wen@inbox.org"])
    if any(k in lab for k in ("姓名", "surname")):
        return rng.choice(["张伟", "李娜", "王磊", "赵敏"] if language == "zh" else ["Harris", "Patel", "Nguyen", "Okafor"])
    if "postcode" in lab:
        return rng.choice(["SW9 4LT", "M14 5RT", "EH3 9QG", "BS8 1TH"])
    if any(k in lab for k in ("地址", "address")):
        return rng.choice(["幸福路18号3单元", "人民路205号", "江南小区7栋"] if language == "zh"
                          else ["14 Mill Lane", "22 Orchard Road", "7 Station Street"])
    if "birth" in lab:
        return f"{rng.randint(1, 28)} {rng.choice(['March', 'July', 'October', 'January'])} {rng.randint(1955, 2003)}"
    return _digits(rng, rng.choice([8, 10]))


def _fill(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def compose(rng: random.Random, language: str, persona: Persona, habits: Habits, *,
            complaint_rate: float = 0.12, domain: Optional[str] = None, hour: Optional[int] = None) -> Dialogue:
    """One call's script in ``language`` ("zh" or "en") for ``persona`` with ``habits``;
    ``hour`` (local time of the call) keeps "good morning" in the morning."""
    b = _BANKS[language]
    sep = b.SEP
    space = "" if language == "zh" else " "
    domain = domain or rng.choice(DOMAINS)
    dom = b.DOMAINS[domain]
    scenario = rng.choice(dom["scenarios"])
    need_index = rng.randrange(len(scenario["needs"]))  # needs, need_short and resolve go together
    company = rng.choice(dom["companies"])
    values = {**_slots(rng, language), "company": company, "given": persona.given, "number": persona.number,
              "other": dom["other"], "day": rng.choice(b.DAYS), "slot": rng.choice(b.SLOTS),
              "reply_time": rng.choice(b.REPLY_TIMES), "incident_day": rng.choice(b.INCIDENT_DAYS)}
    values["Incident_day"] = values["incident_day"][:1].upper() + values["incident_day"][1:]
    pick = rng.choice
    defects: list[str] = []

    def happens(habit: str) -> bool:
        if rng.random() < getattr(habits, habit):
            defects.append(habit)
            return True
        return False

    lines: list[Line] = []

    def say(speaker: str, *parts: str, gap: Optional[float] = None) -> None:
        """Add a line; one the same speaker says straight after their last runs on in that turn."""
        text = space.join(_fill(p, values) for p in parts if p)
        if gap is None and lines and lines[-1].speaker == speaker:
            lines[-1] = Line(speaker, lines[-1].text + space + text, lines[-1].gap)
        else:
            lines.append(Line(speaker, text, rng.uniform(0.3, 1.2) if gap is None else gap))

    curt = happens("curt")
    # Greeting.
    g = b.GREETING
    parts = [pick(_fitting_hello(g["hello"], hour))]
    if not happens("no_company"):
        parts.append(pick(g["company"]))
    if not happens("no_name"):
        parts.append(pick(g["name"]))
    offer = pick(g["offer_curt"] if curt else g["offer"])
    opening = sep.join(parts) + ("，" if language == "zh" else ". ") + offer
    first_gap = rng.uniform(5.6, 9.0) if happens("late_start") else rng.uniform(0.3, 2.5)
    say("agent", opening, gap=first_gap)

    complaint = rng.random() < complaint_rate
    opener = pick(b.CUSTOMER_OPENER)
    need = scenario["needs"][need_index]
    if opener:
        need = opener + (need[0].lower() + need[1:] if language == "en" and not need.startswith("I") else need)
    say("customer", need, pick(scenario["complaints"]) if complaint else "")

    lead_in = ""  # what the agent says before the next question
    if complaint:
        lead_in = pick(b.NO_APOLOGY) if happens("no_apology") else pick(b.APOLOGY)
    if scenario["account"]:
        if happens("no_identity"):
            say("agent", lead_in, pick(b.NO_IDENTITY))
            lead_in = ""
        else:
            label = pick(scenario["id"])
            values["id_label"], values["id_value"] = label, _id_value(label, values, rng, language)
            say("agent", lead_in, pick(b.IDENTITY_ASK_CURT if curt else b.IDENTITY_ASK))
            say("customer", pick(b.IDENTITY_GIVE))
            lead_in = pick(b.IDENTITY_ACK_CURT if curt else b.IDENTITY_ACK)
    values["need_short"] = scenario["need_short"][need_index % len(scenario["need_short"])]
    misorder = False
    if not happens("no_confirm"):
        misorder = happens("misorder")
        if not misorder:
            say("agent", lead_in, pick(b.CONFIRM))
            say("customer", pick(b.CONFIRM_YES))
            lead_in = ""
    if complaint:
        if not happens("no_incident_time"):
            say("agent", lead_in, pick(b.INCIDENT_ASK))
            values["incident"] = _fill(pick(scenario["incidents"]), values)
            values["Incident"] = values["incident"][:1].upper() + values["incident"][1:]
            say("customer", pick(b.INCIDENT_GIVE))
            lead_in = ""
        if not happens("no_contact"):
            say("agent", lead_in, pick(b.CONTACT_ASK))
            say("customer", pick(b.CONTACT_GIVE))
            lead_in = ""
    answer = scenario["resolve"][need_index % len(scenario["resolve"])]
    if rng.random() < 0.45:
        say("agent", lead_in, pick(b.HOLD_CURT if curt else b.HOLD))
        hold = rng.uniform(11.0, 24.0) if happens("long_hold") else rng.uniform(1.5, 6.0)
        say("agent", pick(b.HOLD_BACK), answer, gap=hold)
    else:
        say("agent", lead_in, answer)
    if happens("forbidden"):
        say("customer", pick(b.CUSTOMER_REPEAT))
        say("agent", pick(b.FORBIDDEN))
    elif rng.random() < 0.12:
        say("customer", pick(b.CUSTOMER_REPEAT))
        say("agent", pick(b.REPEAT_OK), answer)
    if complaint:
        if happens("deflect"):
            say("agent", pick(b.RESOLVE_DEFLECT))
        elif happens("vague_reply"):
            say("agent", pick(b.RESOLVE_VAGUE))
        else:
            say("agent", pick(b.RESOLVE_COMPLAINT))
    if scenario["card"] and rng.random() < 0.35:
        say("agent", pick(b.CARD_READOUT) if happens("card_readout") else pick(b.CARD_CONFIRM))
        say("customer", pick(b.CARD_YES))
    if rng.random() < 0.3:
        question, reply = pick(dom["followups"])
        say("customer", question)
        say("agent", reply)
    if misorder:  # a turn of its own: the need is confirmed only after the answer
        say("agent", pick(b.CONFIRM), gap=rng.uniform(0.4, 1.0))
        say("customer", pick(b.CONFIRM_YES))
    say("customer", pick(b.CUSTOMER_AFTER_COMPLAINT if complaint else b.CUSTOMER_OK))
    if not happens("no_more_help"):
        say("agent", pick(b.MORE_HELP_CURT if curt else b.MORE_HELP))
        say("customer", pick(b.CUSTOMER_NO_MORE))
    if happens("bad_closing"):
        if rng.random() < 0.7:
            say("agent", pick(b.CLOSING_BAD))
    else:
        say("agent", pick(b.CLOSING))
    say("customer", pick(b.CUSTOMER_BYE))
    if happens("interrupts"):
        lines = _talk_over(rng, lines, b.CUSTOMER_TRAILING, space)
    return Dialogue(language, domain, dom["queue"], company, complaint, scenario["account"], tuple(lines),
                    tuple(defects))


_MORNING = ("早上好", "morning")
_AFTERNOON = ("下午好", "afternoon")


def _fitting_hello(options: list[str], hour: Optional[int]) -> list[str]:
    if hour is None:
        return options
    wrong = _AFTERNOON if hour < 12 else _MORNING if hour < 18 else _MORNING + _AFTERNOON
    return [o for o in options if not any(w in o for w in wrong)] or options


def _talk_over(rng: random.Random, lines: list[Line], trailing: list[str], space: str) -> list[Line]:
    """Make the agent start 1.3–2.5 s before the customer finishes, three or four times.
    A short customer reply gets a trailing remark first: the agent cuts into that."""
    spots = [i for i in range(1, len(lines)) if lines[i].speaker == "agent" and lines[i - 1].speaker == "customer"]
    for i in rng.sample(spots, min(len(spots), rng.choice([3, 4]))):
        before = lines[i - 1]
        if len(before.text) < (12 if space == "" else 40):
            lines[i - 1] = Line(before.speaker, before.text + space + rng.choice(trailing), before.gap)
        lines[i] = Line("agent", lines[i].text, -rng.uniform(1.3, 2.5))
    return lines


_SPOKEN = re.compile(f"[{CHINESE_CHARACTERS}0-9A-Za-z]")  # a character or letter that takes time to say
_PAUSE = re.compile(r"[，。？！；,.?!;]")


def speech_seconds(text: str, language: str, rate: float) -> float:
    """How long ``text`` takes to say at ``rate`` (chars/s for zh, words/s for en)."""
    units = len(_SPOKEN.findall(text)) if language == "zh" else len(text.split())
    return max(0.6, units / rate + 0.15 * len(_PAUSE.findall(text[:-1])))


def timed_turns(dialogue: Dialogue, rng: random.Random) -> tuple[Turn, ...]:
    """Turns with start/end times, as an imported transcript with times would have them."""
    zh = dialogue.language == "zh"
    rates = {s: rng.uniform(4.0, 5.0) if zh else rng.uniform(2.3, 2.8) for s in ("agent", "customer")}
    turns: list[Turn] = []
    end = 0.0
    for line in dialogue.lines:
        duration = speech_seconds(line.text, dialogue.language, rates[line.speaker])
        start = end + line.gap
        if turns and line.gap < 0:
            start = max(start, turns[-1].start + 0.4)
        turns.append(Turn(line.speaker, round(start, 2), round(start + duration, 2), line.text))
        end = max(end, start + duration)
    return tuple(turns)
