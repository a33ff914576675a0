"""Fit where whom the feeling is aimed at decides the complaint trigger, leaving one folder out.

The complaint trigger's rules fire on strong words whoever they are aimed at, and its classifier
scores a calm grievance as high as an outburst at the weather. The ``complaint_aim`` judgement
(rubrics/exemplars/{zh,en}.jsonl, item ``complaint_aim``: at the company, or at a third party,
fate, a public rule, the customer's own doing) can be asked in three places, each with its bar:

* ``V`` — the ``complaint`` rule's ``aimed: {below: V}``: a rule hit counts only in a turn aimed at
  the company with probability V or more (qa_pipeline/rubric/checks/complaint.py);
* ``B`` — the learned check's ``aim: {below: B}``: a sentence the classifier decides on is left to
  the rules where aimed at the company below B;
* ``F`` — the learned check's ``aim: {found: F}``: a sentence the classifier ranks unsure, or may
  only flag (``decides: false``), is found where aimed at the company at F or more;
* ``O`` (``--owned``) — the learned check's ``owned: {found: O}``: the other side of the call. Where the
  customer's best sentence is unsure or only flagged, the call is found where one of the agent's
  sentences after it owns a fault of the company or records a complaint (item ``complaint_owned``) at
  O or more. Fitted alone, the other bars at the current setting.

Each call is scored once with every rule hit vetoed while each hit turn's aim probability is
recorded (the check then searches on through every hit turn), and with ``aim: {below: 0, found:
1}`` and ``owned: {found: 1}`` (the classifier's best sentence's aim probability and the agent's
reaction quoted in the finding, nothing changed): the complaint outcome at any (V, B, F, O) follows
exactly. The bars are fitted with :mod:`fold_fit`
on the written tuning folders of tests/data/dev_{lang} (each written by its own writer) and
../shared/qa-examples, one folder held out at a time; the current setting (no bar anywhere) is
first in the grid, so it wins ties. The real tuning batches (tests/data/dev_real, public threads:
their own bar, which ``aim`` does not touch) are scored with each fold's bars as a check, never
fitted on. Adopted only where :func:`fold_fit.adoptable` says so.

    python bench/complaint_aim_fit.py [--lang zh en] [--no-real] [--owned]

Prints per folder: the calls, the complaint agreement now and with the bars fitted on the other
folders; then the totals, whether the bars are adoptable, and the bars fitted on all folders.
"""
from __future__ import annotations

import argparse
import copy
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import DEFAULT as EXAMPLES  # noqa: E402
from complaint_transfer import ITEM, threads, written_folders  # noqa: E402
from fold_fit import adoptable, best, leave_one_out, totals  # noqa: E402

import qa_pipeline.rubric.checks.complaint as complaint  # noqa: E402
from qa_pipeline.rubric import rubrics_dir, score_call  # noqa: E402
from qa_pipeline.rubric.loader import parse_rubric, read_rubric_yaml  # noqa: E402

NEVER = 1.01  # an F no probability reaches: the classifier only flags, as now
# (V, B, F): the current setting first (no bar anywhere), then the bars tried.
GRID = ((None, 0.0, NEVER),) + tuple(
    (v, b, f) for v in (None, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6) for b in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
    for f in (NEVER, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95) if (v, b, f) != (None, 0.0, NEVER))
# (V, B, F, O): the agent's reaction alone, the other bars at the current setting (--owned).
OWNED_GRID = ((None, 0.0, NEVER, NEVER),) + tuple(
    (None, 0.0, NEVER, o) for o in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95))
AIMED = re.compile(r"\(aimed at the company p=([0-9.]+)\)")
OWNED = re.compile(r"\(agent owns a fault p=([0-9.]+)\)")
OWNED_ITEM = "complaint_owned"


class Reading(NamedTuple):
    """A call as the bars are fitted on it: each rule hit turn's aim probability; the classifier's
    state with every rule hit vetoed ("found": it decided, "flag": unsure, or at or above its band's
    top where it may only flag, "": neither) and its best sentence's aim probability; and whether the call is
    a complaint with every rule hit vetoed (what no bar changes where the classifier is neither); and
    the agent's reaction after the best sentence where it is read (``flag``: owning a fault, 0 unread)."""
    hits: list[float]
    state: str
    aimed: float
    otherwise: bool
    owned: float = 0.0


def rubric_aimed(lang: str, bars=(0.5, 0.0, 1.0, 1.0)):
    """The standard rubric of ``lang`` with the complaint rule's ``aimed`` at V and the learned
    check's ``aim`` at B and F and ``owned`` at O (``bars``, V None: no ``aimed``; O left out: no
    ``owned``), on the complaint check's own banks. The default changes nothing but the rule veto,
    which :func:`recording` takes over."""
    v, b, f = bars[:3]
    path = rubrics_dir() / f"standard-{lang}.yaml"
    data = copy.deepcopy(read_rubric_yaml(path.read_text(encoding="utf-8")))
    check = next(c for c in data["checks"] if c["id"] == ITEM)
    if v is not None:
        check["rule"]["rule"]["aimed"] = {"bank": check["rule"]["bank"], "below": v}
    check["rule"]["aim"] = {"item": complaint.AIM, "below": b, "found": min(f, 1.0)}
    if len(bars) > 3:
        check["rule"]["owned"] = {"item": OWNED_ITEM, "found": min(bars[3], 1.0)}
    return parse_rubric(data, str(path))


