"""`qa run`, `qa import`, `qa export`, `qa models`, `qa demo`: calls in and out."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from qa_pipeline.cli.options import db_option, example
from qa_pipeline.cli.progress_bar import RichProgress
from qa_pipeline.errors import QaError
from qa_pipeline.store import database as store


def register(cli: click.Group) -> None:
    for command in (run, import_, export, models, demo, roster):
        cli.add_command(command)


@example(
    "qa run calls/ --db qa.duckdb --metadata calls.csv --roster agents.csv",
    "qa run calls/ --db qa.duckdb --language zh --no-score   # transcripts only; `qa score` later",
    "qa run /mnt/calls --db qa.duckdb --ray auto   # on the Ray cluster this machine belongs to",
)
@click.command()
@click.argument("calls_dir", type=click.Path(file_okay=False))
@db_option()
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
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
              help="Where speech recognition runs; auto: an NVIDIA GPU when there is one, else the CPU.")
@click.option("--compute-type", default=None,
              help="CTranslate2 number type (int8, float16, int8_float16, float32, ...); "
                   "default: float16 on a GPU, int8 on a CPU.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="Speech windows (up to 30 s) decoded together; 1: sequential. "
                   "Default: the fastest measured for the device (1 on a CPU, 16 on a GPU).")
@click.option("--beam-size", type=click.IntRange(min=1), default=None,
              help="Beam search width of speech recognition; 1: greedy. Default: 2 (faster-whisper's is 5; "
                   "2 was as accurate on the benchmark calls for less CPU).")
@click.option("--calls-per-batch", type=click.IntRange(min=1), default=1, show_default=True,
              help="With --batch-size above 1: calls whose speech windows share the batches (in this process, "
                   "not with --workers above 1 or --ray). 1: each call's own batches.")
@click.option("--threads", type=click.IntRange(min=0), default=None,
              help="CPU threads per worker process; default: the cores shared out between the workers.")
@click.option("--max-hours", type=click.FloatRange(min=0, min_open=True), default=4.0, show_default=True, help="Refuse recordings longer than this.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes, each loading the models once and using its share of the cores; this "
                   "process stores the calls (default: one per 4 cores, at least one). With --ray: the cluster's "
                   "workers (default: one per CPU of the cluster).")
@click.option("--ray", "ray_address", default=None, metavar="ADDRESS",
              help="Spread the calls over a Ray cluster: its address (as `ray start --head` prints it), 'auto' "
                   "for the cluster this machine belongs to, or 'local' for a one-machine cluster. Every node must "
                   "read the recordings at the same path (a shared file system).")
@click.option("--strict-metadata", is_flag=True,
              help="Stop (exit 2) before processing when a metadata column looks misspelled, a recording matches "
                   "no metadata row, or a row matches no recording.")
def run(calls_dir, db_path, metadata, roster, language, vocabulary, model, agent_channel, force, no_score,
        no_diarize, diarization_pipeline, device, compute_type, batch_size, beam_size, calls_per_batch, threads,
        max_hours, workers, ray_address, strict_metadata):
    """Transcribe, separate speakers, score and store every recording under CALLS_DIR."""
    from qa_pipeline.metadata import read_metadata
    from qa_pipeline.pipeline import RunOptions, run_batch
    from qa_pipeline.privacy.redaction import redaction_enabled
    from qa_pipeline.speech.settings import speech_settings
    from qa_pipeline.speech.vocabulary import read_vocabulary

    if not Path(calls_dir).is_dir():
        raise click.BadParameter(f"{calls_dir} is not a folder; give the folder that holds the recordings",
                                 param_hint="CALLS_DIR")
    try:  # before any work: a GPU asked for and missing, or a number type the device lacks
        speech_settings(device, compute_type, batch_size, threads, workers=workers or 1, beam_size=beam_size)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--device/--compute-type") from None
    table = read_metadata(metadata) if metadata else None
    metadata_lines = _check_metadata(table, calls_dir, strict_metadata) if table else []
    executor, workers = _executor(workers, ray_address)
    if calls_per_batch > 1 and executor is not None:
        click.secho("--calls-per-batch: worker processes and Ray workers batch each call's speech alone",
                    fg="yellow", err=True)
    if roster:
        _load_roster(db_path, roster)
    options = RunOptions(language=language, model=model, agent_channel=agent_channel, force=force,
                         score=not no_score, diarize=not no_diarize, diarization_pipeline=diarization_pipeline,
                         device=device, compute_type=compute_type, batch_size=batch_size, threads=threads, workers=workers,
                         beam_size=beam_size, calls_per_batch=calls_per_batch,
                         max_seconds=max_hours * 3600, redact=redaction_enabled(),
                         vocabulary=read_vocabulary(vocabulary) if vocabulary else None)
    try:
        with RichProgress("Processing calls") as bar:
            summary = run_batch(calls_dir, db_path, metadata=table, options=options, progress=bar,
                                executor=executor)
    except KeyboardInterrupt as stop:
        _say_interrupted(stop)
        sys.exit(130)
    if summary.model_version is not None:
        click.echo(f"learned judgements: this centre's model version {summary.model_version} (qa calibrate)", err=True)
    hours = summary.audio_seconds / 3600
    click.echo(f"{summary.processed} calls processed, {summary.skipped} unchanged and skipped, "
               f"{len(summary.failed)} failed, {summary.flagged} flagged for review; "
               f"{hours:.2f} h of audio in {summary.wall_seconds:.0f} s"
               + (f" (real-time factor {summary.wall_seconds / summary.audio_seconds:.2f})" if summary.audio_seconds else ""))
    if table and table.problems:
        click.secho(f"{len(table.problems)} metadata rows skipped (see the warnings above)", fg="yellow", err=True)
    for line in metadata_lines:  # again after the summary, where it is read
        click.secho(f"metadata: {line}", fg="yellow", err=True)
    for f in summary.failed:
        click.secho(f"failed: {f.source_path}: {f.reason}", fg="red", err=True)
    if summary.failed:
        sys.exit(1)


def _executor(workers, ray_address):
    """Where the calls run (None: in this process) and how many worker processes share this
    machine's cores (each gets its share as the speech model's threads unless --threads says)."""
    from qa_pipeline.workers import LocalWorkers, default_workers

    if ray_address:
        from qa_pipeline.cluster import RayCluster, ray_module

        ray_module()  # without Ray, say how to install it before any work
        return RayCluster(ray_address, workers=workers or 0), 1  # each actor sets its threads to the CPUs it reserves
    workers = workers or default_workers()
    return (LocalWorkers(workers) if workers > 1 else None), workers


def _say_interrupted(stop: KeyboardInterrupt) -> None:
    """Ctrl-C: what is kept, and that running the same command again goes on from there."""
    from qa_pipeline.pipeline import BatchInterrupted

    if isinstance(stop, BatchInterrupted):
        done = stop.summary
        saved = done.processed + len(done.failed)
        click.secho(f"Interrupted: {saved} of {stop.to_process} calls saved in this run ({done.processed} processed, "
                    f"{len(done.failed)} failed); the call in progress was not saved.", fg="yellow", err=True)
    else:  # before the first call or between two: every call finished so far is stored
        click.secho("Interrupted: the calls finished so far are saved.", fg="yellow", err=True)
    click.echo("Run the same command again to continue: calls already saved are skipped.", err=True)


def _check_metadata(table, calls_dir, strict: bool) -> list[str]:
    """Misspelled columns and recordings and rows that found no partner, said before the batch
    starts; with ``--strict-metadata`` they stop it."""
    from qa_pipeline.pipeline import find_recordings

    root = Path(calls_dir).resolve()
    match = table.match([p.relative_to(root).as_posix() for p in find_recordings(root)])
    lines = table.column_warnings + match.describe(table.path)
    if strict and lines:
        for line in lines:
            click.secho(f"error: {line}", fg="red", err=True)
        click.secho("error: --strict-metadata: nothing processed; fix the metadata file (or drop --strict-metadata "
                    "to store such calls without their metadata)", fg="red", err=True)
        sys.exit(2)
    for line in lines:
        click.secho(f"metadata: {line}", fg="yellow", err=True)
    return lines


def _load_roster(db_path, roster):
    from qa_pipeline.store.roster import import_roster

    with store.opened(db_path) as con:
        n = import_roster(con, roster)
    click.echo(f"roster: {n} agents from {roster}")


@click.group()
def roster():
    """The organisation: agents, teams and team leads."""


@example("qa roster import agents.csv --db qa.duckdb")
@roster.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@db_option()
def roster_import(path, db_path):
    """Load a roster CSV (agent_id, agent_name, team, team_lead, hire_date, centre)."""
    _load_roster(db_path, path)


@example("qa import transcripts/ --db qa.duckdb", "qa import chat-0042.json --db qa.duckdb --no-score")
@click.command("import")
@click.argument("path", type=click.Path(exists=True))
@db_option()
@click.option("--no-score", is_flag=True, help="Store transcripts only.")
def import_(path, db_path, no_score):
    """Load transcripts from elsewhere (JSON files in the qa-examples FORMAT.md format)."""
    from qa_pipeline.importing import ImportInterrupted, import_transcripts
    from qa_pipeline.pipeline import RunOptions
    from qa_pipeline.privacy.redaction import redaction_enabled

    try:
        summary = import_transcripts(path, db_path, options=RunOptions(score=not no_score, redact=redaction_enabled()))
    except ImportInterrupted as stop:
        done = stop.summary
        click.secho(f"Interrupted: {done.imported} calls imported from {done.files_done} of {done.files} files; "
                    "the calls being scored or stored were not saved.", fg="yellow", err=True)
        click.echo("Run the same command again to import the rest: the calls imported already are stored again, "
                   "not twice.", err=True)
        sys.exit(130)
    if summary.model_version is not None:
        click.echo(f"learned judgements: this centre's model version {summary.model_version} (qa calibrate)", err=True)
    for line in summary.repeated:
        click.secho(f"repeated: {line}", fg="yellow", err=True)
    for reason in summary.skipped:
        click.secho(f"skipped: {reason}", fg="red", err=True)
    for reason in summary.failed:
        click.secho(f"failed: {reason}", fg="red", err=True)
    skipped, failed = len(summary.skipped), len(summary.failed)
    click.echo(f"{summary.imported} calls imported" + (f", {skipped} files skipped" if skipped else "")
               + (f", {failed} calls failed" if failed else ""))
    if skipped or failed:
        sys.exit(1)


@example("qa export --db qa.duckdb --format csv --out export/")
@click.command()
@db_option(help="DuckDB database to export from.")
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


@example("qa models list")
@models.command("list")
def models_list():
    """Every model pack, whether it is installed, and its licence (* marks the default)."""
    from qa_pipeline.model_packs import status

    for row in status():
        mark = "*" if row["default"] else " "
        state = "installed" if row["installed"] else "not installed"
        click.echo(f"{mark} {row['name']:<16} {row['kind']:<12} {state:<14} {row['licence']}")
        click.echo(f"    {row['description']}")


@example("qa models install whisper-base")
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


@example("qa models verify whisper-base diarization")
@models.command("verify")
@click.argument("names", nargs=-1)
def models_verify(names):
    """Check the files of NAMES (default: every pack) against their checksums; exit code 1 if one fails."""
    from qa_pipeline.model_packs import load_manifest, verify

    _, packs = load_manifest()
    bad = 0
    for name in names or packs:
        problems = verify(name)
        click.echo(f"{name}: {'ok' if not problems else '; '.join(problems)}")
        bad += bool(problems)
    if bad:
        sys.exit(1)


@example("qa models path whisper-base")
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


@example("qa demo --out demo", "qa demo --size large --out demo-centre")
@click.command()
@click.option("--out", "out_dir", default="demo", show_default=True, type=click.Path(file_okay=False))
@db_option(required=False, help="Database to create (default: OUT/qa.duckdb).")
@click.option("--size", type=click.Choice(["small", "large"]), default="small", show_default=True,
              help="small: a handful of English calls rendered to audio and processed end to end; "
                   "large: a living centre (40 agents, thousands of scored calls over 12 weeks).")
def demo(out_dir, db_path, size):
    """Build demo calls, process them into a fresh database and say what to run next."""
    from qa_pipeline.demo.bundled import next_steps, run_demo

    out, db = Path(out_dir), Path(db_path or Path(out_dir) / "qa.duckdb")
    with RichProgress("Building the demo centre" if size == "large" else "Processing demo calls") as bar:
        summary = run_demo(out, db, size=size, progress=bar)
    if size == "large":
        click.echo(str(summary))
    else:
        click.echo(f"{summary.processed} demo calls processed ({summary.skipped} already there), "
                   f"{summary.flagged} flagged for review, {len(summary.failed)} failed.")
    click.echo("Next:")
    for line in next_steps(out, db):
        click.echo(line)
