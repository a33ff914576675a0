"""C2 by echo: what the ``need_echo`` detector adds as an alternative of the C2 rule, per view.

The detector (qa_pipeline/rubric/need_echo.py) is added to C2's rule as ``any: [the rule as it
stands, {type: detect, detector: need_echo, speaker: agent}]`` (inside the learned check, the rules'
answer), nothing else changed, and each call is scored without and with it. Printed per folder:
C2 and C5 agreement main → with it, all items, and the calls that moved (+ right now, - wrong now).

* ``fresh``: the written hold-outs 7–12, each with the rubric it was fresh at (bench/fresh_view.py);
* ``current``: every folder of tests/data/dev_LANG (today's rubric; never blind nor NEVER_TUNED);
* ``examples``: ../shared/qa-examples (today's rubric);
* ``real``: the tuning real threads, tests/data/dev_real/LANG/{labels,batch2,batch3,batch4}.jsonl.

    .venv/bin/python bench/c2_echo.py [--lang zh en] [--views fresh current examples real] [--workdir DIR]

Measured 7 Dec 2026 (helper c2echo, main 97d8cd4 + the detector), C2 main → with it: the detector as fixed
before measuring, en fresh 83 → 86/96 (none down), current 228 → 230/235, qa-examples 12/12, real threads
114 → 112/120; zh fresh 93 → 92, current 220 → 218, real 97 → 94. Revised twice after reading those (v3,
the code now): en fresh 83 → 86/96, C5 69 → 72; current C2 228 → 230, C5 221 → 223; real 114 → 114; zh fresh
93 → 93, current 220 → 219, real 97 → 96. Not adopted (docs/rubrics.md, "Stop 28: C2 by echo").
v4 (stop 29, helper c2en29, main e9bc99a, the fresh view now with holdout13): en fresh C2 93 → 105/112, C5 80 → 88,
none down; current C2 238 → 247/251; qa-examples 216/216; real 114 → 114 — adopted in standard-en, whose C2 now
holds the detector (the current view then compares it with itself doubled: no change). zh fresh 108 → 109 —
opt-in ("Stop 29: need_echo v4").
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from accuracy import DEFAULT, REAL_DATA, labelled_folders, read_calls, score_all  # noqa: E402
from fresh_view import WORKDIR, fresh_folders, fresh_rubric_path  # noqa: E402
from real_labels import labelled_calls  # noqa: E402

from qa_pipeline.language import lang_family  # noqa: E402
from qa_pipeline.rubric.loader import load_rubric, parse_rubric, read_rubric_yaml  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ECHO = {"type": "detect", "name": "echoes the need", "detector": "need_echo", "speaker": "agent"}
ITEMS = ("C2", "C5")
BATCHES = ("labels", "batch2", "batch3", "batch4")


def _c2_rule_holder(data: dict) -> dict:
    """The mapping whose ``rule`` is C2's rule: the learned check's (its rules' answer), else C2 itself."""
    check = next(c for c in data["checks"] if c["id"] == "C2")
    return check["rule"] if check["rule"].get("type") == "learned" else check


def _is_echo(rule: object) -> bool:
    return isinstance(rule, dict) and rule.get("detector") == "need_echo"


def without_need_echo(data: dict) -> dict:
    """The rubric YAML ``data`` with the detector taken out of C2's rule where the rubric already has it
    (standard-en from stop 29), so that the bench measures what it adds there too."""
    data = copy.deepcopy(data)
    holder = _c2_rule_holder(data)
    rule = holder["rule"]
    if isinstance(rule, dict) and isinstance(rule.get("any"), list) and any(_is_echo(r) for r in rule["any"]):
        rest = [r for r in rule["any"] if not _is_echo(r)]
        holder["rule"] = rest[0] if len(rest) == 1 else {**rule, "any": rest}
    return data


def with_need_echo(data: dict) -> dict:
    """The rubric YAML ``data`` with the detector as an alternative of C2's rule (the rules' answer of a
    learned check, else the rule itself), once, whether or not the rubric had it."""
    data = without_need_echo(data)
    holder = _c2_rule_holder(data)
    holder["rule"] = {"any": [holder["rule"], ECHO]}
    return data


def rubrics(path: Path):
    """The rubric of ``path`` without the detector and with it."""
    data = read_rubric_yaml(path.read_text(encoding="utf-8"))
    return (parse_rubric(without_need_echo(data), str(path)),
            parse_rubric(with_need_echo(data), str(path)))


def compare(name: str, calls, lang: str, before, after, totals: dict, items=ITEMS) -> None:
    """Print ``items``' agreement and all items' on ``calls`` with the rubric ``before`` → ``after``, and
    the calls that moved; add the counts to ``totals``."""
    a_agree, *_, a_out, _ = score_all(calls, {lang: before})
    b_agree, *_, b_out, _ = score_all(calls, {lang: after})
    cells = []
    for item in items:
        (a, n), (b, _) = a_agree.get((lang, item), (0, 0)), b_agree.get((lang, item), (0, 0))
        cells.append(f"{item} {a} → {b}/{n}")
        t = totals.setdefault(item, [0, 0, 0])
        t[0] += a
        t[1] += b
        t[2] += n
    all_a = sum(v[0] for k, v in a_agree.items() if k[0] == lang)
    all_b = sum(v[0] for k, v in b_agree.items() if k[0] == lang)
    all_n = sum(v[1] for k, v in a_agree.items() if k[0] == lang)
    t = totals.setdefault("all", [0, 0, 0])
    t[0] += all_a
    t[1] += all_b
    t[2] += all_n
    labels = {(d.get("call_id") or str(s), item): w for d, s in calls for item, w in (d.get("labels") or {}).items()}
    moved = []
    for key, got in b_out.items():
        if key[1] in items and a_out.get(key) != got:
            want = labels.get(key)
            moved.append(f"{key[1]}:{key[0]}({'+' if got == want else '-'})")
    print(f"  {name:<28} {'   '.join(cells)}   all items {all_a} → {all_b}/{all_n}"
          + (f"   moved: {' '.join(sorted(moved))}" if moved else ""))


def _of(lang: str, calls):
    return [(d, s) for d, s in calls if lang_family(d.get("language", "")) == lang]


def run(lang: str, views, workdir: Path, rubrics_of=None, items=ITEMS) -> None:
    """Print each view of ``views`` for ``lang``: ``rubrics_of(path)`` gives the rubric of a file before and
    after the change (default: without and with the detector); ``items`` are the items printed."""
    rubrics_of = rubrics_of or rubrics
    today = rubrics_of(ROOT / "rubrics" / f"standard-{lang}.yaml")
    if "fresh" in views:
        totals: dict = {}
        print(f"\n== {lang}, fresh view (hold-outs 7–12, each with the rubric it was fresh at)")
        for folder, commit in fresh_folders(lang):  # hold-outs 7-12 in order
            calls = _of(lang, [c for _, files in labelled_folders(folder, False) for c in read_calls(files)])
            compare(f"{folder.name} @{commit}", calls, lang, *rubrics_of(fresh_rubric_path(lang, folder, workdir)),
                    totals=totals, items=items)
        _total(totals)
    if "current" in views:
        totals = {}
        print(f"\n== {lang}, current view (tests/data/dev_{lang}, today's rubric)")
        for folder, files in labelled_folders(ROOT / "tests" / "data" / f"dev_{lang}", True):
            calls = _of(lang, read_calls(files))
            if calls:
                compare(str(folder.relative_to(ROOT / "tests" / "data")), calls, lang, *today, totals=totals, items=items)
        _total(totals)
    if "examples" in views:
        print(f"\n== {lang}, ../shared/qa-examples (today's rubric)")
        compare("qa-examples", _of(lang, [c for _, files in labelled_folders(DEFAULT, False)
                                          for c in read_calls(files)]), lang, *today, totals={}, items=items)
    if "real" in views:
        totals = {}
        print(f"\n== {lang}, tuning real threads (tests/data/dev_real/{lang}, today's rubric)")
        for batch in BATCHES:
            for corpus, calls in labelled_calls(ROOT / "tests/data/dev_real" / lang / f"{batch}.jsonl",
                                                REAL_DATA).items():
                compare(f"{batch} {corpus}", _of(lang, calls), lang, *today, totals=totals, items=items)
        _total(totals)


def _total(totals: dict) -> None:
    print("  total                        " + "   ".join(
        f"{k} {a} → {b}/{n}" for k, (a, b, n) in totals.items()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", nargs="*", choices=("zh", "en"), default=["zh", "en"])
    ap.add_argument("--views", nargs="*", choices=("fresh", "current", "examples", "real"),
                    default=["fresh", "current", "examples", "real"])
    ap.add_argument("--workdir", type=Path, default=WORKDIR,
                    help="where the fresh view unpacks the rubrics of old commits (kept between runs)")
    args = ap.parse_args(argv)
    for lang in args.lang:
        run(lang, args.views, args.workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
