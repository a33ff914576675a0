"""bench/fresh_patch.py's need-echo change adds the need_echo detector to C2's rule alone (once, and measured against C2
without it where the rubric already has it, as standard-en does), and the result loads.

Fails against the code before it: the bench does not exist, and the loader refuses the detector's name.
"""
from __future__ import annotations

import copy

import pytest
from bench_modules import forget_benches, load_bench
from shared_data import REPO

from qa_pipeline.rubric.loader import parse_rubric, read_rubric_yaml


@pytest.fixture(scope="module")
def bench():
    yield load_bench("fresh_patch")
    forget_benches()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_standard_rubric_with_the_detector_loads_and_changes_c2_alone(bench, lang):
    path = REPO / "rubrics" / f"standard-{lang}.yaml"
    data = read_rubric_yaml(path.read_text(encoding="utf-8"))
    original = copy.deepcopy(data)
    patched = bench.with_need_echo(data)
    before = {c["id"]: c for c in data["checks"]}
    after = {c["id"]: c for c in patched["checks"]}
    assert {k: v for k, v in after.items() if k != "C2"} == {k: v for k, v in before.items() if k != "C2"}
    learned = before["C2"]["rule"].get("type") == "learned"
    bare = {c["id"]: c for c in bench.without_need_echo(data)["checks"]}["C2"]
    was = bare["rule"]["rule"] if learned else bare["rule"]
    now = after["C2"]["rule"]["rule"] if learned else after["C2"]["rule"]
    assert now == {"any": [was, bench.ECHO]}
    assert str(was).count("need_echo") == 0 and str(now).count("need_echo") == 1  # once, where the rubric has it
    assert data == original  # the file's data itself is left as it was
    rubric = parse_rubric(patched, str(path))
    assert rubric.check("C2") is not None
