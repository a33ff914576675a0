"""Rendered speech for tests, through the demo's voices (:mod:`qa_pipeline.demo.voices`): Piper's
neural voice (en_US-joe-medium), shifted in pitch and passed through a telephone line with sox;
espeak-ng when Piper or its voice is missing. A test skips when neither is there.

    line = render_line("Hello, thank you for calling.", pitch_cents=-400)  # 16 kHz float32
    call = stereo_call([("agent", "Hello ..."), ("customer", "I need ...")], customer_pitch=-400)

Every rendering is cached on disk per process (they take a second or two each on a CPU).
"""
from __future__ import annotations

import hashlib
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qa_pipeline.demo import voices as demo_voices
from qa_pipeline.errors import QaError

RATE = 16000
_CACHE = Path(tempfile.gettempdir()) / "qa-test-voices"


# A card-declined call, five turns a side (tests/speech/test_narrowband.py, test_activity.py).
CARD_CALL = [
    ("agent", "Thank you for calling Northwind Bank, my name is Sarah. How can I help you today?"),
    ("customer", "Hi, I am calling because my credit card was declined at the supermarket this morning."),
    ("agent", "I am sorry to hear that. Can I have your full name, please?"),
    ("customer", "Sure, it is David Miller."),
    ("agent", "Thank you. I can see a temporary block on the card after an unusual payment abroad."),
    ("customer", "That was me, I bought plane tickets online from a travel agency in Spain last night."),
    ("agent", "Understood. I have removed the block, so the card will work again in a few minutes."),
    ("customer", "Great, thank you. Will this happen again when I travel next month?"),
    ("agent", "You can tell us your travel dates in the mobile app, and we will not block those payments."),
    ("customer", "Perfect, I will do that tonight. Thanks for your help, have a nice day."),
]


@dataclass(frozen=True)
class Utterance:
    speaker: str  # "agent" | "customer"
    text: str
    start: float  # seconds in the call
    end: float


def _voice() -> demo_voices.Voice:
    try:
        voice = demo_voices.load_voice()
        demo_voices.require_sox()
    except QaError as exc:
        pytest.skip(str(exc))
    return voice


def voice_name() -> str:
    """"piper" or "espeak" (the fallback), loading the voice on first use."""
    return "piper" if _voice().neural else "espeak"


def _read_wav(path: Path) -> np.ndarray:
    """A wav file as 16 kHz float32 (through the pipeline's own decoder)."""
    from qa_pipeline.speech.audio import decode

    return decode(path).channels[0]


def render_line(text: str, *, pitch_cents: int = 0, steep: bool = True, gain_db: float = 0.0) -> np.ndarray:
    """``text`` spoken, through a telephone line, as 16 kHz float32 samples."""
    _CACHE.mkdir(exist_ok=True)
    key = hashlib.sha1(f"{text}|{pitch_cents}|{steep}|{gain_db}|{voice_name()}".encode()).hexdigest()[:16]
    dst = _CACHE / f"{key}.wav"
    if not dst.exists():
        raw = _CACHE / f"{key}.raw.wav"
        voice = _voice()
        sf.write(raw, voice.speak(text, pitch_cents=pitch_cents), voice.rate, subtype="FLOAT")
        demo_voices.telephone_line(raw, dst, steep=steep, gain_db=gain_db)
        raw.unlink()
    return _read_wav(dst)


def stereo_call(script: Sequence[tuple[str, str]], *, agent_pitch: int = 0, customer_pitch: int = 0,
                agent_gain_db: float = 0.0, customer_gain_db: float = 0.0, steep: bool = True,
                gap: float = 0.8, noise_db: float = -70.0) -> tuple[np.ndarray, np.ndarray, list[Utterance]]:
    """A two-channel call (agent left, customer right) from ``script`` lines spoken in turn,
    ``gap`` seconds apart, with faint line noise on both channels. Returns (left, right,
    utterances with their times)."""
    pitch = {"agent": agent_pitch, "customer": customer_pitch}
    gain = {"agent": agent_gain_db, "customer": customer_gain_db}
    pieces, utterances, t = [], [], gap
    for speaker, text in script:
        samples = render_line(text, pitch_cents=pitch[speaker], steep=steep, gain_db=gain[speaker])
        pieces.append((speaker, int(t * RATE), samples))
        utterances.append(Utterance(speaker, text, t, t + len(samples) / RATE))
        t += len(samples) / RATE + gap
    total = int((t + gap) * RATE)
    rng = np.random.default_rng(7)
    channels = {s: rng.normal(0, 10 ** (noise_db / 20), total).astype(np.float32) for s in ("agent", "customer")}
    for speaker, at, samples in pieces:
        channels[speaker][at:at + len(samples)] += samples
    return channels["agent"], channels["customer"], utterances


def write_stereo(path: Path, left: np.ndarray, right: np.ndarray, *, rate: int = 8000) -> Path:
    """Writes a 16-bit stereo wav at ``rate`` (telephone calls are stored at 8 kHz)."""
    from scipy.signal import resample_poly

    pair = np.stack([resample_poly(ch, rate, RATE) for ch in (left, right)], axis=1)
    pcm = (np.clip(pair, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(2)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes(pcm.tobytes())
    return path
