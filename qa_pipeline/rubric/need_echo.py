"""The ``need_echo`` detector (C2 "confirm the need" by structure): the agent's check question
that repeats what the customer asked for.

Phrase lists and the learned classifier read one sentence alone; neither sees that the agent's
question is made of the customer's own words. This detector finds an agent sentence that

(a) is a check question — by its FORM, from a small closed list: a statement said as a question
    ("so the parcel never turned up?"), one ending on a tag ("…, right?", "correct?", "yeah?",
    "is that it?"; 对吧/是吧/对吗/是吗/对不对/是不是/没错吧), a question about what the customer
    means ("do you mean …", "are you saying …", 您是说…吗), or a Mandarin 是…吗 / 要…吗 / …吧 question.
    A question asking for something new (what / when / how …, "have you tried …", "can you …",
    "shall I …", 什么/怎么/哪/几/多少, 有没有, 好吗/可以吗) is not a check;
(b) shares at least :data:`EN_MIN_SHARED` content words (English: lower-cased words, plurals and
    -ed/-ing folded, minus a stop list) or character bigrams covering :data:`ZH_MIN_CHARS` characters
    (Mandarin: bigrams without a function character) with the customer's last :data:`WINDOW` turns before it
    and their first turn (v4: why they called); digits and number words never count;
(c) is not an identity check (name, number, address, date of birth, code: the C1 scope).

The overlap and the window were fixed from first principles and the probes in tests/rubric/test_need_echo.py
before any labelled call was scored: one shared word is only the topic ("is the router on?"), two are a
restatement; the request is usually stated at most a few customer turns before the check, with an
identity check (two or three short customer answers) often in between. The question forms were revised
twice after measuring (docs/rubrics.md, "Stop 28: C2 by echo"). v4 (stop 29, "Stop 29: need_echo v4") adds
the read-back with a bare check question after it, the "that's what you're saying" tags, the "so …" statement
repeating :data:`EN_MIN_RESTATED` customer words, the first customer turn in the window, and the Mandarin
read-back closed by a bare tag; it is an alternative of C2's rule in standard-en, opt-in in Mandarin.
Stop 32 (zhgen32): Mandarin as a recogniser writes it -- a turn without punctuation has its sentences end at a
final particle before a pause (…对吧 您家住几楼: the check, then a question of the agent's own) and its clauses at
the pauses, and a customer bigram also counts where the agent's reads alike (:mod:`qa_pipeline.rubric.sound_alike`:
糖画 said back for the recogniser's 糖话).
"""
from __future__ import annotations

import re
from typing import Optional

from qa_pipeline.language import CHINESE_CHARACTER, has_chinese
from qa_pipeline.rubric.sound_alike import shared_by_sound
from qa_pipeline.rubric.view import CallView, TurnView

Hit = Optional[tuple[int, str]]

WINDOW = 4  # the customer's turns before the agent's, most recent first
EN_MIN_SHARED = 2
ZH_MIN_CHARS = 4  # characters of the shared bigrams: two words, not one three-character word (小程序)

# --- sentences ------------------------------------------------------------------------------

_SENTENCE = re.compile(r"[^.!?。！？…]+[.!?。！？…]*")
_QUESTION_MARK = re.compile(r"[?？]\s*$")

# --- English --------------------------------------------------------------------------------

_EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# Tags that turn a statement into a check, said last: any of them before a question mark, or with no
# punctuation in the turn at all (a transcript that marks no question); in punctuated text without a
# question mark only a tag no statement ends on by itself ("…, is that right" — not "yes.", "no.", "right.").
# "ok" is no tag: said last it closes a statement ("… the engineer will look at it ok").
# A tag may also hand the statement back as what the customer said or meant ("…, that's what you're
# telling me?", "… is what you mean?"), with or without the apostrophes a recogniser drops.
_EN_YOU_SAID = (r"(?:that'?s|that is|is that|this is|is this|is|was) what (?:you'?re|you are|you were|you) "
                r"(?:saying|telling me|asking(?: for)?|after|looking for|wanting|reporting|describing|mean|meant|said)")
