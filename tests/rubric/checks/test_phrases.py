"""The ``phrases`` check type: the PASS/FAIL examples in its docstring (phrases.py) hold, and
``public_phrases`` count only in a public written thread (a turn tags an account with @)."""
import pytest
from check_examples import assert_docstring_examples_hold

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import parse_rubric, score_call


def test_docstring_examples():
    assert_docstring_examples_hold("phrases")

_RULE = {"type": "phrases", "speaker": "agent", "phrases": ["anything else"],
         "public_phrases": ["write to us any time"]}


def _outcome(customer: str, agent: str) -> str:
    rubric = parse_rubric({"id": "public-phrases", "version": "1", "languages": ["en"],
                           "checks": [{"id": "X", "rule": _RULE}]})
    turns = (Turn("customer", 0.0, 3.0, customer), Turn("agent", 3.5, 6.0, agent))
    call = Call(info=CallInfo(call_id="t"), language="en", turns=turns, source="import")
    (finding,) = score_call(call, rubric, sentiment=0.0).findings
    return finding.outcome


@pytest.mark.parametrize("customer, expected", [
    ("@ShopCare my order is late", "pass"),
    ("@ Shop Care my order is late", "pass"),  # a tag as translations write it, with a space
    ("Hi, my order is late", "fail"),  # a call: no tag
    ("It is jo@shop.example, my order is late", "fail"),  # an e-mail address is no tag
])
def test_public_phrases_count_only_in_a_thread_that_tags_an_account(customer, expected):
    assert _outcome(customer, "It ships today. Write to us any time.") == expected


def test_the_ordinary_phrases_count_in_both():
    assert _outcome("Hi, my order is late", "It ships today. Anything else?") == "pass"
