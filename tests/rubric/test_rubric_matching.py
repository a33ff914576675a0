"""Normalisation and ASR-tolerant phrase matching, and the built-in detectors."""
from __future__ import annotations

import re

import pytest

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric.detectors import agent_name, organisation, reply_time
from qa_pipeline.rubric.matching import PhraseError, compile_phrases, padded_english
from qa_pipeline.rubric.phrase_syntax import (
    lead_first,
    line_led,
    literal_start,
    required_choices,
    required_texts,
    word_led,
)
from qa_pipeline.rubric.sensitive_numbers import personal_data, sensitive_number
from qa_pipeline.rubric.text import normalize
from qa_pipeline.rubric.view import CallView


@pytest.mark.parametrize("text, expected", [
    ("宁好，我是公号一零三一", "您好我是工号1031"),
    ("二十四小时之内，三个工作日内", "24小时之内3个工作日内"),
    ("稍等一下，一直在线", "稍等一下一直在线"),
    ("ＡＢＣ１２３，请讲", "abc123请讲"),
    ("I'll call you within twenty-four hours!", "i will call you within 24 hours"),
    ("It's 4024 0071, sixty-four ninety-nine", "it is 4024 0071 64 99"),
    ("four four one four", "4 4 1 4"),
    ("You've reached Tom's desk, I'm sorry, don't", "you have reached toms desk i am sorry do not"),
    # apostrophes dropped by the recogniser, spoken forms; "its", "were", "well" are words too
    ("so youre locked out and cant log in im gonna reset it", "so you are locked out and cannot log in i am going to reset it"),
    ("its fine we were well", "its fine we were well"),
])
def test_normalize(text, expected):
    assert normalize(text) == expected


def test_phrases_any_with_fuzzy_chinese_and_english():
    m = compile_phrases(["感谢您的来电", "thank you for calling"], {})
    assert m.first(normalize("好的，感谢您得来电，再见")).phrase == "感谢您的来电"  # one wrong character
    assert m.first(normalize("Well, thank you all for calling!")).phrase == "thank you for calling"  # extra word
    assert m.first(normalize("thank you calling")).phrase == "thank you for calling"  # dropped word
    assert m.first(normalize("感谢来电")) is None
    exact = compile_phrases(["感谢您的来电"], {}, fuzzy=False)
    assert exact.first(normalize("感谢您得来电")) is None
    assert exact.first(normalize("感谢您的来店")).phrase == "感谢您的来电"  # a known ASR confusion, folded


def test_english_phrases_respect_word_edges():
    m = compile_phrases(["ass", "hell"], {})
    assert m.first(normalize("Hello, I'll pass that on to the class.")) is None
    assert m.first(normalize("what the hell")).phrase == "hell"


def test_synonyms_gaps_anchors_and_regex():
    syn = {"ask": ["提供", "报一下"], "ident": ["手机号", "订单号"], "thx": ["thanks", "thank you"]}
    m = compile_phrases(["{ask}...{ident}", "^{thx}$", "re:\\d{4}$"], syn)
    assert m.first(normalize("麻烦您报一下您的订单号")).phrase == "{ask}...{ident}"
    assert m.first("\n".join(normalize(t) for t in ("ok", "Thanks!", "bye"))).phrase == "^{thx}$"
    assert m.first(normalize("many thanks")) is None
    assert m.first(normalize("尾号是1234")).phrase == "re:\\d{4}$"
    hits = list(m.finditer(normalize("请提供手机号，thanks")))
    assert [h.phrase for h in hits] == ["{ask}...{ident}"]


@pytest.mark.parametrize("bad, problem", [
    (["{nope} x"], "unknown synonym list"),
    (["re:(x"], "bad regular expression"),
    (["re:(?P<n>x)"], "named groups"),
    ([""], "empty"),
    (["?"], "empty after normalisation"),
    (["，"], "empty after normalisation"),
])
def test_bad_phrases(bad, problem):
    with pytest.raises(PhraseError, match=problem):
        compile_phrases(bad, {})