_EN_TAGS = (r"(?:is that right|is that correct|is that it|is that so|am i right|have i got that right|"
            r"did i get that right|have i got that|" + _EN_YOU_SAID + r"|right|correct|yeah|yes|no|isn'?t it|is it|innit|eh)")
_EN_TAG_ASKED = re.compile(r"(?:,|\b)\s*" + _EN_TAGS + r"\s*[?？]\s*$")
_EN_TAG_UNPUNCTUATED = re.compile(r"\b" + _EN_TAGS + r"\s*$")
_PUNCTUATED = re.compile(r"[.!?。！？]")
_EN_TAG_SAID = re.compile(
    r"(?:,|\b)\s*(?:is that right|is that correct|am i right|have i got that right|did i get that right|"
    + _EN_YOU_SAID + r")\s*[.!]*\s*$")
# A question that asks for something new: a wh-question, or one opening on an auxiliary or modal verb
# ("can the screen be …", "will the engineer …", "do other users …", "have you tried …") — other than the
# few that ask what the customer meant ("do you mean …", "are you saying …", "is that what …").
_EN_ASKS_NEW = re.compile(
    r"^(?:(?:ok|okay|right|alright|and|so|well|sure|great|thanks|thank you|now|then|also|oh|hi|hello|sorry)[, ]+)*"
    r"(?:what|when|where|which|who|whom|whose|why|how|anything|"
    r"(?:can|could|will|would|shall|should|may|might|must|do|does|did|is|are|was|were|has|have|had)(?:n'?t)? "
    r"(?!you (?:mean|say|said|saying|asking|telling|calling|ringing|looking|wanting|after|trying|hoping)\b|"
    r"(?:that|this|it) (?:what|about|that)\b))")
_EN_IDENTITY = re.compile(
    r"\b(?:name|surname|spell|spelling|date of birth|birthday|born|dob|postcode|post code|zip|address|"
    r"phone number|mobile number|number|email|e-mail|security|verify|verification|password|passcode|pin|"
    r"digits|last four|reference|account holder|memorable|initial|initials)\b")
_EN_NUMBER = re.compile(
    r"^(?:\d+\w*|zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|thousand|first|second|third|fourth|fifth|double|triple)$")
_EN_STOP = frozenset("""
a about above after again against all also am an and any anything are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
few for from further get gets getting got gotten had hadn't has hasn't have haven't having he he'd he'll he's her
here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself
just let let's like me more most mustn't my myself no nor not now of off on once only or other ought our ours
ourselves out over own same shan't she she'd she'll she's should shouldn't so some such than that that's the
their theirs them themselves then there there's these they they'd they'll they're they've this those through to
too under until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's
which while who who's whom why why's will with won't would wouldn't you you'd you'll you're you've your yours
yourself yourselves yes yeah yep ok okay right correct um uh erm er hmm oh ah well hi hello hey please thank
thanks sorry sir madam mam ma'am mate love dear really actually basically still even already yet maybe
want wanted wanting need needed needing would like looking look trying try call calling called ring ringing
phone help know think mean say said saying tell told ask asked asking see sure something thing things way
one today now time never just bit lot kind sort make made go going come coming back able wondering wonder hoping hope
""".split())


def _en_lemma(word: str) -> str:
    """A crude stem: plurals, then -ing/-ed, a final e and a doubled final consonant folded
    (evenings/evening → even, dropping/drops → drop, arrived/arrive → arriv)."""
    word = word.split("'")[0]
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]
    return word


def en_content(text: str) -> set[str]:
    """The content words of English ``text``, lemmatised crudely (refunds/refunded → refund)."""
    out = set()
    for word in _EN_WORD.findall(text.lower()):
        if word in _EN_STOP or _EN_NUMBER.match(word) or len(word) < 3:
            continue
        lemma = _en_lemma(word)
        if lemma not in _EN_STOP:
            out.add(lemma)
    return out


def en_check_question(sentence: str, punctuated: bool = True) -> bool:
    """``sentence`` is said as a check: a statement put as a question, a tag, or "do you mean …";
    ``punctuated``: whether its turn marks sentences at all (else any tag said last counts)."""
    s = sentence.lower().strip()
    if _EN_ASKS_NEW.search(s):
        return False
    return bool(_QUESTION_MARK.search(s) or _EN_TAG_SAID.search(s)
                or (not punctuated and _EN_TAG_UNPUNCTUATED.search(s)))


