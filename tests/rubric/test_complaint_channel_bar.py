"""How bench/complaint_channel_bar.py fits a channel's bar: a public thread's on the training batches, a call's
on the other folders."""
from __future__ import annotations

import pytest
from bench_modules import forget_benches, load_bench


@pytest.fixture(scope="module")
def bench():
    yield load_bench("complaint_channel_bar")
    forget_benches()


def test_a_bar_counting_two_sentences_keeps_a_single_high_sentence_from_firing(bench):
    read = [(True, [0.2]),            # the rules found it
            (False, [0.5, 0.48]),     # a complaint said in two middling sentences
            (False, [0.52, 0.46, 0.1]),
            (False, [0.6]),           # one high sentence: a question about a fault
            (False, [0.3, 0.2])]
    labels = [True, True, True, False, False]
    assert bench.fit(read, labels) == (0.45, 2)
    assert [bench.decide(r, (0.45, 2)) for r in read] == labels


def test_no_bar_where_none_beats_the_rules_alone(bench):
    read = [(True, []), (False, [0.7, 0.7, 0.7]), (False, [0.1])]
    assert bench.fit(read, [True, False, False]) is None


def test_each_fold_counts_the_trigger_as_pass_or_fail_and_the_d_items_as_labelled(bench):
    labels = [{"complaint": True, "D1": "pass", "D2": "fail", "D3": "fail", "D4": "fail", "D5": "pass"},
              {"complaint": False, "D1": "na", "D2": "na", "D3": "na", "D4": "na", "D5": "na"}]
    missed = [{"complaint": "fail", **dict.fromkeys(bench.D_ITEMS, "na")}] * 2  # the complaint missed: D all na
    found = [{"complaint": "pass", "D1": "pass", "D2": "fail", "D3": "pass", "D4": "fail", "D5": "pass"},
             {"complaint": "fail", **dict.fromkeys(bench.D_ITEMS, "na")}]
    assert [bench.agreed(labels, g, ("complaint",)) for g in (missed, found)] == [(1, 2), (2, 2)]
    assert [bench.agreed(labels, g, bench.D_ITEMS) for g in (missed, found)] == [(5, 10), (9, 10)]


def test_a_call_bar_must_beat_the_rubric_as_it_is_not_the_rules_alone(bench):
    """--calls: the band already decides on calls, so a bar is kept only where it agrees with more
    labels than the rubric's own outcomes there (``baseline``); the call grid reaches higher."""
    read = [(False, [0.9, 0.85]),   # a complaint the band found
            (False, [0.9]),         # another, said once
            (False, [0.3])]
    labels = [True, True, False]
    assert bench.fit(read, labels, "call_bar") == (0.9, 1)  # against the rules alone: a bar gains two
    assert bench.fit(read, labels, "call_bar", baseline=[True, True, False]) is None
    assert bench.fit(read, labels, "call_bar", baseline=[True, False, False]) == (0.9, 1)


def test_the_d_items_are_counted_where_labelled(bench):
    labels = [{"complaint": True, "D1": "pass", "D2": "fail", "C3": "pass"}, {"complaint": False, "D1": "na"}]
    outcomes = [{"D1": "pass", "D2": "pass"}, {"D1": "na"}]
    assert bench.agreed(labels, outcomes, bench.D_ITEMS) == (2, 3)


def test_a_call_fold_is_fitted_on_the_other_folders_against_the_rubric_as_it_is(bench):
    """--calls through fold_fit.leave_one_out: each folder's bar comes from the other folders, must beat
    the rubric's own outcome there (``without``), and is scored on the held-out folder."""
    said_twice = bench.Labelled((False, [0.9, 0.9]), True, False)  # a complaint the band missed
    quiet = bench.Labelled((False, [0.3]), False, False)
    folds = {"a": [said_twice, quiet], "b": [said_twice, quiet],
             "c": [bench.Labelled((False, [0.9, 0.9]), True, True),  # the band found this one
                   bench.Labelled((False, [0.92]), False, False)]}   # one high sentence, no complaint
    held = bench.leave_one_out(folds, lambda rows: bench.fit_rows(rows, "call_bar"), bench.complaints_agreed, None)
    assert [(h.name, h.fitted, h.before, h.after) for h in held] == [
        ("a", (0.9, 2), 1, 2), ("b", (0.9, 2), 1, 2),  # c's harmless call keeps the bar at two sentences
        ("c", (0.9, 1), 2, 1)]                          # a + b alone never see a single high sentence
    found = bench.Labelled((False, [0.9]), True, True)  # the band already finds it: no bar gains a call
    held = bench.leave_one_out({"x": [found, quiet], "y": [found, quiet]},
                               lambda rows: bench.fit_rows(rows, "call_bar"), bench.complaints_agreed, None)
    assert [(h.fitted, h.before, h.after) for h in held] == [(None, 2, 2)] * 2


def _fresh_fold(bench, complaint, before, why, found_d, labels):
    """A FreshFold as its readings leave it (no call scored): what --calls --fresh replays."""
    fold = object.__new__(bench.FreshFold)
    fold.complaint, fold.before, fold.why, fold.found_d, fold.labels = complaint, before, why, found_d, labels
    fold.before_d = [found if b else bench.not_found(found) for b, found in zip(before, found_d)]
    return fold


