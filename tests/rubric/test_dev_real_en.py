"""The real English tuning threads (tests/data/dev_real/en): their labels load, and they are the
threads the selection rules name — stc3_en positions ≡ 1 mod 5 (labels.jsonl), ≡ 4 mod 5 (batch2.jsonl) and
≡ 3 mod 5 (batch3.jsonl) in corpus()'s order — so none is one of the never-tuned set's (stc3_en ≡ 2 mod 10,
and stc3_zh ≡ 0 mod 5: the same ids in the same order) nor of the reserve kept unread for a future
never-tuned set (≡ 7 mod 10)."""
from __future__ import annotations

from pathlib import Path

import pytest
from bench_modules import forget_benches, load_bench
from shared_data import shared_file

HERE = Path(__file__).resolve().parents[1] / "data" / "dev_real" / "en"
BATCHES = {"labels.jsonl": 1, "batch2.jsonl": 4, "batch3.jsonl": 3}  # file -> its positions' residue mod 5


@pytest.fixture(scope="module")
def labels():
    load_bench("accuracy")  # puts bench/ on the path for real_labels' imports
    yield load_bench("real_labels")
    forget_benches()


@pytest.mark.shared_data("data", "text")
@pytest.mark.parametrize("name", sorted(BATCHES))
def test_the_tuning_threads_are_the_ones_the_rule_names_and_none_is_never_tuned(labels, name):
    data = shared_file("data", "text")
    en = [c["call_id"].split("-", 2)[2] for c in labels.corpus("stc3_en", data)]
    zh = [c["call_id"].split("-", 2)[2] for c in labels.corpus("stc3_zh", data)]
    assert en == zh
    joined = labels.labelled_calls(HERE / name, data)
    assert list(joined) == ["stc3_en"]
    positions = [en.index(record["call_id"].split("-", 2)[2]) for record, _ in joined["stc3_en"]]
    assert positions == list(range(BATCHES[name], len(en), 5)) and len(positions) == 30
    never_tuned = {i for i in range(len(en)) if i % 10 == 2 or i % 5 == 0}
    reserve = {i for i in range(len(en)) if i % 10 == 7}
    assert not never_tuned & set(positions) and not reserve & set(positions)
