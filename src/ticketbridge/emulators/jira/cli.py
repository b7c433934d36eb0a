"""`ticketbridge emulator jira`: run the Jira Cloud emulator in the foreground."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from .config import (
    DEFAULT_API_TOKEN,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_EMAIL,
    EmulatorConfig,
)
from .faults import FaultConfig

app = typer.Typer(help="Local emulators of the vendors TicketBridge talks to.")


@app.callback()
def main() -> None:
    """Emulators (keeps `jira` a sub-command even when it is the only one)."""


@app.command()
def jira(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8081, help="TCP port."),
    email: str = typer.Option(DEFAULT_EMAIL, help="Basic-auth user (Atlassian account email)."),
    api_token: str = typer.Option(DEFAULT_API_TOKEN, help="Basic-auth API token."),
    seed: int = typer.Option(42, help="Seed of the deterministic sample data."),
    projects: int = typer.Option(3, help="Number of projects (ENG, OPS, SUP, ...)."),
    users: int = typer.Option(25, help="Number of users."),
    issues: int = typer.Option(200, help="Number of seeded issues."),
    latency_ms: float = typer.Option(0.0, help="Added latency per API request."),
    latency_jitter_ms: float = typer.Option(0.0, help="Random extra latency (0..jitter)."),
    rate_limit_per_second: float = typer.Option(
        0.0, help="Token bucket over API requests (0 = off)."
    ),
    error_429_ratio: float = typer.Option(0.0, help="Share of API requests answered 429."),
    error_503_ratio: float = typer.Option(0.0, help="Share of API requests answered 503."),
    drop_after_commit_ratio: float = typer.Option(
        0.0, help="Share of writes whose connection is dropped after the commit."
    ),
    search_visibility_delay_ms: float = typer.Option(
        0.0, help="New issues stay out of JQL search this long (ms) unless reconciled."
    ),
    oauth_client_id: str = typer.Option(DEFAULT_CLIENT_ID, help="OAuth 2.0 (3LO) client id."),
    oauth_client_secret: str = typer.Option(DEFAULT_CLIENT_SECRET, help="OAuth client secret."),
    access_token_ttl: float = typer.Option(3600.0, help="OAuth access-token lifetime (s)."),
    access_log: bool = typer.Option(False, help="Log every request."),
    state_file: Path | None = typer.Option(
        None, help="Load the site's data from this JSON file (if it exists); save it there on exit."
    ),
) -> None:
    """Run an in-memory Jira Cloud site (REST v2/v3, JQL search, OAuth 3LO, faults)."""
    from .server import serve  # imported late: keeps `--help` fast

    faults = FaultConfig().updated(
        {
            "latency_ms": latency_ms,
            "latency_jitter_ms": latency_jitter_ms,
            "rate_limit_per_second": rate_limit_per_second,
            "error_429_ratio": error_429_ratio,
            "error_503_ratio": error_503_ratio,
            "drop_after_commit_ratio": drop_after_commit_ratio,
            "search_visibility_delay_ms": search_visibility_delay_ms,
        }
    )
    config = EmulatorConfig(
        host=host,
        port=port,
        email=email,
        api_token=api_token,
        seed=seed,
        projects=projects,
        users=users,
        issues=issues,
        faults=faults,
        oauth_client_id=oauth_client_id,
        oauth_client_secret=oauth_client_secret,
        access_token_ttl_seconds=access_token_ttl,
        access_log=access_log,
    )
    base = f"http://{host}:{port}"
    table = Table(title="TicketBridge Jira Cloud emulator", show_header=False)
    for label, value in (
        ("Base URL", base),
        ("Basic auth", f"{email} / {api_token}"),
        ("cloudId", config.cloud_id),
        ("Gateway URL", f"{base}/ex/jira/{config.cloud_id}"),
        ("OAuth client", f"{oauth_client_id} / {oauth_client_secret}"),
        ("OAuth endpoints", f"{base}/authorize, {base}/oauth/token"),
        ("Data", f"seed={seed} projects={projects} users={users} issues={issues}"),
        ("Control", f"{base}/_emulator/faults | stats | reset"),
        ("State file", str(state_file) if state_file else "none (in memory only)"),
    ):
        table.add_row(label, value)
    Console().print(table)
    try:
        serve(config, state_file)
    except ValueError as exc:  # a state file it cannot load: say so, no traceback
        typer.echo(f"error: {exc} (delete it to start from the seed data)", err=True)
        raise typer.Exit(2) from None


if __name__ == "__main__":
    app()
