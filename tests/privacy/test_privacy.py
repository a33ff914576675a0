"""Redaction of card / ID numbers, codes, e-mails and phones, in both languages, and bleeping."""
from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
from shared_data import audio_file, shared_file, shared_files

from qa_pipeline.errors import QaError
from qa_pipeline.privacy.redaction import (
    REDACTED_CARD_RE,
    REDACTED_RE,
    bleep,
    redact_call,
    redact_text,
    redacted_audio_spans,
    sensitive_kinds,
)
from qa_pipeline.privacy.sensitive import cn_id_valid, luhn_valid
from qa_pipeline.records import Call, CallInfo, Turn, Word
from qa_pipeline.store import database as store

# (language, text, expected redacted text)
REDACTED = [
    # bank cards: digits, spaces, dashes, Chinese number words, 幺, mixed, fillers, no context
    ("zh", "我的卡号是6222021234567890128", "我的卡号是[CARD ****0128]"),
    ("zh", "卡号是6222 0212 3456 7890 128", "卡号是[CARD ****0128]"),
    ("zh", "卡号 6222-0212-3456-7890-128 对吧", "卡号 [CARD ****0128] 对吧"),
    ("zh", "卡号是六二二二零二一二三四五六七八九零一二八", "卡号是[CARD ****0128]"),
    ("zh", "卡号六二二二，嗯，零二幺二，三四五六，七八九零，幺二八", "卡号[CARD ****0128]"),
    ("zh", "是6222 零二一二 3456 七八九零 128吗", "是[CARD ****0128]吗"),
    ("zh", "4532015112830366", "[CARD ****0366]"),
    ("en", "my card number is 4532 0151 1283 0366", "my card number is [CARD ****0366]"),
    ("en", "four five three two zero one five one one two eight three zero three six six",
     "[CARD ****0366]"),
    ("en", "it's 4532-0151-1283-0366, right", "it's [CARD ****0366], right"),
    # Chinese resident ID numbers, with X check character, in words
    ("zh", "身份证号11010519491231002X", "身份证号[身份证号]"),
    ("zh", "身份证号是一一零一零五一九四九一二三一零零二叉", "身份证号是[身份证号]"),
    ("zh", "证件号 110105 19491231 002X 没错", "证件号 [身份证号] 没错"),
    ("zh", "号码是110105194912310021", "号码是[身份证号]"),  # checksum off, still ID-shaped
    ("en", "my ID number is 11010519491231002X", "my ID number is [ID]"),
    # one-time codes, PINs, passwords
    ("zh", "验证码是123456，请在5分钟内输入", "验证码是[CODE]，请在5分钟内输入"),
    ("zh", "您的密码是八八六六二二吗", "您的密码是[CODE]吗"),
    ("zh", "动态码 4 8 2 9", "动态码 [CODE]"),
    ("zh", "登录密码是abc12345", "登录密码是[CODE]"),
    ("en", "The verification code is 482913.", "The verification code is [CODE]."),
    ("en", "and the PIN is, um, 8 2 6 1.", "and the PIN is, um, [CODE]."),
    ("en", "my password is Tiger77 ok", "my password is [CODE] ok"),
    ("en", "the CVV is 123", "the CVV is [CODE]"),
    # e-mail addresses, written and spoken
    ("zh", "邮箱是zhangsan@163.com", "邮箱是[EMAIL]"),
    ("zh", "邮箱123456789艾特qq点com", "邮箱[EMAIL]"),
    ("en", "email john.smith@example.com or john dot smith at gmail dot com", "email [EMAIL] or [EMAIL]"),
    # phone numbers, masked to the last four digits
    ("zh", "手机号13812345678", "手机号[PHONE ****5678]"),
    ("zh", "手机号幺三八 一二三四 五六七八", "手机号[PHONE ****5678]"),
    ("zh", "+86 138 1234 5678", "[PHONE ****5678]"),
    ("zh", "座机010-12345678", "座机[PHONE ****5678]"),
    ("en", "call me at 555-0123 or (212) 555-0199", "call me at [PHONE ****0123] or [PHONE ****0199]"),
    # two numbers in one breath
    ("zh", "卡号是6222021234567890128，手机13812345678", "卡号是[CARD ****0128]，手机[PHONE ****5678]"),
    ("zh", "6222021234567890128 13812345678", "[CARD ****0128] [PHONE ****5678]"),
    ("zh", "热线400 820 5789，我手机13812345678", "热线400 820 5789，我手机[PHONE ****5678]"),
    ("zh", "400 820 5789 13812345678", "400 820 5789 [PHONE ****5678]"),
]

