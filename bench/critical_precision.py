"""False critical fails on real, harmless agent text that no exemplar or threshold was tuned on.

A CRITICAL item (B2 forbidden language, E1 confidential data) zeroes a call's score, so a false
one costs an agent far more than a missed soft item (issue 11: a critical fail on at most 1 % of
harmless calls). This bench scores real dialogues from ../shared/data/text (see its README) with
the standard rubric of their language and prints, per corpus, how many calls get a critical fail,
each with the deciding sentence and rule. Nothing here is labelled: the integrator reads the
flagged sentences against ../shared/qa-form.md — a real breach (real agents are sometimes curt)
stays, a false one is a kind of error to fix in general terms.

- stc3 zh / en: 150 real Chinese Weibo helpdesk dialogues (NTCIR-14 STC-3) and their English
  translations. Each post is a turn; times are synthetic (by length), so timing items mean nothing.
- ms_travel: 25 English travel-agency call transcripts (agent/customer messages).

Every corpus is scored twice: with the standard rubrics, and with ``clauses`` switched off in
every learned judgement (a copy of the rubric, same exemplar banks), so the cost in precision of
judging comma-cut clauses alone shows beside what it buys in recall (bench/accuracy.py).

    python bench/critical_precision.py [--data DIR] [--limit N] [--corpus stc3_zh ...]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa_pipeline.package_data import rubrics_dir  # noqa: E402
from qa_pipeline.rubric import encoder as encoders  # noqa: E402
from qa_pipeline.rubric import load_rubric, score_call, standard_rubric  # noqa: E402
from qa_pipeline.transcript_io import call_from_json  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "text"
CORPORA = ("stc3_zh", "stc3_en", "ms_travel")
_CLAUSES_ON = re.compile(r"^(\s*)clauses:\s*true\b", re.M)


def _timed(language: str, call_id: str, turns: list[tuple[str, str]]) -> dict:
    """A call record with synthetic times: each turn takes time by its length, a short gap between."""
    out, t = [], 0.5
    for speaker, text in turns:
        seconds = max(1.0, len(text) / (4.0 if language == "zh" else 15.0))
        out.append({"speaker": speaker, "start": round(t, 2), "end": round(t + seconds, 2), "text": text})
        t += seconds + 0.6
    return {"call_id": call_id, "language": language, "turns": out}


def stc3_calls(path: Path, language: str) -> list[dict]:
    """The STC-3 dialogues: the helpdesk is the agent; each post (utterance) is one turn."""
    calls = []
    for d in json.loads(path.read_text(encoding="utf-8")):
        turns = [("agent" if t["sender"] == "helpdesk" else "customer", u.strip())
                 for t in d["turns"] for u in t["utterances"] if u.strip()]
        calls.append(_timed(language, f"stc3-{language}-{d['id']}", turns))
    return calls


def travel_calls(folder: Path) -> list[dict]:
    """The travel-agency calls: MessageFromBotOrAgent is the agent, MessageFromUser the customer."""
    calls = []
    for path in sorted(folder.glob("*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        turns = [("agent" if m["EventType"] == "MessageFromBotOrAgent" else "customer", m["Value"].strip())
                 for m in d["Conversation"]["Messages"] if (m.get("Value") or "").strip()]
        call = _timed("en", path.stem, turns)
        call.update(agent_name=d.get("AgentName"), agent_id=d.get("AgentId"), team=d.get("Team"))
        calls.append(call)
    return calls


def corpus(name: str, data: Path) -> list[dict]:
    if name == "ms_travel":
        return travel_calls(data / "ms_travel_calls")
    language = name.split("_")[1]
    return stc3_calls(data / f"stc3_customer_helpdesk_{language}.sample150.json", language)


def without_clauses(language: str, workdir: Path):
    """The standard rubric with every learned judgement's ``clauses`` off, or None when it has none
    (the copy keeps the standard exemplar banks: see exemplars.bank_path)."""
    text = (rubrics_dir() / f"standard-{language}.yaml").read_text(encoding="utf-8")
    if not _CLAUSES_ON.search(text):
        return None
    path = workdir / f"standard-{language}-no-clauses.yaml"
    path.write_text(_CLAUSES_ON.sub(r"\1clauses: false", text), encoding="utf-8")
    return load_rubric(path)


def critical_fails(calls: list[dict], rubric) -> list[tuple[str, str, str, str]]:
    """(call id, item, the deciding agent turn, rule) for every CRITICAL item a call fails."""
    out = []
    for record in calls:
        call = call_from_json(record)
        result = score_call(call, rubric, sentiment=0.0)
        for f in result.findings:
            if f.critical and f.outcome == "fail":
                said = f.evidence.text if f.evidence is not None else ""
                out.append((call.call_id, f.check_id, said, f.rule or ""))
    return out


def report(name: str, calls: list[dict], fails: list, label: str) -> None:
    failed = {cid for cid, *_ in fails}
    rate = 100.0 * len(failed) / len(calls) if calls else 0.0
    print(f"  {label}: {len(failed)}/{len(calls)} calls with a critical fail ({rate:.1f} %)")
    for cid, item, said, rule in fails:
        print(f"    {cid} {item}: {said[:160]!r}\n      — {rule[:220]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT), help="../shared/data/text")
    ap.add_argument("--corpus", nargs="*", choices=CORPORA, default=list(CORPORA))
    ap.add_argument("--limit", type=int, help="the first N calls of each corpus")
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not data.is_dir():
        print(f"no data in {data} (see ../shared/data/README.md)", file=sys.stderr)
        return 2
    print(encoders.encoder_status())
    total = {"standard": [0, 0], "no clauses": [0, 0]}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.corpus:
            calls = corpus(name, data)[: args.limit]
            language = calls[0]["language"] if calls else "en"
            print(f"\n{name} ({len(calls)} calls, rubric standard-{language}):")
            fails = critical_fails(calls, standard_rubric(language))
            report(name, calls, fails, "standard")
            plain = without_clauses(language, Path(tmp))
            plain_fails = fails if plain is None else critical_fails(calls, plain)
            if plain is None:
                print("  clauses off: the same (this rubric judges no clauses)")
            else:
                report(name, calls, plain_fails, "clauses off")
            for key, got in (("standard", fails), ("no clauses", plain_fails)):
                total[key][0] += len({cid for cid, *_ in got})
                total[key][1] += len(calls)
    print("\nall corpora:")
    for key, (n, of) in total.items():
        print(f"  {key}: {n}/{of} calls with a critical fail ({100.0 * n / max(of, 1):.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