# A check question with nothing of its own, said as its own sentence after the statement it checks ("… and
# it came out lighter than quoted. Is that correct?", "… to be looked at. Is that the job?"): the statement
# before it is what it puts to the customer. A choice ("…, or …?") asks something new.
_EN_BARE_CHECK = re.compile(
    r"^(?:(?:and|so|ok|okay|right|now|then)[, ]+)?(?:"
    r"(?:is|was) (?:that|this|it) (?:all )?(?:right|correct|accurate|true|so|it|fair|about right|the gist|"
    r"the (?:job|problem|issue|trouble|request|situation|story|idea|plan|one|order|booking|fault|query|concern))|"
    r"(?:have|did|do) i (?:got|get|have|understand|understood) (?:that|this|it|you|everything|all (?:of )?that)"
    r"(?: (?:right|correct|down|straight))?|"
    r"am i right|did i hear (?:that|you) (?:right|correctly)|does (?:that|this) sound (?:about )?right|"
    r"right|correct|yeah|yes)\s*[?？]\s*$")


def en_bare_check(sentence: str) -> bool:
    """``sentence`` is a check question with nothing of its own ("Is that correct?", "Have I got that right?")."""
    return bool(_EN_BARE_CHECK.match(sentence.lower().strip()))


# The need put back as a statement opened on "so", with no question ("So it's the fur coming away in
# clumps."; in an unpunctuated transcript "so on the fifth the van never came right i will chase it"): with
# no question mark it must repeat more of the customer's words (:data:`EN_MIN_RESTATED`), and the clause
# ends where the agent goes on to what they will do ("i …", "we …") or on a tag. A "so" that opens advice,
# a plan or a promise (a modal or future verb in the clause; the customer's "won't" and "can't" are the problem)
# or a reason is not a restatement.
EN_MIN_RESTATED = 3
_EN_SO_OPEN = re.compile(
    r"(?:^|[,.!?;:]\s*|\b(?:ok|okay|right|sure|alright|well|oh|ah|and|sorry about that|i see|got it|thank you|thanks)"
    r"(?:\s+\w+)?\s+)so\s+(?!i\b|we\b|i'|we')")
_EN_CLAUSE_END = re.compile(
    r"[,.!?;:]|\b(?:right|yeah|yes|correct|okay|ok)\b(?=\s+(?:i|we|ill|im|ive|so|and|let|now)\b)|"
    r"\s(?=(?:i|we|ill|im|ive|i'll|we'll|i'm|i've|let me|let us)\s)")
_EN_NOT_RESTATING = re.compile(
    r"\b(?:will|would|going to|gonna|can(?!'t)|could|should|must|have to|has to|need to|needs to|ought|"
    r"because|cause|means|so that|in case|if|unless|once|when you|you can|please)\b|'ll\b")


def en_so_restatement(text: str) -> list[str]:
    """The "so …" statements of an agent's ``text`` that could restate the need (before the echo is counted)."""
    out = []
    low = text.lower()
    for m in _EN_SO_OPEN.finditer(low):
        rest = low[m.end():]
        end = _EN_CLAUSE_END.search(rest)
        clause = rest[: end.start()] if end else rest
        if len(clause.split()) >= 3 and not _EN_NOT_RESTATING.search(clause) and not _EN_IDENTITY.search(clause):
            out.append(clause)
    return out


# --- Mandarin -------------------------------------------------------------------------------

_ZH_TAGS = (r"(?:对吧|是吧|对吗|是吗|对不对|是不是|没错吧|没错吗|对么|是么|对伐|是伐|对不|是这样吗|是这样吧|"
            r"是这个意思吗|是这个意思吧|没说错吧|我理解得对吗|我理解的对吗)")
