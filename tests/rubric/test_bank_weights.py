"""Bank weights: the other language's exemplar bank counts less in a learned item's model
(``bank: {en: 1.0, zh: 0.35}``), through per-sample weights in the class-balanced fit; bad
values are refused with the rubric's file and what is allowed; a weight is part of the
on-disk model's key. A stand-in encoder at the model boundary."""
from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

from qa_pipeline.errors import InputError
from qa_pipeline.rubric import load_rubric, standard_rubric
from qa_pipeline.rubric.exemplars import load_bank
from qa_pipeline.rubric.learned import bank_examples, cross_validated, fit_logistic, item_model


class FirstWordEncoder:
    """A stand-in for e5: the first word picks a direction ('restate' and 'neutral' apart,
    'neutre' nearly 'neutral': the other language's word for it), the rest a little noise."""

    id = "first-word-test-encoder"
    dim = 12
    BASE = {"restate": 0, "neutral": 1, "neutre": 1}

    def embed(self, texts, *, prefix="query"):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            first, *rest = text.lower().split()
            out[i, self.BASE[first]] = 1.0
            if first == "neutre":
                out[i, 2] = 0.2
            for word in rest:
                out[i, 3 + zlib.crc32(word.encode()) % (self.dim - 3)] += 0.1
            out[i] /= np.linalg.norm(out[i])
        return out


WORDS = ("order", "bill", "flight", "car", "parcel", "refund")


def write_bank(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def banks(tmp_path, monkeypatch):
    """The rubric's own bank (restating passes C2, a neutral sentence does not) and another
    language's that disagrees about its neutral look-alike ('neutre …' labelled pass)."""
    monkeypatch.setenv("QA_EMBEDDINGS_DIR", str(tmp_path / "embeddings"))
    own = write_bank(tmp_path / "own.jsonl",
                     [{"item": "C2", "label": "pass", "text": f"restate the {w}"} for w in WORDS]
                     + [{"item": "C2", "label": "fail", "text": f"neutral the {w}"} for w in WORDS])
    other = write_bank(tmp_path / "other.jsonl",
                       [{"item": "C2", "label": "pass", "text": f"neutre le {w}"} for w in WORDS]
                       + [{"item": "C2", "label": "fail", "text": f"neutral la {w}"} for w in WORDS[:3]])
    return [load_bank(own), load_bank(other)]


def test_bank_examples_give_each_exemplar_its_banks_weight(banks):
    texts, y, w = bank_examples(banks, "C2", target="pass", weights=(1.0, 0.25))
    assert len(texts) == len(y) == len(w) == 12 + 9
    assert (w[:12] == 1.0).all() and (w[12:] == 0.25).all()
    assert (bank_examples(banks, "C2", target="pass")[2] == 1.0).all()  # no weights: each counts 1
    with pytest.raises(ValueError, match="1 weights for 2 banks"):
        bank_examples(banks, "C2", target="pass", weights=(1.0,))


def test_the_other_languages_bank_moves_the_model_less_the_lower_its_weight(banks):
    enc = FirstWordEncoder()
    probe = enc.embed(["neutral the sofa", "restate the sofa"])
    p = {w: item_model(banks, "C2", target="pass", encoder=enc, weights=(1.0, w)).probabilities(probe)
         for w in (1.0, 0.5, 0.1)}
    # The look-alike the other bank calls a pass: less likely as that bank counts less.
    assert p[1.0][0] > p[0.5][0] > p[0.1][0]
    assert p[0.1][0] < 0.3
    assert all(p[w][1] > 0.7 for w in p)  # what the own bank teaches holds at every weight


def test_a_weight_is_part_of_the_on_disk_model_key_and_weights_all_1_are_the_unweighted_fit(banks, tmp_path):
    enc = FirstWordEncoder()
    models = tmp_path / "embeddings"
    plain = item_model(banks, "C2", target="pass", encoder=enc)
    ones = item_model(banks, "C2", target="pass", encoder=enc, weights=(1.0, 1.0))
    assert len(list(models.glob("model-*.npz"))) == 1  # the same fit, the same file
    assert np.array_equal(plain.weights, ones.weights) and plain.bias == ones.bias
    lighter = item_model(banks, "C2", target="pass", encoder=enc, weights=(1.0, 0.5))
    assert len(list(models.glob("model-*.npz"))) == 2
    assert not np.array_equal(plain.weights, lighter.weights)


def test_the_band_floor_is_read_from_the_near_misses_of_the_heaviest_bank(banks):
    enc = FirstWordEncoder()
    texts, y, w = bank_examples(banks, "C2", target="pass", weights=(1.0, 0.5))
    weighted = item_model(banks, "C2", target="pass", encoder=enc, weights=(1.0, 0.5))
    # The other bank's near misses ('neutral la …') are left out of the held-out maximum: a
    # model whose floor they set would be unsure of the own language's calls more often.
    held = cross_validated(enc.embed(texts), y, weights=w)
    assert weighted.cv_max_other == pytest.approx(float(held[(y == 0) & (w == 1.0)].max()), abs=1e-9)


def test_a_weight_counts_as_that_many_copies_of_the_row_and_classes_stay_balanced():
    rng = np.random.default_rng(3)
    x = np.vstack([rng.normal(1, 0.5, (12, 4)), rng.normal(-1, 0.5, (9, 4))]).astype(np.float32)
    y = np.array([1.0] * 12 + [0.0] * 9)
    weights = np.ones(21)
    weights[[0, 15]] = 2.0
    copied = fit_logistic(np.vstack([x, x[[0, 15]]]), np.concatenate([y, y[[0, 15]]]))
    weighted = fit_logistic(x, y, weights)
    for a, b in zip(copied, weighted):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    # Relative: three times every weight is the same fit; all 1 is the unweighted one, bit for bit.
    for a, b in zip(fit_logistic(x, y, weights * 3), weighted):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    for a, b in zip(fit_logistic(x, y, np.ones(21)), fit_logistic(x, y)):
        assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="above 0"):
        fit_logistic(x, y, np.zeros(21))
    with pytest.raises(ValueError, match="21 numbers"):
        fit_logistic(x, y, np.ones(3))


