"""Render a scripted English call to a stereo telephone recording (Piper's neural voice, or
espeak-ng when Piper is not installed: :mod:`qa_pipeline.demo.voices`; sox for the line).

Agent on the left channel, customer on the right, 8 kHz, band-limited to 300–3400 Hz; with
Piper's one voice the parties are told apart by pitch (each agent their own, the customer
lower or higher), with espeak-ng by voice. The turn and word times of the returned call come
from the rendered audio, so the dashboard's player, clips and transcript line up. There is
no usable Mandarin voice, so only English calls are rendered.

Redacted values (card and phone numbers) are bleeped in the audio at their word times,
as :mod:`qa_pipeline.privacy.redaction` does for real recordings.
"""
from __future__ import annotations

import dataclasses
import logging
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import soundfile as sf

from qa_pipeline.checksum import file_sha256
from qa_pipeline.demo.voices import (ESPEAK_AGENT_VOICES, ESPEAK_CUSTOMER_VOICES, TELEPHONE_RATE, load_voice,
                                     require_sox, telephone_line)
from qa_pipeline.records import Call, Turn, Word

__all__ = ["Party", "agent_party", "customer_party", "require_tools", "render_call"]

log = logging.getLogger(__name__)

# Pitch shifts (cents) for Piper's one voice: each agent keeps theirs, the customer is at least
# five semitones away from the agent, so the two sides never sound like one person.
_AGENT_PITCHES = (0, 200, -150, 350, 100, -250)
_CUSTOMER_OFFSETS = (-500, -650, 550, 700)


@dataclass(frozen=True)
class Party:
    """How one side of a call is spoken: a pitch shift (Piper) or an espeak-ng voice, and a pace."""

    pitch_cents: int
    espeak_voice: str
    words_per_minute: int


def agent_party(number: int) -> Party:
    """The voice of the demo agent with roster number ``number``."""
    return Party(_AGENT_PITCHES[number % len(_AGENT_PITCHES)], ESPEAK_AGENT_VOICES[number % len(ESPEAK_AGENT_VOICES)],
                 168)


def customer_party(agent: Party, pick: int) -> Party:
    """A customer for a call with ``agent``: ``pick`` (any int) chooses among the voices."""
    return Party(agent.pitch_cents + _CUSTOMER_OFFSETS[pick % len(_CUSTOMER_OFFSETS)],
                 ESPEAK_CUSTOMER_VOICES[pick % len(ESPEAK_CUSTOMER_VOICES)], 155)


def require_tools() -> None:
    """Raise a QaError saying what to install when no voice or no sox is there."""
    load_voice()
    require_sox()


def _speak(text: str, party: Party) -> np.ndarray:
    return load_voice().speak(text, pitch_cents=party.pitch_cents, espeak_voice=party.espeak_voice,
                              words_per_minute=party.words_per_minute)


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


def render_call(call: Call, target: Path, *, agent: Party, customer: Party,
                redact: Optional[Callable[[Call], Call]] = None, workers: int = 2) -> Call:
    """Speak ``call``'s turns into ``target`` (a WAV) keeping each turn's gap before it.

    Returns the call with turn and word times taken from the audio, ``source='audio'`` and
    ``source_path`` set; ``redact`` (e.g. :func:`qa_pipeline.privacy.redaction.redact_call`) is
    applied to the timed call and its redacted spans are bleeped.
    """
    require_tools()
    rate = load_voice().rate
    parties = {"agent": agent, "customer": customer}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pieces = list(pool.map(lambda t: _speak(t.text, parties.get(t.speaker, customer)), call.turns))
    turns: list[Turn] = []
    end_of_speech = 0.0
    previous_end = 0.0
    for original, samples in zip(call.turns, pieces):
        gap = (original.start or 0.0) - previous_end if turns else (original.start or 0.6)
        previous_end = original.end or 0.0
        start = max(0.0, end_of_speech + gap)
        if turns and gap < 0:  # talking over: keep the overlap, but not before the other turn began
            start = max(start, turns[-1].start + 0.4)
        end = start + len(samples) / rate
        turns.append(Turn(original.speaker, round(start, 3), round(end, 3), original.text,
                          _words(original.text, start, end, original.speaker)))
        end_of_speech = max(end_of_speech, end)
    duration = end_of_speech + 1.0
    stereo = np.zeros((int(duration * rate) + 1, 2), dtype=np.float32)
    for turn, samples in zip(turns, pieces):
        a = int(turn.start * rate)
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

            stereo = bleep(stereo, rate, redacted_audio_spans(timed), level=0.2)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".wav", delete=False) as wide:
        wide_path = Path(wide.name)
    try:
        sf.write(wide_path, np.clip(stereo, -1, 1), rate)
        telephone_line(wide_path, target)
    finally:
        wide_path.unlink(missing_ok=True)
    sha = file_sha256(target)
    return dataclasses.replace(timed, sha256=sha)
