"""The fast scoring paths give the same findings as the plain ones.

* Phrases with many leading alternatives before a long rest are searched as regexes of
  their own (``matching.GROUP_ABOVE``); the reference is every phrase in one combined regex.
* ``qa score`` scores in worker processes that hand the store column rows; the reference is
  :func:`score_call` in this process, findings compared with what was stored.
"""
from __future__ import annotations

import json

import pytest

from qa_pipeline import store
from qa_pipeline.rubric import load_rubric, rubrics_dir, score_call, standard_rubric
from qa_pipeline.rubric import matching
from qa_pipeline.rubric.matching import compile_phrases
from qa_pipeline.rubric.runner import rescore
from qa_pipeline.rubric.text import normalize
from qa_pipeline.transcript_io import call_from_json
from shared_data import EXAMPLES, shared_file


def _examples():
    shared_file("qa-examples")
    calls = [call_from_json(json.loads(p.read_text(encoding="utf-8")), p) for p in sorted(EXAMPLES.glob("*.json"))]
    assert len(calls) >= 24
    return calls


def _outcomes(result):
    return [(f.check_id, f.outcome, f.rule, f.evidence) for f in result.findings], result.score, result.flag_reasons


@pytest.mark.parametrize("language", ["zh", "en"])
def test_grouped_phrases_find_what_one_combined_regex_finds(language, monkeypatch):
    path = rubrics_dir() / f"standard-{language}.yaml"
    monkeypatch.setattr(matching, "GROUP_ABOVE", 10**12)  # reference: nothing grouped
    reference = load_rubric(path)
    monkeypatch.setattr(matching, "GROUP_ABOVE", 0)  # every phrase that can be grouped is
    grouped = load_rubric(path)
    calls = [c for c in _examples() if c.language.startswith(language)]
    assert calls
    for call in calls:
        assert _outcomes(score_call(call, grouped, sentiment=0.0)) == \
            _outcomes(score_call(call, reference, sentiment=0.0)), call.call_id


def test_grouped_matcher_hits_match_the_combined_matcher(monkeypatch):
    synonyms = {"ask": ["could you confirm", "can you give me", "please tell me", "may i have"],
                "ident": ["name", "full name", "date of birth", "postcode", "phone number"]}
    phrases = ["{ask}...{ident}", "{ident} please", "^{ident}$", "thank you", "re:\\d{4}"]
    monkeypatch.setattr(matching, "GROUP_ABOVE", 10**12)
    plain = compile_phrases(phrases, synonyms)
    monkeypatch.setattr(matching, "GROUP_ABOVE", 0)
    grouped = compile_phrases(phrases, synonyms)
    assert grouped._grouped and not plain._grouped  # the test exercises both paths
    texts = ["Could you confirm your full name, please? Thank you.", "postcode", "May I have the  postcode 1234",
             "thank you\nname please\ncan you give me a phone number", "nothing here", ""]
    for text in map(normalize, texts):
        assert grouped.first(text) == plain.first(text), text
        assert list(grouped.finditer(text)) == list(plain.finditer(text)), text
        assert grouped.found_in(text) == plain.found_in(text), text
        assert grouped.regex.pattern == plain.regex.pattern


@pytest.mark.parametrize("jobs", [1, 2])
def test_rescore_stores_the_findings_of_score_call(jobs):
    calls = _examples()
    con = store.connect(":memory:")
    store.save_calls(con, [(c, []) for c in calls])
    summary = rescore(con, jobs=jobs, batch=5)  # several batches: workers when jobs > 1
    assert summary.calls == len(calls)
    stored = {}
    for row in con.execute(
            "SELECT call_id, check_id, outcome, rule, evidence_text, evidence_speaker, evidence_start, evidence_end "
            "FROM check_results").fetchall():
        stored[(row[0], row[1])] = row[2:]
    results = {r[0]: r[1:] for r in con.execute(
        "SELECT call_id, score, flagged, flag_reasons FROM call_results").fetchall()}
    for call in calls:
        loaded = next(store.load_calls(con, [call.call_id], words=False))
        r = score_call(loaded, standard_rubric(call.language))
        assert results[call.call_id] == (r.score, r.flagged, list(r.flag_reasons)), call.call_id
        for f in r.findings:
            e = f.evidence
            want = (f.outcome, f.rule, e and e.text, e and e.speaker, e and e.start, e and e.end)
            assert stored[(call.call_id, f.check_id)] == want, (call.call_id, f.check_id)
    assert len(stored) == sum(len(standard_rubric(c.language).checks) for c in calls)
