"""`ticketbridge emulator ...`: the local vendor emulators (`jira`, `servicenow`)."""

from __future__ import annotations

import typer

from .jira.cli import jira
from .servicenow.cli import servicenow

app = typer.Typer(help="Local vendor emulators", no_args_is_help=True)
app.command()(jira)
app.command()(servicenow)

if __name__ == "__main__":
    app()
