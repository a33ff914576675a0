"""`qa reviews import` and `qa calibrate`: a centre's own evaluations, and the learned
judgements retrained on them (:mod:`qa_pipeline.review.history`,
:mod:`qa_pipeline.review.calibration`)."""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from qa_pipeline.cli.options import db_option, example
from qa_pipeline.errors import QaError
from qa_pipeline.review import calibration, history
from qa_pipeline.rubric import encoder as encoders
from qa_pipeline.rubric import load_rubric, standard_rubric
from qa_pipeline.store import database as store


def register(cli: click.Group) -> None:
    cli.add_command(reviews)
    cli.add_command(calibrate)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in a bare container
        return "cli"


@click.group()
def reviews() -> None:
    """A centre's reviews: evaluations scored by hand before the pipeline."""


@example("qa reviews import evaluations-2026.csv --db qa.duckdb",
         "qa reviews import evaluations.jsonl --db qa.duckdb")
@reviews.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@db_option(exists=True, help="DuckDB database holding the calls the evaluations are about.")
def reviews_import(path, db_path):
    """Import evaluations (CSV with a header, or JSON lines): call_id, item, outcome
    (pass/fail/na), reviewer, comment, reviewed_at (ISO 8601). Bad rows are listed with their
    line and what is allowed; the others are imported. Importing a file again replaces its rows
    (same call, item and reviewer), it does not add them twice. Exit code 1 when a row was refused."""
    with store.opened(db_path) as con, store.transaction(con):
        report = history.import_reviews(con, path, actor=_actor())
    for problem in report.problems:
        click.secho(f"refused: {problem}", fg="red", err=True)
    refused = len(report.problems)
    click.echo(f"{report.imported} evaluations imported, {report.replaced} already there (replaced)"
               + (f", {refused} rows refused" if refused else ""))
    if refused:
        sys.exit(1)


def _percent(value) -> str:
    return "   -" if value is None else f"{100 * value:3.0f}%"


@example("qa calibrate --db qa.duckdb", "qa calibrate --db qa.duckdb --item C2 --item B2")
@click.command()
@db_option(exists=True, help="The centre's DuckDB database (its reviews in, the new model version out).")
@click.option("--rubric", "rubric_paths", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Rubric(s) whose learned judgements are calibrated (default: the standard zh and en rubrics).")
@click.option("--item", "items", multiple=True, help="Only this item (repeatable).")
def calibrate(db_path, rubric_paths, items):
    """Retrain the learned judgements on the exemplar banks plus this centre's confirmations,
    overrides and imported evaluations; print per-item agreement with the reviewers before and
    after (cross-validated by call) and write a new model version into the database. An item
    with too few reviews keeps its current model, and says so."""
    encoder = encoders.sentence_encoder()
    if encoder is None:
        raise QaError(f"cannot calibrate: {encoders.encoder_status()}")
    rubrics = ([load_rubric(Path(p)) for p in rubric_paths] if rubric_paths
               else [standard_rubric("zh"), standard_rubric("en")])
    # Read-only while training (minutes): the dashboard and batches keep the database meanwhile.
    with store.opened(db_path, read_only=True) as con:
        result = calibration.calibrate(con, rubrics, encoder=encoder, items=items or None)
    if any(r.decision == "retrained" for r in result.items):
        with store.opened(db_path) as con, store.transaction(con):
            calibration.save(con, result, actor=_actor())
    click.echo(f"{'item':<10}{'calls':>6}{'before':>8}{'after':>8}  decision")
    for r in result.items:
        note = f"retrained (+{r.examples} sentences)" if r.decision == "retrained" else f"kept: {r.reason}"
        click.echo(f"{r.item:<10}{r.calls:>6}{_percent(r.before):>8}{_percent(r.after):>8}  {note}")
    if result.version is None:
        click.echo("no item retrained; no new model version written")
    else:
        click.echo(f"model version {result.version} written to {db_path} (encoder {result.encoder_id})")
