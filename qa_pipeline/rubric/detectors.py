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
* ``sensitive_number``: a full bank-card number (13–19 digits), an 18-character Chinese ID
  number, or a one-time code / password with its digits, or the redaction placeholder
  left where one was ([CARD ****1234], [身份证号] / [ID], [CODE]). Last four digits are fine.
  Spoken digits count ("two two nine oh", "double five"), and so does a code a few words
  after its name ("the code we just sent you is 6 1 9 4 0 2", 验证码我给您念一下，是683921)
  or a password with letters and digits (临时密码是abc8826), also spelled out a few words after it
  is named ("a temporary password for you. It's Kestrel with a capital K, then 4 7 9 1"), said character by
  character ("capital P, lowercase q, 7, 7, hash") or as a count of one digit (六个八, "four zeros"), and a card
  read in two parts across the agent's turns — not "sent to the phone ending 1234", "valid for 10 minutes",
  "at least 8 characters", a code anyone may hear (a sort code, a promo code) or a number starting with 0.
* ``personal_data``: a customer's phone number or account balance stated by the
  agent (预留手机是139…, 欠费320元; "her mobile is 07700 900114", "the balance is 1240 pounds"),
  not read back as a question for the caller to confirm, not a hotline's number. The E1
  rubrics look for it only up to the first identifier asked.
