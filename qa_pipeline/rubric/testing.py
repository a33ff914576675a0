"""Run the PASS/FAIL examples written in a rubric (its ``tests:``): rubric unit tests.

Each test is a mini call (turns, optional times and metadata) and the outcomes expected
for some checks. A QA lead who edits a phrase list runs ``qa rubric test FILE`` and sees
at once which example broke and why.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric.engine import score_call
from qa_pipeline.rubric.model import Rubric, RubricTest

__all__ = ["ExampleOutcome", "run_rubric_tests", "mini_call"]


@dataclass(frozen=True)
class ExampleOutcome:
    test: str
    check_id: str
    expected: str
    got: str
    rule: Optional[str]

    @property
    def ok(self) -> bool:
        return self.expected == self.got


def _time(value) -> Optional[float]:
    return None if value is None else float(value)


def mini_call(test: RubricTest, index: int = 0) -> Call:
    """The mini call a rubric test describes."""
    turns = tuple(Turn(str(t["speaker"]), _time(t.get("start")), _time(t.get("end")), str(t["text"]))
                  for t in test.turns)
    info = CallInfo(call_id=f"rubric-test-{index + 1}", metadata=dict(test.metadata))
    return Call(info=info, language=test.language, turns=turns, source="import")


def run_rubric_tests(rubric: Rubric) -> list[ExampleOutcome]:
    """Every expectation of every test in ``rubric``, with what the engine answered."""
    outcomes = []
    for i, test in enumerate(rubric.tests):
        result = score_call(mini_call(test, i), rubric, sentiment=0.0)
        by_id = {f.check_id: f for f in result.findings}
        for check_id, expected in test.expect.items():
            f = by_id[check_id]
            outcomes.append(ExampleOutcome(test.name, check_id, expected, f.outcome, f.rule))
    return outcomes
