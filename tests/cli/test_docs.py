"""Every `qa` command is documented in the README (the datasette pattern)."""
from pathlib import Path

import click
from click.testing import CliRunner

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


def leaf_commands(group: click.Group, path: tuple[str, ...] = ("qa",)):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from leaf_commands(command, path + (name,))
        else:
            yield path + (name,), command


def test_every_command_help_ends_with_an_example_of_itself():
    runner = CliRunner()
    for path, _ in leaf_commands(cli):
        result = runner.invoke(cli, [*path[1:], "--help"], terminal_width=200)
        assert result.exit_code == 0, result.output
        head, _, block = result.output.rstrip().rpartition("\n  Example:\n")
        assert head and "Options:" in head, f"{' '.join(path)} --help does not end with an Example: block"
        examples = [line.strip() for line in block.splitlines()]
        assert examples and all(" ".join(path) in line for line in examples), (path, examples)


def test_the_db_option_is_defined_once():
    sources = (Path(__file__).resolve().parents[2] / "qa_pipeline" / "cli").glob("*.py")
    defining = sorted(p.name for p in sources if '"--db"' in p.read_text(encoding="utf-8"))
    assert defining == ["options.py"]
