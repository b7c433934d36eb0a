"""`ticketbridge api-keys create|list --account ID`: an operator's way back into an account."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.cli import Cli, cli_session
from tests.support.stores import with_context
from ticketbridge.context import AppContext
from ticketbridge.db.session import transaction
from ticketbridge.provisioning import repository, service


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    with cli_session(tmp_path_factory.mktemp("cli-keys")) as tool:
        yield tool


def _revoke(cli: Cli, key: str, key_id: str) -> None:
    async def work(ctx: AppContext) -> None:
        async with transaction(ctx.sessionmaker) as session:
            account = await repository.account_by_api_key(session, key)
            assert account is not None
            await service.revoke_api_key(session, account, uuid.UUID(key_id))

    with_context(cli.settings(), work)


def test_api_keys_create_gives_a_working_key_shown_once(cli: Cli) -> None:
    account = cli.json("accounts", "create", "--name", "Locked out")
    created = cli.json("api-keys", "create", "--account", account["account_id"], "--name", "ops")
    assert created["name"] == "ops" and created["key"].startswith("tb_")
    assert created["key"].startswith(created["prefix"]) and created["revoked_at"] is None
    # The new key works on its own, even once the account's first key is revoked.
    listed = cli.json("api-keys", "list", "--account", account["account_id"])
    first = next(k for k in listed if k["id"] != created["id"])
    _revoke(cli, created["key"], first["id"])
    org = cli.json("orgs", "create", "--name", "Back in", "--api-key", created["key"])
    uuid.UUID(org["organization_id"])
    cli("orgs", "create", "--name", "x", "--api-key", account["api_key"], code=2)

    human = cli("api-keys", "create", "--account", account["account_id"])
    assert "API key (shown once): tb_" in human and "API key id:" in human
    # The list never shows a key, only what identifies it.
    everything = cli("api-keys", "list", "--account", account["account_id"], "--json")
    assert created["key"] not in everything and account["api_key"] not in everything


def test_api_keys_list_shows_every_key_with_its_state(cli: Cli) -> None:
    account = cli.json("accounts", "create", "--name", "Listed")
    second = cli.json("api-keys", "create", "--account", account["account_id"], "--name", "ci")
    keys = cli.json("api-keys", "list", "--account", account["account_id"])
    assert [k["name"] for k in keys] == ["default", "ci"]
    assert set(keys[0]) == {"id", "name", "prefix", "created_at", "last_used_at", "revoked_at"}
    _revoke(cli, second["key"], keys[0]["id"])
    after = cli.json("api-keys", "list", "--account", account["account_id"])
    assert after[0]["revoked_at"] and after[1]["revoked_at"] is None

    for columns in ("40", "200"):
        output = cli("api-keys", "list", "--account", account["account_id"], COLUMNS=columns)
        words = output.split()
        assert keys[0]["id"] in words and keys[1]["id"] in words, output  # never cut
        assert second["prefix"] in output and "never" in output
        assert after[0]["revoked_at"][:10] in output


def test_api_keys_refuse_an_unknown_or_malformed_account(cli: Cli) -> None:
    cases: list[tuple[list[str], str]] = [
        (["api-keys", "create", "--account", str(uuid.uuid4())], "Account not found"),
        (["api-keys", "list", "--account", str(uuid.uuid4())], "Account not found"),
        (["api-keys", "list", "--account", "acme"], "--account must be a UUID"),
    ]
    for args, message in cases:
        output: Any = cli(*args, code=2)
        assert message in output and "Traceback" not in output, (args, output)
