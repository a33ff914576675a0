"""Rubric items as people read them: the item's title with its code, the complaint trigger as
"complaint call: yes/no", and why an item passed or failed in words instead of the scorer's
rule text (which quotes the rubric's patterns and regular expressions).

The titles come from the standard rubrics (:func:`qa_pipeline.rubric.standard_rubric`, read
once per process); a code no standard rubric knows is shown as it is::

    item_label("C2", "zh")                      # 'C2 确认需求'
    item_label("C2", "en")                      # 'C2 Confirm the need'
    explain("not applicable: complaint is fail", "D1", "na", "en")   # 'not a complaint call'
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from qa_pipeline.errors import QaError
from qa_pipeline.rubric import STANDARD_FILES, standard_rubric

log = logging.getLogger(__name__)

__all__ = ["Item", "explain", "is_trigger", "item_label", "outcome_words", "rubric_items"]


@dataclass(frozen=True)
class Item:
    """One rubric item's code, titles (Mandarin and English) and kind ('item' or 'trigger')."""

    check_id: str
    title_zh: str
    title_en: str
    kind: str = "item"

    def title(self, language: str) -> str:
        return self.title_zh if (language or "").startswith("zh") else self.title_en


@lru_cache(maxsize=1)
def rubric_items() -> dict[str, Item]:
    """Every item of the standard rubrics by code (the Mandarin and English forms share codes)."""
    found: dict[str, Item] = {}
    for family in STANDARD_FILES:
        try:
            rubric = standard_rubric(family)
        except QaError as exc:  # a missing or broken rubric folder: codes alone still work
            log.warning("item titles unavailable for %s: %s", family, exc)
            continue
        for check in rubric.checks:
            found.setdefault(check.id, Item(check.id, check.title_zh, check.title_en, check.kind))
    return found


def item_label(check_id: Optional[str], language: str = "en") -> str:
    """``"C2 Confirm the need"`` (the title in ``language``, 'zh…' or anything else for English)."""
    if not check_id:
        return ""
    item = rubric_items().get(check_id)
    if item is None:
        return check_id
    title = item.title(language)
    if check_id.lower() in title.lower():  # a code that is a word ('complaint'): the title says it
        return title
    return f"{check_id} {title}"


def is_trigger(check_id: Optional[str]) -> bool:
    """Whether the item is a trigger (e.g. ``complaint``): its pass means 'it happened', not 'done well'."""
    item = rubric_items().get(check_id or "")
    return item is not None and item.kind == "trigger"


def outcome_words(check_id: Optional[str], outcome: Optional[str], language: str = "en") -> str:
    """The outcome as a person says it: 'pass' / 'fail' / 'n/a', and for a trigger
    'complaint call: yes' / 'complaint call: no'."""
    if is_trigger(check_id):
        # In the dashboard's words (English), whatever the title language: "complaint call: no".
        title = rubric_items()[check_id or ""].title_en
        answer = {"pass": "yes", "fail": "no"}.get(outcome or "", "unknown")
        return f"{title[:1].lower() + title[1:]}: {answer}"
    return {"pass": "pass", "fail": "fail", "na": "n/a"}.get(outcome or "", outcome or "–")


# ---- the rule text in words --------------------------------------------------------------

# The scorer's rule text is built by the check types in qa_pipeline.rubric.checks; these
# patterns read the forms they write.
_NOT_APPLICABLE = re.compile(r"^not applicable: (?P<rest>.*)$", re.DOTALL)
_CHECK_IS = re.compile(r"^(?P<check>[\w.-]+) is (?P<outcome>pass|fail|na)$")
_NOT_FOUND = re.compile(r"^(?P<name>.*?): not found(?: (?P<times>\d+) times)? \((?P<scope>.*)\)$", re.DOTALL)
_FOUND = re.compile(r"^(?P<name>.*?): found '(?P<what>.*)'$", re.DOTALL)
_METRIC = re.compile(r"^(?P<name>.*?) = (?P<value>[-\d.e+]+) \(needs (?P<bounds>[^()]*)\)$")
_NOT_MEASURABLE = re.compile(r"^(?P<name>.*?): not measurable for this call$")
_ALL_FOUND = re.compile(r"^(?:(?P<name>.*?): )?all found$")
_NEGATED = re.compile(r"^(?P<name>.*?): (?P<rest>.*)$", re.DOTALL)
_IN_ORDER = re.compile(r"^(?P<name>.*?): in order$")
_TOO_EARLY = re.compile(r"^(?P<name>.*?): came too early \((?P<b>.*)\) before \((?P<a>.*)\)$", re.DOTALL)
_MISSING = re.compile(r"^(?P<name>.*?): not judged, missing \((?P<rest>.*)\)$", re.DOTALL)
# The `answered` check (qa_pipeline.rubric.checks.answered): what the customer's answer to the agent's question held.
_ANSWERED = re.compile(r"^(?P<name>.*?): found '(?P<what>.*)' in the answer to turn \d+$", re.DOTALL)
_UNANSWERED = re.compile(r"^(?P<name>.*?): (?:(?P<none>no question asked)|not in the answers to (?P<n>\d+) "
                         r"question\(s\)) \((?P<scope>.*)\)$", re.DOTALL)
