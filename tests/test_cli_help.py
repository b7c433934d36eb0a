"""Every operator command says what it does in `--help`, and every flag says what it is,
its type and (when it has one) its default."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main
from typer.core import TyperOption
from typer.testing import CliRunner

from ticketbridge.cli import app

OPERATOR_COMMANDS = ["migrate", "accounts", "api-keys", "keys", "worker", "serve", "demo"]
OPERATOR_COMMANDS += ["emulator"]


def _commands(name: str) -> list[tuple[list[str], Any]]:
    """The command and, for a group, each of its subcommands, with their argv."""
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    found: list[tuple[list[str], Any]] = [([name], command)]
    if hasattr(command, "commands"):
        found += [([name, sub], cmd) for sub, cmd in sorted(command.commands.items())]
    return found


@pytest.mark.store_independent
@pytest.mark.parametrize("name", OPERATOR_COMMANDS)
def test_operator_commands_have_help_with_every_option_described(name: str) -> None:
    runner = CliRunner()
    for argv, command in _commands(name):
        result = runner.invoke(app, [*argv, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (argv, result.output)
        description = (command.help or command.short_help or "").strip()
        assert description, f"{' '.join(argv)}: no description"
        assert description.splitlines()[0] in result.output
        for param in command.params:
            if not isinstance(param, TyperOption) or param.name == "help":
                continue
            flag = max(param.opts, key=len)
            assert (param.help or "").strip(), f"{' '.join(argv)} {flag}: no help text"
            if param.is_flag:
                continue
            row = next(line for line in result.output.splitlines() if f" {flag} " in line)
            assert "<" in row and ">" in row, f"{' '.join(argv)} {flag}: no type shown"
            if param.default is not None:  # shown, or the help says what it is
                assert "[default:" in row or "default" in param.help.lower(), (
                    f"{' '.join(argv)} {flag}: default not shown"
                )