KEPT = [
    ("zh", "订单号2024051200001234567已经发货"),
    ("zh", "一共59元，明天下午3点到，2024年5月3日，10:30"),
    ("zh", "您尾号是1234的卡，对吗"),
    ("zh", "金额是1,299.00元"),
    ("zh", "请报一下您的验证码"),
    ("zh", "密码错误三次，请您一一核对一下"),
    ("zh", "客户编号12345678"),
    ("zh", "请拨打全国客服热线4008205789"),
    ("zh", "请拨打400-820-5789"),
    ("zh", "订单号 2024 0512 0000 1234 567"),
    ("zh", "邮编100080"),
    ("en", "the order number 4532015112830366 shipped"),
    ("en", "it costs $1,299.00 on 2024-05-03 at 10:30 and ends in 0366"),
    ("en", "card ending in 0366"),
    ("en", "oh one moment, I have 2 cards"),
    ("en", "postal code 100080, room 1203"),
    ("en", "I was born in nineteen eighty four"),
    ("en", "my password is wrong"),
]


@pytest.fixture(autouse=True)
def redaction_on(monkeypatch):
    monkeypatch.delenv("QA_REDACTION", raising=False)


def test_check_digit_helpers():
    assert luhn_valid("4532015112830366") and not luhn_valid("4532015112830367")
    assert cn_id_valid("11010519491231002X") and not cn_id_valid("110105194912310021")


@pytest.mark.parametrize("language,text,expected", REDACTED)
def test_redacts(language, text, expected):
    result = redact_text(text, language)
    assert result.text == expected
    assert result.spans and all(0 <= s < e <= len(text) for s, e, _ in result.spans)
    assert redact_text(result.text, language).text == expected  # idempotent


@pytest.mark.parametrize("language,text", KEPT)
def test_keeps_ordinary_numbers(language, text):
    assert redact_text(text, language) == redact_text(text, language).__class__(text, ())


def test_spans_are_input_positions():
    text = "卡号是6222 0212 3456 7890 128，谢谢"
    (span,) = redact_text(text, "zh").spans
    assert text[span.start:span.end] == "6222 0212 3456 7890 128" and span.kind == "card"


def test_sensitive_kinds_for_e1():
    assert sensitive_kinds("卡号是[CARD ****0128]") == {"card"}
    assert sensitive_kinds("卡号是6222021234567890128") == {"card"}  # redaction off: still seen
    assert sensitive_kinds("[身份证号] and [ID] and [CODE]") == {"id", "code"}
    assert sensitive_kinds("[PHONE ****5678] [EMAIL]") == {"phone", "email"}
    assert sensitive_kinds("您尾号是1234的卡") == set()
    assert REDACTED_CARD_RE.search("x [CARD ****0128] y")


@pytest.mark.shared_data("qa-examples", "*.json")
def test_e1_still_detectable_after_redaction_on_labelled_calls():
    """A QA specialist's E1 labels: the agent reading a full card / ID / code fails E1.
    After redaction the placeholders alone must give the same answer on every example."""
    for path in shared_files("qa-examples", "*.json"):
        call = json.loads(path.read_text(encoding="utf-8"))
        agent_kinds = set()
        for turn in call["turns"]:
            redacted = redact_text(turn["text"], call["language"]).text
            if turn["speaker"] == "agent":
                agent_kinds |= sensitive_kinds(redacted, call["language"]) & {"card", "id", "code"}
        expected = call["labels"]["E1"]
        assert ("fail" if agent_kinds else "pass") == expected, (call["call_id"], agent_kinds)


