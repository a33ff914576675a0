"""bench/c2_echo.py adds the need_echo detector to C2's rule alone, and the result loads.

Fails against the code before it: the bench does not exist, and the loader refuses the detector's name.
"""
from __future__ import annotations

import pytest
from bench_modules import forget_benches, load_bench
from shared_data import REPO

from qa_pipeline.rubric.loader import parse_rubric, read_rubric_yaml


@pytest.fixture(scope="module")
def bench():
    yield load_bench("c2_echo")
    forget_benches()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_standard_rubric_with_the_detector_loads_and_changes_c2_alone(bench, lang):
    path = REPO / "rubrics" / f"standard-{lang}.yaml"
    data = read_rubric_yaml(path.read_text(encoding="utf-8"))
    patched = bench.with_need_echo(data)
    before = {c["id"]: c for c in data["checks"]}
    after = {c["id"]: c for c in patched["checks"]}
    assert {k: v for k, v in after.items() if k != "C2"} == {k: v for k, v in before.items() if k != "C2"}
    learned = before["C2"]["rule"].get("type") == "learned"
    was = before["C2"]["rule"]["rule"] if learned else before["C2"]["rule"]
    now = after["C2"]["rule"]["rule"] if learned else after["C2"]["rule"]
    assert now == {"any": [was, bench.ECHO]}
    assert before["C2"]["rule"] != after["C2"]["rule"]  # the file's data itself is left as it was
    rubric = parse_rubric(patched, str(path))
    assert rubric.check("C2") is not None
