"""Every `qa` command is documented in the README (the datasette pattern)."""
from pathlib import Path

import click

from qa_pipeline.cli.main import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "qa"):
    for name, command in group.commands.items():
        yield f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")


def test_every_command_is_in_the_readme():
    missing = []
    for command in commands(cli):
        parts = command.split()
        # "qa models list" is documented as "qa models list|install|verify|path"
        if command not in README and not any(
            line.startswith(" ".join(parts[:-1])) and parts[-1] in line for line in README.splitlines()
        ):
            missing.append(command)
    assert not missing, f"document these in README.md: {missing}"


def test_every_command_has_help():
    for name, command in cli.commands.items():
        assert command.help or command.short_help, f"qa {name} has no help text"
