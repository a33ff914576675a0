"""What a telephone line carries besides speech, synthesised: hold music, ringback, DTMF,
IVR beeps, comfort noise and line hiss, each through the same 8 kHz 300–3400 Hz line as
the rendered voices (helpers/voices.py) and back to 16 kHz float32.

    music = line(hold_music(30.0))
    call = np.concatenate([line(ringback(12.0)), speech, line(dtmf("4471", gap=2.0))])

Levels are dBFS peaks of the tones (speech from voices.py peaks near -3 dBFS); every sound
sits on faint line noise so that a channel's noise floor is that of a real line.
"""
from __future__ import annotations

import numpy as np
from scipy.signal import butter, resample_poly, sosfiltfilt

RATE = 16000
LINE_RATE = 8000

DTMF_LOW = {"1": 697, "2": 697, "3": 697, "4": 770, "5": 770, "6": 770, "7": 852, "8": 852, "9": 852,
            "*": 941, "0": 941, "#": 941}
DTMF_HIGH = {"1": 1209, "2": 1336, "3": 1477, "4": 1209, "5": 1336, "6": 1477, "7": 1209, "8": 1336,
             "9": 1477, "*": 1209, "0": 1336, "#": 1477}


def _t(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * LINE_RATE)) / LINE_RATE


def _db(db: float) -> float:
    return 10 ** (db / 20)


def _cadence(seconds: float, pattern: tuple[float, ...]) -> np.ndarray:
    """On/off gate (0/1 per 8 kHz sample) from (on, off, on, off, ...) seconds, repeated,
    with 5 ms ramps as a tone generator makes them."""
    gate = np.zeros(int(seconds * LINE_RATE))
    pos, i = 0, 0
    while pos < len(gate):
        n = int(pattern[i % len(pattern)] * LINE_RATE)
        if i % 2 == 0:
            gate[pos:pos + n] = 1.0
        pos, i = pos + n, i + 1
    ramp = np.ones(int(0.005 * LINE_RATE)) / int(0.005 * LINE_RATE)
    return np.convolve(gate, ramp, mode="same")


def ringback(seconds: float, *, freqs: tuple[float, ...] = (450.0,),
             pattern: tuple[float, ...] = (1.0, 4.0), db: float = -12.0) -> np.ndarray:
    """Ringing tone heard by the caller: 450 Hz 1 s on 4 s off (China) by default; (440, 480)
    with (2, 4) for North America, (400, 450) with (0.4, 0.2, 0.4, 2.0) for the UK."""
    t = _t(seconds)
    tone = sum(np.sin(2 * np.pi * f * t) for f in freqs) / len(freqs)
    return (_db(db) * tone * _cadence(seconds, pattern)).astype(np.float32)


def dtmf(digits: str, *, on: float = 0.09, off: float = 0.08, gap: float = 1.5, db: float = -10.0,
         repeat: int = 1) -> np.ndarray:
    """Keypad tones for ``digits`` (each ``on`` s, ``off`` s apart), then ``gap`` s of quiet;
    ``repeat`` times (a customer keying an account number, menu choices)."""
    pieces = []
    for _ in range(repeat):
        for d in digits:
            t = _t(on)
            tone = 0.5 * (np.sin(2 * np.pi * DTMF_LOW[d] * t) + np.sin(2 * np.pi * DTMF_HIGH[d] * t))
            pieces += [_db(db) * tone, np.zeros(int(off * LINE_RATE))]
        pieces.append(np.zeros(int(gap * LINE_RATE)))
    return np.concatenate(pieces).astype(np.float32)


def beeps(seconds: float, *, freq: float = 1000.0, on: float = 0.25, every: float = 3.0,
          db: float = -12.0) -> np.ndarray:
    """IVR prompt beeps and recording-notification tones: ``on`` s of ``freq`` every ``every`` s."""
    t = _t(seconds)
    return (_db(db) * np.sin(2 * np.pi * freq * t) * _cadence(seconds, (on, every - on))).astype(np.float32)


