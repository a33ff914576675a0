"""Options that several `qa` commands share, defined once."""
from __future__ import annotations

from typing import Any, Callable

import click


def db_option(*, exists: bool = False, required: bool = True,
              help: str = "DuckDB database file (created if missing).") -> Callable[[Any], Any]:
    """``--db``: the database a command works on (``exists``: refuse one that is not there)."""
    return click.option("--db", "db_path", required=required,
                        type=click.Path(dir_okay=False, exists=exists), help=help)


def example(*lines: str) -> Callable[[click.Command], click.Command]:
    """End a command's ``--help`` with an Example: block (sqlite-utils' habit), kept unwrapped
    (click's ``\\b``). Goes above the ``@click.command()`` line."""

    def add(command: click.Command) -> click.Command:
        command.epilog = "\b\nExample:\n" + "\n".join(f"  {line}" for line in lines)
        return command

    return add
