"""The real English tuning threads (tests/data/dev_real/en): their labels load, and they are the
threads the selection rules name — stc3_en positions ≡ 1 mod 5 (labels.jsonl), ≡ 4 mod 5 (batch2.jsonl) and
≡ 3 mod 5 (batch3.jsonl) in corpus()'s order — so none is one of the old real set's (tests/data/real:
stc3_en ≡ 2 mod 10, and stc3_zh ≡ 0 mod 5: the same ids in the same order) nor of the fresh never-tuned set's
(tests/data/real_fresh, ≡ 7 mod 10). From stop 26 batch4.jsonl holds the positions ≡ 0 mod 5: the English
translations of the old real set's Mandarin threads, which is no longer a clean measure; they are still
none of real_fresh's."""
from __future__ import annotations

from pathlib import Path

import pytest
from bench_modules import forget_benches, load_bench
from shared_data import shared_file

HERE = Path(__file__).resolve().parents[1] / "data" / "dev_real" / "en"
BATCHES = {"labels.jsonl": 1, "batch2.jsonl": 4, "batch3.jsonl": 3, "batch4.jsonl": 0}  # file -> its positions' residue mod 5


@pytest.fixture(scope="module")
def labels():
    load_bench("accuracy")  # puts bench/ on the path for real_labels' imports
    yield load_bench("real_labels")
    forget_benches()


@pytest.mark.shared_data("data", "text")
@pytest.mark.parametrize("name", sorted(BATCHES))
def test_the_tuning_threads_are_the_ones_the_rule_names_and_none_is_fresh(labels, name):
    data = shared_file("data", "text")
    en = [c["call_id"].split("-", 2)[2] for c in labels.corpus("stc3_en", data)]
    zh = [c["call_id"].split("-", 2)[2] for c in labels.corpus("stc3_zh", data)]
    assert en == zh
    joined = labels.labelled_calls(HERE / name, data)
    assert list(joined) == ["stc3_en"]
    positions = [en.index(record["call_id"].split("-", 2)[2]) for record, _ in joined["stc3_en"]]
    assert positions == list(range(BATCHES[name], len(en), 5)) and len(positions) == 30
    old_real = {i for i in range(len(en)) if i % 10 == 2 or (i % 5 == 0 and name != "batch4.jsonl")}
    fresh = {i for i in range(len(en)) if i % 10 == 7}
    assert not old_real & set(positions) and not fresh & set(positions)