"""
from __future__ import annotations

import re
from typing import Callable, Optional

from qa_pipeline.language import CHINESE_CHARACTERS, has_chinese
from qa_pipeline.privacy.redaction import REDACTED_CARD_RE, REDACTED_CODE_RE, REDACTED_ID_RE
from qa_pipeline.privacy.sensitive import write_spoken_digits
from qa_pipeline.rubric.text import normalize
from qa_pipeline.rubric.view import CallView, TurnView

Hit = Optional[tuple[int, str]]
# Compiled once (a pattern given as a string is looked up in re's cache on every call).
_SELF_INTRO = re.compile(r"我是|我叫")
_LOWER_WORD = re.compile(r"[a-z&]+")
_SPACE_OR_DASH = re.compile(r"[ -]")
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
    r"感谢您致电|谢谢致电|感谢您的来电|感谢来电|这里是|这边是|这是|此处是)+"
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
    r"^(?:我是|我叫|我姓|工号|公号|\d+号|[\u4e00-\u9fff]{1,4}为您服务"
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
    "pagi petang siang".split()
)
_EN_NAME_CUES = re.compile(
    r"\b(?i:my name is|my name's|this is|it's|you're speaking (?:with|to)|you are speaking (?:with|to)|"
    r"i'm|i am|you've got|you have got|you're through to|you are through to|you're speaking to|"
    r"you're talking (?:with|to)|you are talking (?:with|to)|myself)\s+([A-Z][\w'-]*)"  # "myself Ritesh" (Indian English)
    r"|\b([A-Z][\w'-]*)\s+(?i:speaking|here|at your service|this side)\b"  # "Arjun this side" (Indian English)
    r"|\b([A-Z][\w'-]*)\s+(?:from|with|at)\s+(?:the\s+)?[A-Z]"  # "Daniel from Bluebird Airlines"
)
# The same cues on normalised (lower-case) text, for transcripts without capitals.
_EN_NAME_CUES_LOWER = re.compile(
    r"\b(?:my name is|this is|you are (?:speaking|talking) (?:with|to)|i am)\s+([a-z][a-z'-]+)"
    r"|\b([a-z][a-z'-]+)\s+(?:speaking|at your service|this side)\b"
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
                        "calling".split())


def _organisation_before_name(norm: str, names: set[str]) -> Hit:
    """In a transcript without capitals, the company is read as the words said between the
    greeting and the agent's name cue ("morning warmhome heating gareth speaking", "hi fixit
    phone repair this is eddie"): at least one word there that is neither a greeting, a filler
    nor a name."""
    for m in _name_cues(_EN_NAME_CUES_LOWER, norm):
        start = m.start()  # the cue ("this is", "my name is") or the name before "speaking"
        words = norm[:start].split()
        kept = [w for w in words if w not in _EN_STOP and w not in _EN_NOT_ORG and w not in names]
        if kept:
            first = norm.index(kept[0])
            return first, norm[first:start].strip()
        return None
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
        hit = _organisation_before_name(turn.norm, names)
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
    rf"(?:我是|我叫|我姓|您可以叫我|叫我)(?:{_ZH_ROLE})?{_ZH_NOT_A_NAME}(?!{_ZH_ROLE})[{CHINESE_CHARACTERS}]{{1,3}}"
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
    return None


# --- reply time ---------------------------------------------------------------------------

# (today, tomorrow, the day after also in northern speech: 今儿个, 明儿, 明个, 后儿个)
_ZH_DAY = (r"(?:今天|今日|今晚|明天|明早|明晚|后天|大后天|今儿个?|今个|明儿个?|明个|后儿个?|本周[1-7日天]?|这周[1-7日天]?|下周[1-7日天]?|"
           r"下个?星期[1-7日天]?|周[1-7日天]|星期[1-7日天]|礼拜[1-7日天]|月底|月初|下个?月\d*[日号]?)")
_ZH_DATE = r"(?:\d+月\d+[日号]|\d+[日号])"
_ZH_TOD = r"(?:上午|下午|晚上|中午|早上|傍晚|凌晨)?(?:\d+[点:](?:半|\d+分?)?)?"
ZH_REPLY = re.compile(
    r"(?<![\d几])(?:\d+|半|两)个?(?:小时|钟头|工作日|个工作日|自然日|天|日|周|星期|礼拜|分钟|月)(?:之内|以内|内)"
    rf"|(?:{_ZH_DAY}|{_ZH_DATE}){_ZH_TOD}(?:之前|以前|前|为止)"
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
_CODE_WORD = re.compile(r"验证码|动态码|校验码|取件码|密码|口令|code|otp|password|passcode|cvv|cvc|cv2|csc|pin|combination|security|on the back")
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
        if _NOT_THE_CODE.search(m.group("between")) or _NOT_THE_CODE_AFTER.match(m.group("after")):
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


def _code_after_topic(norm: str, turn: TurnView, view: CallView) -> Hit:
    for m in _BARE_CODE.finditer(norm):
        if _NOT_THE_CODE_AFTER.match(m.group("after")) or _NOT_A_BARE_CODE.search(norm[max(0, m.start() - 40):m.start()]):
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
_ENTER_EN = re.compile(r"\b(?:type|key|punch|enter|pop|put|tap)(?: (?:it|this|that|them|these|those|those digits|the digits))?(?: in| into)?\b")
_ENTER_ZH = re.compile(r"输进去|输入|输上|填进去|填入|填上|敲进去|录入|打进去")
_CODE_EN = re.compile(r"(?<![\d.])\d{1,2}(?: \d{1,2}){2,7}(?![\d.]| ?\d)")
_CODE_ZH = re.compile(r"(?<![0-9零〇一幺二两三四五六七八九十百千万亿])[零〇一幺二三四五六七八九](?:[ ，,、-]?[零〇一幺二三四五六七八九]){3,7}"
                      r"(?![0-9零〇一幺二两三四五六七八九十百千万亿元块点号位年月日个次天分秒])")
_NOT_A_CODE_ZH = re.compile(r"尾号|后[四六4-6]位|末[四4]位|分机|手机|电话|号码|订单|单号|编号|账号|卡号|门牌|房间|楼|金额")
_NOT_A_CODE_AFTER = re.compile(r"year|date|amount|extension|postcode|pounds?|dollars?|euros?|rupees?|digits?|minutes?|meter|reading")


def _code_to_enter(text: str, norm: str) -> Hit:
    if has_chinese(text):
        for m in _CODE_ZH.finditer(text):
            near = text[max(0, m.start() - 16):m.start()] + "|" + text[m.end():m.end() + 12]
            if _ENTER_ZH.search(near) and not _NOT_A_CODE_ZH.search(text[max(0, m.start() - 12):m.start()]):
                return m.start(), m.group()
        return None
    for m in _CODE_EN.finditer(norm):
        before, after = norm[max(0, m.start() - 40):m.start()], norm[m.end():m.end() + 24]
        if ((_ENTER_EN.search(before[-24:]) or _ENTER_EN.search(after))
                and not _NOT_A_BARE_CODE.search(before) and not _PUBLIC_CODE.search(before)
                and not _NOT_A_CODE_AFTER.search(after)
                and not _NOT_THE_CODE_AFTER.match(after)):
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


# A card read in two parts, the rest in the agent's next turn after the customer's "yes" ("the card
# we hold is 4556 7301 2289" … "and then 1164"): the first part ends a turn that names a card, the
# second opens one of the agent's next two turns, and together they make 13 to 19 digits.
_CARD_FIRST_PART = re.compile(r"(?<![a-z])(?:card|visa|mastercard|amex|debit|credit|卡号?)[^\d\n]{0,24}?"
                              r"(?P<digits>\d(?:[ -]?\d){5,14})(?: (?:then|and|so|um|uh))?$")
_CARD_SECOND_PART = re.compile(r"^(?:\D{0,16}?\b)?(?P<digits>\d(?:[ -]?\d){2,12})(?![\d])")
_NOT_THE_REST = re.compile(r"ending|last|ends|expir|尾号|后[四4]位|有效期")


def _card_in_two_parts(norm: str, turn: TurnView, view: CallView) -> Hit:
    second = _CARD_SECOND_PART.search(norm)
    if second is None or _NOT_THE_REST.search(norm[:second.start("digits")]):
        return None
    earlier = [t for t in view.turns[max(0, turn.index - 3):turn.index] if t.speaker == turn.speaker]
    if not earlier:
        return None
    first = _CARD_FIRST_PART.search(_with_spoken_digits(earlier[-1])[1])
    if first is None or _NOT_THE_REST.search(first.group()):
        return None
    digits = _SPACE_OR_DASH.sub("", first.group("digits") + second.group("digits"))
    if 13 <= len(digits) <= 19 and digits[0] != "0":
        return second.start("digits"), f"full card number read in two parts {digits}"
    return None


# Letters spelled before the digits ("your returns reference is V A R 2 0 2 6 …") make an
# alphanumeric reference: a card number never starts with letters.
_SPELLED_LETTERS = re.compile(r"(?<![a-z])(?:[a-z] ){2,5}$")


def sensitive_number(turn: TurnView, view: CallView) -> Hit:
    if "[" in turn.text:
        m = _PLACEHOLDER.search(turn.text)
        if m:
            return m.start(), f"redacted {m.group()}"
    text, norm = _with_spoken_digits(turn)
    if not _ANY_DIGIT.search(norm):  # most turns hold no number at all
        return None
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
        if 13 <= len(digits) <= 19 and digits[0] != "0" and digits[:-1].isdigit() and _one_number(digits, text):
            kind = "ID number" if len(digits) == 18 else "card number"
            return m.start(), f"full {kind} {digits}"
    hit = (_code_read_out(norm) or _password_characters(norm)) if _CODE_WORD.search(norm) else None
    return (hit or _code_after_topic(norm, turn, view) or _code_to_enter(text, norm)
            or _card_in_two_parts(norm, turn, view))


# --- personal data stated --------------------------------------------------------------

# A customer's phone number or account balance stated by the agent (not asked
# back as a question). The E1 rubrics look for it only before any identifier was asked: data
# read out to a caller nobody verified is a breach of confidentiality.
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


def _said_by_the_customer(number: str, turn: TurnView, view: CallView) -> bool:
    """Whether a number the agent states was said by the other side in one of the three turns
    before ("my new number is 07700 900 123" … "so your mobile is 07700 900 123 now"): repeating
    the caller's own words back discloses nothing."""
    digits = _NOT_DIGIT.sub("", number)
    return any(t.speaker != turn.speaker and digits in _NOT_DIGIT.sub("", _with_spoken_digits(t)[1])
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


DETECTORS: dict[str, Detector] = {
    "organisation": organisation,
    "agent_name": agent_name,
    "reply_time": reply_time,
    "sensitive_number": sensitive_number,
    "personal_data": personal_data,
}
