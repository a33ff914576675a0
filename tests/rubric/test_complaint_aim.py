"""The complaint rule's ``aimed`` option: a hit counts only where the feeling is aimed at the company;
the learned check's ``aim`` (the same judgement) and ``owned`` (the agent's reaction: owning a fault).

The encoder is the keyword stand-in (tests/helpers/learned_stand_ins.py): in the ``complaint_aim``
bank 'restate' marks a feeling aimed at the company and 'neutral' one aimed elsewhere.
"""
from __future__ import annotations

import numpy as np
import pytest
from learned_stand_ins import KeywordEncoder, timed_call, use_encoder, write_bank

from qa_pipeline.errors import InputError
from qa_pipeline.rubric import parse_rubric, score_call


def _rubric(tmp_path, aimed=True, below=0.5):
    rows = ([{"item": "complaint_aim", "label": "pass", "text": f"restate the {w}"} for w in ("bill", "engineer", "van", "app")]
            + [{"item": "complaint_aim", "label": "fail", "text": f"neutral the {w}"} for w in ("rain", "council", "neighbour", "me")])
    bank = write_bank(tmp_path, rows)
    rule = {"type": "complaint", "builtin": False, "phrases": ["useless"]}
    if aimed:
        rule["aimed"] = {"bank": str(bank), "below": below}
    return parse_rubric({"id": "t", "version": "1", "languages": ["en"],
                         "checks": [{"id": "complaint", "kind": "trigger", "rule": rule}]})


def _complaint(rubric, *texts) -> str:
    found = score_call(timed_call(*texts), rubric, sentiment=0.0).findings
    return next(f for f in found if f.check_id == "complaint").outcome


def test_a_hit_aimed_elsewhere_is_no_complaint_and_one_aimed_at_the_company_is(keyword_encoder, tmp_path):
    rubric = _rubric(tmp_path)
    assert _complaint(rubric, "how can I help", "neutral the neighbour is useless") == "fail"
    assert _complaint(rubric, "how can I help", "restate the engineer was useless") == "pass"
    # one turn aimed at the company is enough, whatever else the call says
    assert _complaint(rubric, "hello", "neutral the rain is useless", "right", "restate the van was useless") == "pass"
    # without the option every hit counts
    assert _complaint(_rubric(tmp_path, aimed=False), "how can I help", "neutral the neighbour is useless") == "pass"


def test_without_an_encoder_every_hit_counts(rules_only, tmp_path):
    assert _complaint(_rubric(tmp_path), "how can I help", "neutral the neighbour is useless") == "pass"


@pytest.mark.parametrize("aimed", [{"below": 0.5}, {"bank": "x.jsonl", "below": 1.5}, {"bank": "x.jsonl", "below": 0.5, "at": 1}])
def test_a_bad_aimed_option_is_refused(tmp_path, aimed):
    with pytest.raises(InputError, match="aimed must be"):
        parse_rubric({"id": "t", "version": "1", "languages": ["en"],
                      "checks": [{"id": "complaint", "rule": {"type": "complaint", "aimed": aimed}}]})


class AimEncoder(KeywordEncoder):
    """The keyword stand-in with one more direction: 'weather' (the feeling aimed elsewhere)."""

    id = "aim-test-encoder"

    def embed(self, texts, *, prefix="query"):
        out = super().embed(texts, prefix=prefix)
        for i, text in enumerate(texts):
            if "weather" in text.lower().split():
                out[i, 2:] = 0.0
                out[i, 2] = 1.5 * out[i, 0] + 0.5
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)


@pytest.fixture
def aim_encoder(monkeypatch, tmp_path):
    return use_encoder(monkeypatch, tmp_path, AimEncoder())


def _learned(tmp_path, aim=None, band=(0.3, 0.7), owned=None):
    rows = ([{"item": "complaint", "label": "pass", "text": f"restate the {w}"} for w in ("bill", "van", "app", "rain")]
            + [{"item": "complaint", "label": "fail", "text": f"neutral the {w}"} for w in ("bill", "van", "app", "rain")]
            + [{"item": "complaint_aim", "label": "pass", "text": f"restate the {w}"} for w in ("bill", "van", "app", "shop")]
            + [{"item": "complaint_aim", "label": "fail", "text": f"restate weather {w}"} for w in ("rain", "snow", "storm", "fog")]
            # the agent's reaction: 'restate' owns a fault or records a complaint, 'neutral' only sympathises
            + [{"item": "complaint_owned", "label": "pass", "text": f"restate our {w}"}
               for w in ("fault", "error", "log", "slip")]
            + [{"item": "complaint_owned", "label": "fail", "text": f"neutral sorry {w}"}
               for w in ("luck", "rain", "wait", "flu")])
    rule = {"type": "learned", "item": "complaint", "bank": str(write_bank(tmp_path, rows)), "band": list(band),
            "decides": False, "speaker": "customer", "rule": {"type": "complaint", "builtin": False, "phrases": ["i want to complain"]}}
    if aim is not None:
        rule["aim"] = aim
    if owned is not None:
        rule["owned"] = owned
    return parse_rubric({"id": "t", "version": "1", "languages": ["en"],
                         "checks": [{"id": "complaint", "kind": "trigger", "rule": rule}]})


