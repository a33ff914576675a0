"""A named rubric change judged on the fresh view: each written hold-out scored with the rubric it met fresh,
without and with the change applied to that old rubric (and on today's rubric for the other views).

bench/fresh_view.py reads each hold-out with the rubric and exemplar banks of the commit it was last never
tuned at; bench/complaint_channel_bar.py --calls --fresh and bench/item_decision_fit.py --fresh try decision
options on those old rubrics. A change to a rule (a phrase added, a detector made an alternative, a condition
added) is neither: this bench applies named :data:`CHANGES` entries to each rubric's data and scores every
labelled call both ways. A change is a :class:`Change`: a one-line reason, the items it reports, the function
editing the old rubric's YAML data (False where that rubric lacks what it edits: said, and nothing done) and,
where today's rubric already holds it, the function taking it out (applied to both sides, so that the bench
measures what it adds there too). Printed per folder: the chosen changes' items before -> after, with their false
passes (labelled fail, scored pass; for the complaint trigger the false complaints on calls labelled harmless), all
items, and the calls that moved (+ right now, - wrong now and right before, ~ wrong both ways). Views:

* ``fresh`` (default): the written hold-outs 7-15, each with the rubric it was fresh at (bench/fresh_view.py);
* ``current``: every folder of tests/data/dev_LANG (today's rubric; never blind nor NEVER_TUNED);
* ``examples``: ../shared/qa-examples (today's rubric);
* ``real``: the tuning real threads, tests/data/dev_real/LANG/{labels,batch2,batch3,batch4}.jsonl.

    .venv/bin/python bench/fresh_patch.py CHANGE [CHANGE ...] [--base CHANGE ...] [--lang zh en]
        [--views fresh current examples real] [--items C2 C5 ...] [--workdir DIR]
    .venv/bin/python bench/fresh_patch.py --list

A change written from a hold-out shows on that hold-out; it is a gain only where the older hold-outs, whose
calls its writer had not read when that hold-out was fresh, move too (or at least none falls).

Figures recorded, by the bench each change was first judged with:

* (bench/fresh_patch.py, stop 30) measured 7 Dec 2026 (cmplzh30, main d482565 + that branch; hold-outs 7-14,
  128 calls, about 9 minutes on the shared 2-core machine), complaint + D1-D5 without -> with, ``--base acts``:
  swear-other-cause, d1-empathy-fault, d3-number-read 621 -> 642/768 (holdouts 7, 10, 11, 12, 14 up, none
  down; false complaints 8 -> 6), adopted; d5-remedy-order, d5-this-one-mine, d3-number-used move holdout14
  alone (the folder they were read from), reverted (docs/rubrics.md, Stop 30).
* ``need-echo`` (bench/c2_echo.py, stops 28-29) measured 7 Dec 2026 (helper c2echo, main 97d8cd4 + the
  detector), C2 main -> with it: the detector as fixed before measuring, en fresh 83 -> 86/96 (none down),
  current 228 -> 230/235, qa-examples 12/12, real threads 114 -> 112/120; zh fresh 93 -> 92, current 220 -> 218,
  real 97 -> 94. Revised twice after reading those (v3): en fresh 83 -> 86/96, C5 69 -> 72; current C2 228 ->
  230, C5 221 -> 223; real 114 -> 114; zh fresh 93 -> 93, current 220 -> 219, real 97 -> 96. Not adopted
  (docs/rubrics.md, "Stop 28: C2 by echo"). v4 (stop 29, helper c2en29, main e9bc99a, the fresh view then with
  holdout13): en fresh C2 93 -> 105/112, C5 80 -> 88, none down; current C2 238 -> 247/251; qa-examples
  216/216; real 114 -> 114 -- adopted in standard-en, whose C2 now holds the detector (the change takes it
  out on both sides first). zh fresh 108 -> 109 -- opt-in ("Stop 29: need_echo v4").
* ``closing-began`` (bench/c5_order.py, stop 30, helper c5ord30): fresh view zh C5 111 -> 112/128 (holdout14
  +1, zh-dv-198, read; nothing else moved), en 94 -> 94/128; qa-examples 216/216 per language; adopted
  (docs/rubrics.md, "Stop 30: C5 -- the offer of more help inside the closing").
* ``need-confirmed`` (stop 31, helper c2en31, main 1c2bcd1 + the detector; en, hold-outs 7-15, about 6 minutes):
  each hold-out's own rubric -> with it, C2 120 -> 136/144 (hold-outs 7-14, not read: 108 -> 120/128), C5 102 ->
  113, all items 2267 -> 2294/2592, every moved call right, C2 false passes 1 -> 1; ``--base need-echo`` C2 132 ->
  138; ``--views current examples real``: dev_en C2 274 -> 279/283, C5 262 -> 266, qa-examples 216/216, real threads
  1660 -> 1660/1800 -- adopted in standard-en (docs/rubrics.md, "Stop 31: C2 confirmed by the customer"). Its
  Mandarin form, zh: fresh C2 140 -> 141/144 (holdout13 zh-dv-170), C5 126 -> 127, false passes 0 -> 0; current
  C2 267 -> 268/270; qa-examples 216/216; real threads 97 -> 97/105 -- adopted in standard-zh.
* ``resolution-commitment`` (stop 31, c2en31), ``--base need-confirmed``: C5 113 -> 114/144, holdout15's en-dv-257
  alone (the call it was written from), nothing on hold-outs 7-14 -- not adopted.
* ``read-from-record`` (stop 31, c2en31), ``--base need-confirmed``: C1 127 -> 128/144, C5 113 -> 114, holdout15's
  en-dv-258 alone (read); on hold-outs 7-14 one call moves, wrong both ways (holdout11 en-dv-183: C1 labelled pass,
  na -> fail) -- not adopted.
* ``d2-incident-echo``, ``d2-restated``, ``acts-any`` (stop 31, helper cmpl31, main 1c2bcd1; hold-outs 7-15,
  ``--base acts``), complaint + D1-D5 of 864 per language: zh 702 -> 712 (holdouts 9, 11, 13 +1 each, all D2;
  holdout15, read, 81 -> 88), en 706 -> 712 (D2 110 -> 116, all on hold-outs 7, 8, 10, 12, 13, not read; holdout15
  none), none down; false complaints zh 9 -> 9, en 5 -> 5 -- adopted (incident_echo in both rubrics, the zh tags and
  ``likely: any`` in standard-zh; docs/rubrics.md, Stop 31). ``self-blame``, ``en-d2-said-back``,
  ``en-d3-number-reach`` move holdout15 alone (read) -- not adopted.
* ``identifier-answered``, ``contact-confirmed``, ``incident-confirmed`` (stop 32, helper en32, main ed4b623; en,
  hold-outs 7-16, about 9 minutes): C1 140 -> 153/160 (false passes 3 -> 4, holdout15 en-dv-258 wrong both ways), C5
  116 -> 117, D2 115 -> 125, D3 119 -> 129 (false passes 0 -> 0), complaint 130 -> 130, all items 2535 -> 2569/2880,
  every hold-out up -- only ``incident-confirmed`` adopted in standard-en at the merge: the other two lose on the real
  English threads (dev_real/en C1 -5, D3 -3 of 120; docs/rubrics.md, "Stop 32: C1, D2, D3 by the exchange"). Mandarin
  ``identifier-answered``: C1 153 -> 155/160 (false passes 1 -> 2), all 2613 -> 2616; current dev_zh C1 284 ->
  280/286, all 4987 -> 4980 -- not adopted.
* zhgen32 (stop 32, main ed4b623 + that branch; zh hold-outs 7-16, ``--base acts``, about 8 minutes each on the
  loaded 2-core machine), complaint + D1-D5 of 960: ``complaint-first-turn`` 795 -> 801 (holdout12 +4, 14 +1, 15 +1;
  none down; false complaints 9 -> 9) -- adopted in standard-zh's ``complaint_raised``; with the acts' trial moved
  too (the first variant) 795 -> 806 but holdout9 -6 (a false complaint), so the acts keep their own start.
  ``d5-case-mine d5-form-filed``: D5 127 -> 130/160, hold-outs 14 and 16 alone (read) -- not adopted.
  ``zh-date-spoken zh-resolution-commitment`` (hold-outs 7-12 only, stopped for time): D2 unchanged, C5 -1
  (holdout12 zh-dv-152) -- not adopted. ``zh-d-clauses`` (``--base acts complaint-first-turn``): D2 130 -> 132/160
  (holdout11 zh-dv-148, holdout15 zh-dv-208), D3-D5 unchanged, none down; but on today's view dev_zh 4993 -> 4991
  (holdout6 zh-dv-61, holdout10 zh-dv-128: a clause with a future time or deadline, 过几天就到了, 十二月十八号之前,
  read as when it happened) -- not adopted.
  ``complaint-together``: registered, not measured.
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
from qa_pipeline.rubric import encoder as encoders  # noqa: E402
from qa_pipeline.rubric.loader import parse_rubric, read_rubric_yaml  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BATCHES = ("labels", "batch2", "batch3", "batch4")
# the registry and the changes themselves (bench/fresh_changes.py); re-exported for the tests and other benches
from fresh_changes import *  # noqa: E402,F401,F403
from fresh_changes import CHANGES, COMPLAINT_D, _check  # noqa: E402,F401


# ---- scoring -------------------------------------------------------------------------------------------

def changed_data(data: dict, changes, base=()):
    """Copies of rubric YAML ``data`` without and with ``changes`` (names of :data:`CHANGES`), ``base``
    changes and every change's ``strip`` on both sides; and the names of the changes that applied."""
    data = copy.deepcopy(data)
    for name in changes:
        if CHANGES[name].strip:
            CHANGES[name].strip(data)
    for name in base:
        CHANGES[name].apply(data)
    after = copy.deepcopy(data)
    applied = [name for name in changes if CHANGES[name].apply(after)]
    return data, after, applied


