"""The complaint rule's ``aimed`` option: a hit counts only where the feeling is aimed at the company.

The encoder is the keyword stand-in (tests/helpers/learned_stand_ins.py): in the ``complaint_aim``
bank 'restate' marks a feeling aimed at the company and 'neutral' one aimed elsewhere.
"""
from __future__ import annotations

import pytest
from learned_stand_ins import timed_call, write_bank

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
