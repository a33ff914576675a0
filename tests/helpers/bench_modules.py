"""A bench script (bench/NAME.py) loaded as a module, for the tests of its choices.

The bench scripts import each other by bare name (``from accuracy import ...``) after putting
bench/ on ``sys.path``; :func:`forget_benches` drops those modules again so that a test that
loads one does not leave another test a stale copy.
"""
from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from shared_data import REPO

BENCHES = ("accuracy", "complaint_channel_bar", "complaint_transfer", "critical_precision", "fold_fit",
           "fresh_changes", "fresh_patch", "fresh_view", "item_decision_fit", "learned_gain", "real_labels", "b2_decide",
           "b2_reaction", "b2_windows")


def load_bench(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # a dataclass reads its module's names while the module is run
    spec.loader.exec_module(module)
    return module


def forget_benches() -> None:
    for name in BENCHES:
        sys.modules.pop(name, None)
