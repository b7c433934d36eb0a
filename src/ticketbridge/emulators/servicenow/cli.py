"""`ticketbridge emulator servicenow`: run the ServiceNow emulator in the foreground."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from .config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    ServiceNowConfig,
)
from .faults import FaultConfig


def servicenow(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8082, help="TCP port."),
    username: str = typer.Option(DEFAULT_USERNAME, help="Basic-auth user (sys_user.user_name)."),
    password: str = typer.Option(DEFAULT_PASSWORD, help="Basic-auth password."),
    roles: str = typer.Option(
        "admin",
        help="The user's roles, comma-separated (without admin, sys_audit_delete answers 403).",
    ),
    client_id: str = typer.Option(DEFAULT_CLIENT_ID, help="OAuth client id (oauth_token.do)."),
    client_secret: str = typer.Option(DEFAULT_CLIENT_SECRET, help="OAuth client secret."),
    access_token_ttl: float = typer.Option(1799.0, help="OAuth access-token lifetime (s)."),
    seed: int = typer.Option(42, help="Seed of the deterministic sample data."),
    users: int = typer.Option(25, help="Number of users besides the admin."),
    groups: int = typer.Option(4, help="Number of assignment groups."),
    issues: int = typer.Option(
        200, help="Seeded incidents (problems, changes and catalog tasks: a quarter each)."
    ),
    latency_ms: float = typer.Option(0.0, help="Added latency per API request."),
    latency_jitter_ms: float = typer.Option(0.0, help="Random extra latency (0..jitter)."),
    rate_limit_per_hour: int = typer.Option(
        0, help="A rate-limit rule over all API requests, per hour (0 = no rule)."
    ),
    error_429_ratio: float = typer.Option(
        0.0, help="Share of API requests answered 429 as a rate-limit rule does."
    ),
    overload_429_ratio: float = typer.Option(
        0.0, help="Share of API requests answered a bare 429 (overloaded node, no headers)."
    ),
    error_503_ratio: float = typer.Option(0.0, help="Share of API requests answered 503."),
    drop_after_commit_ratio: float = typer.Option(
        0.0, help="Share of writes whose connection is dropped after the commit."
    ),
    quota_max_page_size: int = typer.Option(
        0, help="Pages above this many rows are cancelled by the transaction quota (0 = off)."
    ),
    data_policy: bool = typer.Option(
        True, help="Refuse resolving/closing an incident without close_code and close_notes."
    ),
    invalid_query_returns_no_rows: bool = typer.Option(
        False, help="glide.invalid_query.returns_no_rows: invalid conditions match nothing."
    ),
    ssl_certfile: Path | None = typer.Option(None, help="Serve HTTPS with this certificate."),
    ssl_keyfile: Path | None = typer.Option(None, help="Private key of --ssl-certfile."),
    access_log: bool = typer.Option(False, help="Log every request."),
    state_file: Path | None = typer.Option(
        None, help="Load the data from this JSON file (if it exists); save it there on exit."
    ),
) -> None:
    """Run an in-memory ServiceNow instance (Table API, Batch API, OAuth, faults)."""
    from .server import serve  # imported late: keeps `--help` fast

    faults = FaultConfig().updated(
        {
            "latency_ms": latency_ms,
            "latency_jitter_ms": latency_jitter_ms,
            "rate_limit_per_hour": rate_limit_per_hour,
            "error_429_ratio": error_429_ratio,
            "overload_429_ratio": overload_429_ratio,
            "error_503_ratio": error_503_ratio,
            "drop_after_commit_ratio": drop_after_commit_ratio,
            "quota_max_page_size": quota_max_page_size,
        }
    )
    config = ServiceNowConfig(
        host=host,
        port=port,
        username=username,
        password=password,
        roles=roles,
        client_id=client_id,
        client_secret=client_secret,
        access_token_ttl_seconds=access_token_ttl,
        seed=seed,
        users=users,
        groups=groups,
        records=issues,
        faults=faults,
        incident_data_policy=data_policy,
        invalid_query_returns_no_rows=invalid_query_returns_no_rows,
        access_log=access_log,
    )
    if (ssl_certfile is None) != (ssl_keyfile is None):
        typer.echo("error: --ssl-certfile and --ssl-keyfile go together", err=True)
        raise typer.Exit(2)
    tls = (str(ssl_certfile), str(ssl_keyfile)) if ssl_certfile and ssl_keyfile else None
    base = f"{'https' if tls else 'http'}://{host}:{port}"
    table = Table(title="TicketBridge ServiceNow emulator", show_header=False)
    for label, value in (
        ("Instance URL", base),
        ("Basic auth", f"{username} / {password}"),
        ("OAuth client", f"{client_id} / {client_secret}"),
        ("OAuth token URL", f"{base}/oauth_token.do"),
        ("Table API", f"{base}/api/now/table/{{table}}"),
        ("Data", f"seed={seed} users={users} groups={groups} incidents={issues}"),
        ("Control", f"{base}/_emulator/faults | stats | reset"),
        ("State file", str(state_file) if state_file else "none (in memory only)"),
    ):
        table.add_row(label, value)
    Console().print(table)
    try:
        serve(config, state_file, tls)
    except ValueError as exc:  # a state file it cannot load: say so, no traceback
        typer.echo(f"error: {exc} (delete it to start from the seed data)", err=True)
        raise typer.Exit(2) from None