def first_turn(text, speaker="agent", agent_name_=None):
    call = Call(CallInfo("c", agent_name=agent_name_), "en", (Turn(speaker, 0.0, 3.0, text),))
    view = CallView(call)
    return view.turns[0], view


@pytest.mark.parametrize("text, found", [
    ("您好，和美电器售后服务中心，工号3321", True),
    ("您好，欢迎致电顺安，我是小周", True),
    ("您好，联信通信，工号2012", True),
    ("您好，我是客服小李，工号1047", False),
    # the words between the greeting and the agent's name or number, whatever they end in
    ("您好 青禾瑜伽会所 我是顾问林佳", True),
    ("你好 远航救援 工号3307", True),
    ("喂 您好 南山美术馆 我是讲解预约的小吴", True),
    ("您好，云杉茶楼，我是前台小郑，请问几位？", True),
    ("您好 很高兴为您服务 我是小吴", False),
    ("您好 请问有什么可以帮您 我是小吴", False),
    ("您好 客服小赵 工号3307", False),
    ("喂 你好 请讲", False),
    ("Thank you for calling Orion Telecom, Dan speaking", True),
    ("Hi, Northfield Home, James speaking", True),
    ("Hello, you've reached the billing department", True),
    ("Good morning, this is Priya speaking, how can I help you today?", False),
    ("Hi there, this is Dan, what can I do for you?", False),
    # transcripts without capitals: the words between the greeting and the name
    ("morning brightwater plumbing sam speaking how can i help", True),
    ("hi um redline cabs this is joe", True),
    ("hi good morning how are you this is dan", False),
    ("hello uh yeah this is dan speaking", False),
])
def test_organisation_detector(text, found):
    assert (organisation(*first_turn(text)) is not None) == found


def test_the_agents_own_name_before_the_number_is_no_organisation():
    assert organisation(*first_turn("您好 王丽华 工号3307", agent_name_="王丽华")) is None
    assert organisation(*first_turn("您好 王丽华 工号3307")) is None  # a person's name is 2-3 characters
    assert organisation(*first_turn("您好 欧阳丽华 工号3307", agent_name_="欧阳丽华")) is None


@pytest.mark.parametrize("text, found", [
    ("您好，和美电器，工号3321", True),
    ("您好，和美电器，公号三三二一", True),
    ("客服专员陈刚为您服务", True),
    ("我是小周", True),
    ("您好，我是客服，请讲", False),
    ("您好，市民热线，很高兴为您服务", False),
    ("Thank you for calling Orion, my name is Alex", True),
    ("Orion Telecom, Maria speaking", True),
    ("Orion Telecom, agent ID 4471", True),
    ("Hello, Orion Telecom, Sunil this side", True),
    ("Good evening, welcome to Orion Telecom, myself Sunil", True),  # Indian English
    ("hello orion telecom sunil this side", True),
    ("Thank you for calling Orion Telecom, how may I help?", False),
])
def test_agent_name_detector(text, found):
    assert (agent_name(*first_turn(text)) is not None) == found


def test_agent_name_from_roster():
    assert agent_name(*first_turn("Orion Telecom, hi, Chen here", agent_name_="Chen"))


@pytest.mark.parametrize("text, found", [
    ("我们会在三个工作日内给您回电", True),
    ("24小时之内会有专人联系您", True),
    ("明天下午五点前给您答复", True),
    ("下周一给您回电", True),
    ("我们会尽快处理", False),
    ("这个件是10月8日发出的", False),
    ("You'll hear from us within 48 hours", True),
    ("Billing will call you by Friday", True),
    ("I'll call you on Monday to confirm", True),
    ("We'll get back to you as soon as possible", False),
    ("It was delivered on November fifth", False),
])
def test_reply_time_detector(text, found):
    assert (reply_time(*first_turn(text)) is not None) == found


