"""Mandarin transcript text: Simplified characters, full-width punctuation, numbers as digits."""
from __future__ import annotations

import pytest

from qa_pipeline.errors import InputError
from qa_pipeline.records import CallInfo, Word
from qa_pipeline.speech.chinese_text import (
    chinese_words,
    full_width_punctuation,
    numbers_as_digits,
    simplify,
    words_with_digits,
)
from qa_pipeline.speech.vocabulary import read_vocabulary


@pytest.mark.parametrize(("text", "expected"), [
    ("您好,请问有什么可以帮您?", "您好，请问有什么可以帮您？"),
    ("好的. 谢谢!", "好的。谢谢！"),
    ("注意:请在三天内还款;逾期加收费用.", "注意：请在三天内还款；逾期加收费用。"),
    ("金额是3.5万,对吗?", "金额是3.5万，对吗？"),  # a decimal point stays
    ("1,000元", "1,000元"),  # so does a thousands separator
    ("我用Visa, 对.", "我用Visa，对。"),
    ("Hello, world.", "Hello, world."),  # English text is left alone
])
def test_full_width_punctuation(text, expected):
    assert full_width_punctuation(text) == expected


@pytest.mark.parametrize(("word", "expected"), [
    (" 廣州市", " 广州市"),
    (" 分析,", " 分析，"),
    (",", "，"),  # punctuation sent as its own word, after a Chinese one
    ("?", "？"),
    (" OK.", " OK."),  # an English word inside a Mandarin call keeps its own
])
def test_chinese_words_one_recognised_word_at_a_time(word, expected):
    assert chinese_words(word) == expected


def test_simplify_leaves_non_chinese_text_alone():
    assert simplify("協會") == "协会"
    assert simplify("Hello.") == "Hello."


@pytest.mark.parametrize(("text", "expected"), [
    ("卡号是六二二八四八零零一二三", "卡号是62284800123"),  # read digit by digit
    ("手机号幺三八零零", "手机号13800"),
    ("一共三千五百元", "一共3500元"),
    ("年利率百分之五十", "年利率50%"),
    ("十五号之前", "15号之前"),
    ("二零二四年", "2024年"),
    # a lone numeral is a word, not a number
    ("我查一下", "我查一下"), ("一些问题", "一些问题"), ("一个月", "一个月"), ("两个人", "两个人"),
    ("稍等一点点", "稍等一点点"), ("万一不行", "万一不行"),
])
def test_numbers_as_digits(text, expected):
    assert numbers_as_digits(text) == expected


def test_words_with_digits_joins_a_number_read_over_several_words():
    words = [Word(0.0, 0.4, "卡号是", 0.9, "customer"), Word(0.4, 0.8, "六二", 0.8, "customer"),
             Word(0.8, 1.2, "二八", 0.7, "customer"), Word(1.2, 1.5, "。", 0.9, "customer"),
             Word(1.5, 1.8, "我查一下", 0.9, "agent"), Word(1.8, 2.4, "三千五百元", 0.9, "agent")]
    assert words_with_digits(words) == [
        Word(0.0, 0.4, "卡号是", 0.9, "customer"), Word(0.4, 1.2, "6228", 0.7, "customer"),
        Word(1.2, 1.5, "。", 0.9, "customer"), Word(1.5, 1.8, "我查一下", 0.9, "agent"),
        Word(1.8, 2.4, "3500元", 0.9, "agent"),
    ]


def test_a_vocabulary_file_sets_the_number_style(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text("queues:\n  cn:\n    numbers: digits\n", encoding="utf-8")
    book = read_vocabulary(path)
    assert book.for_call(CallInfo("a", metadata={"queue": "cn"})).numbers == "digits"
    assert book.for_call(CallInfo("b")).numbers is None
    path.write_text("numbers: arabic\n", encoding="utf-8")
    with pytest.raises(InputError, match="numbers must be one of spoken, digits, got 'arabic'"):
        read_vocabulary(path)