_SIMILAR = re.compile(r"^(?P<name>.*?): (?:best )?similarity (?P<value>[\d.]+)(?: < (?P<threshold>[\d.]+))?$")
# Names the check types use when the rubric gives none: say the item's title instead.
# The learned judgements' texts (qa_pipeline.rubric.checks.learned): a sentence and its probability.
_UNSURE = re.compile(r"^unsure: learned (?P<item>\S+) '(?P<said>.*)' p=(?P<p>[\d.]+)[^;]*; rules: (?P<rules>.*)$", re.DOTALL)
_LEARNED = re.compile(r"^learned (?P<item>\S+): (?P<how>found|best) '(?P<said>.*)' p=(?P<p>[\d.]+)", re.DOTALL)
_GENERIC = {"phrases", "detect", "regex", "keywords", "complaint", "semantic", "metric", "all", "any", ""}
_BOUNDS = {">=": "at least", "<=": "at most"}


def _scope_words(scope: str) -> str:
    """'agent, first turn' -> 'by the agent in the first turn'."""
    parts = [p.strip() for p in scope.split(",") if p.strip()]
    if not parts:
        return ""
    who = parts[0]
    who = {"anyone": "by anyone", "unknown": "by an unknown speaker"}.get(who, f"by the {who.replace('_', ' ')}")
    where = []
    for p in parts[1:]:
        p = p.replace("turn(s)", "turns").replace(" 1 turns", " turn")
        if p == "after the trigger" or p.startswith("after the trigger:"):
            times = p.partition(":")[2].strip()
            where.append("after the complaint" + (f" ({times})" if times else ""))
        elif p == "before the reference":
            where.append("before the point it must come before")
        else:
            where.append(f"in the {p}")
    return " ".join([who, *where])


def _phrase_words(what: str) -> Optional[str]:
    """A rubric phrase that reads as words (quoted as said), or None for a pattern (a regular
    expression, a word-list placeholder or a gap) that only the rubric's author reads."""
    if what.startswith("re:") or "{" in what or "..." in what or "^" in what or "$" in what:
        return None
    return what