@pytest.mark.parametrize("text, found", [
    ("卡号是6222 0212 3456 7890 128，对吗", True),
    ("身份证号11010519491231002X", True),
    ("您的验证码是四八二九一三", True),
    ("尾号7890的卡", False),
    ("手机号13805716627", False),
    ("The card number is four five five six, seven three nine zero, one two eight four, five five two eight", True),
    ("the card ending in 4414", False),
    ("卡号是[CARD ****0128]", True),
    ("身份证号是[身份证号]", True),
    ("回访电话[PHONE ****3322]", False),
    # a date and a clock time, a dial code: numbers joined only once the punctuation is gone
    ("2015-03-12 08:45 7号线停运", False),
    ("在拨号盘输入 **21*13912345678# 按拨号键", False),
    ("卡号六二二二，零二一二，三四五六，七八九零，一二八。到期是08/27", True),
    # digits said in English words in a Chinese turn, mixed with Chinese digits, double / triple
    ("卡号是six two two two, zero two one two, three four five six, seven eight nine zero, one two eight", True),
    ("卡号是六二二二 zero two one two 三四五六 seven eight nine zero 幺二八", True),
    ("卡号是4556 double seven triple three 1284 5528", True),
    ("您的验证码是four eight two nine one three", True),
    ("The card number is four five five six, seven three nine oh, one two eight four, double five two eight", True),
    ("请在five分钟内输入验证码", False),
    ("尾号是seven eight nine zero的卡", False),
    ("Oh, I see, five of them", False),
    # a number named by what it is (a noun then number / id / reference) is that, not a card
    ("Your SR number is 4 5 1 0 0 2 9 8 3 7 7 1 2.", False),
    ("Okay, your order ID is 302 8841927 5510364.", False),
    ("The transaction reference of the second debit is 6 0 1 9 2 2 4 7 3 8 1 0 5 5 6.", False),
    ("Your card number is 4 5 5 6 7 3 9 0 1 2 8 4 5 5 2 8.", True),
    ("The meter serial is 4410229911887765.", False),
    ("The sixteen digit number is 4556 7390 1284 5528.", True),
])
def test_sensitive_number_detector(text, found):
    assert (sensitive_number(*first_turn(text)) is not None) == found


def test_a_regex_phrase_after_a_grouped_phrase_is_matched_as_itself(monkeypatch):
    """A ``re:`` phrase following a phrase whose alternatives were grouped once took over that
    grouping: it was searched as the phrase before it and never found."""
    from qa_pipeline.rubric import phrase_syntax

    monkeypatch.setattr(phrase_syntax, "GROUP_ABOVE", 0)  # every phrase that can be grouped is
    synonyms = {"ask": ["could you confirm", "can you give me", "may i have"], "ident": ["name", "postcode"]}
    m = compile_phrases(["{ask}...{ident}", "re:i am going to (?:chase|follow)"], synonyms)
    hit = m.first(normalize("im gonna chase it with the supplier"))
    assert hit is not None and hit.phrase == "re:i am going to (?:chase|follow)"
    assert m.first(normalize("May I have your postcode?")).phrase == "{ask}...{ident}"


@pytest.mark.parametrize("source, start", [
    ("(?<![a-z0-9])thank you(?:\\S+ )?so", "thank you"),
    ("(?<![^\\n])姓名(?![^\\n])", "姓名"),
    ("姓名.{0,8}核对", "姓名"),
    ("ab?c", "a"), ("ab{2}", "a"), ("a\\d", "a"), ("\\.com", ".com"), ("a[|]b", "a"),
    ("ab|c", ""), ("(?i)ab", ""), ("(?:x)a", ""), ("[ab]c", ""),
])
def test_literal_start(source, start):
    assert literal_start(source) == start
    assert all(m.group().startswith(start) for m in re.finditer(source, "thank you so 姓名核对 abc abbc a1 .com a|b xa bc"))


