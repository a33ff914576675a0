"""The explicit registry of check types: ID → (options schema, build function).

Each module documents its type with PASS/FAIL examples; ``docs/rubrics.md`` lists them.
"""
from __future__ import annotations

from dataclasses import dataclass

from qa_pipeline.rubric.checks import answered, complaint, detect, learned, logic, metric, order, phrases, regex, semantic
from qa_pipeline.rubric.checks.base import BuildFn, Option


@dataclass(frozen=True)
class CheckType:
    id: str
    options: dict[str, Option]
    build: BuildFn
    doc: str


def _t(module, type_id=None, options=None, build=None) -> CheckType:
    return CheckType(type_id or module.ID, options or module.OPTIONS, build or module.build, module.__doc__ or "")


CHECK_TYPES: dict[str, CheckType] = {t.id: t for t in (
    _t(phrases), _t(regex), _t(semantic), _t(detect), _t(metric), _t(order), _t(complaint), _t(learned), _t(answered),
    _t(logic, "all", logic.ALL_OPTIONS, logic.build_all),
    _t(logic, "any", logic.ALL_OPTIONS, logic.build_any),
    _t(logic, "not", logic.NOT_OPTIONS, logic.build_not),
    _t(logic, "absence", logic.NOT_OPTIONS, logic.build_absence),
    _t(logic, "check", logic.CHECK_OPTIONS, logic.build_check),
    _t(logic, "use", logic.USE_OPTIONS, logic.build_use),
)}

__all__ = ["CHECK_TYPES", "CheckType"]
