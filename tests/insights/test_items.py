"""Rubric items in words: titles with their codes, the complaint trigger as yes/no, and the
scorer's rule text as a sentence without the rubric's patterns — over every rule text a demo
centre's calls produce, not a handful of examples."""
from __future__ import annotations

import re
from datetime import date

import pytest

from qa_pipeline.insights.items import explain, is_trigger, item_label, outcome_words, rubric_items
from qa_pipeline.store import database as store

PATTERN = re.compile(r"\bre:|\{\w+\}|\(\?|\[\^|\\[sdSwWn]|\.\.\.")


def test_item_labels_carry_the_title_in_the_users_language():
    assert item_label("C2", "en") == "C2 Confirm the need"
    assert item_label("C2", "zh") == "C2 确认需求"
    assert item_label("C2", "zh-CN") == "C2 确认需求"
    assert item_label("complaint", "en") == "Complaint call"  # the code is a word: not said twice
    assert item_label("X9", "en") == "X9"  # unknown to the standard rubrics: the code as it is
    assert len(rubric_items()) >= 18


def test_the_complaint_trigger_reads_as_yes_or_no():
    assert is_trigger("complaint") and not is_trigger("D1")
    assert outcome_words("complaint", "pass") == "complaint call: yes"
    assert outcome_words("complaint", "fail") == "complaint call: no"
    assert outcome_words("D1", "fail") == "fail" and outcome_words("D1", "na") == "n/a"
    assert explain("complaint: not found (customer)", "complaint", "fail") == "complaint call: no"
    assert explain("complaint: found '很不满'", "complaint", "pass") == "complaint call: yes (the customer said “很不满”)"
    assert explain("not applicable: complaint is fail", "D3", "na") == "not a complaint call"


@pytest.mark.parametrize("rule, words", [
    ("phrases: found '{ask}...{ident}'", "Identity verification: said (see the quote)"),
    ("复述确认需求: found 're:确认(?:(?<=跟您确认))(?:一)?下'", "复述确认需求: said (see the quote)"),
    ("restates the need: found 'let me make sure i'", "restates the need: said “let me make sure i”"),
    ("询问其他需求: not found (agent, last 4 turn(s))", "询问其他需求: not said by the agent in the last 4 turns"),
    ("agent name or ID: not found (agent, first turn)", "agent name or ID: not said by the agent in the first turn"),
    ("ring time = 21.7 (needs <= 15)", "ring time was 21.7, needs at most 15"),
    ("ring time: not measurable for this call", "ring time: could not be measured on this call"),
    ("not applicable: C4 is fail", "not applicable: C4 Closing failed"),
    ("not applicable: account or personal record touched: phrases: not found (agent); phrases: not found (agent)",
     "not applicable: no sign of “account or personal record touched” on this call"),
    ("none found: forbidden language: not found (agent); refusal: not found (agent)",
     "none of these was said: forbidden language, refusal"),
    ("must never happen: 完整卡号: found 'redacted [CARD ****9222]'",
     "must never happen, but did: 完整卡号: said “redacted [CARD ****9222]”"),
    ("all found", "Identity verification: everything required was said"),
])
def test_rule_texts_read_as_sentences(rule, words):
    assert explain(rule, "C1", "pass", "en") == words


@pytest.fixture(scope="module")
def demo_rules(tmp_path_factory):
    from qa_pipeline.demo.centre import build_centre

    db = tmp_path_factory.mktemp("items") / "demo.duckdb"
    with store.opened(db) as con:
        build_centre(con, seed=5, calls=120, today=date(2026, 11, 20))
        return con.execute("SELECT DISTINCT check_id, outcome, rule FROM check_store").fetchall()


def test_no_rule_a_demo_centre_produces_shows_a_pattern(demo_rules):
    raw_patterns = [r for _, _, r in demo_rules if r and PATTERN.search(r)]
    assert raw_patterns, "the demo's rules quote patterns: the test would prove nothing"
    for check_id, outcome, rule in demo_rules:
        for language in ("en", "zh"):
            said = explain(rule, check_id, outcome, language)
            assert said and not PATTERN.search(said), (rule, said)
            assert "is fail" not in said and "complaint fail" not in said, (rule, said)
    d_na = {explain(r, c, o) for c, o, r in demo_rules if c.startswith("D") and o == "na"}
    assert d_na == {"not a complaint call"}


def test_the_answer_to_the_agents_question_reads_as_words():
    found = "客户回答了发生时间: found '{date}' in the answer to turn 7"
    assert explain(found, "D2", "pass") == "客户回答了发生时间: the customer's answer said it (see the quote)"
    assert explain("asked when: found 'yesterday' in the answer to turn 3", "D2", "pass") == (
        "asked when: the customer's answer said “yesterday”")
    none = "客户回答了发生时间: no question asked (agent, after the trigger: 12.0-40.5 s)"
    assert explain(none, "D2", "fail") == (
        "客户回答了发生时间: no question about it was asked by the agent after the complaint (12.0-40.5 s)")
    two = "asked when: not in the answers to 2 question(s) (agent, after the trigger)"
    assert explain(two, "D2", "fail") == (
        "asked when: not in the customer's answers to 2 questions by the agent after the complaint")


def test_the_learned_judgements_read_as_words():
    unsure = ("unsure: learned C1 '请问您的身份证后六位是多少？' p=0.72 (band 0.67–0.77); "
              "rules: phrases: not found (agent)")
    said = explain(unsure, "C1", "fail", "en")
    assert said.startswith("unsure, for a specialist to decide") and "72%" in said and "p=" not in said
    assert said.count("not said by the agent") == 1
    assert explain("learned C2: found 'So you want a refund, right?' p=0.81 (model v1)", "C2", "pass",
                   "en") == "said in other words: “So you want a refund, right?” (81% likely)"
    missing = explain("confirm: not found (agent); learned C2: best 'So you want a refund' p=0.54", "C2", "fail", "en")
    assert "(54%, not enough)" in missing and "p=" not in missing
