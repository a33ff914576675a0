"""Benchmark: re-score 10,000 stored calls with the standard rubrics (`qa score`).

Builds a DuckDB file of N calls made from the labelled examples in ../shared/qa-examples
(numbers, names and amounts varied per call so no two transcripts are alike), stores them
with their first results as `qa run` would, then times the whole `qa score --db` command
in a fresh process (start-up, loading, scoring, saving) and prints calls per second.

    python bench/score_speed.py [--calls 10000] [--db /tmp/qa-bench.duckdb] [--keep] [--repeat 5] [--breakdown]
                                [--modes on,reencode,off] [--baseline DIR] [--compare] [--by-check]

With the sentence encoder installed the calls are stored with the sentence embeddings their
learned judgements read, as `qa run` stores them, and ``--modes on,off`` (the default) times
`qa score` with the learned judgements on (from the stored embeddings) and with
``QA_LEARNED=off``, run after run in turn, so both see the same load. Embedding 160,000
sentences would take hours, so the bench embeds each example's sentences and their clauses
once, for real, and stores a varied call's sentence or clause with its example's vector (the
same text but for its digits) under the varied text's hash: what `qa score` reads and does is
the same, a few probabilities differ a little. Any text `qa score` still had to embed is counted.

``reencode`` times the path before clause vectors were stored (migration 19): `qa score` on a
copy of the database without them, so it embeds every clause the learned checks judge apart
(B2 and the complaint trigger with ``clauses``), as every re-score did before. With ``on`` in
the same run the ratio of the two is printed.

``--baseline DIR`` runs another checkout's `qa score` (e.g. main's, from ``git archive``) in turn
with this one's on the same database, for each mode, and prints the ratios of the two.

Shared machines are noisy: the command runs ``--repeat`` times and the median is reported
with the best and worst run.

``--compare`` (with ``--baseline``) checks the results are the same: each checkout's `qa score`
runs on its own copy of the database, for each mode, and every stored result and finding
(all but the time it was scored) is compared, call by call; the run fails if any differs.

``--breakdown`` also runs the same steps one after the other in this process, on a copy of
the database, and prints the CPU time of each (start-up imports, reading, compiling the
rubrics, scoring, making rows, writing): where the time goes, independent of other load.
``--by-check`` prints the scoring step's CPU check by check (each check's rule and
``applies_when``, timed on the second of two passes over the calls) and what the engine does
around them.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa_pipeline.records import Turn  # noqa: E402
from qa_pipeline.rubric import encoder as encoders  # noqa: E402
from qa_pipeline.rubric import score_call, standard_rubric  # noqa: E402
from qa_pipeline.rubric.learned import split_clauses, split_sentences  # noqa: E402
from qa_pipeline.rubric.sentiment import customer_sentiment  # noqa: E402
from qa_pipeline.rubric.text import norm_row  # noqa: E402
from qa_pipeline.store import database as store  # noqa: E402
from qa_pipeline.transcript_io import call_from_json  # noqa: E402

EXAMPLES = Path(os.environ.get("QA_SHARED_DIR") or ROOT.parent / "shared") / "qa-examples"
_DIGIT = re.compile(r"\d")


def _vary(text: str, rng: random.Random) -> str:
    return _DIGIT.sub(lambda m: str(rng.randrange(10)), text)


def build(db: str, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    templates = [call_from_json(json.loads(p.read_text(encoding="utf-8")), p) for p in sorted(EXAMPLES.glob("*.json"))]
    sentiments = {t.call_id: customer_sentiment(t) for t in templates}  # once per template: snownlp is slow
    rubrics = {t.language: standard_rubric(t.language) for t in templates}
    encoder = encoders.sentence_encoder()
    # Each example's sentences embedded once, for real: (turn, sentence) -> vector.
    vectors_of = {t.call_id: _example_vectors(t, encoder) for t in templates} if encoder is not None else {}
    con = store.connect(db)
    batch, embedded = [], []
    for i in range(n):
        t = templates[i % len(templates)]
        shift = rng.uniform(-0.3, 0.3)
        turns = tuple(Turn(x.speaker, None if x.start is None else max(0.0, x.start + shift),
                           None if x.end is None else max(0.0, x.end + shift), _vary(x.text, rng)) for x in t.turns)
        call = replace(t, info=replace(t.info, call_id=f"bench-{i:06d}", source_path=f"bench/{i:06d}.wav"), turns=turns)
        if encoder is None:
            batch.append((call, [score_call(call, rubrics[call.language], sentiment=sentiments[t.call_id])]))
        else:  # scored as `qa run` scores, reading the example's vectors under this call's texts
            _use_example_vectors(call, vectors_of[t.call_id], encoder)
            with encoders.recording() as heard:
                batch.append((call, [score_call(call, rubrics[call.language], sentiment=sentiments[t.call_id])]))
            embedded.extend(encoders.embedding_rows(call, heard, encoder.id))
        if len(batch) == 1000:
            store.save_calls(con, batch, norms=[norm_row(c) for c, _ in batch], embeddings=embedded)  # as `qa run`
            batch, embedded = [], []
    if batch:
        store.save_calls(con, batch, norms=[norm_row(c) for c, _ in batch], embeddings=embedded)
    encoders.forget_stored()
    if encoder is not None:
        rows = con.execute("SELECT count(*) FROM turn_embedding_store").fetchone()[0]
        print(f"stored {rows} sentence embeddings ({rows / max(n, 1):.1f} per call) of {encoder.id}; "
              f"the encoder embedded {encoder.encoded} texts while building")
    con.close()


def _pieces(call):
    """(turn, sentence, clause) -> text of every sentence (clause 0) and clause of ``call``."""
    return {(i, j, k): piece for i, t in enumerate(call.turns) for j, s in enumerate(split_sentences(t.text or ""))
            for k, piece in enumerate([s] + split_clauses(s))}


def _example_vectors(call, encoder) -> dict:
    pieces = _pieces(call)
    vectors = encoder.embed(list(pieces.values())) if pieces else []
    return dict(zip(pieces, vectors))


def _use_example_vectors(call, vectors: dict, encoder) -> None:
    hashes, rows = [], []
    for key, piece in _pieces(call).items():
        if key in vectors:
            hashes.append(encoders.text_hash(piece))
            rows.append(vectors[key])
    if rows:
        import numpy as np

        encoders.use_stored(encoder.id, np.array(hashes, dtype=np.int64), np.stack(rows))


def _without_clause_rows(db: str) -> str:
    """A copy of ``db`` whose clause vectors are gone, as a database stored before migration 19
    holds it: `qa score` on it embeds every clause the learned checks judge apart (mode
    ``reencode``, the path before clause vectors were stored)."""
    import shutil

    copy = db + ".noclauses"
    shutil.copyfile(db, copy)
    con = store.connect(copy)
    con.execute("DELETE FROM turn_embedding_store WHERE clause > 0")
    con.execute("CHECKPOINT")
    con.close()
    return copy


def _db_for(mode: str, db: str, templates: dict) -> str:
    """The database `qa score` runs on in ``mode``: ``reencode`` gets a fresh copy each run
    (the run stores the clauses it embedded)."""
    if mode != "reencode":
        return db
    import shutil

    if "reencode" not in templates:
        templates["reencode"] = _without_clause_rows(db)
    run = db + ".reencode"
    shutil.copyfile(templates["reencode"], run)
    Path(run + ".wal").unlink(missing_ok=True)
    return run


def _env(mode: str, code: Path = ROOT) -> dict:
    env = dict(os.environ)
    if code != ROOT:  # another checkout's package first on the path (its qa_pipeline is imported)
        env["PYTHONPATH"] = os.pathsep.join([str(code)] + [p for p in [env.get("PYTHONPATH")] if p])
        # and its own rubrics and banks: the editable install maps `qa_pipeline.rubrics` to this
        # checkout's folder whichever qa_pipeline is imported
        if (code / "rubrics").is_dir():
            env["QA_RUBRICS_DIR"] = str(code / "rubrics")
    if mode == "off":
        env["QA_LEARNED"] = "off"
    else:
        env.pop("QA_LEARNED", None)
    return env


_RESULTS = {"result_store": "call_id, rubric_id", "check_store": "call_id, rubric_id, check_id"}


def _stored_results(db: str) -> dict:
    """Every stored result and finding of ``db``, by call, all but the time it was scored."""
    con = store.connect(db)
    try:
        out: dict = {}
        for table, order in _RESULTS.items():
            for row in con.execute(f"SELECT * EXCLUDE (scored_at) FROM {table} ORDER BY {order}").fetchall():
                out.setdefault(row[0], []).append((table,) + tuple(row))
        return out
    finally:
        con.close()


def compare(db: str, modes, templates: dict, baseline: Path, jobs) -> int:
    """Runs this checkout's and ``baseline``'s `qa score` on copies of ``db`` and compares what
    they stored, call by call: the number of calls whose results differ (0: identical)."""
    import shutil

    qa = [sys.executable, "-c", "from qa_pipeline.cli.main import main; main()"]
    differ = 0
    for mode in modes:
        stored = []
        for code in (ROOT, baseline.resolve()):
            copy = db + ".compare"
            shutil.copyfile(_db_for(mode, db, templates), copy)
            Path(copy + ".wal").unlink(missing_ok=True)
            subprocess.run(qa + ["score", "--db", copy] + (["--jobs", str(jobs)] if jobs else []),
                           check=True, capture_output=True, cwd=code, env=_env(mode, code))
            stored.append(_stored_results(copy))
            Path(copy).unlink(missing_ok=True)
            Path(copy + ".wal").unlink(missing_ok=True)
        mine, theirs = stored
        bad = sorted(c for c in mine.keys() | theirs.keys() if mine.get(c) != theirs.get(c))
        rows = sum(len(v) for v in mine.values())
        print(f"learned {mode}: {len(mine)} calls, {rows} stored results and findings: "
              + ("identical to the baseline's" if not bad else f"{len(bad)} calls differ, e.g. {bad[:5]}"))
        differ += len(bad)
    return differ


_EMBEDDED = re.compile(r"embedded (\d+) sentences")


# What every in-process measurement runs first: the stored calls and embeddings read as `qa score` reads
# them (``{db!r}``: the database copy).
_READ_STORED = """con = store.connect({db!r})
stored = stored_metrics(con, None)
rows = store.fetch_call_rows(con, None, words=False, normalizer=NORMALIZER_VERSION)
encoder = encoders.sentence_encoder()
if encoder is not None:
    encoders.use_stored(encoder.id, *store.stored_embeddings(con, None, encoder.id))
