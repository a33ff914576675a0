"""The fresh never-tuned English real threads (tests/data/real_fresh/en.jsonl): their labels load with
bench/real_labels.py's loader, and they are exactly the threads the selection rule names — stc3_en
positions ≡ 7 mod 10 in corpus()'s order — so none is one of the older never-tuned set's (stc3_en
≡ 2 mod 10; stc3_zh ≡ 0 mod 5, the same ids in the same order) nor a tuning thread's (≡ 1, 3, 4 mod 5).
The check is by position in code; tests/data/real/labels.jsonl is never opened."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_modules import forget_benches, load_bench
from shared_data import shared_file

LABELS = Path(__file__).resolve().parents[1] / "data" / "real_fresh" / "en.jsonl"
RESIDUE, MODULUS = 7, 10  # the selection rule: stc3_en positions ≡ 7 mod 10


def used_elsewhere(position: int) -> bool:
    """A position some other set holds: never-tuned (en ≡ 2 mod 10, zh ≡ 0 mod 5) or tuning (≡ 1, 3, 4 mod 5)."""
    return position % 10 == 2 or position % 5 in (0, 1, 3, 4)


@pytest.fixture(scope="module")
def labels():
    load_bench("accuracy")  # puts bench/ on the path for real_labels' imports
    yield load_bench("real_labels")
    forget_benches()


def test_every_line_parses_and_labels_every_item_but_the_timing_ones(labels):
    loaded = labels.load_labels(LABELS)
    assert len(loaded) == 15
    assert {label.corpus for label in loaded} == {"stc3_en"}
    for raw in LABELS.read_text(encoding="utf-8").splitlines():
        assert sorted(json.loads(raw)["not_labelled"]) == sorted(labels.TIMING_ITEMS)


@pytest.mark.shared_data("data", "text")
def test_the_fresh_threads_are_the_ones_the_rule_names_and_none_is_used_elsewhere(labels):
    data = shared_file("data", "text")
    en = [c["call_id"].split("-", 2)[2] for c in labels.corpus("stc3_en", data)]
    zh = [c["call_id"].split("-", 2)[2] for c in labels.corpus("stc3_zh", data)]
    assert en == zh  # so a zh position names the same thread as the en one
    joined = labels.labelled_calls(LABELS, data)
    assert list(joined) == ["stc3_en"]
    positions = [en.index(record["call_id"].split("-", 2)[2]) for record, _ in joined["stc3_en"]]
    assert positions == list(range(RESIDUE, len(en), MODULUS)) and len(positions) == 15
    assert not [p for p in positions if used_elsewhere(p)]
