"""Rubric files are validated completely before anything is scored; errors name the file,
the check, the option and what is allowed."""
from __future__ import annotations

import textwrap

import pytest

from qa_pipeline.errors import InputError
from qa_pipeline.rubric import load_rubric, parse_rubric

MINIMAL = """
id: mini
version: "1"
languages: [en]
checks:
  - id: G
    title: {zh: 问候, en: Greeting}
    weight: 10
    rule: {type: phrases, phrases: [hello]}
"""


def write(tmp_path, text: str):
    path = tmp_path / "r.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path, text: str) -> str:
    with pytest.raises(InputError) as exc:
        load_rubric(write(tmp_path, text))
    return str(exc.value)


def test_minimal_rubric_loads(tmp_path):
    r = load_rubric(write(tmp_path, MINIMAL))
    assert (r.id, r.version, r.languages, r.check_ids) == ("mini", "1", ("en",), ("G",))
    assert r.check("G").title_zh == "问候" and r.check("G").weight == 10.0


def test_unknown_check_type_names_file_check_and_allowed_types(tmp_path):
    msg = error_of(tmp_path, MINIMAL.replace("type: phrases", "type: phrasez"))
    assert "r.yaml" in msg and "check G" in msg and "unknown check type 'phrasez'" in msg
    assert "phrases" in msg and "regex" in msg and "metric" in msg


def test_wrong_option_type_names_the_option_and_what_is_allowed(tmp_path):
    msg = error_of(tmp_path, MINIMAL.replace("phrases: [hello]", "phrases: hello"))
    assert "check G" in msg and "option 'phrases'" in msg and "a list of text" in msg


def test_bool_is_not_a_number(tmp_path):
    msg = error_of(tmp_path, MINIMAL.replace("rule: {type: phrases, phrases: [hello]}",
                                             "rule: {type: metric, metric: ring_seconds, max: true}"))
    assert "option 'max'" in msg and "a whole number or a number" in msg


def test_value_outside_choices(tmp_path):
    msg = error_of(tmp_path, MINIMAL.replace("phrases: [hello]}", "phrases: [hello], speaker: boss}"))
    assert "option 'speaker'" in msg and "one of agent, customer, any" in msg


def test_unknown_option(tmp_path):
    msg = error_of(tmp_path, MINIMAL.replace("phrases: [hello]}", "phrases: [hello], fuzz: true}"))
    assert "unknown option 'fuzz'" in msg and "fuzzy" in msg


def test_duplicate_ids(tmp_path):
    text = MINIMAL + """
  - id: G
    rule: {type: phrases, phrases: [bye]}
"""
    assert "duplicate check id 'G'" in error_of(tmp_path, text)


def test_order_cycle_is_rejected(tmp_path):
    text = """
    id: cyc
    version: "1"
    languages: [en]
    checks:
      - id: X
        rule: {type: order, first: {check: Y}, then: {type: phrases, phrases: [bye]}}
      - id: Y
        rule: {type: order, first: {check: X}, then: {type: phrases, phrases: [hi]}}
    """
    msg = error_of(tmp_path, text)
    assert "cycle" in msg and "X → Y → X" in msg


def test_reference_to_unknown_check(tmp_path):
    msg = error_of(tmp_path, MINIMAL.replace("rule: {type: phrases, phrases: [hello]}", "rule: {check: NOPE}"))
    assert "refers to check 'NOPE'" in msg


def test_unknown_synonym_list_and_bad_regex(tmp_path):
    assert "unknown synonym list {greet}" in error_of(tmp_path, MINIMAL.replace("[hello]", '["{greet} there"]'))
    assert "bad regular expression" in error_of(tmp_path, MINIMAL.replace("[hello]", '["re:(unclosed"]'))


def test_condition_cycle_and_unknown_condition(tmp_path):
    text = MINIMAL.replace("rule: {type: phrases, phrases: [hello]}", "rule: {use: a}") + """
conditions:
  a: {use: b}
  b: {use: a}
"""
    assert "cycle" in error_of(tmp_path, text)
    assert "unknown condition 'zz'" in error_of(tmp_path, MINIMAL.replace(
        "rule: {type: phrases, phrases: [hello]}", "rule: {use: zz}"))


def test_inline_test_expecting_unknown_check(tmp_path):
    text = MINIMAL + """
tests:
  - name: t
    turns: [{agent: hello}]
    expect: {Q: pass}
"""
    assert "expects unknown check 'Q'" in error_of(tmp_path, text)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(InputError, match="no such rubric file"):
        load_rubric(tmp_path / "nope.yaml")
    assert "not valid YAML" in error_of(tmp_path, "id: [unclosed")


def test_weight_and_critical_types():
    with pytest.raises(InputError, match="'weight' must be a number"):
        parse_rubric({"id": "x", "version": 1, "languages": ["en"],
                      "checks": [{"id": "A", "weight": "ten", "rule": {"type": "phrases", "phrases": ["a"]}}]})
    with pytest.raises(InputError, match="'critical' must be true or false"):
        parse_rubric({"id": "x", "version": 1, "languages": ["en"],
                      "checks": [{"id": "A", "critical": "yes", "rule": {"type": "phrases", "phrases": ["a"]}}]})


@pytest.mark.parametrize("name", ["standard-zh.yaml", "standard-en.yaml"])
def test_standard_rubrics_validate_and_cover_the_form(name):
    from qa_pipeline.rubric import rubrics_dir

    r = load_rubric(rubrics_dir() / name)
    ids = set(r.check_ids)
    assert {"complaint", "A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3", "C4", "C5",
            "D1", "D2", "D3", "D4", "D5", "E1"} == ids
    weights = {c.id: c.weight for c in r.checks}
    assert weights["A1"] == 10 and weights["C5"] == 5 and weights["B2"] == 0 and weights["E1"] == 0
    assert r.check("B2").critical and r.check("E1").critical
    assert r.flags.score_below == 80 and "complaint" in r.flags.triggers


def test_every_check_type_is_documented_with_examples():
    from pathlib import Path

    from qa_pipeline.rubric.checks import CHECK_TYPES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "rubrics.md").read_text(encoding="utf-8")
    for type_id, ctype in CHECK_TYPES.items():
        assert f"`{type_id}`" in doc, f"docs/rubrics.md does not describe check type {type_id}"
        assert "PASS" in ctype.doc and "FAIL" in ctype.doc, f"{type_id}: docstring needs PASS/FAIL examples"
        for option in ctype.options:
            assert f"`{option}`" in doc or option in ("of",), f"{type_id}: option {option} undocumented"