@pytest.mark.parametrize("name,language", [
    ("stc3_customer_helpdesk_zh.sample150.json", "zh"), ("stc3_customer_helpdesk_en.sample150.json", "en")])
def test_no_card_id_or_code_invented_in_real_dialogues(name, language):
    """150 real helpdesk dialogues hold phone numbers and e-mails but no card, ID or code."""
    path = shared_file("data", "text", name)

    dialogues = json.loads(path.read_text(encoding="utf-8"))
    texts = [u for d in dialogues for turn in d["turns"] for u in turn["utterances"]]
    assert len(texts) > 500

    kinds: dict[str, int] = {}
    for text in texts:
        for s in redact_text(text, language).spans:
            kinds[s.kind] = kinds.get(s.kind, 0) + 1
    assert set(kinds) <= {"phone", "email"} and kinds.get("phone", 0) >= 8


def _call(turns, language="zh"):
    return Call(info=CallInfo(call_id="c1", agent_id="A1", team="T1"), language=language, turns=tuple(turns))


def _words(pieces, start=10.0, step=0.5):
    return tuple(Word(start + i * step, start + (i + 1) * step, p, 0.9, "agent") for i, p in enumerate(pieces))


def test_redact_call_across_asr_words_keeps_times():
    words = _words(["好的", "卡号", "是", "6222", " 0212", " 3456", " 7890", " 128", "，", "对吗"])
    text = "".join(w.text for w in words)
    call = redact_call(_call([Turn("agent", 10.0, 15.0, text, words)]))
    assert call.redacted
    turn = call.turns[0]
    assert turn.text == "好的卡号是[CARD ****0128]，对吗"
    assert [w.text for w in turn.words] == ["好的", "卡号", "是", "[CARD ****0128]", "，", "对吗"]
    merged = turn.words[3]
    assert (merged.start, merged.end) == (11.5, 14.0)
    assert redacted_audio_spans(call) == [(11.45, 14.05)]


def test_redact_call_english_words_without_spaces_and_chinese_word_digits():
    en = _words(["my", "pin", "is", "four", "three", "two", "one", "thanks"], start=0.0)
    zh = _words(["手机", "幺三八", "一二三四", "五六", "七八", "好"], start=5.0)
    call = redact_call(_call([Turn("customer", 0.0, 4.0, " ".join(w.text for w in en), en),
                              Turn("agent", 5.0, 8.0, "".join(w.text for w in zh), zh)], language="en"))
    assert [w.text for w in call.turns[0].words] == ["my", "pin", "is", "[CODE]", "thanks"]
    assert call.turns[0].text == "my pin is [CODE] thanks"
    assert [w.text for w in call.turns[1].words] == ["手机", "[PHONE ****5678]", "好"]
    assert redacted_audio_spans(call, pad=0) == [(1.5, 3.5), (5.5, 7.5)]


def test_turn_without_word_times_is_bleeped_whole():
    call = redact_call(_call([Turn("agent", 3.0, 6.0, "验证码是123456")]))
    assert call.turns[0].text == "验证码是[CODE]"
    assert redacted_audio_spans(call, pad=0) == [(3.0, 6.0)]


def test_nothing_sensitive_reaches_the_database():
    card, phone = "6222021234567890128", "13812345678"
    words = _words(["卡号", card[:4], card[4:10], card[10:], "手机", phone])
    call = redact_call(_call([Turn("customer", 10.0, 13.0, "".join(w.text for w in words), words)]))
    con = store.connect(":memory:")
    store.save_call(con, call)
    stored = " ".join(str(v) for table in ("call_store", "turn_store", "word_store")
                      for row in con.execute(f"SELECT * FROM {table}").fetchall() for v in row)
    assert card not in stored and card[:10] not in stored and phone not in stored and "5678" in stored
    assert next(store.load_calls(con)).redacted


