"""Turns from word times."""
from qa_pipeline.records import Word
from qa_pipeline.speakers.turns import build_turns, join_words


def w(start, end, text, speaker):
    return Word(start, end, text, 1.0, speaker)


def test_turn_ends_when_the_other_speaker_starts_in_the_gap():
    turns = build_turns([w(0, .5, "Hello", "agent"), w(.6, 1, "there", "agent"), w(1.2, 1.5, "hi", "customer"),
                         w(1.6, 2, "yes", "agent")])
    assert [(t.speaker, t.text) for t in turns] == [("agent", "Hello there"), ("customer", "hi"), ("agent", "yes")]


def test_turn_ends_at_a_pause_over_a_second():
    turns = build_turns([w(0, .5, "one", "agent"), w(1.8, 2.2, "two", "agent")])
    assert [t.text for t in turns] == ["one", "two"]


def test_overlapping_speech_keeps_both_turns_whole():
    agent = [w(0, .3, "He", "agent"), w(.35, .6, "began", "agent"), w(.65, 1.1, "a", "agent"), w(1.2, 1.6, "complaint", "agent")]
    customer = [w(0, .4, "The", "customer"), w(.45, .8, "horizon", "customer"), w(.9, 1.3, "seems", "customer")]
    turns = build_turns(agent + customer)
    assert sorted((t.speaker, t.text) for t in turns) == [("agent", "He began a complaint"), ("customer", "The horizon seems")]


def test_join_words_mixes_chinese_and_english():
    assert join_words(["您好", "，", "请", "提供", "iPhone", "15", "的", "订单"]) == "您好，请提供iPhone 15的订单"
    assert join_words(["Hello", ",", "how", "are", "you", "?"]) == "Hello, how are you?"