"""


def breakdown(db: str, modes, templates: dict, baseline: Path | None = None) -> None:
    """CPU seconds of each step of `qa score`, run one after the other in one process (and
    the same with the ``baseline`` checkout's code, in turn)."""
    for mode in modes:
        for label, code in [("", ROOT)] + ([("baseline ", baseline.resolve())] if baseline is not None else []):
            print(f"{label}breakdown, learned judgements {mode} (one process, CPU time):")
            _breakdown(_db_for(mode, db, templates), mode, code)


def _breakdown(db: str, mode: str, code_root: Path = ROOT) -> None:
    import shutil

    copy = db + ".breakdown"
    shutil.copyfile(db, copy)
    code = f"""
import gc
import time
t = [time.process_time()]
import qa_pipeline.cli.main  # start-up: every command module
gc.disable()  # as qa score does while it reads and scores
t.append(time.process_time())
from qa_pipeline.store import database as store
from qa_pipeline.rubric import standard_rubric
from qa_pipeline.rescoring import score_stored_call, stored_metrics
from qa_pipeline.rubric.text import NORMALIZER_VERSION
from qa_pipeline.rubric import encoder as encoders
{_READ_STORED.format(db=copy)}t.append(time.process_time())
calls = [rows.call(i) for i in range(len(rows))]
t.append(time.process_time())
for language in ("zh", "en"):
    standard_rubric(language)
t.append(time.process_time())
rubrics = {{}}
from threadpoolctl import threadpool_limits
with threadpool_limits(limits=1, user_api="blas"):  # as qa score's workers (rescoring._one_blas_thread)
    try:  # in batches of a worker task, as qa score does
        from qa_pipeline.rescoring import BATCH, score_stored_calls
    except ImportError:  # a checkout from before batches (--baseline): call by call, as its qa score
        results = [score_stored_call(c, None, rubrics, stored, rows.norms(i)) for i, c in enumerate(calls)]
    else:
        results = []
        for lo in range(0, len(calls), BATCH):
            results += score_stored_calls(calls[lo:lo + BATCH], None, rubrics, stored,
                                          [rows.norms(i) for i in range(lo, min(len(calls), lo + BATCH))])
t.append(time.process_time())
parts = [store.result_rows(results[i:i + 1000]) for i in range(0, len(results), 1000)]
t.append(time.process_time())
with store.transaction(con):
    store.write_result_rows(con, parts)
con.close()
t.append(time.process_time())
n = len(calls)
steps = ["start-up imports", "read rows (and embeddings)", "make Call records", "compile rubrics", "score",
         "make result rows", "write and commit"]
for name, a, b in zip(steps, t, t[1:]):
    print(f"  {{name:32s}} {{b - a:6.2f}} s CPU = {{(b - a) / n * 1e3:.3f}} ms per call")
print(f"  {{'total':32s}} {{t[-1] - t[0]:6.2f}} s CPU (one process; workers add fork and hand-over costs)")
if encoder is not None:
    print(f"  the encoder embedded {{encoder.encoded}} texts (sentences or clauses without a stored vector)")
"""
    subprocess.run([sys.executable, "-c", code], cwd=code_root, check=True, env=_env(mode, code_root))
    Path(copy).unlink(missing_ok=True)
    Path(copy + ".wal").unlink(missing_ok=True)


def by_check(db: str, modes, templates: dict, top: int = 20) -> None:
    """CPU (thread time) of each check's rule and ``applies_when``, per call of its rubric's
    language: the bench's calls scored in one process as `qa score`'s workers score them, once
    to warm up, then again timed. A check's time holds the conditions it evaluates first (a
    named condition is worked out once per call, by the first check that uses it); what the
    engine does around them (findings, scores, flags) is the rest."""
    import shutil

    for mode in modes:
        print(f"by check, learned judgements {mode} (one process, thread CPU time, second pass):")
        copy = _db_for(mode, db, templates) + ".bycheck"
        shutil.copyfile(_db_for(mode, db, templates), copy)
        subprocess.run([sys.executable, "-c", _BY_CHECK.format(db=copy, top=top)], cwd=ROOT, check=True,
                       env=_env(mode))
        Path(copy).unlink(missing_ok=True)
        Path(copy + ".wal").unlink(missing_ok=True)


_BY_CHECK_START = """
import collections, gc, time
gc.disable()
from threadpoolctl import threadpool_limits
from qa_pipeline.store import database as store
from qa_pipeline.rubric import encoder as encoders, standard_rubric
from qa_pipeline.rescoring import BATCH, score_stored_calls, stored_metrics
from qa_pipeline.rubric.text import NORMALIZER_VERSION
"""
_BY_CHECK = _BY_CHECK_START + _READ_STORED + """con.close()
calls = [rows.call(i) for i in range(len(rows))]
spent = collections.Counter()
clock = time.thread_time_ns
def timed(key, evaluate):  # an instance attribute: the node's own evaluate, timed
    def run(ctx):
        t = clock()
        try:
            return evaluate(ctx)
        finally:
            spent[key] += clock() - t
    return run
for language in ("zh", "en"):
    for check in standard_rubric(language).checks:
        for node in (check.rule, check.applies_when):
            if node is not None:
                node.evaluate = timed((language, check.id), node.evaluate)
def score():
    rubrics = {{}}
    for lo in range(0, len(calls), BATCH):
        score_stored_calls(calls[lo:lo + BATCH], None, rubrics, stored,
                           [rows.norms(i) for i in range(lo, min(len(calls), lo + BATCH))])
with threadpool_limits(limits=1, user_api="blas"):  # as qa score's workers
    score()
    spent.clear()
    t = clock()
    score()
    total = clock() - t
per_language = collections.Counter(c.language[:2] for c in calls)
checks = sum(spent.values())
print(f"  scoring {{total / len(calls) / 1e3:.0f}} us a call; the checks' rules {{checks / len(calls) / 1e3:.0f}}, "
      f"the rest (findings, scores, flags, the calls' views) {{(total - checks) / len(calls) / 1e3:.0f}}")
for (language, cid), ns in spent.most_common({top}):
    print(f"  {{language}} {{cid:12s}} {{ns / max(per_language[language], 1) / 1e3:7.1f}} us a {{language}} call, "
          f"{{ns / len(calls) / 1e3:6.1f}} us a call of the bench")
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=10_000)
    ap.add_argument("--db", default=None)
    ap.add_argument("--keep", action="store_true", help="keep the database file")
    ap.add_argument("--jobs", type=int, default=None, help="passed to qa score --jobs")
    ap.add_argument("--breakdown", action="store_true", help="also print the CPU time of each step")
    ap.add_argument("--repeat", type=int, default=5, help="times the command is run (the median is reported)")
    ap.add_argument("--baseline", type=Path, default=None,
                    help="another checkout of the code (e.g. main, unpacked with git archive): its `qa score` "
                         "is run in turn with this one's, for each mode, and the ratios printed")
    ap.add_argument("--modes", default="on,off",
                    help="learned judgements on (stored embeddings), reencode (on, the clause vectors not stored: "
                         "the path before migration 19) and/or off (QA_LEARNED=off), comma-separated")
    ap.add_argument("--by-check", action="store_true",
                    help="also print the CPU time of each check in one process (this checkout's code)")
    ap.add_argument("--compare", action="store_true",
                    help="with --baseline: check both store the same results and findings, call by call")
    args = ap.parse_args(argv)
    if args.compare and args.baseline is None:
        ap.error("--compare needs --baseline")
    db = args.db or os.path.join(tempfile.mkdtemp(prefix="qa-bench-"), "bench.duckdb")
    if not Path(db).exists():
        t0 = time.perf_counter()
        build(db, args.calls)
        print(f"built {args.calls} stored calls in {time.perf_counter() - t0:.1f} s: {db}")
    qa = [sys.executable, "-c", "from qa_pipeline.cli.main import main; main()"]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    codes = {"": ROOT}
    if args.baseline is not None:
        codes = {"": ROOT, "baseline ": args.baseline.resolve()}
    variants = [(label + m, m, code) for m in modes for label, code in codes.items()]
    walls: dict = {v: [] for v, _, _ in variants}
    cpus: dict = {v: [] for v, _, _ in variants}
    templates: dict = {}
    for run in range(args.repeat):  # each run re-scores every call again (same work each time)
        for variant, mode, code in variants:  # one after the other, so all see the same load
            target = _db_for(mode, db, templates)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            out = subprocess.run(qa + ["-v", "score", "--db", target] + (["--jobs", str(args.jobs)] if args.jobs else []),
                                 capture_output=True, text=True, cwd=code, env=_env(mode, code))
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if out.returncode != 0:
                print(out.stdout, out.stderr, file=sys.stderr)
                return out.returncode
            walls[variant].append(wall)
            cpus[variant].append(cpu)
            status = next((line.split(": ", 1)[1] for line in out.stderr.splitlines() if "learned judgements" in line),
                          "learned judgements: ?")
            embedded = sum(int(m) for m in _EMBEDDED.findall(out.stderr))
            print(f"run {run + 1}, {variant.replace(mode, '')}learned {mode}: {out.stdout.strip()}")
            print(f"  {status}; sentences embedded: {embedded}")
            print(f"  whole `qa score` command: {args.calls} calls in {wall:.2f} s = {args.calls / wall:.0f} calls/s; "
                  f"CPU of the command and its workers {cpu:.2f} s (load average {os.getloadavg()[0]:.1f})")
    for variant, mode, _ in variants if args.repeat > 0 else ():  # --repeat 0: the breakdown alone
        wall, cpu = statistics.median(walls[variant]), statistics.median(cpus[variant])
        name = f"{variant.replace(mode, '')}learned {mode}"
        print(f"{name}: whole `qa score` command, median of {len(walls[variant])}: {args.calls} calls in "
              f"{wall:.2f} s = {args.calls / wall:.0f} calls/s (best {args.calls / min(walls[variant]):.0f}, "
              f"worst {args.calls / max(walls[variant]):.0f}; {os.cpu_count()} CPUs visible)")
        # Wall time depends on whatever else the machine runs; CPU time does not. On an otherwise
        # idle machine with 2 cores, wall ≈ CPU / 2 when scoring runs in 2 processes.
        print(f"{name}: CPU time of the command and its workers (median): {cpu:.2f} s = "
              f"{args.calls / cpu:.0f} calls per CPU-second (≈ {2 * args.calls / cpu:.0f} calls/s on 2 idle cores)")
    if args.baseline is not None and args.repeat > 0:
        for mode in modes:
            base = f"baseline {mode}"
            print(f"learned {mode}, this code against the baseline, this run: "
                  f"{statistics.median(cpus[mode]) / statistics.median(cpus[base]):.2f} x the CPU time, "
                  f"{statistics.median(walls[mode]) / statistics.median(walls[base]):.2f} x the wall time")
    if "on" in modes and len(modes) > 1 and args.repeat > 0:  # ratios in this run: the same load for every mode
        cpu_on, wall_on = statistics.median(cpus["on"]), statistics.median(walls["on"])
        for mode in modes:
            if mode != "on":
                print(f"learned {mode} against on, this run: {statistics.median(cpus[mode]) / cpu_on:.2f} x the CPU "
                      f"time, {statistics.median(walls[mode]) / wall_on:.2f} x the wall time")
    if args.breakdown:
        breakdown(db, modes, templates, args.baseline)
    if args.by_check:
        by_check(db, modes, templates)
    differ = compare(db, modes, templates, args.baseline, args.jobs) if args.compare else 0
    for path in templates.values():
        for extra in (path, path + ".wal", db + ".reencode", db + ".reencode.wal"):
            Path(extra).unlink(missing_ok=True)
    if not args.keep and not args.db:
        Path(db).unlink(missing_ok=True)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