def test_turning_redaction_off_is_explicit(monkeypatch):
    call = _call([Turn("agent", 0.0, 1.0, "卡号6222021234567890128")])
    monkeypatch.setenv("QA_REDACTION", "off")
    assert redact_call(call) is call and not call.redacted
    monkeypatch.setenv("QA_REDACTION", "maybe")
    with pytest.raises(QaError, match="QA_REDACTION"):
        redact_call(call)
    monkeypatch.setenv("QA_REDACTION", "on")
    assert redact_call(call).turns[0].text == "卡号[CARD ****0128]"


def _peak_hz(x, sr):
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.fft.rfftfreq(len(x), 1 / sr)[int(np.argmax(spectrum))]


def test_bleep_real_recording():
    path = audio_file("aishell_BAC009S0724W0121.wav")
    samples, sr = sf.read(path, dtype="float32")
    out = bleep(samples, sr, [(1.0, 2.0)])
    assert out.shape == samples.shape and out.dtype == samples.dtype
    assert abs(_peak_hz(out[int(1.1 * sr):int(1.9 * sr)], sr) - 1000) < 5
    assert np.array_equal(out[:sr], samples[:sr]) and np.array_equal(out[2 * sr + 1:], samples[2 * sr + 1:])
    assert not np.array_equal(samples[int(1.1 * sr):int(1.9 * sr)], out[int(1.1 * sr):int(1.9 * sr)])


def test_bleep_int16_stereo_and_out_of_range_spans():
    sr = 8000
    stereo = np.random.default_rng(0).integers(-3000, 3000, size=(sr * 2, 2), dtype=np.int16)
    out = bleep(stereo, sr, [(0.5, 1.0), (1.9, 5.0), (3.0, 4.0)])
    assert out.dtype == np.int16 and out.shape == stereo.shape
    for ch in range(2):
        assert abs(_peak_hz(out[int(0.5 * sr):sr, ch].astype(float), sr) - 1000) < 10
    assert np.array_equal(out[:int(0.5 * sr)], stereo[:int(0.5 * sr)])
    assert np.abs(out[int(1.9 * sr):]).max() <= int(0.25 * 32767)
    assert np.array_equal(bleep(stereo, sr, []), stereo)


@pytest.mark.parametrize("agent_says", [
    "好的，跟您核对一下卡号6222 0212 3456 7890 128，对吗？",
    "好的，身份证号是11010519491231002X，对吗？",
    "您的验证码是四八二九一三",
])
def test_e1_fails_on_a_redacted_call_when_the_agent_read_the_number(agent_says):
    """End to end: redact, then score with the standard rubric; E1 must still fail."""
    pipeline = pytest.importorskip("qa_pipeline.pipeline")
    call = _call([Turn("agent", 0.0, 3.0, "您好，这里是招商银行客服，我是工号1021的王晓，请问有什么可以帮您？"),
                  Turn("customer", 3.0, 6.0, "我想查一下我的卡"),
                  Turn("agent", 6.0, 10.0, agent_says)])
    redacted = redact_call(call)
    assert redacted.turns[2].text != agent_says
    (result,) = pipeline.score(redacted)
    e1 = next(f for f in result.findings if f.check_id == "E1")
    assert e1.outcome == "fail"
    assert e1.evidence is None or not any(ch.isdigit() for ch in REDACTED_RE.sub("", e1.evidence.text))


def test_metadata_values_are_redacted_with_their_key_as_context():
    info = CallInfo("m1", metadata={"CallerID": "999-126-7459", "caller": 13812345678, "queue": "after-sales",
                                    "ring_seconds": 8.0, "note": "客户卡号6222021234567890128",
                                    "order_no": "2024051200001234567", "contacts": ["a.b@example.com", "x"]})
    call = redact_call(Call(info, "zh", (Turn("agent", 0.0, 1.0, "您好"),)))
    assert call.info.metadata == {"CallerID": "[PHONE ****7459]", "caller": "[PHONE ****5678]",
                                  "queue": "after-sales", "ring_seconds": 8.0, "note": "客户卡号[CARD ****0128]",
                                  "order_no": "2024051200001234567", "contacts": ["[EMAIL]", "x"]}
    assert call.info.ring_seconds == 8.0