def _finding(rubric, *texts):
    return next(f for f in score_call(timed_call(*texts), rubric, sentiment=0.0).findings if f.check_id == "complaint")


def test_the_classifier_decides_a_grievance_aimed_at_the_company_and_not_one_aimed_elsewhere(aim_encoder, tmp_path):
    aim = {"item": "complaint_aim", "below": 0.5, "found": 0.6}
    at_us, elsewhere = ("hello", "restate the van again"), ("hello", "restate weather storm again")
    plain = _finding(_learned(tmp_path), *at_us)
    assert (plain.outcome, plain.unsure) == ("fail", True)  # decides: false — the classifier only flags
    found = _finding(_learned(tmp_path, aim), *at_us)
    assert (found.outcome, found.unsure) == ("pass", False)
    assert "aimed at the company p=" in found.rule
    assert _finding(_learned(tmp_path), *elsewhere).unsure  # flagged without the judgement of the aim
    away = _finding(_learned(tmp_path, aim), *elsewhere)
    assert (away.outcome, away.unsure) == ("fail", False)
    assert "aimed elsewhere" in away.rule
    # ranked unsure (inside the band), a grievance aimed at the company is found all the same
    assert _finding(_learned(tmp_path, band=(0.3, 0.99)), *at_us).unsure
    assert _finding(_learned(tmp_path, aim, band=(0.3, 0.99)), *at_us).outcome == "pass"
    # a rule hit decides whatever the aim (the rule's own `aimed` option is the rules' filter)
    assert _finding(_learned(tmp_path, aim), "hello", "restate weather storm i want to complain").outcome == "pass"


@pytest.mark.parametrize("aim", [{"item": "nope", "below": 0.3, "found": 0.8}, {"item": "complaint_aim", "below": 0.9, "found": 0.8},
                                 {"item": "complaint_aim", "below": 0.3, "found": 0.8, "x": 1}])
def test_a_bad_aim_option_is_refused(tmp_path, aim):
    with pytest.raises(InputError, match="aim must be"):
        _learned(tmp_path, aim)


def test_a_likely_grievance_the_agent_owns_is_found_and_one_met_with_sympathy_stays_flagged(aim_encoder, tmp_path):
    owned = {"item": "complaint_owned", "found": 0.6}
    plain = _finding(_learned(tmp_path), "hello", "restate the van again", "restate our fault sorry")
    assert (plain.outcome, plain.unsure) == ("fail", True)  # decides: false — the classifier only flags
    found = _finding(_learned(tmp_path, owned=owned), "hello", "restate the van again", "restate our fault sorry")
    assert (found.outcome, found.unsure) == ("pass", False)
    assert "agent owns a fault p=" in found.rule
    # sympathy alone, or owning said before the customer spoke: the classifier still only flags
    for texts in (("hello", "restate the van again", "neutral sorry luck"),
                  ("restate our fault", "restate the van again", "neutral sorry luck")):
        kept = _finding(_learned(tmp_path, owned=owned), *texts)
        assert (kept.outcome, kept.unsure) == ("fail", True)
    # ranked unsure (inside the band) it is found all the same; the customer unlikely to complain, never
    assert _finding(_learned(tmp_path, band=(0.3, 0.99), owned=owned),
                    "hello", "restate the van again", "restate our fault").outcome == "pass"
    calm = _finding(_learned(tmp_path, owned=owned), "hello", "neutral the van again", "restate our fault")
    assert (calm.outcome, calm.unsure) == ("fail", False)


@pytest.mark.parametrize("owned", [{"item": "nope", "found": 0.8}, {"item": "complaint_owned", "found": 1.5},
                                   {"item": "complaint_owned"}, {"item": "complaint_owned", "found": 0.8, "x": 1}])
def test_a_bad_owned_option_is_refused(tmp_path, owned):
    with pytest.raises(InputError, match="owned must be"):
        _learned(tmp_path, owned=owned)
