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


VENDOR_FLAGS = {
    "JIRA": ("--base-url", "--email", "--api-token", "--oauth", "--project"),
    "SERVICENOW": (
        "--base-url",
        "--username",
        "--password",
        "--client-id",
        "--client-secret",
        "--table",
    ),
}


def decode_options(text: str | None) -> dict[str, Any]:
    """``--options``: a JSON object (the API's connection options), or one line saying
    what is wrong with it (exit code 2)."""
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        fail('--options must be a JSON object, e.g. \'{"status_mapping": {"2": "TODO"}}\'')
    if not isinstance(value, dict):
        kind = {list: "array", str: "string", bool: "boolean"}.get(type(value), "number")
        fail(f"--options must be a JSON object, not a JSON {'null' if value is None else kind}")
    problem = _unstorable(value)
    if problem:
        fail(f"--options may not hold {problem}")
    return value


def _unstorable(value: Any) -> str | None:
    """What the API's input guard refuses in a request body: a NUL character or a lone
    surrogate in a string (key or value) anywhere in it."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item
        elif isinstance(item, str):
            if "\x00" in item:
                return "a NUL character"
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "a lone surrogate (\\ud800-\\udfff without its pair)"
    return None


def vendor_of(text: str) -> str:
    """``--vendor``, any case, as the registry names it; one line naming the choices."""
    from ticketbridge.connectors import registry

    vendor = text.strip().upper()
    if vendor not in registry.vendors():
        fail(f"unknown vendor {text!r}: --vendor takes one of {', '.join(registry.vendors())}")
    return vendor


def connection_body(vendor: str, given: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The credentials and options of a new connection from the flags given (``given``:
    flag -> value, only those set); a flag of the other vendor, or half a pair, is one line
    naming the flags to give."""
    allowed = VENDOR_FLAGS.get(vendor)
    if allowed is not None:
        for flag in given:
            if flag not in allowed:
                owner = next((v for v, flags in VENDOR_FLAGS.items() if flag in flags), "")
                fail(f"{flag} is not for {vendor} connections (it is for --vendor {owner})")
    lists = {"--project": "project_keys_filter", "--table": "tables"}
    for flag, key in lists.items():
        if flag in given:
            if key in options:
                fail(f"give {key} either with {flag} or in --options, not both")
            options = {**options, key: given[flag]}
    if vendor == "JIRA":
        if given.get("--oauth"):
            return {"credentials": {"oauth": True}, "options": options}
        names = {"--base-url": "base_url", "--email": "email", "--api-token": "api_token"}
        return {"credentials": {k: given.get(f) for f, k in names.items()}, "options": options}
    if vendor != "SERVICENOW":
        fail(f"the CLI cannot create {vendor} connections yet: use the API")
    if not given.get("--base-url"):
        fail("a ServiceNow connection needs --base-url (https://<instance>.service-now.com)")
    for one, other in (("--username", "--password"), ("--client-id", "--client-secret")):
        if bool(given.get(one)) != bool(given.get(other)):
            fail(f"{one} and {other} go together: give both or neither")
    if not given.get("--username") and not given.get("--client-id"):
        fail(
            "a ServiceNow connection needs --username and --password (basic auth), "
            "--client-id and --client-secret (OAuth client credentials), or all four "
            "(OAuth password grant)"
        )
    names = {
        "--base-url": "base_url",
        "--username": "username",
        "--password": "password",
        "--client-id": "client_id",
        "--client-secret": "client_secret",
    }
    credentials = {key: given[flag] for flag, key in names.items() if given.get(flag)}
    return {"credentials": credentials, "options": options}


@connections_app.command("create")
def connections_create(
    org_id: Annotated[str, typer.Option("--org")],
    api_key: Annotated[str, typer.Option(envvar="TICKETBRIDGE_API_KEY")],
    vendor: Annotated[str, typer.Option(help="JIRA or SERVICENOW (any case)")] = "JIRA",
    base_url: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option(help="Jira: the account's email")] = None,
    api_token: Annotated[
        str | None, typer.Option(envvar="JIRA_API_TOKEN", help="Jira: an API token")
    ] = None,
    oauth: Annotated[bool, typer.Option(help="Jira: the OAuth 2.0 (3LO) flow")] = False,
    username: Annotated[str | None, typer.Option(help="ServiceNow: the user's user_name")] = None,
    password: Annotated[
        str | None, typer.Option(envvar="SERVICENOW_PASSWORD", help="ServiceNow: its password")
    ] = None,
    client_id: Annotated[str | None, typer.Option(help="ServiceNow: OAuth client id")] = None,
    client_secret: Annotated[
        str | None,
        typer.Option(envvar="SERVICENOW_CLIENT_SECRET", help="ServiceNow: OAuth client secret"),
    ] = None,
    project: Annotated[list[str] | None, typer.Option(help="Jira: project keys to sync")] = None,
    table: Annotated[
        list[str] | None,
        typer.Option(help="ServiceNow: a task table to sync (incident, problem, ...)"),
    ] = None,
    options: Annotated[
        str | None, typer.Option("--options", help="The connection's options, a JSON object")
    ] = None,
    no_validate: Annotated[
        bool,
        typer.Option("--no-validate", help="Store the credentials without checking them"),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Connect a Jira site (basic auth, or --oauth for the OAuth 2.0 flow) or, with
    --vendor SERVICENOW, a ServiceNow instance (basic auth, OAuth client credentials, or
    both for the OAuth password grant).

    The credentials are checked with one call to the vendor first, unless --no-validate."""
    from ticketbridge.provisioning import connections
    from ticketbridge.provisioning.schemas import ConnectionCreate

    chosen = vendor_of(vendor)
    flags = {
        "--base-url": base_url,
        "--email": email,
        "--api-token": api_token,
        "--oauth": oauth or None,
        "--username": username,
        "--password": password,
        "--client-id": client_id,
        "--client-secret": client_secret,
        "--project": project or None,
        "--table": table or None,
    }
    body = connection_body(
        chosen, {k: v for k, v in flags.items() if v is not None}, decode_options(options)
    )

    async def run(ctx: AppContext) -> dict[str, Any]:
        async with transaction(ctx.sessionmaker) as session:
            account = await account_for_key(ctx, session, api_key)
            request = ConnectionCreate(
                vendor=chosen,
                credentials=body["credentials"],
                options=body["options"] or None,
                check_vendor=not no_validate,
            )
            out = await connections.connect(ctx, session, account, _uuid(org_id, "--org"), request)
            return out.model_dump(mode="json")

    out = with_ctx(run)
    if as_json:
        print(json.dumps(out))
    else:
        console.print(f"connection id: {out['id']} ({out['vendor']}, state {out['state']})")
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
