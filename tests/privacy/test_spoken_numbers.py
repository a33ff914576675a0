"""Numbers said in words, as ASR writes code-switched calls: English digit words right after a
Chinese character ("是five five five"), Chinese and English digits in one number, "double five",
"triple seven", 幺 / 一 / 两, spaces and hyphens. Each is read whatever script stands beside it;
counts, durations and words that only hold a numeral stay as said."""
from __future__ import annotations

import pytest

from qa_pipeline.privacy.redaction import redact_text, sensitive_kinds
from qa_pipeline.privacy.sensitive import write_spoken_digits


@pytest.fixture(autouse=True)
def redaction_on(monkeypatch):
    monkeypatch.delenv("QA_REDACTION", raising=False)


# (text, expected redacted text)
SAID = [
    # English digit words glued to the Chinese before and after them
    ("我的手机号是five five five one two three four five six seven eight", "我的手机号是[PHONE ****5678]"),
    ("是one three eight一二三四五六七八", "是[PHONE ****5678]"),
    ("电话是five five five，oh one four two", "电话是[PHONE ****0142]"),
    ("我电话five-five-five-oh-one-four-two，谢谢", "我电话[PHONE ****0142]，谢谢"),
    ("是plus four four seven seven zero zero nine zero zero four two zero", "是[PHONE ****0420]"),
    # Chinese and English digits mixed in one number, with double / triple
    ("我的电话是幺三八 double two triple seven 六六五", "我的电话是[PHONE ****7665]"),
    ("手机是138 one two three four 5678吗", "手机是[PHONE ****5678]吗"),
    ("号码是幺三八double 5五六七八九零", "号码是[PHONE ****7890]"),
    ("卡号是four five three two, zero one five one, one two eight three, zero three six six",
     "卡号是[CARD ****0366]"),
    ("卡号是六二二二 zero two one two 三四五六 seven eight nine zero 幺二八", "卡号是[CARD ****0128]"),
    ("卡号6222-zero two one two-三四五六-7890-幺二八", "卡号[CARD ****0128]"),
    # 幺, 一 and 两 as digits
    ("手机号幺三八两两三四五六七八", "手机号[PHONE ****5678]"),
    ("手机号一三八 一二三四 五六七八", "手机号[PHONE ****5678]"),
    # codes
    ("验证码是four eight two nine one three", "验证码是[CODE]"),
    ("您的密码是double eight six six two two吗", "您的密码是[CODE]吗"),
    # English sentences keep working
    ("my number is five five five, double oh one two", "my number is [PHONE ****0012]"),
    ("call me on triple five oh one four two", "call me on [PHONE ****0142]"),
    # groups said as numbers: teens, tens and hundreds ("five five five, twelve hundred")
    ("my number is five five five, twelve hundred", "my number is [PHONE ****1200]"),
    ("call me on two one two, five five five, nineteen eighty", "call me on [PHONE ****1980]"),
    ("the card is fifty-two nineteen, double six forty, seventy-three oh eight, thirty-one fourteen",
     "the card is [CARD ****3114]"),
    # e-mails right before Chinese, or spoken after it
    ("邮箱是zhangsan@163.com谢谢", "邮箱是[EMAIL]谢谢"),
    ("邮箱是john dot smith at gmail dot com", "邮箱是[EMAIL]"),
]


@pytest.mark.parametrize("text, expected", SAID)
def test_numbers_said_in_words_are_redacted_whatever_script_is_beside_them(text, expected):
    for language in ("zh", "en"):
        assert redact_text(text, language).text == expected


ORDINARY = [
    "five minutes", "请等five分钟", "大概two three天", "我有two张卡", "一两天", "一两个问题", "三个工作日",
    "三五天之内", "double check一下", "triple A级别", "one or two things", "iPhone one两个", "是five star的",
    "第一二三条", "等了five five分钟", "是O型血", "Oh, 我知道了", "那个one", "two three four",
    "the code expires at ten fifteen", "born in nineteen eighty-four", "open nine till five thirty, twelve to one",
    "valid for twenty minutes", "about twelve hundred pounds",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_counts_durations_and_words_stay_as_said(text):
    for language in ("zh", "en"):
        assert redact_text(text, language).text == text
    assert sensitive_kinds(text) == set()


@pytest.mark.parametrize("text, written", [
    ("是five five five, oh one four two", "是5 5 5, 0 1 4 2"),
    ("eight一二三", "8一二三"),
    ("double seven, triple 5", "77, 555"),
    ("Oh, I see, five of them", "Oh, I see, 5 of them"),
    ("someone phoned at noon", "someone phoned at noon"),
    ("a lone o here", "a lone o here"),
    ("卡号六二二二", "卡号六二二二"),
    ("five five five, twelve hundred", "5 5 5, 1200"),
    ("forty-one twelve, ninety oh six", "41 12, 90 0 6"),
])
def test_write_spoken_digits(text, written):
    assert write_spoken_digits(text) == written


@pytest.mark.parametrize("text", ["ſeven two", "double ſix one", "ſixty-ſeven", "Kelvin: Kelvin-sign Kseven"])
def test_letters_that_fold_to_ascii_do_not_break_the_reading(text):
    # Case-insensitive matching reads the long s (ſ) as "s" and the Kelvin sign as "k": the word's
    # digits are looked up by its case fold, so a transcript holding one is read, not a crash.
    out = write_spoken_digits(text)
    assert isinstance(out, str)
    assert redact_text(text, "en").text == text  # no number of a card's length here: nothing hidden
