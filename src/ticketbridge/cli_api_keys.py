"""`ticketbridge api-keys`: an operator's way back into an account (create, list keys)."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

import typer
from rich.console import Console

from ticketbridge.cli_support import fail, print_rows, with_ctx
from ticketbridge.context import AppContext
from ticketbridge.db.session import transaction

api_keys_app = typer.Typer(help="API keys of an account (operators)", no_args_is_help=True)
AccountOption = Annotated[str, typer.Option("--account", help="Account id")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output")]


def _account_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        fail(f"--account must be a UUID, got {value!r}")


@api_keys_app.command("create")
def api_keys_create(
    account: AccountOption,
    name: Annotated[str | None, typer.Option(help="A label for the key")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an API key for the account; prints the key once (only its hash is stored)."""
    from ticketbridge.provisioning import service
    from ticketbridge.provisioning.schemas import ApiKeyCreated, ApiKeyOut

    account_id = _account_id(account)

    async def run(ctx: AppContext) -> dict[str, Any]:
        async with transaction(ctx.sessionmaker) as session:
            owner = await service.get_account(session, account_id)
            row, key = await service.create_api_key(session, owner, name)
            out = ApiKeyOut.model_validate(row).model_dump()
            return ApiKeyCreated(**out, key=key).model_dump(mode="json")

    created = with_ctx(run)
    if as_json:
        print(json.dumps(created))
    else:
        Console().print(
            f"API key id: {created['id']}\nAPI key (shown once): [bold]{created['key']}[/bold]",
            highlight=False,
        )


@api_keys_app.command("list")
def api_keys_list(account: AccountOption, as_json: JsonOption = False) -> None:
    """The account's API keys (never the keys themselves: their id, name and prefix)."""
    from ticketbridge.provisioning import service
    from ticketbridge.provisioning.schemas import ApiKeyOut

    account_id = _account_id(account)

    async def run(ctx: AppContext) -> list[dict[str, Any]]:
        async with transaction(ctx.sessionmaker) as session:
            owner = await service.get_account(session, account_id)
            rows = await service.list_api_keys(session, owner)
            return [ApiKeyOut.model_validate(r).model_dump(mode="json") for r in rows]

    keys = with_ctx(run)
    if as_json:
        print(json.dumps(keys))
        return
    print_rows(
        Console(),
        ["id", "name", "prefix", "created", "last used", "revoked"],
        [
            [
                k["id"],
                k["name"] or "-",
                k["prefix"],
                k["created_at"],
                k["last_used_at"] or "never",
                k["revoked_at"] or "-",
            ]
            for k in keys
        ],
    )
