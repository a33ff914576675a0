"""How bench/fresh_patch.py carries today's wording of a rule to an old rubric: appended where the rule is,
a phrase swapped where the old one is, nothing (and said so) where the old rubric lacks it."""
from __future__ import annotations

import copy

import pytest
from bench_modules import forget_benches, load_bench


@pytest.fixture(scope="module")
def bench():
    yield load_bench("fresh_patch")
    forget_benches()


def _old_rubric() -> dict:
    return {"checks": [
        {"id": "complaint", "rule": {"type": "learned", "rule": {"type": "complaint",
                                                                 "phrases": ["扫兴", "re:傻逼|他妈"]}}},
        {"id": "D1", "rule": {"type": "phrases", "name": "致歉或安抚", "phrases": ["抱歉"]}},
        {"id": "D3", "rule": {"type": "learned", "rule": {"type": "phrases", "name": "其他名字", "phrases": ["电话"]}}}]}


def test_today_phrases_are_appended_to_the_rule_of_that_name(bench):
    data = _old_rubric()
    assert bench.CHANGES["d1-empathy-fault"].apply(data)
    added = data["checks"][1]["rule"]["phrases"][1:]
    assert added and all(p in bench.today("D1", "谁(?:身上|心里|头上)?都", "是我们(?:这边)?(?:的责任")
                         for p in added)
    assert any(p.startswith("re:(?:搁|换|放)") for p in added)


def test_a_rule_the_old_rubric_lacks_is_left_alone_and_said(bench):
    data = _old_rubric()
    before = copy.deepcopy(data)
    assert not bench.CHANGES["d3-number-read"].apply(data)  # its D3 rule has another name
    assert data == before


def test_the_swear_list_is_swapped_for_todays_gated_one(bench):
    data = _old_rubric()
    assert bench.CHANGES["swear-other-cause"].apply(data)
    phrases = data["checks"][0]["rule"]["rule"]["phrases"]
    assert phrases[0] == "扫兴" and phrases[1] == bench.today("complaint", "傻逼")[0] and "天气" in phrases[1]


def test_the_acts_of_today_are_set_on_an_old_complaint_check(bench):
    data = _old_rubric()
    assert bench.CHANGES["acts"].apply(data)
    assert data["checks"][0]["rule"]["acts"]["need"] == ["D1"]


def test_every_registered_change_has_a_one_line_reason_and_items(bench):
    for name, change in bench.CHANGES.items():
        assert change.reason and "\n" not in change.reason, name
        assert change.items and set(change.langs) <= {"zh", "en"}, name


def test_a_change_is_measured_against_the_rubric_without_it_where_today_has_it(bench):
    today = bench.today_rubric("en")
    assert "need_echo" in str(today)  # standard-en holds the detector since stop 29
    before, after, applied = bench.changed_data(today, ["need-echo"], base=["closing-began"])
    assert applied == ["need-echo"]
    assert "need_echo" not in str(before) and str(after).count("need_echo") == 1
    assert str(before).count(bench.CLOSING_BEGAN["en"]) == 1 == str(after).count(bench.CLOSING_BEGAN["en"])


def test_a_change_not_written_for_a_language_is_refused_naming_it(bench, capsys):
    assert bench.main(["self-blame", "--lang", "en"]) == 2
    assert "self-blame not written for en" in capsys.readouterr().err


def test_the_acts_are_read_from_the_standard_rubric_of_the_old_rubrics_language(bench):
    data = _old_rubric()
    data["languages"] = ["en"]
    assert bench.CHANGES["acts"].apply(data)
    assert data["checks"][0]["rule"]["acts"] == bench._check(bench.today_rubric("en"), "complaint")["rule"]["acts"]


def test_the_incident_echo_is_taken_out_of_todays_d2_before_it_is_measured(bench):
    for lang in ("zh", "en"):
        before, after, applied = bench.changed_data(bench.today_rubric(lang), ["d2-incident-echo"])
        assert applied == ["d2-incident-echo"], lang
        assert "incident_echo" not in str(bench._check(before, "D2")), lang
        assert str(bench._check(after, "D2")).count("incident_echo") == 1, lang


def test_false_passes_count_calls_labelled_fail_that_passed(bench):
    calls = [({"call_id": "a", "labels": {"C2": "fail", "complaint": False}}, "a.json"),
             ({"call_id": "b", "labels": {"C2": "pass", "complaint": True}}, "b.json"),
             ({"call_id": "c", "labels": {"C2": "fail"}}, "c.json")]
    got = {("a", "C2"): "pass", ("a", "complaint"): "pass", ("b", "C2"): "pass", ("b", "complaint"): "pass",
           ("c", "C2"): "fail", ("c", "complaint"): "pass"}
    assert bench.false_passes(calls, got, "C2") == 1
    assert bench.false_passes(calls, got, "complaint") == 1  # c has no complaint label