def rubrics(path: Path, changes, base=()):
    """The rubric of ``path`` without and with ``changes`` (see :func:`changed_data`), and those applied."""
    before, after, applied = changed_data(read_rubric_yaml(path.read_text(encoding="utf-8")), changes, base)
    return parse_rubric(before, str(path)), parse_rubric(after, str(path)), applied


def false_passes(calls, outcomes, item: str) -> int:
    """Calls labelled ``item`` fail that the rubric passed (for the complaint trigger: calls labelled harmless
    that it took for a complaint, the false complaints)."""
    fail = False if item == "complaint" else "fail"
    return sum(1 for d, s in calls if (d.get("labels") or {}).get(item) == fail
               and outcomes.get((d.get("call_id") or str(s), item)) == "pass")


def compare(name: str, calls, lang: str, before, after, totals: dict, items) -> None:
    """Print ``items``' agreement and false passes, and all items' agreement, on ``calls`` with the rubric
    ``before`` -> ``after``, and the calls that moved; add the counts to ``totals``."""
    a_agree, *_, a_out, _ = score_all(calls, {lang: before})
    b_agree, *_, b_out, _ = score_all(calls, {lang: after})
    cells = []
    for item in items:
        (a, n), (b, _) = a_agree.get((lang, item), (0, 0)), b_agree.get((lang, item), (0, 0))
        fa, fb = false_passes(calls, a_out, item), false_passes(calls, b_out, item)
        cells.append(f"{item} {a} -> {b}/{n} (false pass {fa} -> {fb})")
        t = totals.setdefault(item, [0, 0, 0])
        t[0], t[1], t[2] = t[0] + a, t[1] + b, t[2] + n
        t = totals.setdefault(f"{item} false pass", [0, 0, ""])
        t[0], t[1] = t[0] + fa, t[1] + fb
    all_a = sum(v[0] for k, v in a_agree.items() if k[0] == lang)
    all_b = sum(v[0] for k, v in b_agree.items() if k[0] == lang)
    all_n = sum(v[1] for k, v in a_agree.items() if k[0] == lang)
    t = totals.setdefault("all", [0, 0, 0])
    t[0], t[1], t[2] = t[0] + all_a, t[1] + all_b, t[2] + all_n
    labels = {(d.get("call_id") or str(s), item): w for d, s in calls for item, w in (d.get("labels") or {}).items()}
    moved = []
    for key, got in b_out.items():
        if key[1] in items and a_out.get(key) != got:
            want = labels.get(key)
            want = ("pass" if want else "fail") if key[1] == "complaint" else want
            mark = "+" if got == want else "-" if a_out.get(key) == want else "~"
            moved.append(f"{key[1]}:{key[0]} {a_out.get(key)}->{got}({mark})")
    print(f"  {name:<28} {'   '.join(cells)}   all items {all_a} -> {all_b}/{all_n}"
          + (f"   moved: {' '.join(sorted(moved))}" if moved else ""))