@pytest.mark.parametrize("source, needs", [
    ("(?:[\\u4e00-\\u9fff]{1,3}证号).{0,8}(?:核对|核实)", ("证号",)),
    ("(?:确认一下|核(?:对一下|实一下)).{0,8}", ("实一下", "对一下", "确认一下")),
    ("x*y", ("y",)), ("(?:ab)?c", ("c",)), ("(?i:ab)c", ("c",)), (".*", None), ("a|", None),
])
def test_required_texts(source, needs):
    assert required_texts(source) == needs


@pytest.mark.parametrize("source, choices", [
    ("\\bwe (?:have )?(?:went|gone) (?:over|through) (?:this|that)",
     (("gone", "went"), ("over", "through"), (" th",))),  # Python's parser writes this|that as th(?:is|at)
    ("(?:[\\u4e00-\\u9fff]{1,3}证号).{0,8}(?:核对|核实)", (("证号",), ("核",))),
    # the three with the longest shortest text; not the lookbehind's "as "
    ("(?<!as )\\b(?:we|i) (?:just |only )+(?:said|told)", (("just ", "only "), ("said", "told"), (" ",))),
    ("x*y", (("y",),)), ("(?i:ab)c", (("c",),)), ("(?:ab)?c", (("c",),)), (".*", ()), ("a|", ()), ("(?i)abc", ()),
])
def test_required_choices(source, choices):
    """Every match holds one text of each choice; none is read from an optional or
    case-blind part."""
    assert required_choices(source) == choices
    texts = ["we have went over this", "we gone through that", "as we just said", "i only only told", "xxy",
             "ABc", "c", "请核对您的身份证号", "abc"]
    for text in texts:
        for m in re.finditer(source, text):
            assert all(any(a in m.group() for a in choice) for choice in choices), (source, m.group())


def test_a_regex_is_not_searched_where_the_text_lacks_one_of_its_needs():
    """A regex searched on its own needs one text of each choice: a text holding the first
    choice ("went") but not the second ("over"/"through") is not searched, and the regex
    is not even compiled. (With only the longest choice tested it was searched in ~40 % of
    English agents' texts for the B2 list's regexes.)"""
    m = compile_phrases(["re:\\bwe (?:went|gone) (?:over|through) (?:this|that)"], {}, fuzzy=False)
    assert m.first("we went to the shop and came back") is None
    assert m._alone._compiled == [None]
    assert m.first("yes we went over this").phrase.startswith("re:")
    assert m.found_in("we went over that") and not m.found_in("we went home")


@pytest.mark.parametrize("source, leads", [
    ("(?![^\\n]*\\bthanks\\b)\\b(?:always|never|the way)\\b[^\\n]{0,20}\\byou\\b", "always|never|the\\ way"),
    ("(?<!they )(?<! he )already told you", "already\\ told\\ you"),
    ("(?:(?<!you )\\b(?:went|gone) (?:over|through)|(?=no)no+t)", "gone|n|went"),
    ("\\b(?!not)(?:(?:ab)+c|(x))\\1?", "ab|x"), ("(?<![a-z])(no|nah)(?: way)?", "n"),  # the parser writes no|nah as n(?:o|ah)
    # nothing certain to lead with, or no lookaround before it: left as it is
    ("(?!x)(?:a|)b", None), ("(?!x)[ab]c", None), ("(?!x)(?i:no)", None), ("(?i)(?!x)no", None),
    ("(?!x)(?:no)?way", None), ("\\bno(?!t)", None), ("no|(?!x)way", None),
])
def test_a_regex_led_by_lookarounds_is_searched_led_by_the_texts_it_starts_with(source, leads):
    """A regex searched on its own whose lookarounds come before the texts its matches start
    with is compiled with a lookahead for those texts in front: the same matches (starts,
    ends, groups) from every position, the lookarounds tested only where a match can start."""
    import random

    led = lead_first(source)
    assert led == (source if leads is None else f"(?={leads})(?:{source})")
    regex, fast = re.compile(source), re.compile(led)
    rng = random.Random(3)
    words = ["always", "never", "the way", "thanks", "you", "they", "he", "already told you", "went", "gone",
             "over", "through", "no", "not", "nah", "way", "ab", "abc", "x", "xx", "b", "ababc"]
    for _ in range(300):
        text = "".join(rng.choice(words) + rng.choice([" ", " ", "\n", ""]) for _ in range(rng.randrange(1, 9)))
        for pos in (0, 1, 4):
            assert [(m.span(), m.groups()) for m in regex.finditer(text, pos)] == \
                [(m.span(), m.groups()) for m in fast.finditer(text, pos)], (source, text, pos)


