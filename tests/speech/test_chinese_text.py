"""Mandarin transcript text: Simplified characters, full-width punctuation, numbers as digits."""
from __future__ import annotations

import pytest

from qa_pipeline.speech.chinese_text import chinese_words, full_width_punctuation, numbers_as_digits, simplify


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
