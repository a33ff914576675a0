"""The registry of named rubric changes that bench/fresh_patch.py judges on the fresh view (:data:`CHANGES`),
and the functions that make each change to an old rubric's YAML data. What each change moved, and whether it
was adopted, is in fresh_patch.py's docstring and docs/rubrics.md; add a change as a new entry at the end.
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Callable, NamedTuple, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa_pipeline.rubric import standard_rubric  # noqa: E402
from qa_pipeline.rubric.loader import read_rubric_yaml  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COMPLAINT_D = ("complaint", "D1", "D2", "D3", "D4", "D5")
C2_C5 = ("C2", "C5")
C1_C5 = ("C1", "C2", "C3", "C4", "C5")


class Change(NamedTuple):
    """A named rubric change: ``apply`` edits a rubric's YAML data in place (False where that rubric lacks
    what it edits); ``strip`` (optional) takes the change out where a rubric already holds it, applied to
    both sides first; ``items`` are the items reported by default; ``langs`` the rubrics it is written for."""
    reason: str
    items: tuple[str, ...]
    apply: Callable[[dict], bool]
    strip: Optional[Callable[[dict], None]] = None
    langs: tuple[str, ...] = ("zh", "en")


# ---- phrase changes: today's wording carried to an old rubric ----------------------------------------

def _mappings(node):
    """Every mapping under ``node`` (a check's rule tree, as read from YAML), ``node`` itself first."""
    if isinstance(node, dict):
        yield node
        node = list(node.values())
    if isinstance(node, list):
        for value in node:
            yield from _mappings(value)


def rules_named(node, name: str):
    """Every rule mapping under ``node`` whose ``name`` is ``name``."""
    return [m for m in _mappings(node) if m.get("name") == name]


def _check(data: dict, check_id: str) -> Optional[dict]:
    return next((c for c in data["checks"] if c["id"] == check_id), None)


def append_phrases(check_id: str, rule_name: str, phrases: list[str]) -> Callable[[dict], bool]:
    """A change: ``phrases`` appended to the phrases of every rule named ``rule_name`` in check ``check_id``;
    False where the rubric has no such rule."""
    def patch(data: dict) -> bool:
        check = _check(data, check_id)
        found = list(rules_named(check, rule_name)) if check else []
        for rule in found:
            rule["phrases"] = list(rule.get("phrases") or []) + list(phrases)
        return bool(found)
    return patch


def _phrase_lists(node):
    """Every ``phrases`` list under ``node`` (a check's rule tree, as read from YAML)."""
    return [m["phrases"] for m in _mappings(node) if isinstance(m.get("phrases"), list)]


def today_rubric(lang: str = "zh") -> dict:
    """This checkout's standard rubric of ``lang``, as YAML data."""
    return read_rubric_yaml((ROOT / "rubrics" / f"standard-{lang}.yaml").read_text("utf-8"))


def today(check_id: str, *fragments: str, lang: str = "zh") -> list[str]:
    """The phrases of this checkout's standard-LANG check ``check_id`` holding one of ``fragments``: a change
    carries today's wording to the old rubrics (read at each use, so the bench judges what ships)."""
    check = _check(today_rubric(lang), check_id)
    return [p for lst in _phrase_lists(check) for p in lst if isinstance(p, str) and any(f in p for f in fragments)]


def replace_phrase(check_id: str, holding: str) -> Callable[[dict], bool]:
    """A change: in check ``check_id``, every phrase holding ``holding`` replaced by today's phrase holding it;
    False where none holds it."""
    def patch(data: dict) -> bool:
        check = _check(data, check_id)
        new = today(check_id, holding)[0]
        hit = False
        for lst in _phrase_lists(check):
            for i, p in enumerate(lst):
                if isinstance(p, str) and holding in p:
                    lst[i], hit = new, True
        return hit
    return patch


def appended(check_id: str, rule_name: str, *fragments: str) -> Callable[[dict], bool]:
    """A change: today's phrases of ``check_id`` holding one of ``fragments`` appended to the rule
    ``rule_name``; False (nothing done) where the old rubric lacks the rule or today's rubric the phrases."""
    def patch(data: dict) -> bool:
        phrases = today(check_id, *fragments)
        return bool(phrases) and append_phrases(check_id, rule_name, phrases)(data)
    return patch


def today_acts(data: dict) -> bool:
    """A change: the complaint check's ``acts`` option as this checkout's standard rubric of the old rubric's
    language sets it (the agent's complaint-handling acts, which older rubrics lack): a D-item change is then
    judged with them."""
    lang = (data.get("languages") or ["zh"])[0]
    acts = _check(today_rubric(lang), "complaint")["rule"]["acts"]
    _check(data, "complaint")["rule"]["acts"] = copy.deepcopy(acts)
    return True


# ---- C2: the need_echo detector as an alternative of C2's rule ----------------------------------------

ECHO = {"type": "detect", "name": "echoes the need", "detector": "need_echo", "speaker": "agent"}


def _c2_rule_holder(data: dict) -> dict:
    """The mapping whose ``rule`` is C2's rule: the learned check's (its rules' answer), else C2 itself."""
    check = _check(data, "C2")
    return check["rule"] if check["rule"].get("type") == "learned" else check


def _strip_detector(data: dict, detector: str) -> None:
    """The ``detect`` alternative naming ``detector`` taken out of C2's rule where the rubric has it."""
    holder = _c2_rule_holder(data)
    rule = holder["rule"]
    def named(r: object) -> bool:
        return isinstance(r, dict) and r.get("detector") == detector
    if isinstance(rule, dict) and isinstance(rule.get("any"), list) and any(named(r) for r in rule["any"]):
        rest = [r for r in rule["any"] if not named(r)]
        holder["rule"] = rest[0] if len(rest) == 1 else {**rule, "any": rest}


def _add_detector(data: dict, alternative: dict) -> bool:
    """``alternative`` (a ``detect`` rule) made an alternative of C2's rule (the rules' answer of a learned
    check, else the rule itself), once, whether or not the rubric had it."""
    _strip_detector(data, alternative["detector"])
    holder = _c2_rule_holder(data)
    holder["rule"] = {"any": [holder["rule"], alternative]}
    return True


def strip_need_echo(data: dict) -> None:
    """The detector taken out of C2's rule where the rubric already has it (standard-en from stop 29)."""
    _strip_detector(data, "need_echo")


def add_need_echo(data: dict) -> bool:
    """The need_echo detector as an alternative of C2's rule, once."""
    return _add_detector(data, ECHO)


CONFIRMED = {"type": "detect", "name": "confirmed by the customer", "detector": "need_confirmed", "speaker": "agent"}


def strip_need_confirmed(data: dict) -> None:
    """The need_confirmed detector taken out of C2's rule where the rubric already has it."""
    _strip_detector(data, "need_confirmed")


def add_need_confirmed(data: dict) -> bool:
    """The need_confirmed detector (the customer's "that's right" after the agent put their words back) as an
    alternative of C2's rule, once."""
    return _add_detector(data, CONFIRMED)


def without_need_echo(data: dict) -> dict:
    """A copy of ``data`` without the detector in C2's rule."""
    data = copy.deepcopy(data)
    strip_need_echo(data)
    return data


def with_need_echo(data: dict) -> dict:
    """A copy of ``data`` with the detector as an alternative of C2's rule, once."""
    data = copy.deepcopy(data)
    add_need_echo(data)
    return data


# ---- C5: the offer of more help before the closing began ----------------------------------------------

CLOSING_BEGAN = {"zh": "结束语的致谢在询问其他需求之后", "en": "closing thanks after the anything-else"}


def _after_c3(node):
    """A copy of the closing's thanks condition ``node`` searched only from the offer of more help on."""
    node = copy.deepcopy(node)
    if isinstance(node, dict) and node.get("type") == "phrases":
        node["after"] = {"check": "C3"}
    elif isinstance(node, dict) and "any" in node:
        node["any"] = [_after_c3(n) for n in node["any"]]
    return node


def strip_closing_began(data: dict) -> None:
    """C5 without the condition that the closing's thanks comes at or after the offer of more help."""
    rule = _check(data, "C5")["rule"]
    rule["all"] = [p for p in rule["all"] if not (isinstance(p, dict) and p.get("name") in CLOSING_BEGAN.values())]


def add_closing_began(data: dict) -> bool:
    """C5 with that condition (once): C4's thanks (its first part) searched from C3's hit on, as
    standard-LANG.yaml has it."""
    strip_closing_began(data)
    thanks = _check(data, "C4")["rule"]["all"][0]
    name = CLOSING_BEGAN[(data.get("languages") or ["en"])[0][:2]]
    _check(data, "C5")["rule"]["all"].append({**_after_c3(thanks), "name": name})
    return True


def closing_began(data: dict, on: bool) -> dict:
    """A copy of ``data`` with (``on``) or without the closing-began condition in C5."""
    data = copy.deepcopy(data)
    (add_closing_began if on else strip_closing_began)(data)
    return data


# ---- C5: the resolution also the agent's commitment to do what was asked ---------------------------------

COMMITMENT = ("re:(?<!if )(?<!once )(?<!when )(?<!after )\\b(?:i|we) will (?:now |just |also |straight away )?"
              "(?:put|move|book|rebook|reschedule|change|cancel|send|resend|refund|replace|swap|credit|issue|reissue|"
              "post|ship|courier|waive|switch|transfer) (?:you|it|them|that|this|the|your|a|an)\\b")


def add_commitment(data: dict) -> bool:
    """The ``resolution`` condition (C5's "before the resolution") also matching the agent's commitment to do
    the thing asked ("I'll move you to Sunday", "we will send a new one"); False where the rubric has no
    resolution condition."""
    resolution = (data.get("conditions") or {}).get("resolution")
    if not isinstance(resolution, dict) or not isinstance(resolution.get("phrases"), list):
        return False
    resolution["phrases"] = [p for p in resolution["phrases"] if p != COMMITMENT] + [COMMITMENT]
    return True


# ---- C1: a record touched when the agent reads out what only the record holds -------------------------------

READ_FROM_RECORD = [{"type": "detect", "name": "the customer's personal data read out", "detector": "personal_data",
                     "speaker": "agent"},
                    {"type": "detect", "name": "a card or ID number read out", "detector": "sensitive_number",
                     "speaker": "agent"}]


def add_read_from_record(data: dict) -> bool:
    """The ``account_touched`` condition (C1's scope) also met where the agent reads out the customer's personal
    data or a full card / ID number (the E1 detectors): only the record holds them. False where the rubric has
    no such condition."""
    conditions = data.get("conditions") or {}
    touched = conditions.get("account_touched")
    if not isinstance(touched, dict):
        return False
    conditions["account_touched"] = {"any": [touched, *READ_FROM_RECORD], "name": "account or record touched"}
    return True


# ---- the registry: name -> Change (add an entry per change; keep it a plain dict, one entry a line group) --

# ---- cmpl31 (stop 31): whom the feeling is aimed at, the agent's acts over the whole call, D2 said back ----
# Candidates of stop 31 not adopted (each moved only holdout15, the folder it was written from; no other fold
# moved either way) stay here, not in the rubrics, to be judged again on later hold-outs.
# The customer laying the fault on themselves (估计是我填岔了, 怪我自己没留意), left to the rules by the learned check.
SELF_BLAME = (r"^[^\n]*(?:是我|怪我|赖我|我自己|都怪我|也怪我|是我们自己|我们自己|我当时|我那时候)"
              r"(?:(?!你|您|他|她|店|师傅|客服|工作人员|快递)[^\n]){0,8}?(?:说错|写错|填错|弄错|搞错|记错|看错|听错|输错|选错|"
              r"点错|按错|报错|留错|拼错|打错|填岔|记串|弄混|搞混|没说清|没讲清|没写清|没交代|忘了|忘记|没注意|没留意|马虎|粗心|疏忽|大意)")
# English D2 check tags after a read-back (is that what happened, that what you are saying, is that how it went).
SAID_BACK_TAGS = ("(?:is )?that what (?:happened|you are saying|you mean|went on)|is that how it (?:went|happened|went "
                  "down)|(?:is )?that (?:the )?(?:gist|long and short) of it|")
# English D3: a number named and, a few words on, someone reaching the customer on it (not an order or ticket number).
NUMBER_REACH = (r"re:\b(?<!order )(?<!ticket )(?<!reference )(?<!case )(?<!account )(?<!tracking )(?<!policy )"
                r"(?<!booking )(?<!serial )(?<!model )(?<!invoice )(?<!claim )(?<!job )(?<!receipt )(?<!part )"
                r"(?<!membership )(?:number|phone|mobile|cell|email|landline)\b(?: \S+){0,8}? (?:reach|call|contact|"
                r"ring|text|phone|email|get hold of|get back to|update) you\b")


def _learned_unless_added(data: dict, pattern: str) -> bool:
    """``pattern`` added to the ``unless`` of the old rubric's learned complaint rule."""
    rule = _check(data, "complaint")["rule"]
    rule["unless"] = list(rule.get("unless") or []) + [pattern]
    return True


def _acts_set(data: dict, **options) -> bool:
    """``options`` set on the old rubric's complaint ``acts`` (False where it has none: add ``--base acts``)."""
    acts = _check(data, "complaint")["rule"].get("acts")
    if acts is not None:
        acts.update(options)
    return acts is not None


def _inserted(data: dict, check_id: str, anchor: str, insert: str) -> bool:
    """``insert`` put after ``anchor`` in each old phrase of ``check_id`` holding it (the old rule kept, only the new
    alternatives added); False where the old rubric lacks ``anchor``."""
    check = _check(data, check_id)
    hit = False
    for lst in _phrase_lists(check) if check else []:
        for i, p in enumerate(lst):
            if isinstance(p, str) and anchor in p and insert not in p:
                lst[i], hit = p.replace(anchor, anchor + insert, 1), True
    return hit


def _d2_incident_echo(data: dict) -> bool:
    """D2's learned rule given the ``incident_echo`` detector as an alternative of its rules (its window as theirs)."""
    learned = (_check(data, "D2") or {}).get("rule") or {}
    inner = learned.get("rule")
    if learned.get("type") != "learned" or not isinstance(inner, dict):
        return False
    after = learned.get("after") or inner.get("after") or {"check": "complaint"}
    detect = {"type": "detect", "name": "reads the incident back with its time", "detector": "incident_echo",
              "after": after}
    learned["rule"] = {"any": list(inner["any"]) + [detect]} if "any" in inner else {"any": [inner, detect]}
    return True


def _strip_incident_echo(data: dict) -> None:
    """Today's D2 without its ``incident_echo`` alternative (adopted in both standard rubrics at stop 31)."""
    inner = ((_check(data, "D2") or {}).get("rule") or {}).get("rule")
    if isinstance(inner, dict) and isinstance(inner.get("any"), list):
        inner["any"] = [r for r in inner["any"] if not (isinstance(r, dict) and r.get("detector") == "incident_echo")]


# ---- en32 (stop 32): C1 and D3 by the exchange's shape (qa_pipeline/rubric/identity_exchange.py) ----------

ANSWERED = {"type": "detect", "name": "identifier asked and answered", "detector": "identifier_answered",
            "speaker": "agent"}
CONTACT = {"type": "detect", "name": "the customer's contact asked or confirmed", "detector": "contact_confirmed",
           "speaker": "agent", "after": {"check": "complaint"}}


def _named(node, detector: str) -> bool:
    return isinstance(node, dict) and node.get("detector") == detector


def _without(node, detector: str):
    """``node`` without a ``detect`` alternative naming ``detector`` in its ``any``."""
    if isinstance(node, dict) and isinstance(node.get("any"), list) and any(_named(r, detector) for r in node["any"]):
        rest = [r for r in node["any"] if not _named(r, detector)]
        return rest[0] if len(rest) == 1 and set(node) <= {"any"} else {**node, "any": rest}
    return node


def _either(node, alternative: dict):
    """``node`` or ``alternative`` (once)."""
    node = _without(node, alternative["detector"])
    return {"any": [node, alternative]}


def _inner_holder(check: dict) -> dict:
    """The mapping whose ``rule`` is the check's rules' answer (a learned check's inner rule, else the check)."""
    return check["rule"] if check["rule"].get("type") == "learned" else check


def strip_identifier_answered(data: dict) -> None:
    check = _check(data, "C1")
    if "applies_when" in check:
        check["applies_when"] = _without(check["applies_when"], "identifier_answered")
    holder = _inner_holder(check)
    holder["rule"] = _without(holder["rule"], "identifier_answered")


def add_identifier_answered(data: dict) -> bool:
    """C1 in scope and passed where the agent asks and the customer answers with an identifier's shape."""
    strip_identifier_answered(data)
    check = _check(data, "C1")
    if "applies_when" in check:
        check["applies_when"] = {**_either(check["applies_when"], ANSWERED), "name": "account or personal record touched"}
    holder = _inner_holder(check)
    holder["rule"] = _either(holder["rule"], ANSWERED)
    return True


INCIDENT = {"type": "detect", "name": "the incident confirmed by the customer", "detector": "incident_confirmed",
            "speaker": "agent", "after": {"check": "complaint"}}


def alternative(check_id: str, detect: dict) -> tuple[Callable[[dict], bool], Callable[[dict], None]]:
    """(apply, strip) of a change making ``detect`` an alternative of check ``check_id``'s rules' answer, once."""
    def strip(data: dict) -> None:
        holder = _inner_holder(_check(data, check_id))
        holder["rule"] = _without(holder["rule"], detect["detector"])

    def apply(data: dict) -> bool:
        strip(data)
        holder = _inner_holder(_check(data, check_id))
        holder["rule"] = _either(holder["rule"], detect)
        return True
    return apply, strip


# ---- B2 (crit32): today's `together` point and word windows of long comma-free sentences ----------------

B2_WINDOWS = {"words": 10, "min_words": 14}


def _b2_learned(data: dict) -> Optional[dict]:
    learned = (_check(data, "B2") or {}).get("rule") or {}
    return learned if learned.get("type") == "learned" and learned.get("neighbours") else None


def _b2_set(key: str, value) -> Callable[[dict], bool]:
    def apply(data: dict) -> bool:
        learned = _b2_learned(data)
        if learned is None or key in learned:
            return False
        learned[key] = copy.deepcopy(value)
        return True
    return apply


def _b2_strip(key: str) -> Callable[[dict], None]:
    def strip(data: dict) -> None:
        (_b2_learned(data) or {}).pop(key, None)
    return strip


def _b2_today_together(data: dict) -> bool:
    """Today's B2 `together` point of the rubric's language (crit31) given to an older rubric without one."""
    from item_decision_fit import learned_node  # the bench beside this one, read only for this change

    lang = "zh" if "zh" in (data.get("languages") or []) else "en"
    n, p, m = learned_node(standard_rubric(lang), "B2").together
    return _b2_set("together", {"sentences": n, "p": p, "margin": m})(data)


# ---- zhgen32 (stop 32): Mandarin speech-recognition turns without punctuation read clause by clause --------
# A Mandarin transcript without punctuation is one "sentence" a turn for the learned judgements (split_sentences
# cuts at 。？！ only), while the exemplar banks are short punctuated sentences: a D-item act said in one clause of a
# long run-on turn is diluted by the rest. `clauses: true` (the complaint trigger's option) also judges the
# clauses of a likely sentence, cut at commas and, without punctuation, at the spaces between Chinese characters.

def _learned_clauses(*items: str) -> Callable[[dict], bool]:
    """A change: ``clauses: true`` on the learned rule of each of ``items`` (its own rule, or the learned part
    of an ``all``); False where the rubric has none of them learned."""
    def patch(data: dict) -> bool:
        hit = False
        for item in items:
            check = _check(data, item)
            for m in _mappings(check["rule"]) if check else []:
                if m.get("type") == "learned" and m.get("item") == item:
                    m["clauses"], hit = True, True
        return hit
    return patch


def _strip_d2_clauses(data: dict) -> None:
    """D2's learned rule without ``clauses`` (where a later rubric adopts it)."""
    for m in _mappings((_check(data, "D2") or {}).get("rule") or {}):
        if m.get("type") == "learned" and m.get("item") == "D2":
            m.pop("clauses", None)


# D5 (zh), structural: the case named as the topic and the agent the one who follows it (这单我来盯, 后面由我跟,
# 这个事我亲自负责), not a preposition (这事我来跟您说); a form filed for the customer (给您开一张复检单, 帮您提个工单).
CASE_MINE = (r"re:(?:这单|这事|这件事|这个事|这个事情|这事情|这个单子?|这个问题|这问题|后面的?事?|后续的?事?|剩下的事?)"
             r"(?:就|都|呢)?(?:由|交给|归)?我(?:这边)?(?:来|会|亲自|负责)?(?:盯|跟|管|负责|办|处理|跟进)"
             r"(?!您|你|他|她|客户|对方|师傅|快递)")
FORM_FILED = r"re:(?:给|帮|为|替)您(?:开|提|建|登记|录|填|补)(?:了)?(?:1|一)?(?:张|个|份)?[^\n]{0,4}?单(?!号)"


def _learned_set(data: dict, item: str, **options) -> bool:
    """``options`` set on the learned rule of check ``item`` (False where it has none with ``neighbours``)."""
    rule = (_check(data, item) or {}).get("rule") or {}
    if rule.get("type") != "learned" or "neighbours" not in rule:
        return False
    rule.update(options)
    return True

# C5 (zh): the resolution also the agent's commitment to do the thing for the customer, not yet done (给您重新补寄,
# 帮您换新, 这就给您安排), not a question or a condition (要不要给您换, 如果给您退)
ZH_COMMITMENT = (r"re:(?<!要不要)(?<!能不能)(?<!可不可以)(?<!如果)(?<!要是)(?<!需要)(?<!是否)(?<!需不需要)(?<!想)"
                 r"(?:给|帮|为|替)您(?:重新|再|另外|马上|现在|这就|先|直接|免费)?(?:补寄|补发|重寄|重发|换新|换货|换1个|换一个|"
                 r"更换|退款|退货|退费|退回|改到|改成|改签|安排|办理|提交|登记|预约|约上|开通|取消|下单|寄1个|寄一个)"
                 r"(?![^\n]{0,8}?(?:吗|吧|么|好不好|行不行|可以不))")


def _resolution_added(data: dict, phrase: str) -> bool:
    """``phrase`` added to the ``resolution`` condition (C5's "before the resolution"); False where it has none."""
    resolution = (data.get("conditions") or {}).get("resolution")
    if not isinstance(resolution, dict) or not isinstance(resolution.get("phrases"), list):
        return False
    resolution["phrases"] = [p for p in resolution["phrases"] if p != phrase] + [phrase]
    return True

# D2 (zh): past times as callers say them, for the {date} synonym (the agent's record, the customer's answer): 昨晚,
# 昨儿个, 前儿, 上礼拜, 上个星期三, 礼拜六早上 (not 下/这/本 weeks, nor a weekday as a deadline: 礼拜三之前), 前两天,
# 前阵子, 这两天, 十一月初, 上个月底, 今早
SPOKEN_DATES = [r"re:昨(?:儿|晚|夜|早)|前(?:儿|晚)(?![面边台头])|今早|今儿(?:个)?(?:上午|下午|早上|早|晚上|中午|凌晨)",
                r"re:上个?(?:礼拜|星期)(?:[1-7日天])?",
                r"re:(?<![下这本])(?<!下个)(?:礼拜|星期)[1-7日天](?![^\n]{0,3}?(?:之前|以前|前|之内|内|再|会|给您))",
                r"re:前(?:2|3|几|些)天|前阵子|前段时间|前些日子|这(?:2|两|几)天|头(?:2|几)天|那(?:几天|阵子|会儿)",
                r"re:(?:\d+月|上个?月)(?:初|中|底)(?!前|之前)"]


def _synonyms_added(data: dict, name: str, phrases: list[str]) -> bool:
    """``phrases`` appended to the rubric's synonym ``name`` (once); False where it has no such synonym."""
    synonyms = data.get("synonyms") or {}
    if not isinstance(synonyms.get(name), list):
        return False
    synonyms[name] = [p for p in synonyms[name] if p not in phrases] + list(phrases)
    return True


def _complaint_from_first_turn(data: dict) -> bool:
    """Every reference to the complaint trigger in the D checks and the named conditions placed, in a call, at the
    customer's first turn (``call: from_first_turn``)."""
    nodes = [c for c in data["checks"] if c["id"] in ("D1", "D2", "D3", "D4", "D5")] + [data.get("conditions") or {}]
    refs = [m for node in nodes for m in _mappings(node) if m.get("check") == "complaint"]
    for m in refs:
        m["call"] = "from_first_turn"
    return bool(refs)


def _strip_complaint_first_turn(data: dict) -> None:
    """Today's references to the complaint trigger without ``call: from_first_turn`` (adopted in standard-zh)."""
    for node in [c for c in data["checks"] if c["id"] in ("D1", "D2", "D3", "D4", "D5")] + [data.get("conditions") or {}]:
        for m in _mappings(node):
            if m.get("check") == "complaint":
                m.pop("call", None)


def _answered_rules(data: dict) -> list:
    """Every ``answered`` rule inside D2 (stop 31's check, at any depth)."""
    found, stack = [], [_check(data, "D2") or {}]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "answered":
                found.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _set_raising_question(value: bool) -> Callable[[dict], bool]:
    def edit(data: dict) -> bool:
        rules = _answered_rules(data)
        for rule in rules:
            if value:
                rule["raising_question"] = True
            else:
                rule.pop("raising_question", None)
        return bool(rules)
    return edit


CHANGES: dict[str, Change] = {
    "d5-remedy-order": Change("D5: a remedy order filed for the customer (登记个返修单, 补发申请…提交)", COMPLAINT_D,
                              appended("D5", "负责跟进或升级", "换新|换货"), langs=("zh",)),
    "d5-this-one-mine": Change("D5: the case taken on in few words (这单归我, 后面我来盯)", COMPLAINT_D,
                               appended("D5", "负责跟进或升级", "(?:交给我|归我|"), langs=("zh",)),
    "d3-number-used": Change("D3: news sent to the number just given; the contact's number asked", COMPLAINT_D,
                             appended("D3", "确认回访联系方式", "验证码|动态码", "(?:联系人|对接人"), langs=("zh",)),
    "d1-empathy-fault": Change("D1: empathy with words between (搁谁身上都) and the fault owned (是我们没做到位)",
                               COMPLAINT_D,
                               appended("D1", "致歉或安抚", "谁(?:身上|心里|头上)?都", "是我们(?:这边)?(?:的责任"),
                               langs=("zh",)),
    "d3-number-read": Change("D3: the reply number read back with words around its digits, more check tags",
                             COMPLAINT_D, appended("D3", "确认回访联系方式", "(?:这个|那个)?(?:尾号)?\\d{3,}(?:开头)?"),
                             langs=("zh",)),
    "acts": Change("complaint: the agent's acts as set today", COMPLAINT_D, today_acts),
    "swear-other-cause": Change("complaint: a swear word just after another cause (the weather, another firm) "
                                "does not count", COMPLAINT_D, replace_phrase("complaint", "傻逼"), langs=("zh",)),
    "need-echo": Change("C2: the need_echo detector (the agent's check question repeating the customer's words) "
                        "as an alternative of C2's rule", C2_C5, add_need_echo, strip_need_echo),
    "need-confirmed": Change("C2: the agent's turn repeating 3 of the customer's content words, confirmed by the "
                             "customer's next turn (need_confirmed)", C2_C5, add_need_confirmed, strip_need_confirmed),
    "resolution-commitment": Change("C5: the resolution also the agent's commitment to do what was asked (I'll move "
                                    "you, we will send a new one)", C1_C5, add_commitment, langs=("en",)),
    "read-from-record": Change("C1: a record touched where the agent reads out the customer's personal data or a "
                               "full card/ID number", C1_C5, add_read_from_record, langs=("en",)),
    "closing-began": Change("C5: the offer of more help before the closing's thanks, not only before its goodbye",
                            C1_C5, add_closing_began, strip_closing_began),
    # cmpl31 (stop 31)
    "self-blame": Change("complaint: a customer sentence laying the fault on themselves left to the rules (是我…填错)",
                         COMPLAINT_D, lambda data: _learned_unless_added(data, SELF_BLAME), langs=("zh",)),
    "acts-any": Change("complaint: the acts tried where any customer sentence is likely by the classifier alone "
                       "(use with --base acts)", COMPLAINT_D, lambda data: _acts_set(data, likely="any")),
    "d2-restated": Change("D2: the incident said back with its time and a check tag ({date}...对吧), 确认...{date}",
                          COMPLAINT_D, appended("D2", "询问或记录发生时间", "是这样吧", "...对吧", "...对吗", "...是吧",
                                                "...没错吧", "...是不是", "确认...{date}"), langs=("zh",)),
    "en-d2-said-back": Change("D2 (en): more check tags after the incident read back (is that what happened, that "
                              "what you are saying, is that how it went)", COMPLAINT_D,
                              lambda data: _inserted(data, "D2", "is that about (?:it|right)|", SAID_BACK_TAGS),
                              langs=("en",)),
    "d2-incident-echo": Change("D2: the agent's check question in the customer's words with a past time in the turn "
                               "(detector incident_echo), an alternative of D2's rules", COMPLAINT_D, _d2_incident_echo,
                               _strip_incident_echo),
    "en-d3-number-reach": Change("D3 (en): a number named and someone reaching the customer on it a few words on",
                                 COMPLAINT_D, append_phrases("D3", "callback contact", [NUMBER_REACH]), langs=("en",)),
    # en32 (stop 32)
    "identifier-answered": Change("C1: the agent asks and the customer's next turn answers with an identifier's shape (a "
                                  "code or number read out, an e-mail, a short answer to a name or address asked): in "
                                  "scope and passed", C1_C5, add_identifier_answered, strip_identifier_answered),
    "contact-confirmed": Change("D3: the agent names a way to reach the customer (phone, mobile, e-mail, the one ending "
                                "N), theirs and not a look-up, or the customer's answer claims it", COMPLAINT_D,
                                *alternative("D3", CONTACT), langs=("en",)),
    "incident-confirmed": Change("D2: the agent says the customer's words back and the customer's next turn confirms it, "
                                 "a past time in either (incident_confirmed)", COMPLAINT_D, *alternative("D2", INCIDENT),
                                 langs=("en",)),
    # crit32 (stop 32)
    "b2-together": Change("B2: today's `together` point (two sentences leaning to the breaches decide together) "
                          "where the rubric has none (use with --base)", ("B2",), _b2_today_together),
    "b2-windows": Change("B2: long sentences without a comma (speech-recognition runs) also judged in windows of "
                         "10 words", ("B2",), _b2_set("windows", B2_WINDOWS), _b2_strip("windows"), langs=("en",)),
    # zhgen32 (stop 32)
    "zh-d-clauses": Change("D2-D5 (zh): the learned judgement also reads the clauses of a likely sentence (a run-on "
                           "turn without punctuation cut at its spaces)", COMPLAINT_D,
                           _learned_clauses("D2", "D3", "D4", "D5"), _strip_d2_clauses, langs=("zh",)),
    "d5-case-mine": Change("D5 (zh): the case as the topic and the agent the one who follows it (这单我来盯, 后面由我跟)",
                           COMPLAINT_D, append_phrases("D5", "负责跟进或升级", [CASE_MINE]), langs=("zh",)),
    "d5-form-filed": Change("D5 (zh): a form filed for the customer (给您开一张复检单, 帮您提个工单)", COMPLAINT_D,
                            append_phrases("D5", "负责跟进或升级", [FORM_FILED]), langs=("zh",)),
    "complaint-together": Change("complaint: two customer sentences each likely (0.55) and nearer the complaints decide "
                                 "together (a grievance said again)", COMPLAINT_D,
                                 lambda data: _learned_set(data, "complaint", together={"sentences": 2, "p": 0.55,
                                                                                        "margin": 0.0})),
    "zh-resolution-commitment": Change("C5 (zh): the resolution also the agent's commitment to do the thing for the "
                                       "customer (给您重新补寄, 帮您换新)", C1_C5,
                                       lambda data: _resolution_added(data, ZH_COMMITMENT), langs=("zh",)),
    "zh-date-spoken": Change("D2 (zh): past times as callers say them in {date} (昨晚, 上礼拜, 礼拜六早上, 前两天, 前阵子, "
                             "十一月初)", COMPLAINT_D, lambda data: _synonyms_added(data, "date", SPOKEN_DATES),
                             langs=("zh",)),
    "complaint-first-turn": Change("D1-D5: the complaint placed, in a call, at the customer's first turn (where the "
                                   "caller said why they called), not at the later sentence the trigger found",
                                   COMPLAINT_D, _complaint_from_first_turn, _strip_complaint_first_turn),
    # real32 (stop 32)
    "raising-question": Change("D2: the answered check also reads the agent's question whose answer holds the "
                               "complaint (raising_question: the complaint told in answer to \"what happened?\")",
                               COMPLAINT_D, _set_raising_question(True), _set_raising_question(False)),
}
