"""The `ticketbridge` command line."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer
from rich.console import Console

from ticketbridge import cli_remote
from ticketbridge.cli_api_keys import api_keys_app
from ticketbridge.cli_connections import connections_app
from ticketbridge.cli_support import (
    account_for_key,
    check_database,
    check_reachable,
    fail,
    load_settings,
    with_ctx,
)
from ticketbridge.context import AppContext
from ticketbridge.db.session import transaction
from ticketbridge.emulators.cli import app as emulator_app
from ticketbridge.logs import configure_logging, quiet_vendor_http

app = typer.Typer(help="TicketBridge: unified ITSM API", no_args_is_help=True)
accounts_app = typer.Typer(help="Accounts and API keys", no_args_is_help=True)
orgs_app = typer.Typer(help="Organizations", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys", no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")
app.add_typer(orgs_app, name="orgs")
app.add_typer(connections_app, name="connections")
app.add_typer(keys_app, name="keys")
app.add_typer(emulator_app, name="emulator")
app.add_typer(api_keys_app, name="api-keys")
cli_remote.register(app)  # tickets, jobs, passthrough: through a running API (the SDK)
console = Console()


# The short names the commands below use.
_with_ctx = with_ctx
_fail = fail


@app.callback()
def _main() -> None:
    """TicketBridge: unified ITSM API"""
    quiet_vendor_http(os.environ.get("TICKETBRIDGE_LOG_LEVEL", "INFO"))
    # Commands print their own output; their log lines (WARNING and up) share the format
    # of the API's and the worker's. `serve`, `worker` and `demo` then use LOG_LEVEL.
    configure_logging(
        "WARNING",
        os.environ.get("TICKETBRIDGE_LOG_FORMAT", "console"),
        tracebacks=False,  # a command's errors are one line
    )


@app.command()
def migrate(
    revision: Annotated[str, typer.Option(help="Alembic revision to upgrade to")] = "head",
) -> None:
    """Apply database migrations (creates an SQLite file if there is none)."""
    from sqlalchemy.exc import DBAPIError

    from ticketbridge.db.migrate import upgrade

    settings = load_settings()
    check_reachable(settings)
    try:
        before, after = upgrade(settings.database_url, revision)
    except (DBAPIError, OSError) as exc:
        reason = getattr(exc, "orig", None) or exc
        fail(f"cannot migrate the database: {str(reason).strip().splitlines()[0]}")
    if before == after:
        console.print(f"[green]database already up to date[/green] (revision {after})")
    else:
        console.print(f"[green]migrated the database[/green] from {before or '(empty)'} to {after}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    worker: Annotated[bool, typer.Option(help="Run the embedded job worker")] = True,
) -> None:
    """Run the API server."""
    import uvicorn

    from ticketbridge.app import create_app
    from ticketbridge.server import uvicorn_options

    settings = load_settings()
    check_database(settings)
    settings.run_embedded_worker = worker
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        log_config=None,  # ours (logs.py): uvicorn's lines come out like every other line
        access_log=False,  # one line per request with its request id instead (requestlog.py)
        **uvicorn_options(settings),
    )


@app.command("worker")
def worker_cmd(
    concurrency: Annotated[
        int | None, typer.Option(help="Jobs run at once (default: TICKETBRIDGE_WORKER_CONCURRENCY)")
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(help="Serve Prometheus metrics on this port at /metrics (default: none)"),
    ] = None,
    metrics_host: Annotated[
        str, typer.Option(help="The address the metrics port listens on")
    ] = "127.0.0.1",
) -> None:
    """Run a job worker: procrastinate on PostgreSQL, the lease worker on SQLite."""
    from ticketbridge.bootstrap import run_worker
    from ticketbridge.metrics import serve_metrics

    async def run(ctx: AppContext) -> None:
        await run_worker(ctx, concurrency or ctx.settings.worker_concurrency)

    settings = load_settings()
    check_database(settings)  # its one-line errors before the worker's own log lines
    configure_logging(settings.log_level, settings.log_format)
    if metrics_port is not None:
        try:
            serve_metrics(metrics_port, metrics_host)
        except OSError as exc:
            _fail(f"cannot serve metrics on {metrics_host}:{metrics_port}: {exc.strerror}")
    _with_ctx(run, settings)


@accounts_app.command("create")
def accounts_create(
    name: Annotated[str, typer.Option(help="Account name")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Create an account; prints its id and first API key (shown once)."""
    from ticketbridge.provisioning import service

    async def run(ctx: AppContext) -> tuple[str, str]:
        async with transaction(ctx.sessionmaker) as session:
            account, key = await service.create_account(session, name)
            return str(account.id), key

    account_id, key = _with_ctx(run)
    if as_json:
        print(json.dumps({"account_id": account_id, "api_key": key}))
    else:
        console.print(f"account id: {account_id}\nAPI key (shown once): [bold]{key}[/bold]")


