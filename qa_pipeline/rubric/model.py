"""The rubric as loaded: checks with compiled conditions, flag rules and inline tests."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from qa_pipeline.rubric.checks.base import Node

__all__ = ["Rubric", "Check", "Section", "FlagRules", "MetricFlag", "RubricTest"]


@dataclass(frozen=True)
class Section:
    id: str
    title_zh: str
    title_en: str


@dataclass(frozen=True)
class Check:
    """One item of the form. ``kind: trigger`` checks (e.g. ``complaint``) carry no weight:
    their outcome ``pass`` means the trigger fired."""

    id: str
    title_zh: str
    title_en: str
    section: Optional[str]
    weight: float
    critical: bool
    kind: str  # "item" | "trigger"
    rule: Node
    applies_when: Optional[Node] = None
    description: str = ""

    def title(self, language: str) -> str:
        return self.title_zh if language.startswith("zh") else self.title_en


@dataclass(frozen=True)
class MetricFlag:
    metric: str
    above: Optional[float]
    below: Optional[float]
    reason: str


@dataclass(frozen=True)
class FlagRules:
    score_below: Optional[float] = 80.0
    critical_fail: bool = True
    triggers: tuple[str, ...] = ()  # trigger checks whose pass flags the call
    metrics: tuple[MetricFlag, ...] = ()
    unknown_speakers: bool = True


@dataclass(frozen=True)
class RubricTest:
    """A PASS/FAIL example written in the rubric: a mini call and the expected outcomes."""

    name: str
    turns: tuple[dict, ...]
    expect: dict[str, str]  # check id → pass/fail/na
    language: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rubric:
    id: str
    version: str
    languages: tuple[str, ...]
    title: str
    sections: tuple[Section, ...]
    checks: tuple[Check, ...]
    evaluation_order: tuple[str, ...]  # check ids, dependencies first
    flags: FlagRules
    tests: tuple[RubricTest, ...] = ()
    path: Optional[str] = None
    conditions: dict[str, Node] = field(default_factory=dict)

    def check(self, check_id: str) -> Check:
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(check_id)

    @property
    def check_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.checks)
