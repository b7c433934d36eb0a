"""`ticketbridge connections`: create, list, test and sync an account's connections."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

import typer
from rich.console import Console

from ticketbridge.cli_support import account_for_key, fail, print_rows, with_ctx
from ticketbridge.cli_sync import connections_sync
from ticketbridge.context import AppContext
from ticketbridge.db.session import transaction

connections_app = typer.Typer(help="Connections", no_args_is_help=True)
console = Console()


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        fail(f"{what} must be a UUID, got {value!r}")


@connections_app.command("create")
def connections_create(
    org_id: Annotated[str, typer.Option("--org")],
    api_key: Annotated[str, typer.Option(envvar="TICKETBRIDGE_API_KEY")],
    base_url: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    api_token: Annotated[str | None, typer.Option(envvar="JIRA_API_TOKEN")] = None,
    oauth: Annotated[bool, typer.Option()] = False,
    project: Annotated[list[str] | None, typer.Option(help="Project keys to sync")] = None,
    no_validate: Annotated[
        bool,
        typer.Option("--no-validate", help="Store the credentials without checking them with Jira"),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Connect a Jira site (basic auth, or --oauth for the OAuth 2.0 flow).

    The credentials are checked with one call to Jira first, unless --no-validate."""
    from ticketbridge.provisioning import connections
    from ticketbridge.provisioning.schemas import ConnectionCreate

    credentials: dict[str, Any] = (
        {"oauth": True} if oauth else {"base_url": base_url, "email": email, "api_token": api_token}
    )

    async def run(ctx: AppContext) -> dict[str, Any]:
        async with transaction(ctx.sessionmaker) as session:
            account = await account_for_key(ctx, session, api_key)
            body = ConnectionCreate(
                vendor="JIRA",
                credentials=credentials,
                options={"project_keys_filter": project or None},
                check_vendor=not no_validate,
            )
            out = await connections.connect(ctx, session, account, _uuid(org_id, "--org"), body)
            return out.model_dump(mode="json")

    out = with_ctx(run)
    if as_json:
        print(json.dumps(out))
    else:
        console.print(f"connection id: {out['id']} (state {out['state']})")
        if out.get("oauth2_authorize_url"):
            console.print(f"authorize at: {out['oauth2_authorize_url']}")


@connections_app.command("list")
def connections_list(
    api_key: Annotated[str, typer.Option(envvar="TICKETBRIDGE_API_KEY")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List the account's connections."""
    from ticketbridge.provisioning import connections

    async def run(ctx: AppContext) -> list[dict[str, Any]]:
        async with transaction(ctx.sessionmaker) as session:
            account = await account_for_key(ctx, session, api_key)
            rows = await connections.every_connection(ctx, session, account)
            return [c.model_dump(mode="json") for c in rows]

    rows = with_ctx(run)
    if as_json:
        print(json.dumps(rows))
        return
    columns = ["id", "organization", "vendor", "state", "health", "last synced"]
    print_rows(
        console,
        columns,
        [
            [
                c["id"],
                c["organization_name"],
                c["vendor"],
                c["state"],
                (c.get("health") or {}).get("status", "-"),
                str(c["last_synced_at"] or "-"),
            ]
            for c in rows
        ],
    )


@connections_app.command("test")
def connections_test(
    connection_id: str,
    api_key: Annotated[str, typer.Option(envvar="TICKETBRIDGE_API_KEY")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Check a connection's credentials against the vendor (exit code 1 when they fail)."""
    from ticketbridge.provisioning import connections, service
    from ticketbridge.provisioning.schemas import ConnectionTestOut

    async def run(ctx: AppContext) -> ConnectionTestOut:
        async with transaction(ctx.sessionmaker) as session:
            account = await account_for_key(ctx, session, api_key)
            connection = await service.get_connection(
                session, account, _uuid(connection_id, "CONNECTION_ID")
            )
            return await connections.check(ctx, session, connection)

    tested = with_ctx(run)
    ok, detail = tested.ok, tested.detail
    if as_json:
        print(json.dumps({"ok": ok, "detail": detail}))
    else:
        console.print(("[green]ok[/green] " if ok else "[red]failed[/red] ") + detail)
    if not ok:
        raise typer.Exit(1)


connections_app.command("sync")(connections_sync)
