"""`qa run`, `qa import`, `qa export`, `qa models`, `qa demo`: calls in and out."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from qa_pipeline.cli.progress_bar import RichProgress
from qa_pipeline.errors import InputError, QaError
from qa_pipeline.store import database as store

DB_OPTION = click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False),
                         help="DuckDB database file (created if missing).")


def register(cli: click.Group) -> None:
    for command in (run, import_, export, models, demo, roster):
        cli.add_command(command)


@click.command()
@click.argument("calls_dir", type=click.Path(file_okay=False))
@DB_OPTION
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False),
              help="CSV or JSON-lines file with a row per call (file or call_id, agent_id, team, ring_seconds, ...).")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False),
              help="CSV of agents: agent_id, agent_name, team, team_lead, hire_date, centre.")
@click.option("--language", type=click.Choice(["auto", "zh", "en"]), default="auto", show_default=True)
@click.option("--vocabulary", type=click.Path(exists=True, dir_okay=False),
              help="YAML file of the centre's names and greeting (per team/queue), given to the recogniser.")
@click.option("--model", default=None, help="Model pack name (see `qa models list`), local CTranslate2 directory or hub id.")
@click.option("--agent-channel", type=click.Choice(["left", "right"]), default="left", show_default=True,
              help="Stereo calls: the agent's channel (a metadata column agent_channel overrides it per call).")
@click.option("--force", is_flag=True, help="Redo files already processed.")
@click.option("--no-score", is_flag=True, help="Store transcripts only; score later with `qa score`.")
@click.option("--no-diarize", is_flag=True, help="Mono calls: do not separate speakers (they stay 'unknown').")
@click.option("--diarization-pipeline", default=None, help="pyannote pipeline directory or hub id (default: the diarization model pack).")
@click.option("--device", default="cpu", show_default=True, help="cpu or cuda.")
@click.option("--max-hours", type=click.FloatRange(min=0, min_open=True), default=4.0, show_default=True, help="Refuse recordings longer than this.")
def run(calls_dir, db_path, metadata, roster, language, vocabulary, model, agent_channel, force, no_score,
        no_diarize, diarization_pipeline, device, max_hours):
    """Transcribe, separate speakers, score and store every recording under CALLS_DIR."""
    from qa_pipeline.metadata import read_metadata
    from qa_pipeline.pipeline import RunOptions, run_batch
    from qa_pipeline.privacy.redaction import redaction_enabled
    from qa_pipeline.speech.vocabulary import read_vocabulary

    if not Path(calls_dir).is_dir():
        raise click.BadParameter(f"{calls_dir} is not a folder; give the folder that holds the recordings",
                                 param_hint="CALLS_DIR")
    table = read_metadata(metadata) if metadata else None
    if roster:
        _load_roster(db_path, roster)
    options = RunOptions(language=language, model=model, agent_channel=agent_channel, force=force,
                         score=not no_score, diarize=not no_diarize, diarization_pipeline=diarization_pipeline,
                         device=device, max_seconds=max_hours * 3600, redact=redaction_enabled(),
                         vocabulary=read_vocabulary(vocabulary) if vocabulary else None)
    with RichProgress("Processing calls") as bar:
        summary = run_batch(calls_dir, db_path, metadata=table, options=options, progress=bar)
    hours = summary.audio_seconds / 3600
    click.echo(f"{summary.processed} calls processed, {summary.skipped} unchanged and skipped, "
               f"{len(summary.failed)} failed, {summary.flagged} flagged for review; "
               f"{hours:.2f} h of audio in {summary.wall_seconds:.0f} s"
               + (f" (real-time factor {summary.wall_seconds / summary.audio_seconds:.2f})" if summary.audio_seconds else ""))
    if table and table.problems:
        click.secho(f"{len(table.problems)} metadata rows skipped (see the warnings above)", fg="yellow", err=True)
    for f in summary.failed:
        click.secho(f"failed: {f.source_path}: {f.reason}", fg="red", err=True)
    if summary.failed:
        sys.exit(1)


def _load_roster(db_path, roster):
    from qa_pipeline.store.roster import import_roster

    with store.opened(db_path) as con:
        n = import_roster(con, roster)
    click.echo(f"roster: {n} agents from {roster}")


@click.group()
def roster():
    """The organisation: agents, teams and team leads."""


@roster.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@DB_OPTION
def roster_import(path, db_path):
    """Load a roster CSV (agent_id, agent_name, team, team_lead, hire_date, centre)."""
    _load_roster(db_path, path)


@click.command("import")
@click.argument("path", type=click.Path(exists=True))
@DB_OPTION
@click.option("--no-score", is_flag=True, help="Store transcripts only.")
def import_(path, db_path, no_score):
    """Load transcripts from elsewhere (JSON files in the qa-examples FORMAT.md format)."""
    from qa_pipeline.pipeline import score
    from qa_pipeline.privacy.redaction import redact_call, redaction_enabled
    from qa_pipeline.transcript_io import iter_transcript_files, read_transcripts

    ok = failed = 0
    redact = redaction_enabled()
    for file in iter_transcript_files(path):
        try:
            calls = read_transcripts(file)
        except InputError as exc:
            click.secho(f"skipped: {exc}", fg="red", err=True)
            failed += 1
            continue
        with store.opened(db_path) as con:
            for call in calls:
                call = redact_call(call) if redact else call
                store.save_call(con, call, [] if no_score else score(call))
                ok += 1
    click.echo(f"{ok} calls imported" + (f", {failed} files skipped" if failed else ""))
    if failed:
        sys.exit(1)


@click.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "jsonl"]), default="parquet", show_default=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write into.")
def export(db_path, fmt, out_dir):
    """Write calls, turns, words and results as parquet, csv or jsonl."""
    from qa_pipeline.transcript_io import export as do_export

    if not Path(db_path).exists():
        raise QaError(f"{db_path}: no such database; run `qa run` or `qa import` first")
    with store.opened(db_path, read_only=True) as con:
        written = do_export(con, fmt, out_dir)
    for name, path in written.items():
        click.echo(f"{name}: {path}")


@click.group()
def models():
    """List, install, verify model packs; print a model's directory."""


