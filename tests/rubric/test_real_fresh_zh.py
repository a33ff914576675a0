"""The fresh never-tuned Mandarin threads (tests/data/real_fresh/zh.jsonl): their labels load, and
they are exactly the threads the selection rule names — stc3_zh positions ≡ 7 mod 10 in corpus()'s
order — so none is a thread of the older never-tuned set (stc3_zh ≡ 0 mod 5, stc3_en ≡ 2 mod 10: the
same ids in the same order) or of a tuning set (≡ 1, 3, 4 mod 5). Checked by position and by id; the
older never-tuned labels file is not opened."""
from __future__ import annotations

from pathlib import Path

import pytest
from bench_modules import forget_benches, load_bench
from shared_data import shared_file

FRESH = Path(__file__).resolve().parents[1] / "data" / "real_fresh" / "zh.jsonl"
RESIDUE, STEP = 7, 10  # the rule: stc3_zh positions ≡ 7 mod 10


@pytest.fixture(scope="module")
def labels():
    load_bench("accuracy")  # puts bench/ on the path for real_labels' imports
    yield load_bench("real_labels")
    forget_benches()


def _ids(labels, name: str, data: Path) -> list[str]:
    """The thread ids of ``name`` in corpus()'s order, without the stc3-<language>- prefix."""
    return [c["call_id"].split("-", 2)[2] for c in labels.corpus(name, data)]


@pytest.mark.shared_data("data", "text")
def test_the_fresh_threads_are_the_ones_the_rule_names_and_none_is_used_elsewhere(labels):
    data = shared_file("data", "text")
    zh, en = _ids(labels, "stc3_zh", data), _ids(labels, "stc3_en", data)
    assert zh == en and len(zh) == 150
    joined = labels.labelled_calls(FRESH, data)  # every line parses and names a call the data has
    assert list(joined) == ["stc3_zh"]
    fresh = [record["call_id"].split("-", 2)[2] for record, _ in joined["stc3_zh"]]
    assert [zh.index(i) for i in fresh] == list(range(RESIDUE, len(zh), STEP))
    never_tuned = {zh[i] for i in range(len(zh)) if i % 5 == 0} | {en[i] for i in range(len(en)) if i % 10 == 2}
    tuning = {zh[i] for i in range(len(zh)) if i % 5 in (1, 3, 4)}
    assert not set(fresh) & never_tuned
    assert not set(fresh) & tuning


def test_every_line_labels_every_item_but_the_timing_ones(labels):
    rows = labels.load_labels(FRESH)
    assert len(rows) == 15 and {row.corpus for row in rows} == {"stc3_zh"}
    assert all(set(row.labels) == set(labels.ITEMS) for row in rows)
    # the D items are na exactly on the threads labelled not a complaint
    d_items = ("D1", "D2", "D3", "D4", "D5")
    assert all((row.labels[d] == "na") == (not row.labels["complaint"]) for row in rows for d in d_items)