def test_exports_hold_no_redacted_value(tmp_path, monkeypatch):
    """`qa import` then `qa export` in every format: the card, ID, code, phone and e-mail are gone."""
    from click.testing import CliRunner

    from qa_pipeline.cli.main import cli

    secrets = ["6222021234567890128", "11010519491231002X", "482913", "13812345678", "li.na@example.com"]
    transcript = {
        "call_id": "exp1", "language": "zh", "agent_id": "A1", "team": "T1",
        "metadata": {"caller": "13812345678"},
        "turns": [
            {"speaker": "customer", "start": 0.0, "end": 4.0, "text": f"卡号{secrets[0]}，身份证号{secrets[1]}"},
            {"speaker": "agent", "start": 4.0, "end": 8.0, "text": f"验证码是{secrets[2]}，手机{secrets[3]}，邮箱{secrets[4]}"},
        ],
    }
    src = tmp_path / "t.json"
    src.write_text(json.dumps(transcript, ensure_ascii=False), encoding="utf-8")
    db = str(tmp_path / "qa.duckdb")
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(src), "--db", db, "--no-score"])
    assert result.exit_code == 0, result.output
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / fmt
        result = runner.invoke(cli, ["export", "--db", db, "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        if fmt == "parquet":  # compressed: compare the decoded tables
            import polars as pl

            blob = "".join(str(pl.read_parquet(p).to_dicts()) for p in out.iterdir()).encode()
        else:
            blob = b"".join(p.read_bytes() for p in out.iterdir())
        assert b"CARD ****0128" in blob
        for secret in secrets:
            assert secret.encode() not in blob, (fmt, secret)


@pytest.mark.slow
def test_spoken_card_number_redacted_from_real_asr_words_and_bleeped(tmp_path, transcriber):
    """espeak-ng reads a card and a phone number; the speech model's words are redacted, and
    after bleeping the same model no longer hears any digits."""
    import shutil
    import subprocess

    from qa_pipeline.speakers.turns import join_words
    from qa_pipeline.speech.audio import decode

    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed")
    wav = tmp_path / "card.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav),
                    "Hello, my card number is 4532 0151 1283 0366, and my phone is 212 555 0199. Thank you."],
                   check=True, capture_output=True)
    audio = decode(wav)
    samples = audio.channels[0]
    heard = transcriber.transcribe(samples, language="en", speaker="customer").words
    text = join_words(w.text for w in heard)
    assert sum(ch.isdigit() for ch in text) >= 15  # the model did hear the numbers
    call = redact_call(_call([Turn("customer", 0.0, audio.duration, text, heard)], language="en"))
    for shown in [call.turns[0].text] + [w.text for w in call.turns[0].words]:
        assert not any(ch.isdigit() for ch in REDACTED_RE.sub("", shown)), shown
    assert {"card", "phone"} <= sensitive_kinds(call.turns[0].text)
    spans = redacted_audio_spans(call)
    assert len(spans) == 2 and spans[0][0] > 1.0 and spans[1][1] < audio.duration
    again = transcriber.transcribe(bleep(samples, audio.sample_rate, spans), language="en").words
    assert sum(ch.isdigit() for ch in join_words(w.text for w in again)) <= 2


@pytest.mark.parametrize("name,text", [
    ("one long word", "a" * 100_000),
    ("long digit string", "1" * 100_000),
    ("digits with spaces", " ".join(str(i % 10) for i in range(20_000))),
    ("many @", "a@b." * 25_000),
    ("repeated keyword", "password" * 12_500),
    ("spoken e-mail fragments", "x at y dot " * 9_000),
    ("Chinese digits", "六二二二" * 25_000),
])
def test_hostile_long_text_is_redacted_in_linear_time(name, text):
    """100,000 characters (the longest turn an import accepts) in well under a second or two;
    before bounding the searches some of these took minutes. CPU time, not wall time: on a
    loaded machine the wall time of a 2-second search passed 5 seconds."""
    import time

    started = time.process_time()
    redact_text(text, "zh")
    assert time.process_time() - started < 5.0, name