def test_a_phrase_list_searches_its_regexes_led_by_their_first_texts():
    """The regexes a list searches on its own (plainly, where words start, where turns start)
    are compiled led (the lookahead first), and find what the regex as written finds."""
    source = "(?![^\\n]*\\bthank)\\b(?:always|never)\\b[^\\n]{0,30}\\bwith you (?:lot|people)\\b"
    m = compile_phrases(["hello there", f"re:{source}", "re:(?<![^\\n])(?!好的)您(?:自己|去)查"], {}, fuzzy=False)
    text = "thank you\nit is always the same with you people"
    hit = m.first(text, 0, padded_english(text))
    assert hit is not None and (hit.start, hit.end) == re.search(source, text).span()
    assert m._words[1]._at_words[0].pattern.startswith("[\n @](?:(?=always|never)")  # clean English
    assert m.first("好的\n您自己查一下").start == 3 and m._alone._at_lines[1].pattern.startswith("\n(?:(?=您)")
    for text in ("so never mind, always fine with you lot", "thanks, never with you people"):
        assert m.regex.search(text).span() == re.search(source, text).span()
    assert m._alone.regex(0).pattern.startswith("(?=always|never)")


def _starts(regex: re.Pattern, text: str, pos: int, shift: int = 0) -> list[int]:
    """Where ``regex`` matches at each position from ``pos`` on (a match at ``padded[j]`` is
    one at ``text[j]``: ``shift`` 0)."""
    return [j - shift for j in range(pos, len(text) + 1) if regex.match(text, j)]


@pytest.mark.parametrize("source, led", [
    ("\\b(?:cheat|cheated|rob) (?:me|us)\\b", True),
    ("(?<!as )(?<!like )\\b(?:we|i) (?:have )?(?:just |only )+(?:said|told)", True),
    # an alternation of starts, each at a word or a turn's start ((?<![^\\n]) cannot tell the text's start from a newline)
    ("(?:(?<![^\\n])\\bno|\\bnot) (?:way|now)", True), ("(?:(?<![^\\n])(?:\\S+ ){0,2}?|\\b(?:ok|right) )no", True),
    ("(?<![^\\n]) ?(?:no|not)", True), ("(?:(?<![^\\n])no|not) way", False), ("(?:\\bno|(?<!x)not)", False),
    ("\\b(?:[0-9]+|one) time", True), ("\\bno(?<![a-z]no)", True),
    # these could see a newline in front of the text where the text has nothing: left as they are
    ("(?<!\\s)\\bno", False), ("^\\bno", False), ("(?<=\\n)\\bno", False), ("(?<![^ ])\\bno", False),
    # not only from a word's start
    ("\\b you", False), ("no way", False), ("\\b(?:no|@x)", False), ("\\b\\S+", False),
    ("(?s)\\bno", False), ("(?i)\\bno", False),  # a global flag must stay first: not led by anything
])
def test_word_led_regexes_find_after_a_word_start_what_they_find_anywhere(source, led):
    """A regex that can only start at a word finds, in clean English, the same starts as the
    regex led by the character before a word ([\\n @]) in the text with a newline in front;
    the regexes this would not hold for are not taken as led by a word."""
    assert word_led(source) == led
    import random

    rng = random.Random(5)
    words = ["no", "not", "way", "now", "cheat", "cheated", "rob", "me", "us", "we", "i", "as", "like", "have",
             "just", "only", "said", "told", "one", "12", "time", "you", "@x", "ono", "x"]
    regex = re.compile(source)
    try:
        at_word = re.compile(f"[\\n @](?:{source})")
    except re.error:
        assert not led
        return
    differs = 0
    for _ in range(400):
        text = "".join(rng.choice(words) + rng.choice([" ", " ", "\n", "@", ""]) for _ in range(rng.randrange(1, 8)))
        padded = padded_english(text)
        assert padded is not None
        for pos in (0, 1, 3):
            same = _starts(regex, text, pos) == _starts(at_word, padded, pos)
            assert same or not led, (source, text, pos)
            differs += not same
    if source.startswith(("(?<!\\s)", "^", "(?<=\\n)", "(?<![^ ])")):
        assert differs  # the reason it is not taken as led by a word