@models.command("list")
def models_list():
    from qa_pipeline.model_packs import status

    for row in status():
        mark = "*" if row["default"] else " "
        state = "installed" if row["installed"] else "not installed"
        click.echo(f"{mark} {row['name']:<16} {row['kind']:<12} {state:<14} {row['licence']}")
        click.echo(f"    {row['description']}")


@models.command("install")
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Reassemble even when the files verify.")
def models_install(names, force):
    """Install NAMES (default: every pack)."""
    from qa_pipeline.model_packs import install, load_manifest

    _, packs = load_manifest()
    for name in names or packs:
        try:
            click.echo(f"{name}: {install(name, force=force)}")
        except QaError as exc:
            if names:
                raise
            click.secho(f"{name}: not installed: {exc}", fg="yellow", err=True)


@models.command("verify")
@click.argument("names", nargs=-1)
def models_verify(names):
    from qa_pipeline.model_packs import load_manifest, verify

    _, packs = load_manifest()
    bad = 0
    for name in names or packs:
        problems = verify(name)
        click.echo(f"{name}: {'ok' if not problems else '; '.join(problems)}")
        bad += bool(problems)
    if bad:
        sys.exit(1)


@models.command("path")
@click.argument("name", required=False)
def models_path(name):
    """The local directory of NAME (default: the default speech-recognition model)."""
    from qa_pipeline.model_packs import get_pack, load_manifest, pack_dir, verify

    default, _ = load_manifest()
    name = name or default
    problems = verify(name)
    if problems:
        raise QaError(f"{name}: {'; '.join(problems)}")
    click.echo(pack_dir(get_pack(name)))


@click.command()
@click.option("--out", "out_dir", default="demo", show_default=True, type=click.Path(file_okay=False))
@click.option("--db", "db_path", default=None, help="Database to create (default: OUT/qa.duckdb).")
@click.option("--size", type=click.Choice(["small", "large"]), default="small", show_default=True,
              help="small: a handful of English calls rendered to audio and processed end to end; "
                   "large: a living centre (40 agents, thousands of scored calls over 12 weeks).")
def demo(out_dir, db_path, size):
    """Build demo calls, process them into a fresh database and say what to run next."""
    from qa_pipeline.demo.bundled import run_demo

    db = Path(db_path or Path(out_dir) / "qa.duckdb")
    run_demo(Path(out_dir), db, size=size, echo=click.echo)
