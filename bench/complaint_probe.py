"""The complaint trigger on probe lines written in fresh words: is the feeling aimed at the company?

``tests/data/dev_complaint/probe12.jsonl`` (see that folder's README) holds, per language, calm
grievances aimed at the company (``label: pass``: the call is a complaint call) and their twins,
dissatisfaction aimed at a third party, the weather, a public rule or the customer's own doing
(``label: fail``). Each line is one short call scored with the standard rubric of its language
(:func:`critical_probe.score`); the bench prints, per language, the complaints found and the
twins wrongly made complaints, then every line scored wrong with the deciding reason.

    python bench/complaint_probe.py [--file PATH] [--lang en|zh] [--aim V,B,F[,O]]

``--aim V,B,F[,O]``: score with whom the feeling is aimed at asked as bench/complaint_aim_fit.py
names its bars (V the rule veto, "none" for none; B the classifier veto; F the classifier found;
O the agent's reaction found, ``owned``), instead of the rubric as it is.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from complaint_aim_fit import rubric_aimed  # noqa: E402
from critical_probe import probe_call, read_probes, score  # noqa: E402

from qa_pipeline.rubric import score_call  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "data" / "dev_complaint" / "probe12.jsonl"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=DEFAULT)
    ap.add_argument("--lang", choices=("en", "zh"))
    ap.add_argument("--aim", help="V,B,F[,O]: the bars of bench/complaint_aim_fit.py (V may be 'none')")
    args = ap.parse_args(argv)
    rows = [r for r in read_probes(args.file) if args.lang in (None, r["language"])]
    if args.aim:
        v, *rest = args.aim.split(",")
        bars = (None if v == "none" else float(v), *(float(x) for x in rest))
        rubrics = {lang: rubric_aimed(lang, bars) for lang in {r["language"] for r in rows}}
        scored = []
        for row in rows:
            result = score_call(probe_call(row["language"], row["turns"]), rubrics[row["language"]], sentiment=0.0)
            finding = next(x for x in result.findings if x.check_id == row["item"])
            scored.append((row, finding.outcome, finding.rule or ""))
    else:
        scored = score(rows)
    for lang in sorted({r["language"] for r in rows}):
        mine = [(r, got) for r, got, _ in scored if r["language"] == lang]
        found = sum(got == "pass" for r, got in mine if r["label"] == "pass")
        false = sum(got == "pass" for r, got in mine if r["label"] == "fail")
        n_pass = sum(r["label"] == "pass" for r, _ in mine)
        right = sum((got == "pass") == (r["label"] == "pass") for r, got in mine)
        print(f"{lang}: complaints found {found}/{n_pass}, "
              f"aimed elsewhere made complaints {false}/{len(mine) - n_pass}, "
              f"right {right}/{len(mine)}")
    print("\nscored wrong:")
    for row, got, why in scored:
        if (got == "pass") != (row["label"] == "pass"):
            said = " | ".join(t for s, t in row["turns"] if s == "customer")
            print(f"  {row['language']} {row['family']}: want {row['label']}, got {got}: {said}\n      {why[:200]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