_ZH_TAG = re.compile(_ZH_TAGS + r"[呀啊吧嘛呢]?[?？。!！]*\s*$")
_ZH_FINAL = re.compile(r"(?:吗|吧|么)[?？。!！]*\s*$")
_ZH_IS_OR_WANTS = re.compile(r"是|要|想|说")
_ZH_ASKS_NEW = re.compile(
    r"请问|是否|什么|啥|怎么|怎样|咋|哪|几|多少|多久|多长|为什么|为啥|谁|有没有|有无|能不能|可不可以|方便|好吗|好吧|可以吗|行吗|"
    r"行不行|好不好|还有别的|还有其他|其他问题|其他需要|别的问题|帮您(?:查|看|处理|办理|登记|转)|给您(?:查|看|处理|办理)|"
    r"您试|试过|试一下|重启过|稍等|等一下")
_ZH_IDENTITY = re.compile(
    r"姓名|名字|贵姓|全名|怎么称呼|手机号|电话号|号码|身份证|证件|地址|住址|生日|出生|验证码|密码|尾号|后四位|账号|卡号|"
    r"订单号|工单号|编号|会员号|户号")
_ZH_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿]")
# Function characters: a bigram with one of them carries no content.
_ZH_FUNCTION = frozenset(
    "的了吗吧呢啊呀嘛哦噢嗯哈么是我您你他她它们这那个些一有在不没就也都还又要想帮给对把被和跟与及说讲下上"
    "请好很太会能可以得地着过到来去让叫为于从向将啦喔哎诶呃唉")


def zh_shared(said: set[str], heard: set[str]) -> set[str]:
    """The content bigrams of ``said`` the customer's ``heard`` holds, written alike or, where the recogniser
    wrote a homophone on one side, reading alike (:mod:`qa_pipeline.rubric.sound_alike`)."""
    return shared_by_sound(said, heard)


def zh_content(text: str) -> set[str]:
    """The content bigrams of Mandarin ``text``: adjacent Chinese characters, neither a function
    character nor a numeral (digits, punctuation and other scripts break a run)."""
    chars = [ch if CHINESE_CHARACTER.match(ch) else " " for ch in text]
    return {a + b for a, b in zip(chars, chars[1:])
            if a != " " and b != " " and a not in _ZH_FUNCTION and b not in _ZH_FUNCTION
            and not _ZH_NUMERAL.match(a) and not _ZH_NUMERAL.match(b)}


