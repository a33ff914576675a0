"""Decoding real recordings and the bad files a batch meets."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from shared_data import audio_file

from qa_pipeline.errors import InputError
from qa_pipeline.speech.audio import decode, is_dual_mono, is_silent


@pytest.mark.parametrize("name, channels, rate, seconds, dual", [
    ("jfk.flac", 2, 44100, 11.0, True),
    ("stereo_diarization.wav", 2, 16000, 5.0, False),
    ("commercial_mono_8k.wav", 1, 8000, 45.3, False),
    ("aishell_BAC009S0724W0121.wav", 1, 16000, 4.28, False),
])
def test_decode_real_recordings(name, channels, rate, seconds, dual):
    audio = decode(audio_file(name))
    assert audio.channel_count == channels
    assert audio.source_sample_rate == rate
    assert audio.sample_rate == 16000
    assert audio.duration == pytest.approx(seconds, abs=0.1)
    assert len(audio.sha256) == 64
    assert is_dual_mono(audio) is dual


def test_other_formats_decode(tmp_path):
    src, rate = sf.read(audio_file("stereo_diarization.wav"), dtype="float32")
    for fmt, ext in (("OGG", ".ogg"), ("FLAC", ".flac")):
        out = tmp_path / f"call{ext}"
        sf.write(out, src, rate, format=fmt)
        audio = decode(out)
        assert audio.channel_count == 2 and audio.duration == pytest.approx(5.0, abs=0.1)


def test_non_ascii_file_name(tmp_path):
    target = tmp_path / "客户来电 №1.wav"
    target.write_bytes(audio_file("aishell_BAC009S0724W0121.wav").read_bytes())
    assert decode(target).duration == pytest.approx(4.28, abs=0.05)


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"this is not audio, just text\n" * 20, "not a readable audio file"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 12, "audio"),
])
def test_bad_files_give_a_reason(tmp_path, content, reason):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(content)
    with pytest.raises(InputError) as err:
        decode(bad)
    assert str(bad) in str(err.value)
    assert reason in err.value.problem


def test_six_channel_audio_is_refused_with_a_fix(tmp_path):
    path = tmp_path / "surround.wav"
    sf.write(path, np.zeros((16000, 6), dtype=np.float32), 16000)
    with pytest.raises(InputError, match="6-channel"):
        decode(path)


def test_unsupported_sample_rate(tmp_path):
    path = tmp_path / "low.wav"
    sf.write(path, np.zeros(4000, dtype=np.float32), 4000)
    with pytest.raises(InputError, match="8–48 kHz"):
        decode(path)


def test_too_long_is_refused(tmp_path):
    path = tmp_path / "long.wav"
    sf.write(path, np.zeros(16000 * 30, dtype=np.float32), 16000)
    with pytest.raises(InputError, match="limit"):
        decode(path, max_seconds=10)


def test_silence_detected(tmp_path):
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(16000 * 3, dtype=np.float32), 16000)
    audio = decode(path)
    assert is_silent(audio.channels[0])
    assert not is_silent(decode(audio_file("jfk.flac")).channels[0])


def test_a_quiet_channel_is_not_silence():
    """A -40 dBFS sound for 1 s of a 60 s channel: the channel's mean level is below -55 dB,
    but it is not silent."""
    rng = np.random.default_rng(0)
    channel = rng.normal(0, 10 ** (-80 / 20), 16000 * 60).astype(np.float32)
    t = np.arange(16000) / 16000
    channel[16000:32000] += (10 ** (-40 / 20) * np.sqrt(2) * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    assert 20 * np.log10(np.sqrt(np.mean(channel.astype(np.float64) ** 2))) < -55
    assert not is_silent(channel)
    assert is_silent(channel[16000 * 10:])