_LINE_WORDS = ["no", "not", "ok", "so", "you", "said", "x", "姓名", "您", "说过", "好的", "是", "12", "@x"]


@pytest.mark.parametrize("source, led", [
    ("(?<![^\\n])姓名(?:是|叫)", True), ("(?<![^\\n])(?:好的)?您(?!好)[^\\n]{0,6}?说过", True),
    ("(?:(?<![^\\n])(?:\\S+ ){0,2}?|(?<![^\\n])ok )so", True), ("(?<!x)(?<![^\\n])no", True),
    ("(?<![^\\n])(?i:no)", True), ("(?<![^\\n])(?:[^\\n](?<!不))*?说过", True),
    # not only at a turn's start, or could see the newline put in front of the text
    ("(?:(?<![^\\n])no|\\bnot)", False), ("\\bno", False), ("no", False), ("(?<![^ ])no", False),
    ("(?<![^\\n])no(?<=\\nno)", False), ("(?s)(?<![^\\n])no", False),
])
def test_line_led_regexes_find_after_a_newline_what_they_find_anywhere(source, led):
    """A regex that can only start at a turn's start finds, in any text (Mandarin, English,
    mixed), the same as the regex led by a newline in the text with a newline in front."""
    assert line_led(source) == led
    import random

    rng = random.Random(11)
    regex = re.compile(source)
    try:
        at_line = re.compile(f"\\n(?:{source})")
    except re.error:  # a global flag ((?s)…) must stay first: it cannot be led by a newline
        assert not led
        return
    differs = 0
    for _ in range(400):
        text = "".join(rng.choice(_LINE_WORDS) + rng.choice([" ", "\n", "", ""]) for _ in range(rng.randrange(1, 8)))
        for pos in (0, 1, 3):
            same = _starts(regex, text, pos) == _starts(at_line, "\n" + text, pos)
            assert same or not led, (source, text, pos)
            differs += not same
    if source.endswith("(?<=\\nno)"):
        assert differs  # the reason it is not taken as led by a turn's start


@pytest.mark.parametrize("text", [
    "您好\n姓名是张三\n好的您刚才说过了", "请问\n您说过什么\n姓名叫李四吗", "so you said no\nok so not\nyou said no",
    "no way\n\n姓名是\nok so x", "", "\n\n姓名叫",
])
def test_a_phrase_list_with_turn_start_regexes_finds_what_one_regex_finds(text):
    """Regexes searched from each newline (turn-start-led), from each word start and at every
    character, in one phrase list: the first hit from any position is the combined regex's."""
    matcher = compile_phrases(["re:(?<![^\\n])姓名(?:是|叫)", "re:(?<![^\\n])(?:好的)?您(?!好)[^\\n]{0,6}?说过",
                               "re:(?:(?<![^\\n])(?:\\S+ ){0,2}?|\\bok )so (?:not|you)", "re:\\bsaid no", "说过了"],
                              {}, fuzzy=False)
    whole = matcher.regex
    for pos in range(len(text) + 1):
        hit = matcher.first(text, pos, padded_english(text))
        m = whole.search(text, pos)
        assert (hit is None) == (m is None), (text, pos)
        if m is not None:
            assert (hit.start, hit.end) == (m.start(), m.end()), (text, pos)


