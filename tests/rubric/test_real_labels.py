"""Labels for the real dialogues, kept apart from them (bench/real_labels.py, bench/accuracy.py --real).

The dialogues in ../shared/data/text are never copied into the repository, so the labels name each
call by the id bench/critical_precision.py's ``corpus()`` gives it and are joined to the calls it
builds. The join must attach each label to its own call, the timing items (A2, A3, B3: synthetic
turn times) must never be compared, and a bad label line must be refused with its file and line.
"""
from __future__ import annotations

import json

import pytest
from bench_modules import forget_benches, load_bench
from shared_data import shared_file

from qa_pipeline.rubric import standard_rubric

ITEMS = ("A1", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "D1", "D2", "D3", "D4", "D5", "E1")


@pytest.fixture(scope="module")
def accuracy():
    yield load_bench("accuracy")
    forget_benches()


def _helpdesk(tmp_path):
    """Two tiny Weibo threads in the shared file's layout: one opened by the book, one not."""
    threads = [
        {"id": "111", "annotations": [], "turns": [
            {"sender": "customer", "utterances": ["快递三天了还没到，太慢了，我要投诉"]},
            {"sender": "helpdesk", "utterances": ["在的"]}]},
        {"id": "222", "annotations": [], "turns": [
            {"sender": "customer", "utterances": ["请问会员怎么续费"]},
            {"sender": "helpdesk", "utterances": ["您好，这里是顺达快递客服，我是小李"]}]},
    ]
    (tmp_path / "stc3_customer_helpdesk_zh.sample150.json").write_text(json.dumps(threads, ensure_ascii=False),
                                                                     encoding="utf-8")
    return tmp_path


def _line(call_id, corpus="stc3_zh", complaint=False, **items):
    labels = {"complaint": complaint, **{i: "fail" for i in ITEMS}, **items}
    return json.dumps({"corpus": corpus, "call_id": call_id, "labels": labels, "not_labelled": ["A2", "A3", "B3"]})


def test_each_label_joins_its_own_call_and_the_timing_items_are_never_compared(accuracy, tmp_path, rules_only):
    data = _helpdesk(tmp_path)
    labels = tmp_path / "labels.jsonl"
    # not in the data's order: a join by position would swap them
    labels.write_text(_line("stc3-zh-222", A1="pass") + "\n" + _line("stc3-zh-111", complaint=True) + "\n",
                      encoding="utf-8")
    real = accuracy.labelled_calls(labels, data)
    calls = real["stc3_zh"]
    by_id = {record["call_id"]: record for record, _ in calls}
    assert by_id["stc3-zh-222"]["labels"]["A1"] == "pass" and by_id["stc3-zh-222"]["labels"]["complaint"] is False
    assert by_id["stc3-zh-111"]["labels"]["A1"] == "fail" and by_id["stc3-zh-111"]["labels"]["complaint"] is True
    assert by_id["stc3-zh-222"]["turns"][-1]["text"].startswith("您好，这里是顺达快递客服")
    agree, _, _, outcomes, _ = accuracy.score_all(calls, {"zh": standard_rubric("zh")})
    # the engine judges A2, A3 and B3 on every call; none of them is compared
    assert {item for _, item in agree} == {"complaint", *ITEMS}
    assert not {item for _, item in outcomes} & {"A2", "A3", "B3"}
    # the opening and the complaint trigger agree only when each label sits on its own call
    assert agree[("zh", "A1")] == [2, 2] and agree[("zh", "complaint")] == [2, 2]


@pytest.mark.parametrize("line, says", [
    (_line("stc3-zh-111", A2="pass"), "A2 is a timing item"),
    (_line("stc3-zh-111", C6="pass"), "unknown item 'C6'; allowed: complaint, A1"),
    (_line("stc3-zh-111", D4="maybe"), "D4: bad outcome 'maybe'; allowed: pass / fail / na"),
    (_line("stc3-zh-111", complaint="yes"), "complaint: bad outcome 'yes'; allowed: true or false"),
    (_line("stc3-zh-111", corpus="weibo"), "unknown corpus 'weibo'; allowed: stc3_zh, stc3_en, ms_travel"),
    (_line("stc3-zh-999"), "no call stc3-zh-999 in corpus stc3_zh"),
    (_line("stc3-zh-222"), "stc3-zh-222 is labelled twice (also line 1)"),
])
def test_a_bad_label_line_is_refused_with_its_file_line_and_what_is_allowed(accuracy, tmp_path, line, says):
    labels = tmp_path / "labels.jsonl"
    labels.write_text(_line("stc3-zh-222") + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(accuracy.LabelError) as refused:
        accuracy.labelled_calls(labels, _helpdesk(tmp_path))
    assert str(refused.value).startswith(f"{labels}:2: ") and says in str(refused.value)


def test_without_the_shared_data_the_bench_says_so_and_exits_non_zero(accuracy, tmp_path, capsys):
    assert accuracy.main(["--real", "--data", str(tmp_path / "absent")]) == 2
    assert f"no data in {tmp_path / 'absent'}" in capsys.readouterr().err


@pytest.mark.shared_data("data", "text")
def test_the_real_labels_join_every_call_they_name(accuracy):
    real = accuracy.labelled_calls(accuracy.REAL_LABELS, shared_file("data", "text"))
    assert {name: len(calls) for name, calls in real.items()} == {"stc3_zh": 30, "stc3_en": 15, "ms_travel": 25}
    for calls in real.values():
        for record, _ in calls:
            assert record["turns"] and set(record["labels"]) == {"complaint", *ITEMS}


@pytest.mark.shared_data("data", "text")
@pytest.mark.parametrize("name, first", [("labels.jsonl", 3), ("batch2.jsonl", 4), ("batch3.jsonl", 1)])
def test_the_zh_tuning_threads_are_not_the_never_tuned_ones(accuracy, name, first):
    """tests/data/dev_real/zh takes stc3_zh positions ≡ 3 mod 5 (labels.jsonl), ≡ 4 mod 5 (batch2.jsonl) and
    ≡ 1 mod 5 (batch3.jsonl); the never-tuned set takes positions ≡ 0 mod 5 of stc3_zh and ≡ 2 mod 10 of
    stc3_en (the same ids in the same order), and positions ≡ 7 mod 10 are kept unread for a later
    never-tuned set: by position and by thread id, no tuning thread is one of those, and no two batches
    share one (checked without reading the never-tuned labels)."""
    from pathlib import Path

    data = shared_file("data", "text")
    folder = Path(__file__).resolve().parents[1] / "data" / "dev_real" / "zh"
    tuning = accuracy.labelled_calls(folder / name, data)
    corpus = load_bench("critical_precision").corpus
    zh, en = (corpus(name, data) for name in ("stc3_zh", "stc3_en"))
    position = {c["call_id"]: i for i, c in enumerate(zh)}
    ids = [record["call_id"] for record, _ in tuning["stc3_zh"]]
    assert sorted(position[i] for i in ids) == list(range(first, 150, 5))
    never = {zh[i]["call_id"].split("-")[-1] for i in range(0, len(zh), 5)}
    never |= {en[i]["call_id"].split("-")[-1] for i in range(2, len(en), 10)}
    reserve = {zh[i]["call_id"].split("-")[-1] for i in range(7, len(zh), 10)}
    assert not {i.split("-")[-1] for i in ids} & (never | reserve)
    others = {f.name for f in folder.glob("*.jsonl")} - {name}
    for other in others:
        theirs = {record["call_id"] for record, _ in accuracy.labelled_calls(folder / other, data)["stc3_zh"]}
        assert not theirs & set(ids), f"{name} and {other} share threads"
