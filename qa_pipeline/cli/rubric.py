"""`qa rubric check|test` and `qa score`: validate rubrics, run their examples, re-score calls."""
from __future__ import annotations

import contextlib
import os
import sys

import click

from qa_pipeline.cli.options import db_option, example
from qa_pipeline.cli.progress_bar import RichProgress
from qa_pipeline.errors import InputError
from qa_pipeline.progress import no_progress
from qa_pipeline.review import calibration
from qa_pipeline.store import database as store


def register(cli: click.Group) -> None:
    cli.add_command(rubric)
    cli.add_command(score)


@click.group()
def rubric() -> None:
    """Validate rubric files and run the PASS/FAIL examples written inside them."""


@example("qa rubric check rubrics/my-form.yaml")
@rubric.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check(files) -> None:
    """Validate rubric FILES before anything is scored (exit code 2 on the first error)."""
    from qa_pipeline.rubric import load_rubric

    for path in files:
        r = load_rubric(path)
        n_tests = sum(len(t.expect) for t in r.tests)
        click.echo(f"{path}: ok — rubric {r.id} v{r.version} ({', '.join(r.languages)}), "
                   f"{len(r.checks)} checks, {n_tests} inline test expectations")


@example("qa rubric test rubrics/my-form.yaml -q")
@rubric.command("test")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-q", "--quiet", is_flag=True, help="Only print failures and the summary.")
def test(files, quiet) -> None:
    """Run the PASS/FAIL examples in rubric FILES (`tests:`); exit code 1 when one fails."""
    from qa_pipeline.rubric import load_rubric
    from qa_pipeline.rubric.testing import run_rubric_tests

    failed = total = 0
    for path in files:
        r = load_rubric(path)
        if not r.tests:
            click.echo(f"{path}: no tests: add a 'tests:' list of mini calls with expected outcomes")
            continue
        for o in run_rubric_tests(r):
            total += 1
            if o.ok:
                if not quiet:
                    click.echo(f"PASS  {path} · {o.test} · {o.check_id} = {o.got}")
            else:
                failed += 1
                click.secho(f"FAIL  {path} · {o.test} · {o.check_id}: expected {o.expected}, got {o.got} "
                            f"({o.rule})", fg="red")
    click.echo(f"{total - failed}/{total} expectations met")
    if failed:
        sys.exit(1)


@example("qa score --db qa.duckdb --rubric rubrics/my-form.yaml", "qa score --db qa.duckdb --calls c0001 --calls c0002")
@click.command()
@db_option(exists=True, help="DuckDB database holding the transcribed calls.")
@click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False),
              help="Rubric YAML file (default: the standard rubric for each call's language).")
@click.option("--calls", "call_ids", multiple=True, help="Only these call ids (repeat or separate by spaces).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Processes scoring in parallel (default: the number of CPUs, at most 8).")
def score(db_path, rubric_path, call_ids, jobs) -> None:
    """Re-score stored transcripts without re-transcribing; results of older rubric versions are kept."""
    from qa_pipeline.rescoring import rescore
    from qa_pipeline.rubric import load_rubric

    r = load_rubric(rubric_path) if rubric_path else None
    ids = [i for chunk in call_ids for i in chunk.split()] or None
    # A bar on a terminal (a million calls take minutes); none in logs and pipes.
    bar = RichProgress("Scoring calls", audio=False) if sys.stderr.isatty() else None
    with store.opened(db_path) as con, (bar or contextlib.nullcontext()):
        version = calibration.activate(con)
        if version is not None:
            click.echo(f"learned judgements: this centre's model version {version} (qa calibrate)", err=True)
        summary = rescore(con, r, ids, jobs=jobs or min(os.cpu_count() or 1, 8), progress=bar or no_progress)
    if summary.missing:
        click.secho(f"not stored (skipped): {', '.join(summary.missing[:10])}"
                    + (" …" if len(summary.missing) > 10 else ""), fg="yellow", err=True)
    if summary.other_language:
        click.secho(f"{summary.other_language} calls are in a language {rubric_path} does not list; "
                    "check --rubric, or leave it out to use each call's standard rubric", fg="yellow", err=True)
    if not summary.calls:
        raise InputError(db_path, "no stored calls to score" + (" with those ids" if ids else "")
                         + "; run `qa run` or `qa import` first")
    mean = f", mean score {summary.mean_score:.1f}" if summary.mean_score is not None else ""
    click.echo(f"{summary.calls} calls scored with {', '.join(summary.rubrics)}: {summary.flagged} flagged{mean}; "
               f"{summary.seconds:.1f} s ({summary.calls_per_second:.0f} calls/s)")
