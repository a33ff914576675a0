"""Built-in detectors for the ``detect`` check type: things a phrase list cannot enumerate.

Each detector takes one turn (its transcribed and normalised text) and the call, and
returns ``(offset, label)`` of the first hit or ``None``. They are written for the many
ways people say these things, not for particular calls:

* ``organisation``: a company or department name. Chinese: a name ending in an
  organisation word (…公司, …银行, …客服中心, …热线, …医院, …通信, …快递) or whatever
  follows 欢迎致电 / 这里是. English: "thank you for calling X", "you've reached X",
  department words (billing department, customer service), or capitalised words that are
  neither a greeting nor the agent's own name ("Hi, Northfield Home, James speaking").
* ``agent_name``: the agent's name or employee number (我是小李, 工号1031, 王晓为您服务;
  "my name is Tom", "this is Sarah speaking", "agent ID 4471"), or the roster name.
* ``reply_time``: a concrete follow-up time — 24小时内, 三个工作日内, 明天下午五点前, 下周一
  给您回电; "within 24 hours", "by Friday", "I'll call you on Monday". 尽快 / "as soon as
  possible" alone is not one.
* ``need_echo``: the agent's check question that repeats the customer's request in the customer's
  own words (C2), in :mod:`qa_pipeline.rubric.need_echo`.
* ``need_confirmed``: the agent's turn repeating the customer's words, confirmed by the customer's next
  turn ("that's right", "exactly", a plain "yes" to no plan) (C2), in :mod:`qa_pipeline.rubric.need_confirmed`.
* ``incident_echo``: that check question with a past time in the turn (D2, the incident read back with
  when it happened), in :mod:`qa_pipeline.rubric.incident_echo`.
* ``incident_confirmed``: the incident said back and confirmed by the customer's next turn, a past time in either
  (D2), in :mod:`qa_pipeline.rubric.incident_echo`.
* ``identifier_answered`` and ``contact_confirmed``: an identifier asked for and answered with an identifier's
  shape (C1), the customer's way to be reached asked for or confirmed (D3), in
  :mod:`qa_pipeline.rubric.identity_exchange`.
* ``sensitive_number`` and ``personal_data``: the confidentiality (E1) detectors, in
  :mod:`qa_pipeline.rubric.sensitive_numbers`.
"""
from __future__ import annotations

import re
from typing import Callable

from qa_pipeline.language import CHINESE_CHARACTERS, has_chinese
from qa_pipeline.rubric.need_confirmed import need_confirmed
from qa_pipeline.rubric.identity_exchange import contact_confirmed, identifier_answered
from qa_pipeline.rubric.incident_echo import incident_confirmed, incident_echo
from qa_pipeline.rubric.need_echo import need_echo
from qa_pipeline.rubric.sensitive_numbers import Hit, personal_data, sensitive_number
from qa_pipeline.rubric.view import CallView, TurnView

# Compiled once (a pattern given as a string is looked up in re's cache on every call).
_SELF_INTRO = re.compile(r"我是|我叫")
_LOWER_WORD = re.compile(r"[a-z&]+")
Detector = Callable[[TurnView, CallView], Hit]

# --- organisation -----------------------------------------------------------------------

