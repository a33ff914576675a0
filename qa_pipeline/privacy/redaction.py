"""Redaction: sensitive values replaced by typed placeholders before anything is stored.

On by default. ``QA_REDACTION=off`` in the environment turns it off for a deployment that
must keep the values (see docs/privacy.md); anything else keeps it on.

    >>> redact_text("卡号是6222 0212 3456 7890 128", "zh").text     # doctest: +SKIP
    '卡号是[CARD ****0128]'

Placeholders keep the kind (and, for cards and phones, the last four digits QA may see):

    [CARD ****1234]   bank-card number (13–19 digits)
    [身份证号] / [ID]  Chinese resident ID number (zh / other languages)
    [CODE]            one-time code, PIN, password, CVV
    [EMAIL]           e-mail address
    [PHONE ****5678]  phone number

:func:`sensitive_kinds` tells a rubric check (E1) which kinds a text holds, redacted or not.
Word times are kept, so :func:`redacted_audio_spans` knows where to :func:`bleep` the audio.
"""
from __future__ import annotations

import bisect
import dataclasses
import logging
import os
import re
from typing import Any, NamedTuple, Sequence

import numpy as np

from qa_pipeline.errors import QaError
from qa_pipeline.privacy.sensitive import Hit, find_sensitive
from qa_pipeline.records import Call, Word

log = logging.getLogger(__name__)

__all__ = [
    "Span", "RedactedText", "redaction_enabled", "redact_text", "redact_call", "redacted_audio_spans",
    "bleep", "sensitive_kinds", "placeholder", "REDACTED_RE", "REDACTED_CARD_RE", "REDACTED_ID_RE",
    "REDACTED_CODE_RE", "REDACTED_EMAIL_RE", "REDACTED_PHONE_RE",
]

REDACTED_CARD_RE = re.compile(r"\[CARD \*{4}[0-9]{4}\]")
REDACTED_ID_RE = re.compile(r"\[(?:身份证号|ID)\]")
REDACTED_CODE_RE = re.compile(r"\[CODE\]")
REDACTED_EMAIL_RE = re.compile(r"\[EMAIL\]")
REDACTED_PHONE_RE = re.compile(r"\[PHONE \*{4}[0-9]{4}\]")
_BY_KIND = {"card": REDACTED_CARD_RE, "id": REDACTED_ID_RE, "code": REDACTED_CODE_RE,
            "email": REDACTED_EMAIL_RE, "phone": REDACTED_PHONE_RE}
REDACTED_RE = re.compile("|".join(f"(?:{r.pattern})" for r in _BY_KIND.values()))
"""Any placeholder."""

_OFF = {"off", "0", "false", "no", "disabled"}
_ON = {"", "on", "1", "true", "yes", "enabled"}


class Span(NamedTuple):
    """``text[start:end]`` of the *input* text held a value of ``kind``."""

    start: int
    end: int
    kind: str


@dataclasses.dataclass(frozen=True)
class RedactedText:
    text: str
    spans: tuple[Span, ...]


def redaction_enabled() -> bool:
    """False only when the deployment set ``QA_REDACTION=off`` (or 0/false/no)."""
    value = os.environ.get("QA_REDACTION", "").strip().lower()
    if value in _OFF:
        return False
    if value not in _ON:
        raise QaError(f"QA_REDACTION={value!r} is not understood; use 'on' (the default) or 'off'")
    return True


def placeholder(kind: str, digits: str, language: str) -> str:
    if kind == "card":
        return f"[CARD ****{digits[-4:]}]"
    if kind == "phone":
        return f"[PHONE ****{digits[-4:]}]"
    if kind == "id":
        return "[身份证号]" if (language or "").lower().startswith("zh") else "[ID]"
    return {"code": "[CODE]", "email": "[EMAIL]"}[kind]


def _existing_placeholders(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in REDACTED_RE.finditer(text))


def _hits(text: str) -> list[Hit]:
    return find_sensitive(text, blocked=_existing_placeholders(text))


def redact_text(text: str, language: str) -> RedactedText:
    """``text`` with every sensitive value replaced by its placeholder; ``spans`` are
    positions in the input. Text that is already redacted is returned unchanged."""
    if not text:
        return RedactedText(text or "", ())
    hits = _hits(text)
    out, pos = [], 0
    for h in hits:
        out.append(text[pos:h.start])
        out.append(placeholder(h.kind, h.digits, language))
        pos = h.end
    out.append(text[pos:])
    return RedactedText("".join(out), tuple(Span(h.start, h.end, h.kind) for h in hits))


def sensitive_kinds(text: str, language: str = "zh") -> set[str]:
    """Kinds of sensitive value in ``text``: placeholders left by redaction, plus values
    still in clear (when redaction is off). E1 fails an agent turn holding card/id/code."""
    kinds = {kind for kind, rx in _BY_KIND.items() if rx.search(text or "")}
    kinds.update(h.kind for h in _hits(text or ""))
    return kinds


def _needs_space(left: str, right: str) -> bool:
    return bool(left) and bool(right) and left[-1].isascii() and left[-1].isalnum() \
        and right[0].isascii() and right[0].isalnum()


