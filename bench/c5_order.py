"""C5 (order) by kind: what each change to C5's order conditions does, per view.

Each kind is a change to a rubric's YAML, applied alike to today's rubric and to each hold-out's rubric
as it was fresh (bench/fresh_view.py), nothing else changed; each call is scored without and with it.
Printed per folder: C1–C5 agreement before → after, all items, and the calls that moved (+ right now,
- wrong now). Kinds:

* ``closing_began``: C3 must come before the closing *began*, not only before its goodbye: C4's thanks
  is searched again from C3's hit on ("thank you for calling" … "anything else?" … "bye" is out of order).

Views as bench/c2_echo.py (its ``run``): ``fresh`` (hold-outs 7–14, each with the rubric it was fresh at),
``current`` (every folder of tests/data/dev_LANG, today's rubric), ``examples`` (../shared/qa-examples),
``real`` (the tuning real threads; not by default).

    .venv/bin/python bench/c5_order.py [--lang zh en] [--kinds closing_began] [--views fresh current examples]
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import c2_echo  # noqa: E402
from fresh_view import WORKDIR  # noqa: E402

from qa_pipeline.rubric.loader import parse_rubric, read_rubric_yaml  # noqa: E402

ITEMS = ("C1", "C2", "C3", "C4", "C5")


CLOSING_BEGAN = {"zh": "结束语的致谢在询问其他需求之后", "en": "closing thanks after the anything-else"}


def _after_c3(node):
    """A copy of the closing's thanks condition ``node`` searched only from the offer of more help on."""
    node = copy.deepcopy(node)
    if isinstance(node, dict) and node.get("type") == "phrases":
        node["after"] = {"check": "C3"}
    elif isinstance(node, dict) and "any" in node:
        node["any"] = [_after_c3(n) for n in node["any"]]
    return node


def closing_began(data: dict, on: bool) -> dict:
    """``data`` with (``on``) or without C5's condition that the closing's thanks comes at or after the offer
    of more help: C4's thanks (its first part) searched from C3's hit on, as standard-LANG.yaml has it."""
    data = copy.deepcopy(data)
    rule = next(c for c in data["checks"] if c["id"] == "C5")["rule"]
    rule["all"] = [p for p in rule["all"] if not (isinstance(p, dict) and p.get("name") in CLOSING_BEGAN.values())]
    if on:
        thanks = next(c for c in data["checks"] if c["id"] == "C4")["rule"]["all"][0]
        rule["all"].append({**_after_c3(thanks), "name": CLOSING_BEGAN[(data.get("languages") or ["en"])[0][:2]]})
    return data


KINDS = {"closing_began": closing_began}


def rubrics(path: Path, kinds):
    """The rubric of ``path`` without the kinds and with them."""
    data = read_rubric_yaml(path.read_text(encoding="utf-8"))
    before, after = data, data
    for kind in kinds:
        before, after = KINDS[kind](before, False), KINDS[kind](after, True)
    return parse_rubric(before, str(path)), parse_rubric(after, str(path))


def run(lang: str, kinds, views, workdir: Path) -> None:
    c2_echo.run(lang, views, workdir, rubrics_of=lambda path: rubrics(path, kinds), items=ITEMS)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", nargs="*", choices=("zh", "en"), default=["zh", "en"])
    ap.add_argument("--kinds", nargs="*", choices=sorted(KINDS), default=sorted(KINDS))
    ap.add_argument("--views", nargs="*", choices=("fresh", "current", "examples", "real"),
                    default=["fresh", "current", "examples"])
    ap.add_argument("--workdir", type=Path, default=WORKDIR,
                    help="where the fresh view unpacks the rubrics of old commits (kept between runs)")
    args = ap.parse_args(argv)
    for lang in args.lang:
        run(lang, args.kinds, args.views, args.workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
