"""CRITICAL recall and precision on probe lines written from the form in fresh words.

``tests/data/dev_critical/probe11.jsonl`` (see that folder's README) holds, per language and per
paraphrase family of B2 (rhetorical impatience, blame, find it yourself / go elsewhere, explained
already, polite brush-off, sarcasm, condescension) and per shape of E1 (a full number read back,
data given before verification, a secret spelled out in pieces), breaches (``label: fail``) and
their harmless twins (``label: pass``: the same words in a harmless use). Each line is one short
call (its ``turns``) scored with the standard rubric of its language; the bench prints, per
language and family, the breaches caught and the harmless twins given a critical fail, then every
line scored wrong with the deciding reason.

    python bench/critical_probe.py [--file PATH] [--lang en|zh]

``--file tests/data/dev_critical/probe12.jsonl``: round 12's lines in the same format (polite limits,
honest not-knowing, referrals that help, card and ID numbers that pass or fail their checks, numbers and
secrets read in pieces across turns).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa_pipeline.records import Call, CallInfo, Turn  # noqa: E402
from qa_pipeline.rubric import score_call, standard_rubric  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "data" / "dev_critical" / "probe11.jsonl"


def probe_call(language: str, turns: list[list[str]]) -> Call:
    """One probe as a call: each turn three seconds, half a second apart."""
    made, t = [], 0.5
    for speaker, text in turns:
        made.append(Turn(speaker, t, t + 3.0, text))
        t += 3.5
    return Call(CallInfo("probe"), language, tuple(made))


def read_probes(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        missing = {"language", "item", "family", "label", "turns"} - set(row)
        if missing or row["label"] not in ("pass", "fail"):
            raise SystemExit(f"{path}:{n}: a probe needs language, item, family, label (pass/fail) and turns; "
                             f"missing {sorted(missing)} or label {row.get('label')!r}")
        rows.append(row)
    return rows


def score(rows: list[dict]) -> list[tuple[dict, str, str]]:
    """Each probe with the outcome of its item and the finding's reason."""
    out = []
    for row in rows:
        result = score_call(probe_call(row["language"], row["turns"]), standard_rubric(row["language"]), sentiment=0.0)
        found = next(f for f in result.findings if f.check_id == row["item"])
        out.append((row, found.outcome, found.rule or ""))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=DEFAULT)
    ap.add_argument("--lang", choices=("en", "zh"))
    args = ap.parse_args(argv)
    rows = [r for r in read_probes(args.file) if args.lang in (None, r["language"])]
    scored = score(rows)
    table: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row, got, _ in scored:
        cell = table[(row["language"], row["item"], row["family"])]
        if row["label"] == "fail":
            cell[0] += got == "fail"
            cell[1] += 1
        else:
            cell[2] += got == "fail"
            cell[3] += 1
    print(f"{'lang':4} {'item':4} {'family':34} caught  false")
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (lang, item, family), (c, n, f, h) in sorted(table.items()):
        print(f"{lang:4} {item:4} {family:34} {c:>2}/{n:<2}   {f:>2}/{h:<2}")
        totals[lang] = [a + b for a, b in zip(totals[lang], (c, n, f, h))]
    for lang, (c, n, f, h) in sorted(totals.items()):
        print(f"{lang}: CRITICAL caught {c}/{n}, false critical fails {f}/{h}")
    print("\nscored wrong:")
    for row, got, why in scored:
        if (got == "fail") != (row["label"] == "fail"):
            said = " | ".join(t for _, t in row["turns"])
            print(f"  {row['language']} {row['item']} {row['family']}: want {row['label']}, got {got}: {said}\n      {why[:220]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
