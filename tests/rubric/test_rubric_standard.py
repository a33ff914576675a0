"""The standard rubrics against the specialists' labels (../shared/qa-examples) and against
phrasings from other domains that no example uses: matching must generalise."""
from __future__ import annotations

import json

import pytest
from rubric_probes import PROBES
from shared_data import EXAMPLES, shared_file

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import score_call, standard_rubric
from qa_pipeline.rubric.testing import run_rubric_tests
from qa_pipeline.transcript_io import call_from_json


def test_agreement_with_the_labelled_examples():
    shared_file("qa-examples")
    agreed = {"zh": [0, 0], "en": [0, 0]}
    missed_critical = []
    for path in sorted(EXAMPLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        call = call_from_json(data, path)
        lang = "zh" if call.language.startswith("zh") else "en"
        result = score_call(call, standard_rubric(call.language), sentiment=0.0)
        got = {f.check_id: f.outcome for f in result.findings}
        for item, want in data["labels"].items():
            want = ("pass" if want else "fail") if item == "complaint" else want
            agreed[lang][0] += got[item] == want
            agreed[lang][1] += 1
            if item in ("B2", "E1") and want == "fail" and got[item] != "fail":
                missed_critical.append((call.call_id, item))
    for lang, (a, t) in agreed.items():
        assert t == 216 and a / t >= 0.97, f"{lang}: {a}/{t}"
    assert not missed_critical


@pytest.mark.parametrize("language", ["zh", "en"])
def test_inline_rubric_tests_pass(language):
    failures = [o for o in run_rubric_tests(standard_rubric(language)) if not o.ok]
    assert not failures


def outcome(language, turns, check, ring=None):
    made, t = [], 0.5
    for speaker, text in turns:
        made.append(Turn(speaker, t, t + 3.0, text))
        t += 3.5
    call = Call(CallInfo("probe", metadata={"ring_seconds": ring} if ring else {}), language, tuple(made))
    result = score_call(call, standard_rubric(language), sentiment=0.0)
    return next(f for f in result.findings if f.check_id == check).outcome


@pytest.mark.parametrize("language, turns, check, expected", PROBES,
                         ids=[f"{p[0]}-{p[2]}-{i}" for i, p in enumerate(PROBES)])
def test_phrasings_beyond_the_examples(language, turns, check, expected):
    assert outcome(language, turns, check) == expected