_ZH_CLAUSE = re.compile(r"[，,；;：:、]|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
# A Mandarin transcript without punctuation (a recogniser's, the pauses written as spaces): its sentences end
# where a question or a tag ends on a final particle before a pause, and its clauses at every pause.
_ZH_PUNCTUATED = re.compile(r"[。！？!?，,；;：:、.]")
_ZH_SPOKEN_SENTENCE = re.compile(r"\S.*?(?:(?<=[吗吧呢么嘛])(?=\s)|$)")


def _clauses(sentence: str) -> list[str]:
    """The clauses of a Mandarin sentence: at commas, and at the pauses (spaces) between Chinese characters."""
    return [c for c in _ZH_CLAUSE.split(sentence) if c.strip()]


def sentences(text: str, chinese: bool):
    """The sentences of a turn's ``text`` (regex matches): at its punctuation, or in Mandarin without any, at a
    final particle before a pause."""
    if chinese and not _ZH_PUNCTUATED.search(text):
        return _ZH_SPOKEN_SENTENCE.finditer(text)
    return _SENTENCE.finditer(text)


_ZH_BARE_TAG = re.compile(r"^\s*" + _ZH_TAGS)


def zh_question_unit(sentence: str) -> str:
    """The clause a Mandarin sentence's question is in: its last clause, with the one before it when
    the last is a bare tag ("…没收到，对吧？")."""
    clauses = _clauses(sentence)
    if not clauses:
        return sentence
    if len(clauses) > 1 and _ZH_BARE_TAG.match(clauses[-1]):
        return clauses[-2] + "，" + clauses[-1]
    return clauses[-1]


def zh_echo_unit(sentence: str) -> str:
    """The words a Mandarin check question puts to the customer: its question clause, or, when the
    question is a bare tag closing a read-back ("…菌丝停了，是上个月发现的，对吗？"), every clause the tag
    closes (after the announcement's colon, if there is one)."""
    clauses = _clauses(sentence)
    if len(clauses) > 1 and _ZH_BARE_TAG.match(clauses[-1]):
        return _after_colon(sentence)
    return zh_question_unit(sentence)


def zh_check_question(sentence: str) -> bool:
    """``sentence`` is said as a check: a tag (对吧, 是吗 …), or a 是/要/想/说 … 吗/吧 question, or a
    statement put as a question — not one asking for something new."""
    s = zh_question_unit(sentence)
    if _ZH_ASKS_NEW.search(s):
        return False
    if _ZH_TAG.search(s):
        return True
    if _ZH_FINAL.search(s):
        return bool(_ZH_IS_OR_WANTS.search(s))
    return bool(_QUESTION_MARK.search(s))


# --- the detector ---------------------------------------------------------------------------

def _customer_words(turn: TurnView, view: CallView, chinese: bool) -> set[str]:
    said = [t for t in view.turns[: turn.index] if t.role == "customer"]
    # the last WINDOW turns, and the first: a caller says why they are calling when the call opens, and an
    # identity check and a story can come between that and the agent's read-back
    earlier = said[-WINDOW:] + said[:1] if len(said) > WINDOW else said
    words: set[str] = set()
    read = zh_content if chinese else en_content
    for t in earlier:  # each customer turn read once per call, however many agent turns look back at it
        words |= t.memo(("need_echo", chinese), lambda t=t: read(t.text))
    return words


def echoed(sentence: str, customer: set[str], chinese: bool, punctuated: bool = True) -> set[str]:
    """The customer's content words (bigrams) ``sentence`` repeats, if it is a check question
    and not an identity check; else the empty set."""
    if chinese:
        unit = zh_echo_unit(sentence)
        if _ZH_IDENTITY.search(unit) or not zh_check_question(sentence):
            return set()
        return zh_shared(zh_content(unit), customer)
    if _EN_IDENTITY.search(sentence.lower()) or not en_check_question(sentence, punctuated):
        return set()
    return en_content(sentence) & customer


def enough(shared: set[str], chinese: bool) -> bool:
    """Two English content words, or Mandarin bigrams covering four characters (two words, not one)."""
    if chinese:
        return len({ch for bigram in shared for ch in bigram}) >= ZH_MIN_CHARS
    return len(shared) >= EN_MIN_SHARED


def need_echo(turn: TurnView, view: CallView) -> Hit:
    """The first agent sentence of ``turn`` that checks the need in the customer's own words."""
    if turn.role != "agent" or not view.has_customer:
        return None
    chinese = has_chinese(turn.text)
    customer = _customer_words(turn, view, chinese)
    if not customer:
        return None
    punctuated = bool(_PUNCTUATED.search(turn.text))
    before = None
    for m in sentences(turn.text, chinese):
        sentence = m.group()
        shared = echoed(sentence, customer, chinese, punctuated)
        if not shared and before is not None and not chinese and en_bare_check(sentence):
            shared = restated(before.group(), customer)
        if enough(shared, chinese):
            return _offset(turn, m.start()), "echoes the need: " + " ".join(sorted(shared))
        before = m
    if not chinese:
        for clause in en_so_restatement(turn.text):
            shared = en_content(clause) & customer
            if len(shared) >= EN_MIN_RESTATED:
                return _offset(turn, turn.text.lower().find(clause)), "restates the need: " + " ".join(sorted(shared))
    return None


def restated(statement: str, customer: set[str]) -> set[str]:
    """The customer's words an English ``statement`` repeats, checked by the bare question after it ("…
    Is that correct?"): not a question, not an identity check, not the agent's plan or promise."""
    low = _after_colon(statement.lower()).strip()
    if _QUESTION_MARK.search(low) or _EN_IDENTITY.search(low) or _EN_NOT_RESTATING.search(low):
        return set()
    return en_content(low) & customer


def _after_colon(sentence: str) -> str:
    """What a sentence reads back after its announcement ("Let me note it properly: …", "我核对一下：…")."""
    return re.split(r"[:：]", sentence)[-1]


def _offset(turn: TurnView, raw_start: int) -> int:
    """Where the sentence starting at ``raw_start`` of the raw text roughly starts in the normalised text."""
    share = raw_start / max(len(turn.text), 1)
    return min(int(share * len(turn.norm)), max(len(turn.norm) - 1, 0))