def _redact_words(words: Sequence[Word], language: str) -> tuple[Word, ...]:
    """Words covered by a sensitive value become one word holding the placeholder, from the
    first covered word's start to the last one's end (so the audio span stays known)."""
    if not words:
        return tuple(words)
    parts, offsets, pos = [], [], 0
    for w in words:
        if parts and _needs_space(parts[-1], w.text):
            parts.append(" ")
            pos += 1
        offsets.append((pos, pos + len(w.text)))
        parts.append(w.text)
        pos += len(w.text)
    joined = "".join(parts)
    hits = _hits(joined)
    if not hits:
        return tuple(words)
    # word index ranges per hit, merged when two hits share a word
    clusters: list[list] = []
    starts, ends = [s for s, _ in offsets], [e for _, e in offsets]
    for h in hits:
        first = bisect.bisect_right(ends, h.start)  # the first word ending after the value starts
        last = bisect.bisect_left(starts, h.end) - 1  # the last word starting before it ends
        if clusters and first <= clusters[-1][1]:
            clusters[-1][1] = max(clusters[-1][1], last)
            clusters[-1][2].append(h)
        else:
            clusters.append([first, last, [h]])
    out: list[Word] = []
    i = 0
    for first, last, chits in clusters:
        out.extend(words[i:first])
        base = offsets[first][0]
        text = joined[base:offsets[last][1]]
        for h in reversed(chits):
            text = text[:h.start - base] + placeholder(h.kind, h.digits, language) + text[h.end - base:]
        covered = words[first:last + 1]
        probs = [w.probability for w in covered if w.probability is not None]
        out.append(Word(covered[0].start, covered[-1].end, text, min(probs) if probs else None, covered[0].speaker))
        i = last + 1
    out.extend(words[i:])
    return tuple(out)


def _redact_field(key: str, value: Any, language: str) -> Any:
    """A metadata value redacted, its key read as context ("caller_phone": "555 0123")."""
    if isinstance(value, dict):
        return {k: _redact_field(str(k), v, language) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_field(key, v, language) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1_000_000:
        text = str(value)  # a phone or card number that a JSON file wrote as a number
    elif isinstance(value, str):
        text = value
    else:
        return value
    prefix = f"{key}: "
    with_key = redact_text(prefix + text, language).text
    redacted = with_key[len(prefix):] if with_key.startswith(prefix) else redact_text(text, language).text
    return value if redacted == text else redacted


def redact_call(call: Call) -> Call:
    """The call with turn texts, words and metadata values redacted and ``redacted=True``;
    unchanged when redaction is turned off for this deployment or the call was redacted already."""
    if call.redacted:
        return call
    if not redaction_enabled():
        log.debug("%s: redaction is off (QA_REDACTION=off); stored in clear", call.call_id)
        return call
    turns = tuple(
        dataclasses.replace(t, text=redact_text(t.text, call.language).text,
                            words=_redact_words(t.words, call.language))
        for t in call.turns
    )
    metadata = {k: _redact_field(str(k), v, call.language) for k, v in call.info.metadata.items()}
    info = dataclasses.replace(call.info, metadata=metadata)
    return dataclasses.replace(call, info=info, turns=turns, redacted=True)


def redacted_audio_spans(call: Call, pad: float = 0.05) -> list[tuple[float, float]]:
    """(start_s, end_s) of every redacted value in the recording, merged and padded.
    A turn whose text holds a placeholder but has no word times is covered whole."""
    if not call.redacted:
        call = redact_call(call)
    spans: list[tuple[float, float]] = []
    for t in call.turns:
        timed = [w for w in t.words if w.start is not None and w.end is not None]
        marked = [w for w in timed if REDACTED_RE.search(w.text)]
        spans.extend((max(0.0, w.start - pad), w.end + pad) for w in marked)
        if not marked and REDACTED_RE.search(t.text) and t.start is not None and t.end is not None:
            spans.append((max(0.0, t.start - pad), t.end + pad))
    spans.sort()
    merged: list[tuple[float, float]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def bleep(samples: np.ndarray, sample_rate: int, spans: Sequence[tuple[float, float]],
          frequency: float = 1000.0, level: float = 0.25) -> np.ndarray:
    """A copy of ``samples`` with a 1 kHz tone over ``spans`` (seconds). ``samples`` is
    (frames,) or (frames, channels), float or integer PCM; every channel is covered."""
    out = np.array(samples, copy=True)
    n = out.shape[0]
    if np.issubdtype(out.dtype, np.integer):
        amplitude = level * np.iinfo(out.dtype).max
    else:
        amplitude = level
    for start, end in spans:
        a, b = max(0, int(round(start * sample_rate))), min(n, int(round(end * sample_rate)))
        if b <= a:
            continue
        tone = amplitude * np.sin(2 * np.pi * frequency * np.arange(a, b) / sample_rate)
        if out.ndim > 1:
            tone = tone[:, None]
        out[a:b] = tone.astype(out.dtype) if out.dtype != tone.dtype else tone
    return out