@pytest.mark.parametrize("text, found", [
    ("The mobile on the account is 07700 900 562.", True),
    ("The account holder's mobile is 07700 900 562.", True),
    # a business's or a worker's number is no caller's data
    ("The depot's mobile number is 07700 900 871.", False),
    ("The engineer's direct number is 07700 900 334, he's happy for you to text.", False),
])
def test_personal_data_detector(text, found):
    assert (personal_data(*first_turn(text)) is not None) == found


def test_phrases_sharing_their_leads_are_found_where_every_phrase_written_out_finds_them():
    """The regexes searched for where a hit starts write the phrases led by the same synonym
    list once, ``(?:entries)(?:rest|rest|…)``, and a rest's lists as tries: the first hit from
    every position starts where the combined regex of every alternative written out finds one,
    and names the phrase whose own regex matches there, ending where that match ends."""
    synonyms = {"ident": ["account", "account number", "postcode", "post code", "name", "full name", "date of birth"],
                "ask": ["can you confirm", "could you give me", "may i have", "can you"]}
    phrases = ["{ident} please", "{ident} you provided", "{ident} please confirm", "^{ident}$",
               "{ask}...{ident}", "the {ident} on it is", "is that the {ident}", "thank you"]
    m = compile_phrases(phrases, synonyms)
    written_out = len(m._all_leading().pattern)  # every alternative (finditer's regex)
    assert len(m._words[0].pattern) < written_out * 0.6  # the mechanism is exercised
    texts = ["account number please confirm", "can you confirm your full name please", "postcode you provided",
             "the account number on it is wrong", "is that the post code\nname", "thank you the name please",
             "my account numbers please", "full name", "may i have the date of birth please thank you", ""]
    for text in map(normalize, texts):
        for pos in range(len(text) + 1):
            every = m.regex.search(text, pos)
            for padded in (None, padded_english(text)):
                hit = m.first(text, pos, padded)
                assert (hit and hit.start) == (every and every.start()), (text, pos)
                if hit is not None:
                    own = next(re.compile(s).match(text, hit.start) for p, s in zip(m.phrases, m._per_phrase_source)
                               if p == hit.phrase)
                    assert own is not None and own.end() == hit.end, (text, pos, hit)


def test_finditer_runs_only_the_regexes_a_text_can_match_and_finds_what_running_all_finds():
    """finditer runs a regex searched on its own only where the text holds its start, needs and
    anchors (the others cannot match): its hits are those of every regex run over the text."""
    phrases = ["re:\\bi (?:will|am going to) (?:call|ring) you", "re:(?:\\S+ ){0,2}number is \\d+", "re:(?<![^\\n])no\\b",
               "{ident} please", "thank you", "re:[\\u4e00-\\u9fff]{1,3}证号", "说不过去"]
    m = compile_phrases(phrases, {"ident": ["name", "postcode"]})
    texts = ["i will call you back\nno thanks\nthe number is 42 and name please", "thank you", "您的读者证号说不过去",
             "no\nno\ni am going to ring you", ""]
    for text in map(normalize, texts):
        every = [m._all_leading()] + m._slow  # every regex, each run over the whole text
        want = sorted((x for rx in every for x in rx.finditer(text)), key=lambda x: x.start())
        assert [(h.start, h.end) for h in m.finditer(text)] == [(x.start(), x.end()) for x in want], text
        assert len(m._alone.possible(text)) < len(m._alone) or not text  # some are skipped