def test_the_agents_complaint_handling_acts_are_tried_with_the_rubric_option(bench):
    """--calls --fresh, ``acts``: since callacts the learned check's own ``acts`` option set on each fold's
    rubric (its behaviour: tests/rubric/test_complaint_acts.py), at 2 and 3 of D1, D4, D5 (D2 and D3,
    asking what happened and a number, are ordinary in any call), and since stop 30 at 3 with D3 or every D item
    counted too, not a replay of the fold's readings."""
    for lang in ("en", "zh"):
        acts = [s.options["acts"] for s in bench.fresh_settings(lang) if s.options and "acts" in s.options]
        same = {"checks": ["D1", "D4", "D5"]}
        # from the best sentence (callacts), from the first likely one, and that without refusals (stop 29)
        assert acts == ([{**same, "at_least": k} for k in (2, 3)] + [{**same, "at_least": k, "start": "first"}
                                                                     for k in (2, 3)]
                        + [{**same, "at_least": k, "start": "first", "unless": bench.REFUSALS[lang]} for k in (2, 3)]
                        + [{**same, "at_least": 2, "start": "first", "need": ["D1"]}]
                        # the callback contact (D3), or every handling item, counted too (stop 30)
                        + [{"checks": list(named), "at_least": 3, "start": start}
                           for named in (("D1", "D3", "D4", "D5"), ("D1", "D2", "D3", "D4", "D5"))
                           for start in ("best", "first")]
                        # ... from the first, an account look-up not counted as an act (stop 30)
                        + [{"checks": ["D1", "D3", "D4", "D5"], "at_least": 3, "start": "first",
                            "unless": bench.LOOKUPS}])


def test_the_refusals_are_apologies_that_open_a_refusal_sentence_by_sentence(bench):
    """The acts' ``unless`` the bench tries: an apology that opens a refusal, not the handling of a complaint;
    an apology next to something the company cannot undo, in another sentence, still counts."""
    import re

    from qa_pipeline.rubric.text import normalize
    said = {"en": ["I'm sorry, Ms Okafor, we can't send the van without a booking fee.",
                   "Sorry, but we don't deliver on Sundays."],
            "zh": ["抱歉 这个型号我们没法上门安装", "不好意思 没有预约单我们不接"]}
    kept = {"en": ["I'm so sorry about the damage, I'll take it up with the driver myself."],
            "zh": ["实在抱歉给您添麻烦了 我来跟进"]}
    for lang in ("en", "zh"):
        found = [re.compile(p[3:]) for p in bench.REFUSALS[lang]]
        assert all(any(r.search(normalize(t)) for r in found) for t in said[lang])
        assert not any(any(r.search(normalize(t)) for r in found) for t in kept[lang])


def test_extra_exemplars_are_appended_to_a_fold_bank_and_a_bad_one_is_refused(bench, tmp_path):
    bank = tmp_path / "rubrics" / "exemplars" / "zh.jsonl"
    bank.parent.mkdir(parents=True)
    bank.write_text('{"item": "complaint", "label": "pass", "text": "质量太差了"}', encoding="utf-8")
    extra = tmp_path / "extra.jsonl"
    row = '{"item": "complaint", "label": "fail", "text": "我想再订一箱"}'
    extra.write_text(row + "\n", encoding="utf-8")
    assert bench.with_exemplars(tmp_path, "zh", extra) == tmp_path
    assert bank.read_text(encoding="utf-8").splitlines()[-1] == row
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"item": "complaint", "label": "maybe", "text": "x"}\n', encoding="utf-8")
    with pytest.raises(Exception, match="bad.jsonl"):
        bench.with_exemplars(tmp_path, "zh", bad)


def test_a_fresh_fold_tallies_false_triggers_and_misses_apart(bench):
    labels = [{"complaint": True, **dict.fromkeys(bench.D_ITEMS, "pass")},
              {"complaint": False, **dict.fromkeys(bench.D_ITEMS, "na")},
              {"complaint": True, **dict.fromkeys(bench.D_ITEMS, "pass")}]
    fold = _fresh_fold(bench, [True, False, True], [False] * 3, [""] * 3, [{}] * 3, labels)
    found = {"complaint": "pass", **dict.fromkeys(bench.D_ITEMS, "pass")}
    missed = {"complaint": "fail", **dict.fromkeys(bench.D_ITEMS, "na")}
    # one complaint found, a false trigger, one complaint missed
    t = fold.tally([found, found, missed])
    assert t.tolist() == [1, 1, 1, 2, 1 + 5, 18, 3]  # agreed, false, missed, triggers, C+D, labelled, calls


def test_the_fresh_settings_put_mains_first_and_let_only_english_decide(bench):
    """Main's setting first (a fit keeps it on equal agreement); English tries ``decides: true``,
    Mandarin (which decides already) its band's top; both the same small call-bar grid and acts."""
    en, zh = bench.fresh_settings("en"), bench.fresh_settings("zh")
    assert en[0] == zh[0] == bench.Setting("main")
    assert all(s.options.get("decides") for s in en if s.options and "acts" not in s.options) and not any(
        "decides" in s.options for s in zh if s.options)
    # stop 30: five acts settings more (the callback contact, or every D item, counted; look-ups not)
    assert [s.bar for s in en if s.bar] == [s.bar for s in zh if s.bar] and len(en) <= 35 and len(zh) <= 35


def test_the_look_ups_are_account_identifiers_not_a_number_to_ring_back_on(bench):
    """The acts' ``unless`` of stop 30: a number asked to find the account is identification, not the callback
    contact D3 stands for; a number checked for a call back is not a look-up."""
    import re

    from qa_pipeline.rubric.text import normalize
    found = [re.compile(p[3:]) for p in bench.LOOKUPS]
    for said in ("Can you give me your registered phone number, please?", "What's the customer ID on the bill?"):
        assert any(r.search(normalize(said)) for r in found), said
    for said in ("Is the mobile you're on now good for a call back?", "What's the best number to reach you on?"):
        assert not any(r.search(normalize(said)) for r in found), said