@contextmanager
def recording(seen: list[float]):
    """While open, a rubric built reads every rule hit turn's aim probability into ``seen`` and
    vetoes the hit (so the check searches on through every hit turn)."""
    made = complaint.aimed_elsewhere

    def recorder(banks, weights, bar):
        def record(turn) -> bool:
            p = complaint.aim_probability(turn, banks, weights)
            seen.append(1.0 if p is None else p)  # no judgement: the hit counts at any bar
            return True
        return record
    complaint.aimed_elsewhere = recorder
    try:
        yield
    finally:
        complaint.aimed_elsewhere = made


def readings(lang: str, calls) -> list[Reading]:
    """The :class:`Reading` of each call."""
    seen: list[float] = []
    with recording(seen):
        rubric = rubric_aimed(lang)
    out = []
    for call in calls:
        seen.clear()
        f = next(f for f in score_call(call, rubric, sentiment=0.0).findings if f.check_id == ITEM)
        m, o = AIMED.search(f.rule or ""), OWNED.search(f.rule or "")
        state = "" if m is None else "found" if f.outcome == "pass" else "flag"
        out.append(Reading(list(seen), state, float(m.group(1)) if m else 0.0, f.outcome == "pass",
                           float(o.group(1)) if o else 0.0))
    return out


def outcome(r: Reading, bars) -> bool:
    """The complaint outcome of ``r`` at ``bars``: (V, B, F) or (V, B, F, O)."""
    v, b, f = bars[:3]
    o = bars[3] if len(bars) > 3 else NEVER
    if any(p >= v for p in r.hits) if v is not None else bool(r.hits):
        return True
    if r.state == "found":
        return r.aimed >= b
    if r.state == "flag":
        return r.aimed >= f or r.owned >= o
    return r.otherwise


def agreed(bars, rows) -> int:
    return sum(outcome(r, bars) == label for r, label in rows)


def fit(rows, grid=GRID):
    """The bars agreeing with the most rows; of equals the first in grid order (the current setting first)."""
    return best(grid, lambda bars: (agreed(bars, rows),))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", nargs="+", default=["zh", "en"], choices=("zh", "en"))
    ap.add_argument("--no-real", action="store_true", help="leave out the real tuning batches")
    ap.add_argument("--owned", action="store_true",
                    help="fit O, the agent's reaction (owned: {found: O}), alone instead of (V, B, F)")
    args = ap.parse_args(argv)
    grid = OWNED_GRID if args.owned else GRID
    for lang in args.lang:
        folders = written_folders(lang, EXAMPLES)
        folds = {}
        for name, calls in folders.items():
            read = readings(lang, [call for (call, _), _ in calls])
            folds[name] = list(zip(read, [label for (_, label), _ in calls]))
        held = leave_one_out(folds, lambda rows: fit(rows, grid), agreed, grid[0])
        print(f"{lang}: folder, calls, complaint agreed without the bar -> with the bar fitted on the others (bar)")
        for h in held:
            print(f"  {h.name:14} {h.n:3}  {h.before:3} -> {h.after:3}  ({h.fitted})")
        before, after, n = totals(held)
        everything = [r for rows in folds.values() for r in rows]
        print(f"  total {before} -> {after} of {n}; adoptable: {adoptable(held)}; "
              f"fitted on all folders: {fit(everything, grid)}")
        levers = len(grid[0])
        def alone(lever: int):  # the best bars moving only one lever from the current setting
            return best([g for g in grid if all(g[i] == grid[0][i] for i in range(levers) if i != lever)],
                        lambda g: (agreed(g, everything),))
        print(f"  in sample, now {agreed(grid[0], everything)}; each lever alone at its best: " + ", ".join(
            f"{name} {alone(i)} {agreed(alone(i), everything)}" for i, name in enumerate("VBFO"[:levers])))
        for name, rows in folds.items():
            for r, label in rows:
                if outcome(r, grid[0]) != label:
                    print(f"    wrong now in {name}: complaint {label}; rule hit aims {[round(p, 2) for p in r.hits]}, "
                          f"classifier {r.state or '-'} aimed {r.aimed:.2f}, agent owns {r.owned:.2f}")
        if args.owned:  # how the agent's reaction separates where it is read: the calls the classifier flags
            flagged = sorted((r.owned, label) for rows in folds.values() for r, label in rows if r.state == "flag")
            for label in (True, False):
                owns = " ".join(f"{o:.2f}" for o, y in flagged if y is label)
                print(f"  flagged, complaint {label}: agent owns {owns}")
        if not args.no_real:
            for batch, pairs in threads(lang).items():
                rows = list(zip(readings(lang, [c for c, _ in pairs]), [y for _, y in pairs]))
                fitted = sorted({h.fitted for h in held}, key=str)
                marks = ", ".join(f"{bars}: {agreed(bars, rows)}" for bars in [grid[0]] + fitted)
                print(f"  real {batch:7} {len(rows):3} threads, complaint agreed (bars): {marks}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
