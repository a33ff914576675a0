"""Stand-ins at the model boundary for the learned-judgement tests: a keyword encoder whose answers are
known in advance, an exemplar-bank writer, and small call and finding helpers."""
from __future__ import annotations

import json
import zlib

import numpy as np

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import encoder as encoders
from qa_pipeline.rubric import parse_rubric


def write_bank(tmp_path, rows, name="bank.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    return path


class KeywordEncoder:
    """A stand-in for e5 at the model boundary: 'restate' and 'neutral' are two directions,
    every other word a little noise, so the classifier's answers are known in advance."""

    id = "keyword-test-encoder"
    dim = 16

    def __init__(self):
        self.calls = 0

    def embed(self, texts, *, prefix="query"):
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().replace("?", " ").replace(".", " ").split():
                if word == "restate":
                    out[i, 0] += 1.0
                elif word == "neutral":
                    out[i, 1] += 1.0
                else:
                    out[i, 2 + zlib.crc32(word.encode()) % (self.dim - 2)] += 0.05
            out[i] /= max(np.linalg.norm(out[i]), 1e-6)
        return out


def use_encoder(monkeypatch, tmp_path, enc):
    """Make ``enc`` the sentence encoder for the test (the model boundary), its stored embeddings
    under ``tmp_path``; returns it."""
    monkeypatch.setenv("QA_EMBEDDINGS_DIR", str(tmp_path / "embeddings"))
    monkeypatch.setattr(encoders, "sentence_encoder", lambda: enc)
    return enc


def timed_call(*texts):
    turns = tuple(Turn("agent" if i % 2 == 0 else "customer", 1.0 + 3 * i, 3.0 + 3 * i, text)
                  for i, text in enumerate(texts))
    return Call(CallInfo("c"), "en", turns)


def finding(result, check_id):
    return next(f for f in result.findings if f.check_id == check_id)


def b2_rubric(bank, **options):
    """A rubric of one learned B2 judgement over ``bank`` (a rule hit on "not my problem"), with ``options``."""
    return parse_rubric({
        "id": "t", "version": "1", "languages": ["en"],
        "checks": [{"id": "B2", "critical": True,
                    "rule": {"type": "learned", "item": "B2", "bank": bank, "target": "fail", "band": [0.3, 0.7],
                             "rule": {"type": "phrases", "phrases": ["not my problem"]}, **options}}]})


def acts_rubric(tmp_path, acts=None, conditions=None, extra_checks=(), **options):
    """A complaint trigger judged over a stand-in bank ('restate' a complaint, 'neutral' not; band
    0.3-0.99 and ``decides: false``, so the classifier only flags) with the agent's ``acts`` option
    when given, and D1 ("sorry"), D4 ("by four"), D5 ("myself") after it; ``conditions`` and
    ``extra_checks`` added as given, ``options`` set on the learned rule (a band, neighbours). Its file
    name in errors: acts-test.yaml."""
    words = ("bill", "van", "app", "rain")
    rows = ([{"item": "complaint", "label": "pass", "text": f"restate the {w}"} for w in words]
            + [{"item": "complaint", "label": "fail", "text": f"neutral the {w}"} for w in words])
    rule = {"type": "learned", "item": "complaint", "bank": str(write_bank(tmp_path, rows)), "band": [0.3, 0.99],
            "decides": False, "speaker": "customer",
            "rule": {"type": "complaint", "builtin": False, "phrases": ["i want to complain"]}}
    if acts is not None:
        rule["acts"] = acts
    rule.update(options)

    def item(cid, phrases):
        return {"id": cid, "weight": 5, "applies_when": {"check": "complaint"},
                "rule": {"type": "phrases", "phrases": phrases, "after": {"check": "complaint"}}}
    data = {"id": "t", "version": "1", "languages": ["en"],
            "checks": [{"id": "complaint", "kind": "trigger", "rule": rule}, item("D1", ["sorry"]),
                       item("D4", ["by four"]), item("D5", ["myself"]), *extra_checks]}
    if conditions:
        data["conditions"] = conditions
    return parse_rubric(data, "acts-test.yaml")
