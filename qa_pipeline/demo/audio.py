"""Render a scripted English call to a stereo telephone recording (espeak-ng + sox).

Agent on the left channel, customer on the right, 8 kHz, band-limited to 300–3400 Hz.
The turn and word times of the returned call come from the rendered audio, so the
dashboard's player, clips and transcript line up. espeak-ng's Mandarin voice is not
intelligible enough for a demo, so only English calls are rendered.

Redacted values (card and phone numbers) are bleeped in the audio at their word times,
as :mod:`qa_pipeline.privacy.redaction` does for real recordings.
"""
from __future__ import annotations

import dataclasses
import logging
import re
import shutil
import subprocess
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import soundfile as sf

from qa_pipeline.checksum import file_sha256
from qa_pipeline.errors import QaError
from qa_pipeline.records import Call, Turn, Word

__all__ = ["AGENT_VOICES", "CUSTOMER_VOICES", "require_tools", "render_call"]

log = logging.getLogger(__name__)

RATE = 22050  # espeak-ng's output rate
TELEPHONE_RATE = 8000
AGENT_VOICES: tuple[str, ...] = ("en-us+f3", "en-us+m3", "en-gb+f2", "en-gb-x-rp+m1", "en-us+f4", "en-gb+m4")
CUSTOMER_VOICES: tuple[str, ...] = ("en-gb-x-rp", "en-us+m2", "en-gb-scotland+f1", "en-us+f2", "en-029+m1",
                                    "en-gb-x-gbclan+m3")
_SILENCE = 0.004  # amplitude below which espeak's output counts as silence


def require_tools() -> None:
    """Raise a QaError saying how to install espeak-ng and sox when either is missing."""
    missing = [t for t in ("espeak-ng", "sox") if not shutil.which(t)]
    if missing:
        raise QaError(f"{' and '.join(missing)} not installed; run `sudo apt-get install -y espeak-ng sox` "
                      "to render demo audio, or build the demo without audio")


def _speak(text: str, voice: str, wpm: int, target: Path) -> np.ndarray:
    # espeak-ng would read "$" and ";" oddly; the transcript keeps them, the voice gets plain words.
    spoken = re.sub(r"[;:]", ",", text)
    try:
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(target), spoken],
                       check=True, capture_output=True, timeout=60)
    except subprocess.CalledProcessError as exc:
        raise QaError(f"espeak-ng failed for voice {voice}: {exc.stderr.decode(errors='replace').strip()}") from exc
    data, rate = sf.read(target, dtype="float32")
    if rate != RATE:
        raise QaError(f"espeak-ng wrote {rate} Hz audio; expected {RATE}")
    loud = np.flatnonzero(np.abs(data) > _SILENCE)
    return data[loud[0]:loud[-1] + 1] if loud.size else data


def _words(turn_text: str, start: float, end: float, speaker: str) -> tuple[Word, ...]:
    """Spread the turn's spoken time over its words by length (espeak gives no word times)."""
    tokens = turn_text.split()
    weights = [len(t) + 1 for t in tokens]
    total = float(sum(weights)) or 1.0
    words, t = [], start
    for token, w in zip(tokens, weights):
        d = (end - start) * w / total
        words.append(Word(round(t, 3), round(t + d * 0.92, 3), token, 0.99, speaker))
        t += d
    return tuple(words)


def render_call(call: Call, target: Path, *, agent_voice: str, customer_voice: str,
                redact: Optional[Callable[[Call], Call]] = None, workers: int = 4) -> Call:
    """Speak ``call``'s turns into ``target`` (a WAV) keeping each turn's gap before it.

    Returns the call with turn and word times taken from the audio, ``source='audio'`` and
    ``source_path`` set; ``redact`` (e.g. :func:`qa_pipeline.privacy.redaction.redact_call`) is
    applied to the timed call and its redacted spans are bleeped.
    """
    require_tools()
    voices = {"agent": (agent_voice, 168), "customer": (customer_voice, 155)}
    with tempfile.TemporaryDirectory(prefix="qa-demo-audio-") as tmp:
        jobs = [(t.text, *voices.get(t.speaker, voices["customer"]), Path(tmp) / f"{i}.wav")
                for i, t in enumerate(call.turns)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pieces = list(pool.map(lambda job: _speak(*job), jobs))
    turns: list[Turn] = []
    end_of_speech = 0.0
    previous_end = 0.0
    for original, samples in zip(call.turns, pieces):
        gap = (original.start or 0.0) - previous_end if turns else (original.start or 0.6)
        previous_end = original.end or 0.0
        start = max(0.0, end_of_speech + gap)
        if turns and gap < 0:  # talking over: keep the overlap, but not before the other turn began
            start = max(start, turns[-1].start + 0.4)
        end = start + len(samples) / RATE
        turns.append(Turn(original.speaker, round(start, 3), round(end, 3), original.text,
                          _words(original.text, start, end, original.speaker)))
        end_of_speech = max(end_of_speech, end)
    duration = end_of_speech + 1.0
    stereo = np.zeros((int(duration * RATE) + 1, 2), dtype=np.float32)
    for turn, samples in zip(turns, pieces):
        a = int(turn.start * RATE)
        stereo[a:a + len(samples), 0 if turn.speaker == "agent" else 1] += samples * 0.8
    noise = np.random.default_rng(zlib.crc32(call.call_id.encode())).normal(0, 0.002, stereo.shape)
    stereo += noise.astype(np.float32)  # line hiss
    timed = dataclasses.replace(call, turns=tuple(turns), duration=round(duration, 3), channels=2,
                                sample_rate=TELEPHONE_RATE, source="audio",
                                info=dataclasses.replace(call.info, source_path=str(target)))
    if redact is not None:
        timed = redact(timed)
        if timed.redacted:
            from qa_pipeline.privacy.redaction import bleep, redacted_audio_spans

            stereo = bleep(stereo, RATE, redacted_audio_spans(timed), level=0.2)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".wav", delete=False) as wide:
        wide_path = Path(wide.name)
    try:
        sf.write(wide_path, np.clip(stereo, -1, 1), RATE)
        subprocess.run(["sox", str(wide_path), "-r", str(TELEPHONE_RATE), "-b", "16", str(target),
                        "sinc", "300-3400"], check=True, capture_output=True, timeout=120)
    except subprocess.CalledProcessError as exc:
        raise QaError(f"sox failed writing {target}: {exc.stderr.decode(errors='replace').strip()}") from exc
    finally:
        wide_path.unlink(missing_ok=True)
    sha = file_sha256(target)
    return dataclasses.replace(timed, sha256=sha)