def _of(lang: str, calls):
    return [(d, s) for d, s in calls if lang_family(d.get("language", "")) == lang]


def _total(totals: dict) -> None:
    print("  total                        " + "   ".join(
        f"{k} {a} -> {b}" + (f"/{n}" if n != "" else "") for k, (a, b, n) in totals.items()))


def run(lang: str, views, workdir: Path, changes, base=(), items=None) -> None:
    """Print each view of ``views`` for ``lang``, ``changes`` (with ``base`` on both sides) judged on
    ``items`` (default: the items the changes name)."""
    items = items or tuple(dict.fromkeys(i for name in changes for i in CHANGES[name].items))
    if "fresh" in views:
        totals: dict = {}
        print(f"\n== {lang}, fresh view (each hold-out with the rubric it was fresh at)")
        for folder, commit in fresh_folders(lang):
            before, after, applied = rubrics(fresh_rubric_path(lang, folder, workdir), changes, base)
            calls = _of(lang, [c for _, files in labelled_folders(folder, False) for c in read_calls(files)])
            compare(f"{folder.name} @{commit}", calls, lang, before, after, totals, items)
            if set(applied) != set(changes):
                print(f"    (not applied to this rubric: {', '.join(sorted(set(changes) - set(applied)))})")
        _total(totals)
    today_before, today_after, _ = rubrics(ROOT / "rubrics" / f"standard-{lang}.yaml", changes, base)
    if "current" in views:
        totals = {}
        print(f"\n== {lang}, current view (tests/data/dev_{lang}, today's rubric)")
        for folder, files in labelled_folders(ROOT / "tests" / "data" / f"dev_{lang}", True):
            calls = _of(lang, read_calls(files))
            if calls:
                compare(str(folder.relative_to(ROOT / "tests" / "data")), calls, lang, today_before, today_after,
                        totals, items)
        _total(totals)
    if "examples" in views:
        print(f"\n== {lang}, ../shared/qa-examples (today's rubric)")
        examples = [c for _, files in labelled_folders(DEFAULT, False) for c in read_calls(files)]
        compare("qa-examples", _of(lang, examples), lang, today_before, today_after, {}, items)
    if "real" in views:
        totals = {}
        print(f"\n== {lang}, tuning real threads (tests/data/dev_real/{lang}, today's rubric)")
        for batch in BATCHES:
            for corpus, calls in labelled_calls(ROOT / "tests/data/dev_real" / lang / f"{batch}.jsonl",
                                                REAL_DATA).items():
                compare(f"{batch} {corpus}", _of(lang, calls), lang, today_before, today_after, totals, items)
        _total(totals)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("changes", nargs="*", metavar="CHANGE", help=f"one of {', '.join(CHANGES)}")
    ap.add_argument("--list", action="store_true", help="list the registered changes and stop")
    ap.add_argument("--base", nargs="*", default=[], choices=tuple(CHANGES),
                    help="changes applied on both sides (e.g. acts: today's complaint options under both)")
    ap.add_argument("--lang", nargs="*", choices=("zh", "en"), default=None,
                    help="default: every language all the changes are written for")
    ap.add_argument("--views", nargs="*", choices=("fresh", "current", "examples", "real"), default=["fresh"])
    ap.add_argument("--items", nargs="*", default=None, help="items reported (default: those the changes name)")
    ap.add_argument("--workdir", type=Path, default=WORKDIR,
                    help="where the fresh view unpacks the rubrics of old commits (kept between runs)")
    args = ap.parse_args(argv)
    unknown = [n for n in args.changes if n not in CHANGES]
    if unknown:
        ap.error(f"no change named {', '.join(unknown)} (--list shows them)")
    if args.list or not args.changes:
        for name, change in CHANGES.items():
            print(f"{name:<20} [{'/'.join(change.langs)}; {' '.join(change.items)}] {change.reason}")
        return 0 if args.list else 2
    fits = [lang for lang in ("zh", "en") if all(lang in CHANGES[n].langs for n in args.changes + args.base)]
    langs = args.lang or fits
    wrong = [lang for lang in langs if lang not in fits]
    if wrong:
        print(f"fresh_patch: {', '.join(args.changes + args.base)} not written for {', '.join(wrong)}", file=sys.stderr)
        return 2
    if encoders.sentence_encoder() is None:
        print("fresh_patch: no sentence encoder installed: the learned judgements are off, nothing to judge",
              file=sys.stderr)
        return 2
    for lang in langs:
        run(lang, args.views, args.workdir, args.changes, args.base, tuple(args.items) if args.items else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
