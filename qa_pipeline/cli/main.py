"""The `qa` command: a thin layer over the library. Errors say how to fix them."""
from __future__ import annotations

import logging
import sys

import click

from qa_pipeline import __version__


class QaGroup(click.Group):
    """Turns library errors into one-line messages and exit code 2 instead of tracebacks."""

    def invoke(self, ctx: click.Context):
        from qa_pipeline.errors import QaError

        try:
            return super().invoke(ctx)
        except QaError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(2)


@click.group(cls=QaGroup)
@click.version_option(__version__, prog_name="qa")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """Call-centre quality assurance: transcribe calls, score them against QA rubrics, review them."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def main() -> None:
    cli(prog_name="qa")


# Commands live in qa_pipeline/commands/, one module per area; register each here.
from qa_pipeline.cli import calls as _calls  # noqa: E402

_calls.register(cli)

from qa_pipeline.cli import users as _users  # noqa: E402

_users.register(cli)

from qa_pipeline.cli import dashboard as _dashboard  # noqa: E402

_dashboard.register(cli)

from qa_pipeline.cli import rubric as _rubric  # noqa: E402

_rubric.register(cli)

from qa_pipeline.cli import alerts as _alerts  # noqa: E402

_alerts.register(cli)

from qa_pipeline.cli import calibrate as _calibrate  # noqa: E402

_calibrate.register(cli)

from qa_pipeline.cli import store_upkeep as _store_upkeep  # noqa: E402

_store_upkeep.register(cli)