_ZH_ORG_SUFFIX = re.compile(
    "有限公司|公司|集团|银行|信用社|证券|基金|保险|客服中心|服务中心|呼叫中心|中心|服务热线|热线|专线|客服部|"
    "客服|服务台|医院|诊所|卫生院|快递|速运|物流|航空|铁路|通信|通讯|电信|移动|联通|广电|宽带|商城|超市|"
    "酒店|宾馆|平台|供电|电力|燃气|自来水|水务|物业|政府|政务|12345|营业厅|旗舰店|官方|学校|大学|4s店|"
    "家电|电器|旅行社|门诊|药房|事务所|售后服务|售后|服务部|营业部|教育|培训|租车|单车|出行|汽车|地产|置业|科技|网络|"
    "部|局|厅"
)
_ZH_LEAD = re.compile(
    r"^(?:喂|哎|嗯|您好|你好|宁好|早上好|上午好|中午好|下午好|晚上好|哈喽|欢迎致电|欢迎来电|欢迎拨打|感谢致电|"
    r"感谢您致电|谢谢致电|感谢您的来电|感谢来电|这里是|这边是|这是|此处是|早晨|早安|午安|您早|侬好|哈罗)+"
)
_ZH_INTRO = re.compile(r"^(?:欢迎致电|欢迎来电|欢迎拨打|感谢致电|感谢您致电|谢谢致电|感谢您拨打|这里是|这边是)")
_ZH_NOT_NAME = re.compile(r".*(?:我是|我叫|我|是|的)")
_ZH_GENERIC = re.compile(r"^(?:人工|专员|客服|小|工号\d*|您|我们|咱们|这个|那个|全|本|一|哪个|什么)*$")
# A department named on its own ("您好，客服中心，工号1234") is a department name.
_ZH_DEPARTMENT = re.compile(
    r"(?:客户服务中心|客服中心|服务中心|售后服务中心|售后中心|售后服务部|售后部|客服部|技术支持部?|客服热线|服务热线|"
    r"呼叫中心|营业厅|服务台|前台|总台)")
_CLAUSE = re.compile(r"[，,。.!！?？;；、:：\s]+")
# Structural: in an opening, the words said between the greeting and the agent's own name or
# number name the organisation, whatever word the name ends in (…会所, …美术馆, …救援, …茶楼):
# "您好，X，我是小唐" / "你好 X 工号3307". The words must look like a name, not a phrase of service.
# ... or the agent named by role and name as the whole next clause ("您好 X 客服小葛 为您服务")
_ZH_NAME_CUE = re.compile(
    r"^(?:我是|我叫|我姓|我系|工号|公号|\d+号|[\u4e00-\u9fff]{1,4}为您服务"  # 我系: Cantonese 我是
    r"|(?:客服|专员|话务员|接线员|坐席|顾问)(?:[小老阿][\u4e00-\u9fff]{1,2}|[\u4e00-\u9fff]{2,3})(?:为您服务)?$)")
_ZH_NOT_ORG_WORDS = re.compile(
    r"^(?:我|您|你|请|很|有|是|这|那|哪|欢迎|感谢|谢谢|麻烦|稍等|好的|对|嗯|啊)|为您|帮您|可以|什么|请讲|请问|高兴|(?:竭诚|热情|贴心|真诚|全心|用心|全程|优质)服务$")
# four characters at least: a person's name (王丽华, 欧阳) is two or three
_ZH_NAME_SHAPE = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]{4,16}$")
# a person named with a role or a nickname (客服小李, 专员王晓, 老周), not an organisation
_ZH_PERSON = re.compile(r"(?:客服|专员|话务员|接线员|坐席|顾问|助理|经理|主管)[\u4e00-\u9fff]{1,3}$|^[小老阿][\u4e00-\u9fff]{1,2}$")


def _organisation_before_agent_name(clauses: list[tuple[int, str]], roster: str) -> Hit:
    """The clause that comes right before the agent's name cue (the next clause, or the same one
    cut at 我是), when it looks like a name and is not the agent's own (客服小李, the roster name):
    the organisation of an opening."""
    for i, (offset, clause) in enumerate(clauses):
        body = _ZH_LEAD.sub("", clause)
        lead = len(clause) - len(body)
        cut = _SELF_INTRO.search(body)
        if cut and cut.start() > 0:
            candidate, cued = body[: cut.start()], True
        else:
            candidate = body
            # the next clause that says more than a greeting ("喂 X 你好 工号4512": the greeting
            # may come after the organisation)
            after = next((b for b in (_ZH_LEAD.sub("", c) for _, c in clauses[i + 1:]) if b), "")
            cued = bool(_ZH_NAME_CUE.match(after))
        if cued and _ZH_NAME_SHAPE.match(candidate) and not _ZH_NOT_ORG_WORDS.search(candidate) \
                and not _ZH_GENERIC.match(candidate) and not _ZH_PERSON.search(candidate) \
                and not (roster and roster in candidate):
            return offset + lead, candidate
    return None


