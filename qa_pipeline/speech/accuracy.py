"""How close a transcript is to a reference: character error rate for Mandarin, word error rate
for English. Used by the never-worse-than-bare test and ``bench/asr_overhead.py --accuracy``,
and by centres checking a model on their own reference transcripts."""
from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from qa_pipeline.speech.chinese_text import simplify


def error_rate(reference: str, hypothesis: str, language: str) -> float:
    """CER for Mandarin (Simplified, punctuation and spaces ignored), WER for English.

    >>> error_rate("广州市房地产", "广州市房地", "zh")
    0.16666666666666666
    """
    if language == "zh":
        ref, hyp = (re.sub(r"[\W_]", "", simplify(s)) for s in (reference, hypothesis))
        return Levenshtein.distance(ref, hyp) / len(ref)
    ref, hyp = (re.sub(r"[^\w' ]", " ", s.lower()).split() for s in (reference, hypothesis))
    return Levenshtein.distance(ref, hyp) / len(ref)