def hold_music(seconds: float, *, db: float = -10.0, seed: int = 0, tempo: float = 0.35) -> np.ndarray:
    """Music-like: a melody of harmonic notes (6 partials, vibrato, attack and decay) over
    sustained chords that change every bar, ``tempo`` seconds a beat (notes of 1–3 beats)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * LINE_RATE)
    out = np.zeros(n)
    scale = 220.0 * 2 ** (np.array([0, 2, 4, 5, 7, 9, 11, 12, 14, 16]) / 12)

    def note(freq: float, length: float, level: float, vibrato: float) -> np.ndarray:
        t = _t(length)
        phase = 2 * np.pi * freq * (t + vibrato / (2 * np.pi * 5.5) * np.sin(2 * np.pi * 5.5 * t))
        wave = sum(np.sin(k * phase) / k ** 1.2 for k in range(1, 7))
        envelope = np.minimum(t / 0.02, 1.0) * np.exp(-1.2 * t)
        return level * wave * envelope

    pos = 0
    while pos < n:  # melody
        length = tempo * int(rng.integers(1, 4))
        piece = note(float(rng.choice(scale)) * 2, length, 1.0, 0.004)
        out[pos:pos + len(piece)] += piece[: n - pos]
        pos += len(piece)
    bar = 4 * tempo
    for start in np.arange(0, seconds, bar):  # chords
        root = float(rng.choice(scale[:5]))
        for ratio in (1.0, 1.26, 1.5):
            piece = note(root * ratio, bar, 0.4, 0.0)
            at = int(start * LINE_RATE)
            out[at:at + len(piece)] += piece[: n - at]
    return (_db(db) * out / np.abs(out).max()).astype(np.float32)


def comfort_noise(seconds: float, *, db: float = -50.0, seed: int = 0, burst: tuple[float, float] = (2.0, 6.0)
                  ) -> np.ndarray:
    """VoIP comfort noise: stretches of shaped noise (``burst`` seconds, levels ±4 dB around
    ``db`` RMS) that the far end's codec switches on in its pauses, digital quiet between."""
    rng = np.random.default_rng(seed)
    n = int(seconds * LINE_RATE)
    out = np.zeros(n)
    pos = int(rng.uniform(0.2, 1.0) * LINE_RATE)
    sos = butter(2, [300, 2500], btype="bandpass", fs=LINE_RATE, output="sos")
    while pos < n:
        length = int(rng.uniform(*burst) * LINE_RATE)
        level = _db(db + rng.uniform(-4, 4))
        piece = sosfiltfilt(sos, rng.normal(0, 1, length))
        piece *= level / np.sqrt(np.mean(piece ** 2))
        out[pos:pos + length] = piece[: n - pos]
        pos += length + int(rng.uniform(0.5, 2.0) * LINE_RATE)
    return out.astype(np.float32)


def line_noise(seconds: float, *, db: float = -45.0, seed: int = 0) -> np.ndarray:
    """A noisy analogue line: hiss at ``db`` RMS, 50 Hz hum with harmonics, crackle."""
    rng = np.random.default_rng(seed)
    t = _t(seconds)
    hiss = rng.normal(0, _db(db), len(t))
    hum = _db(db + 6) * sum(np.sin(2 * np.pi * 50 * k * t) / k for k in (1, 3, 5, 7))
    crackle = np.zeros(len(t))
    spots = rng.integers(0, len(t), size=int(seconds * 3))
    crackle[spots] = rng.normal(0, _db(db + 25), len(spots))
    return (hiss + hum + crackle).astype(np.float32)


def line(sound: np.ndarray, *, noise_db: float = -70.0, seed: int = 11) -> np.ndarray:
    """``sound`` (8 kHz) through the telephone band (300–3400 Hz, steep) on faint line noise,
    as 16 kHz float32 like the pipeline's decoder gives it."""
    sos = butter(8, [300, 3400], btype="bandpass", fs=LINE_RATE, output="sos")
    banded = sosfiltfilt(sos, sound.astype(np.float64))
    up = resample_poly(banded, RATE, LINE_RATE)
    up += np.random.default_rng(seed).normal(0, _db(noise_db), len(up))
    return up.astype(np.float32)