def _organisation_zh(text: str, roster: str = "") -> Hit:
    pos = 0
    for clause in _CLAUSE.split(text):
        offset = text.find(clause, pos) if clause else pos
        pos = max(pos, offset + len(clause))
        if not clause:
            continue
        intro = _ZH_INTRO.match(clause)
        if intro:
            named = _SELF_INTRO.split(clause[intro.end():])[0]  # 这里是X, not 这里是，我是Y
            if len(named) >= 2 and not _ZH_GENERIC.match(named):
                return offset, clause
        body = _ZH_LEAD.sub("", clause)
        lead = len(clause) - len(body)
        dept = _ZH_DEPARTMENT.match(body)
        if dept:
            return offset + lead, dept.group()
        for m in _ZH_ORG_SUFFIX.finditer(body):
            name = _ZH_NOT_NAME.sub("", body[: m.start()])
            if len(name) >= 2 and not _ZH_GENERIC.match(name):
                return offset + lead, body[: m.end()]
    return _organisation_before_agent_name(_clauses(text), roster)


def _clauses(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for clause in _CLAUSE.split(text):
        if clause:
            offset = text.find(clause, pos)
            out.append((offset, clause))
            pos = offset + len(clause)
    return out


_EN_STOP = frozenset(
    "hi hello hey good morning afternoon evening day thank thanks welcome this is it i i'm im my me how what "
    "when where why who which yes yeah no ok okay sure sorry please you you've you're youve youre we we're our "
    "the a an and or of for to with speaking here calling today can may could would will let help name name's "
    "mr mrs ms miss dr sir madam ma'am there that so well oh alright right great perfect just one moment "
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december christmas english "
    # greetings, casual or of other languages ("Hiya, you're through to Dean"): no company's name
    "hiya howdy hullo hallo gday g'day mornin evenin greetings aloha namaste namaskar vanakkam kia ora salaam "
    "bore da prynhawn noswaith dda dia duit dhuit madainn mhath howzit sawubona dumela molo jambo habari selamat "
    "pagi petang siang assalam asalaam asalam salam salamu alaikum alaykum aleikum hola bonjour kumusta sawasdee "
    "sawadee buenos dias buenas tardes".split()
)
_EN_NAME_CUES = re.compile(
    r"\b(?i:my name is|my name's|this is|it's|you're speaking (?:with|to)|you are speaking (?:with|to)|"
    r"i'm|i am|you've got|you have got|you're through to|you are through to|you're speaking to|"
    r"you're talking (?:with|to)|you are talking (?:with|to)|myself)\s+([A-Z][\w'-]*)"  # "myself Ritesh" (Indian English)
    r"|\b([A-Z][\w'-]*)\s+(?i:speaking|speakin|here|at your service|this side)\b"  # "Arjun this side" (Indian English)
    r"|\b([A-Z][\w'-]*)\s+(?:from|with|at)\s+(?:the\s+)?[A-Z]"  # "Daniel from Bluebird Airlines"
)
# The same cues on normalised (lower-case) text, for transcripts without capitals.
_EN_NAME_CUES_LOWER = re.compile(
    r"\b(?:my name is|this is|you are (?:speaking|talking) (?:with|to)|i am)\s+([a-z][a-z'-]+)"
    r"|\b([a-z][a-z'-]+)\s+(?:speaking|speakin|at your service|this side)\b"
)
_EN_ORG_CUE_LOWER = re.compile(
    r"\b(?:calling|contacting|choosing|reached|welcome to|through to|on behalf of|you have reached)\s+((?:\S+ ?){1,3})"
)
_EN_NOT_NAMES = frozenset("sorry happy glad calling afraid not just going really here there the a an your our".split())
# Words that make "this is X ..." a company or department, not the agent's name ("this is
# Brightway customer care", "it's Harbor Health appointments", "this is Northgate Bank").
_EN_ORG_WORDS = frozenset(
    "customer customers care service services support team department dept desk line helpline hotline center "
    "centre office bank banking insurance assurance telecom telecoms communications mobile wireless broadband "
    "internet cable energy power electric electricity gas water utilities utility airline airlines airways "
    "travel tours holidays hotel hotels resort clinic hospital health healthcare dental medical pharmacy surgery "
    "council county city government agency authority administration company co corp corporation inc ltd "
    "limited llc plc group solutions systems technologies tech logistics delivery deliveries couriers courier "
    "express shipping post postal motors auto automotive finance financial credit union loans mortgages "
    "realty properties property housing homes estates lettings store stores shop shopping retail market "
    "appointments bookings reservations billing accounts sales claims returns repairs enquiries inquiries "
    "helpdesk operations dispatch club fitness gym school college university academy library foundation "
    "association network networks media streaming".split())
_EN_CLAUSE_END = re.compile(r"[,.;:!?]")


def _org_follows(rest: str) -> bool:
    """Whether the words after a "this is X" cue, up to the end of the clause, name a company
    or a department (so X is part of that name, not the agent's)."""
    m = _EN_CLAUSE_END.search(rest)
    words = _LOWER_WORD.findall((rest[: m.start()] if m else rest).lower())[:4]
    for w in words:
        if w in _EN_ORG_WORDS:
            return True
        if w in _EN_STOP or w in {"from", "with", "at", "and", "in", "on", "over", "via"}:
            return False
    return False
_EN_ORG_CUE = re.compile(
    r"\b(?i:calling|contacting|choosing|reached|welcome to|through to|on behalf of|from|with)\s+"
    r"((?:the\s+)?(?:[A-Z0-9][\w&'.-]*\s*)+)"
)
_EN_DEPT = re.compile(
    r"\b(?:customer (?:service|services|support|care|relations)|help ?desk|service desk|"
    r"support (?:team|line|desk|center|centre)|"
    r"(?:billing|sales|claims|returns|reservations|bookings|accounts|technical|tech|repairs?|service|support|"
    r"enquiries|inquiries|appointments|scheduling|care) (?:department|team|desk|line|center|centre|office|hotline)|"
    r"hotline|call cent(?:er|re)|"
    # "Sarah in billing", "Tom from the claims team": a department named after the agent's name
    r"(?:in|from|with) (?:the )?(?:billing|sales|claims|returns|accounts|reservations|bookings|repairs|collections|"
    r"retentions|payments|lettings|admissions|appointments|scheduling|dispatch|enquiries|inquiries|tech support|"
    r"technical support|customer support|customer service|customer care|pharmacy|radiology|cardiology|maintenance))\b"
)
_EN_WORD = re.compile(r"[A-Za-z0-9][\w&'-]*")


def _name_cues(regex: re.Pattern, text: str):
    """The cue matches of ``regex`` whose word is a name: "this is Brightway customer care"
    names a company, not the agent."""
    for m in regex.finditer(text):
        if m.group(1) and _org_follows(text[m.end(1):]):
            continue
        yield m


def _turn_name_cues(turn: TurnView) -> list:
    """The name cues of a turn as transcribed (organisation and agent_name both read them)."""
    return turn.memo("name_cues", lambda: list(_name_cues(_EN_NAME_CUES, turn.text)))  # type: ignore[return-value]


def _names(turn: TurnView, view: CallView) -> set[str]:
    text = turn.text
    names = {m.group(1) or m.group(2) or m.group(3) for m in _turn_name_cues(turn)}
    names |= {w for m in _name_cues(_EN_NAME_CUES_LOWER, text.lower())
              for w in (m.group(1) or m.group(2),) if w and w not in _EN_STOP}
    if view.call.info.agent_name:
        names |= set(view.call.info.agent_name.split())
    return {n.lower() for n in names if n}


# Words between a greeting and the agent's name that are still no company ("hi good morning how
# are you this is dan", "hello uh yes this is dan").
_EN_NOT_ORG = frozenset("um uh er erm ah uhm hmm mm are is am was be doing hope you're fine there yes yeah "
                        "hi hiya hey hello good morning afternoon evening day welcome thanks thank you for "
                        "calling holding waiting ringing patience through to the line sorry about wait delay keeping "
                        "hold".split())


def _organisation_before_name(norm: str, names: set[str], roster: str = "") -> Hit:
    """In a transcript without capitals, the company is read as the words said between the
    greeting and the agent's name cue ("morning warmhome heating gareth speaking", "hi fixit
    phone repair this is eddie"), or, with no cue, the agent's roster name said bare at the end of
    the clause ("afternoon uh kestrel glazing tash"): at least one word there that is neither a
    greeting, a filler nor a name."""
    starts = [m.start() for m in _name_cues(_EN_NAME_CUES_LOWER, norm)][:1]
    if not starts:
        bare = _bare_roster_name(norm, roster)
        starts = [bare[0]] if bare and bare[0] > 0 else []
    for start in starts:  # the cue ("this is", "my name is"), the name before "speaking", or the bare name
        words = norm[:start].split()
        kept = [w for w in words if w not in _EN_STOP and w not in _EN_NOT_ORG and w not in names]
        if kept:
            first = norm.index(kept[0])
            return first, norm[first:start].strip()
        return None
    return None


# What may follow a bare first name that closes a greeting ("kestrel glazing tash how can i help").
_EN_AFTER_BARE_NAME = frozenset("how what can may here speaking speakin".split())


def _bare_roster_name(norm: str, roster: str) -> Hit:
    """A word of the agent's roster name said bare, with no cue, as the last word of the turn or
    right before "how can I help" ("morning uh northgate locksmiths kev"): where it starts and the
    word (a transcript without capitals; "thanks dave" in the middle of a turn is no introduction)."""
    own = set(roster.lower().split())
    words = norm.split()
    for i, w in enumerate(words):
        if w in own and (i == len(words) - 1 or words[i + 1] in _EN_AFTER_BARE_NAME):
            return len(" ".join(words[:i])) + (1 if i else 0), w
    return None


def _organisation_en(turn: TurnView, view: CallView) -> Hit:
    text = turn.text
    m = _EN_DEPT.search(turn.norm)
    if m:
        return m.start(), m.group()
    names = _names(turn, view)
    m = _EN_ORG_CUE.search(text)
    if m:
        words = [w for w in _EN_WORD.findall(m.group(1)) if w.lower() not in _EN_STOP and w.lower() not in names]
        if words:
            return m.start(1), " ".join(words)
    m = _EN_ORG_CUE_LOWER.search(turn.norm)
    if m:
        words = [w for w in m.group(1).split() if w not in _EN_STOP and w not in names]
        if words:
            return m.start(1), " ".join(words)
    if not any(c.isupper() for c in text):  # a transcript without capitals
        hit = _organisation_before_name(turn.norm, names, view.call.info.agent_name or "")
        if hit:
            return hit
    for w in _EN_WORD.finditer(text):
        word = w.group()
        if (word[0].isupper() or word[0].isdigit() and len(word) >= 3) and word.lower() not in _EN_STOP \
                and word.lower() not in names and word.lower().strip("'s") not in names:
            return w.start(), word
    return None


def organisation(turn: TurnView, view: CallView) -> Hit:
    if has_chinese(turn.text):
        return _organisation_zh(turn.text, view.call.info.agent_name or "")
    return _organisation_en(turn, view)


# --- agent name / employee number ---------------------------------------------------------

_ZH_ROLE = "(?:客服专员|客服代表|服务代表|客服|专员|坐席|话务员|工作人员|人工|顾问|经理|助理)"
# a number said as the agent's own, bare or after a role (我是3012号, 我是顾问3012号)
_ZH_EMPLOYEE = re.compile(
    r"(?:工号|员工号|员工编号|坐席号|服务编号|编号)(?:是|为)?[a-z]*\d{2,}"
    r"|\d+号(?:客服|话务员|坐席|专员|接线员|服务员|工作人员|人工|服务代表|客服代表)"
    rf"|(?:我是|我叫){_ZH_ROLE}?[a-z]*\d{{2,}}号?|\d{{3,}}号?为您服务"
)
_ZH_NOT_A_NAME = r"(?!说|想|要|这|那|问|来|个|不|也|的|否|为|在|您|本人|机主|请|很|有|哪|负责|专门|高兴|竭诚|乐意|随时|继续|马上|现在|这里|我们|将|会|正在|工号)"
_ZH_SELF = re.compile(
    rf"(?:我是|我叫|我姓|我系|您可以叫我|叫我)(?:{_ZH_ROLE})?{_ZH_NOT_A_NAME}(?!{_ZH_ROLE})[{CHINESE_CHARACTERS}]{{1,3}}"
    rf"|{_ZH_ROLE}{_ZH_NOT_A_NAME}[{CHINESE_CHARACTERS}]{{2,3}}(?=为您服务|很高兴|竭诚|给您|帮您)"
    rf"|(?<![高兴诚乐意随时将会来在]){_ZH_NOT_A_NAME}[{CHINESE_CHARACTERS}]{{2,3}}(?=为您服务)"
)
_ZH_ROLE_ONLY = re.compile(rf"^(?:我是|我叫|我姓|您可以叫我|叫我){_ZH_ROLE}$")
_EN_EMPLOYEE = re.compile(
    r"\b(?:agent|employee|operator|staff|badge|representative|rep)\s+(?:id\s+|number\s+|no\s+)?\d{2,}\b")


def agent_name(turn: TurnView, view: CallView) -> Hit:
    info_name = view.call.info.agent_name
    if info_name and info_name.strip() and info_name.strip() in turn.text:
        return turn.text.index(info_name.strip()), info_name.strip()
    if has_chinese(turn.text):
        m = _ZH_EMPLOYEE.search(turn.norm)
        if m:
            return m.start(), m.group()
        for m in _ZH_SELF.finditer(turn.norm):
            if not _ZH_ROLE_ONLY.match(m.group()):
                return m.start(), m.group()
        return None
    m = _EN_EMPLOYEE.search(turn.norm)
    if m:
        return m.start(), m.group()
    for m in _turn_name_cues(turn):
        name = m.group(1) or m.group(2) or m.group(3)
        if name and name.lower() not in _EN_STOP:
            return m.start(), m.group()
    if not any(c.isupper() for c in turn.text):  # a transcript without capitals
        for m in _name_cues(_EN_NAME_CUES_LOWER, turn.norm):
            name = m.group(1) or m.group(2)
            if name and name not in _EN_STOP and name not in _EN_NOT_NAMES:
                return m.start(), m.group()
        return _bare_roster_name(turn.norm, info_name or "")
    return None


# --- reply time ---------------------------------------------------------------------------

# (today, tomorrow, the day after also in northern speech: 今儿个, 明儿, 明个, 后儿个)
_ZH_DAY = (r"(?:今天|今日|今晚|明天|明早|明晚|后天|大后天|今儿个?|今个|明儿个?|明个|后儿个?|本周[1-7日天]?|这周[1-7日天]?|下周[1-7日天]?|"
           r"下个?星期[1-7日天]?|周[1-7日天]|星期[1-7日天]|礼拜[1-7日天]|月底|月初|下个?月\d*[日号]?)")
_ZH_DATE = r"(?:\d+月\d+[日号]|\d+[日号])"
# (a time of day also as the end of the working day: 下班前, 收工前)
_ZH_TOD = r"(?:上午|下午|晚上|中午|早上|傍晚|凌晨|下班|收工)?(?:\d+[点:](?:半|\d+分?)?)?"
ZH_REPLY = re.compile(
    r"(?<![\d几])(?:\d+|半|两)个?(?:小时|钟头|工作日|个工作日|自然日|天|日|周|星期|礼拜|分钟|月)(?:之内|以内|内)"
    # the day named, then its date, then "that day" (后天是12月9号 那天下班前)
    rf"|(?:{_ZH_DAY}|{_ZH_DATE})(?:是{_ZH_DATE})?(?:那天|当天)?{_ZH_TOD}(?:之前|以前|前|为止)"
    r"|\d+[点:](?:半|\d+分?)?(?:之前|以前|前)"
    r"|(?<![\d几])(?:\d+|半|两)个?(?:小时|钟头|工作日|天|分钟)(?:之后|以后|后)[^\n]{0,8}?"
    r"(?:给您|回电|回复|答复|联系|处理|到账|上门|通知)"
    rf"|(?:会|将|给您|帮您|安排|预计|争取|保证|承诺|最晚|最迟)[^\n]{{0,12}}?{_ZH_DAY}{_ZH_TOD}"
    rf"|(?:会|将|预计|争取|保证|承诺|最晚|最迟)在?{_ZH_DATE}{_ZH_TOD}"
    rf"|{_ZH_DAY}{_ZH_TOD}[^\n]{{0,8}}?(?:给您|会|回电|回复|答复|联系您|上门|送达|送到|到账|处理好|办好|完成|通知您)"
)
_EN_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_EN_MONTHS = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
_EN_WHEN = (
    rf"(?:tomorrow|tonight|today|this (?:morning|afternoon|evening|week)|(?:on |this |next )?{_EN_DAYS}|next week|"
    rf"(?:in|within) (?:the next )?(?:\d+ (?:to|or|and) )?\d+ (?:hours?|business days?|working days?|days?|weeks?|minutes?)|"
    rf"at \d+(?: \d+)?(?: am| pm| o clock)?|(?:on )?{_EN_MONTHS} \d+|end of (?:the )?(?:day|week|month))"
)
_EN_REPLY = re.compile(
    r"\b(?:within|in) (?:the next )?(?:\d+ (?:to|or|and) )?(?:\d+|a|an) "
    r"(?:hours?|business days?|working days?|days?|weeks?|minutes?|hrs?)\b"
    r"|\bwithin the (?:hour|day|week)\b"
    rf"|\b(?:by|before|no later than) (?:the end of )?(?:today|tonight|tomorrow|{_EN_DAYS}|"
    rf"end of (?:the )?(?:day|week|month)|close of business|eod|noon|midday|\d+(?: \d+)?(?: am| pm| o clock)?|"
    rf"(?:this|next) (?:week|{_EN_DAYS})|the \d+|{_EN_MONTHS} \S+)\b"
    rf"|\b(?:will|going to|should|expect|scheduled|booked)\b(?: \S+){{0,8}}? {_EN_WHEN}\b"
)


# Every Chinese reply time above has a number, 半/两, or a day, week or month word in it
# (numerals are digits after normalising): a turn without any needs no search.
ZH_REPLY_HINT = re.compile(r"[\d半两今明周月]|后天|后儿|星期|礼拜")


def reply_time(turn: TurnView, view: CallView) -> Hit:
    if has_chinese(turn.text):
        m = ZH_REPLY.search(turn.norm) if ZH_REPLY_HINT.search(turn.norm) else None
    else:
        m = _EN_REPLY.search(turn.norm)
    return (m.start(), m.group()) if m else None


DETECTORS: dict[str, Detector] = {
    "organisation": organisation,
    "agent_name": agent_name,
    "reply_time": reply_time,
    "sensitive_number": sensitive_number,
    "personal_data": personal_data,
    "need_echo": need_echo,
    "need_confirmed": need_confirmed,
    "incident_echo": incident_echo,
    "identifier_answered": identifier_answered,
    "contact_confirmed": contact_confirmed,
    "incident_confirmed": incident_confirmed,
}
