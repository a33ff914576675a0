"""Run the PASS/FAIL examples a check type writes in its docstring (yamllint's habit).

A check type's module docstring shows the check as a ``.. code-block:: yaml`` block and then
examples, one per line::

    PASS (agent): "好的，感谢您的来店，再见。"  (来店 is an ASR error for 来电)
    FAIL (customer only): "Thank you for calling them." — the customer's words are out of scope.
    PASS ``absence`` (agent): "这个问题我帮您查一下。"  FAIL: "这个不归我管。"
    PASS: ring_seconds 15.  FAIL: ring_seconds 18.  NA: no ring_seconds in the metadata.

An example is an outcome (PASS, FAIL, NA), optionally the key of the yaml block it exercises
(``absence``) and who speaks (agent unless the parentheses start with ``customer``), then either
quoted turns — ``"a" … "b"`` is one call of several turns, ``"a" / "b"`` two separate calls — or
metadata (``ring_seconds 15``; none at all for an NA without quotes). Text after the turns is the
reader's explanation. Each example becomes a one-check rubric scored by the real engine.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from qa_pipeline.language import has_chinese
from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import parse_rubric, score_call
from qa_pipeline.rubric.checks import CHECK_TYPES
from qa_pipeline.rubric.loader import read_rubric_yaml

OUTCOME = {"PASS": "pass", "FAIL": "fail", "NA": "na"}
_EXAMPLE = re.compile(r"\b(PASS|FAIL|NA)(?:\s+``(\w+)``)?\s*(?:\(([^)]*)\))?:")
_QUOTED = re.compile(r'"([^"]+)"')
_METADATA = re.compile(r"^\s*([a-z_]+)\s+(-?\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Example:
    outcome: str  # pass, fail, na
    key: str | None  # which top-level key of the yaml block, where it has several
    speaker: str
    turns: tuple[str, ...] = ()
    metadata: dict = field(default_factory=dict)
    line: str = ""


def yaml_block(doc: str) -> dict:
    """The check's configuration: the first ``.. code-block:: yaml`` block of the docstring."""
    lines = doc.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == ".. code-block:: yaml") + 1
    block = []
    for line in lines[start:]:
        if line.strip() and not line.startswith("    "):
            break
        block.append(line)
    return read_rubric_yaml(textwrap.dedent("\n".join(block)))


def examples(doc: str) -> list[Example]:
    found = []
    for line in doc.splitlines():
        marks = list(_EXAMPLE.finditer(line))
        for n, m in enumerate(marks):
            body = line[m.end(): marks[n + 1].start() if n + 1 < len(marks) else len(line)]
            who = (m.group(3) or "").strip().lower()
            speaker = "customer" if who.startswith("customer") else "agent"
            outcome, key = OUTCOME[m.group(1)], m.group(2)
            quoted = _QUOTED.findall(body)
            if not quoted:
                meta = _METADATA.match(body)
                metadata = {meta.group(1): float(meta.group(2))} if meta else {}
                found.append(Example(outcome, key, speaker, (), metadata, line.strip()))
                continue
            # "a" … "b": one call with several turns; "a" / "b": separate calls.
            calls, turns, last = [], [], 0
            for q in _QUOTED.finditer(body):
                if turns and "/" in body[last:q.start()]:
                    calls.append(turns)
                    turns = []
                turns.append(q.group(1))
                last = q.end()
            calls.append(turns)
            found += [Example(outcome, key, speaker, tuple(c), {}, line.strip()) for c in calls]
    return found


def rule_for(block: dict, key: str | None):
    if key is None:
        return block
    if key not in block:
        raise AssertionError(f"the example names ``{key}`` but the yaml block has only {sorted(block)}")
    return {key: block[key]}


# What the logic examples refer to: a named condition and a check, both "a greeting was said".
GREETING = {"type": "phrases", "phrases": ["您好", "你好", "hello", "good morning", "good afternoon"]}


def score_example(block: dict, example: Example) -> str:
    language = "zh" if any(has_chinese(t) for t in example.turns) else "en"
    rubric = parse_rubric({"id": "docstring-example", "version": "1", "languages": [language],
                           "conditions": {"greeting": GREETING},
                           "checks": [{"id": "greeting", "rule": {"use": "greeting"}},
                                      {"id": "X", "rule": rule_for(block, example.key)}]})
    turns = tuple(Turn(example.speaker, 1.0 + 4 * i, 4.0 + 4 * i, text) for i, text in enumerate(example.turns))
    call = Call(info=CallInfo(call_id="example", metadata=dict(example.metadata)), language=language, turns=turns,
                source="import")
    (finding,) = [f for f in score_call(call, rubric, sentiment=0.0).findings if f.check_id == "X"]
    return finding.outcome


def check_type_examples(type_id: str) -> list[tuple[Example, str]]:
    """Every example of a check type with the outcome the engine gives it."""
    doc = CHECK_TYPES[type_id].doc
    block = yaml_block(doc)
    found = examples(doc)
    if "type" not in block:  # one docstring for several types (all, any, not, …), keyed by type
        found = [e for e in found if e.key == type_id]
    assert any(e.outcome == "pass" for e in found) and any(e.outcome == "fail" for e in found), \
        f"{type_id}: its docstring needs at least one PASS and one FAIL example"
    return [(e, score_example(block, e)) for e in found]


def assert_docstring_examples_hold(type_id: str) -> None:
    wrong = [f"expected {e.outcome}, got {got}: {e.line}" for e, got in check_type_examples(type_id)
             if got != e.outcome]
    assert not wrong, f"{type_id}: docstring examples that do not hold:\n" + "\n".join(wrong)