def _leaf(text: str, title: str, language: str) -> str:
    text = text.strip()

    def name(raw: str) -> str:
        return title if raw.strip() in _GENERIC else raw.strip()

    if m := _NOT_APPLICABLE.match(text):
        rest = m.group("rest")
        if c := _CHECK_IS.match(rest.strip()):
            if is_trigger(c.group("check")) and c.group("outcome") != "pass":
                return f"not a {outcome_words(c.group('check'), 'pass').split(':')[0]}"
            verb = {"pass": "passed", "fail": "failed", "na": "did not apply"}[c.group("outcome")]
            return f"not applicable: {item_label(c.group('check'), language)} {verb}"
        named = _NEGATED.match(rest)
        if named and _NOT_FOUND.match(named.group("rest").split(";")[0].strip()):  # a named condition not met
            return f"not applicable: no sign of “{named.group('name')}” on this call"
        return f"not applicable: {_words(rest, title, language)}"
    if m := _ALL_FOUND.match(text):
        return f"{name(m.group('name') or '')}: everything required was said"
    if m := _ANSWERED.match(text):
        said = _phrase_words(m.group("what"))
        return f"{name(m.group('name'))}: the customer's answer said " + (f"“{said}”" if said else "it (see the quote)")
    if m := _UNANSWERED.match(text):
        where = _scope_words(m.group("scope"))
        asked = "no question about it was asked" if m.group("none") else (
            f"not in the customer's answers to {m.group('n')} question{'s' * (m.group('n') != '1')}")
        return f"{name(m.group('name'))}: {asked}" + (f" {where}" if where else "")
    if m := _FOUND.match(text):
        said = _phrase_words(m.group("what"))
        quoted = f"said “{said}”" if said else "said (see the quote)"
        return f"{name(m.group('name'))}: {quoted}"
    if m := _NOT_FOUND.match(text):
        times = f" {m.group('times')} times" if m.group("times") else ""
        where = _scope_words(m.group("scope"))
        return f"{name(m.group('name'))}: not said{times}" + (f" {where}" if where else "")
    if m := _METRIC.match(text):
        bounds = m.group("bounds")
        for sign, words in _BOUNDS.items():
            bounds = bounds.replace(sign, words)
        return f"{name(m.group('name'))} was {m.group('value')}, needs {bounds}"
    if m := _NOT_MEASURABLE.match(text):
        return f"{name(m.group('name'))}: could not be measured on this call"
    if m := _IN_ORDER.match(text):
        return f"{name(m.group('name'))}: in the right order"
    if m := _TOO_EARLY.match(text):
        return (f"{name(m.group('name'))}: {_words(m.group('b'), title, language)} came before "
                f"{_words(m.group('a'), title, language)}")
    if m := _MISSING.match(text):
        return f"{name(m.group('name'))}: not judged, because {_words(m.group('rest'), title, language)}"
    if m := _SIMILAR.match(text):
        if m.group("threshold"):
            return f"{name(m.group('name'))}: nothing said came close enough in meaning"
        return f"{name(m.group('name'))}: said in other words (see the quote)"
    if m := _LEARNED.match(text):
        return _learned(m)
    if text.startswith("speakers unknown"):
        return "speakers unknown: the agent's words cannot be told from the customer's"
    return text


def _learned(m: re.Match) -> str:
    chance = f"{float(m.group('p')):.0%}"
    if m.group("how") == "found":
        return f"said in other words: “{m.group('said')}” ({chance} likely)"
    return f"nearest in meaning: “{m.group('said')}” ({chance}, not enough)"


def _words(rule: str, title: str, language: str) -> str:
    rule = rule.strip()
    if m := _UNSURE.match(rule):
        return (f"unsure, for a specialist to decide: the nearest sentence in meaning was “{m.group('said')}” "
                f"({float(m.group('p')):.0%}); {_words(m.group('rules'), title, language)}")
    if m := _LEARNED.match(rule):
        return _learned(m)
    if rule.startswith("learned judgement off"):
        return "judged by the rules alone (the learned judgements are off)"
    if rule.startswith("not applicable: "):
        return _leaf(rule, title, language)
    if rule.startswith("none found"):
        names = [_NOT_FOUND.match(p.strip()) for p in rule.partition(":")[2].split(";")]
        listed = [m.group("name").strip() for m in names if m]
        if listed:
            return "none of these was said: " + ", ".join(listed)
        return "nothing that must not be said was said"
    for lead, words in (("must never happen: ", "must never happen, but did"),
                        ("must not hold: ", "must not happen, but did")):
        if rule.startswith(lead):
            return f"{words}: {_words(rule[len(lead):], title, language)}"
    if ";" in rule:  # any-of: every alternative missing
        head = _NEGATED.match(rule)
        parts = rule.split(";")
        if head and not _NOT_FOUND.match(parts[0].strip()) and not _FOUND.match(parts[0].strip()):
            parts[0] = head.group("rest")
            return f"{head.group('name')}: " + "; ".join(_leaf(p, title, language) for p in parts)
        return "; ".join(_leaf(p, title, language) for p in parts)
    return _leaf(rule, title, language)


def explain(rule: Optional[str], check_id: Optional[str], outcome: Optional[str], language: str = "en") -> str:
    """Why the item came out as it did, in words: the rule's name and what was said or missing.

    ``rule`` is the scorer's text stored with the finding (``"phrases: found '{ask}...{ident}'"``);
    a rubric's regular expressions and word-list placeholders are never repeated."""
    item = rubric_items().get(check_id or "")
    title = item.title(language) if item else (check_id or "the item")
    if not rule:
        return ""
    if is_trigger(check_id):
        answer = outcome_words(check_id, outcome, language)
        found = _FOUND.match(rule.strip())
        if found and (said := _phrase_words(found.group("what"))):
            return f"{answer} (the customer said “{said}”)"
        return answer
    return _words(rule, title, language)