@orgs_app.command("create")
def orgs_create(
    name: Annotated[str, typer.Option()],
    api_key: Annotated[str, typer.Option(envvar="TICKETBRIDGE_API_KEY")],
    identifier: Annotated[str | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create an organization in the account the API key belongs to."""
    from ticketbridge.provisioning import service

    async def run(ctx: AppContext) -> str:
        async with transaction(ctx.sessionmaker) as session:
            account = await account_for_key(ctx, session, api_key)
            org = await service.create_organization(session, account, name, identifier)
            return str(org.id)

    org_id = _with_ctx(run)
    print(json.dumps({"organization_id": org_id}) if as_json else f"organization id: {org_id}")


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new encryption key (put it first in TICKETBRIDGE_ENCRYPTION_KEYS)."""
    from ticketbridge.crypto import generate_key

    print(generate_key())


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every stored secret with the first key in TICKETBRIDGE_ENCRYPTION_KEYS."""
    from ticketbridge.provisioning import service

    async def run(ctx: AppContext) -> int:
        async with transaction(ctx.sessionmaker) as session:
            return await service.rotate_encryption(ctx, session)

    try:
        count = _with_ctx(run)
    except ValueError as exc:  # nothing was changed: the transaction rolled back
        _fail(str(exc))
    console.print(f"re-encrypted {count} secrets with the primary key")


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Interface the API listens on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="API port")] = 8000,
    jira_port: Annotated[
        int | None, typer.Option(help="Jira emulator port [default: 8081; --keep: the last one]")
    ] = None,
    servicenow_port: Annotated[
        int | None,
        typer.Option(
            help="ServiceNow emulator port [default: 8082, another if taken; --keep: the last one]"
        ),
    ] = None,
    issues: Annotated[
        int, typer.Option(help="Issues seeded in the Jira emulator (incidents in ServiceNow's)")
    ] = 500,
    keep: Annotated[
        bool,
        typer.Option(
            "--keep",
            help="Start on the last run's store and emulator data (same key, connections)",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the URL, key and ids as one JSON line")
    ] = False,
    allow_private_webhook_urls: Annotated[
        bool,
        typer.Option(
            "--allow-private-webhook-urls",
            help="Let webhooks go to loopback/private hosts (e.g. a receiver on this machine).",
        ),
    ] = False,
) -> None:
    """Sandbox: a store, the Jira and ServiceNow emulators, an account, a connection to each
    and their first syncs.

    Starts fresh in .ticketbridge-demo (or on TICKETBRIDGE_DATABASE_URL) unless --keep.
    """
    from ticketbridge.demo import run_demo

    run_demo(
        host=host,
        port=port,
        jira_port=jira_port,
        servicenow_port=servicenow_port,
        issues=issues,
        as_json=as_json,
        keep=keep,
        allow_private_webhook_urls=allow_private_webhook_urls,
    )


if __name__ == "__main__":
    app()