def rubric_file(tmp_path, bank):
    (tmp_path / "exemplars").mkdir(exist_ok=True)
    write_bank(tmp_path / "exemplars" / "en.jsonl", [{"item": "C2", "label": "pass", "text": "so you want it moved?"}])
    write_bank(tmp_path / "exemplars" / "zh.jsonl", [{"item": "C2", "label": "pass", "text": "您是说要改地址，对吗？"}])
    path = tmp_path / "mine.yaml"
    path.write_text(
        "id: t\nversion: '1'\nlanguages: [en]\nchecks:\n"
        f"  - id: C2\n    weight: 10\n    rule: {{type: learned, item: C2, bank: {bank}}}\n", encoding="utf-8")
    return path


def test_a_mapping_of_banks_to_weights_is_read_from_the_rubric(tmp_path):
    node = load_rubric(rubric_file(tmp_path, "{en: 1.0, zh: 0.35}")).check("C2").rule
    assert node.banks == (str(tmp_path / "exemplars" / "en.jsonl"), str(tmp_path / "exemplars" / "zh.jsonl"))
    assert node.bank_weights == (1.0, 0.35)
    assert load_rubric(rubric_file(tmp_path, "[en, zh]")).check("C2").rule.bank_weights == (1.0, 1.0)
    assert load_rubric(rubric_file(tmp_path, "{en: 1, zh: 1}")).check("C2").rule.bank_weights == (1.0, 1.0)


@pytest.mark.parametrize("bank, problem", [
    ("{en: 1.0, zh: 0}", "got 0 for zh"),
    ("{en: 1.0, zh: -0.5}", "got -0.5 for zh"),
    ("{en: 1.0, zh: 1.5}", "got 1.5 for zh"),
    ("{en: 1.0, zh: half}", "got 'half' for zh"),
    ("{en: 1.0, zh: true}", "got True for zh"),
    ("{en: 1.0, zh: .nan}", "got nan for zh"),
    ("{en: 0.5, zh: 0.25}", "no bank counts 1"),
    ("{}", "got an empty mapping"),
    ("[]", "got an empty list"),
    ("[en, 3]", "got ['en', 3]"),
    ("[en, en]", "the same exemplar file twice"),
])
def test_a_bad_bank_weight_is_refused_with_the_file_and_what_is_allowed(tmp_path, bank, problem):
    path = rubric_file(tmp_path, bank)
    with pytest.raises(InputError) as err:
        load_rubric(path)
    assert err.value.path == str(path)
    assert problem in err.value.problem
    assert "bank" in err.value.problem
    if "empty list" not in problem and "twice" not in problem:  # the loader's own check comes first there
        assert "each a number above 0 and at most 1 with at least one at 1" in err.value.problem


def test_every_learned_item_of_a_standard_rubric_weighs_the_other_language_alike():
    """One mechanism: in both standard rubrics every learned judgement counts its own
    language's bank 1 and the other language's by one weight below 1; the critical B2
    counts both whole (rubrics/exemplars/README.md says why)."""
    other, critical = set(), set()
    for language, foreign in (("en", "zh"), ("zh", "en")):
        nodes = []

        def walk(node):
            if getattr(node, "type_id", "") == "learned":
                nodes.append(node)
            for attr in ("parts", "part", "rule"):
                child = getattr(node, attr, None)
                for c in child if isinstance(child, (list, tuple)) else [child]:
                    if c is not None and hasattr(c, "type_id"):
                        walk(c)

        for check in standard_rubric(language).checks:
            walk(check.rule)
        assert nodes
        for node in nodes:
            weights = dict(zip((b.rsplit("/", 1)[-1] for b in node.banks), node.bank_weights))
            assert weights[f"{language}.jsonl"] == 1.0, (language, node.item)
            (critical if node.item == "B2" else other).add(weights[f"{foreign}.jsonl"])
    assert len(other) == 1 and other.pop() < 1.0
    assert critical == {1.0}

