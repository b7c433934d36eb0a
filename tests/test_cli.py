"""The `ticketbridge` command line against a database of its own, built by `ticketbridge migrate`.

Settings come from the environment, as for an operator; `get_settings` is cached, so the
cache is cleared whenever the environment changes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from typer.testing import CliRunner

from tests.support.stores import PG_ADMIN, store_name, with_context
from ticketbridge.cli import app
from ticketbridge.config import Settings, get_settings
from ticketbridge.context import AppContext
from ticketbridge.crypto import Vault
from ticketbridge.db.session import transaction
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge.provisioning import repository, service
from ticketbridge.provisioning.models import Account, Connection
from ticketbridge.provisioning.schemas import AccountPatch


@contextmanager
def empty_database(tmp: Path) -> Iterator[str]:
    """A database with no tables at all, on the selected store."""
    if store_name() != "postgres":
        yield f"sqlite+aiosqlite:///{tmp / 'cli.db'}"
        return
    name = f"tb_cli_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Cli:
    runner: CliRunner
    env: dict[str, str]
    jira: EmulatorServer

    def __call__(self, *args: str, code: int = 0, **env: Any) -> str:
        get_settings.cache_clear()
        result = self.runner.invoke(app, list(args), env={**self.env, **env})
        get_settings.cache_clear()
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    def json(self, *args: str, **env: Any) -> Any:
        return json.loads(self(*args, "--json", **env).strip().splitlines()[-1])

    def settings(self, **env: str) -> Settings:
        merged = {**self.env, **env}
        return Settings(
            database_url=merged["TICKETBRIDGE_DATABASE_URL"],
            encryption_keys=merged["TICKETBRIDGE_ENCRYPTION_KEYS"],  # type: ignore[arg-type]
            env="test",
        )


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    with (
        EmulatorServer(issues=15, users=4, projects=2) as jira,
        empty_database(tmp_path_factory.mktemp("cli")) as url,
    ):
        env = {
            "TICKETBRIDGE_ENV": "test",
            "TICKETBRIDGE_DATABASE_URL": url,
            "TICKETBRIDGE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "TICKETBRIDGE_ALLOW_PRIVATE_VENDOR_URLS": "true",
            "TICKETBRIDGE_API_KEY": "",
        }
        runner = CliRunner()
        tool = Cli(runner, env, jira)
        assert "database is up to date" in tool("migrate")
        yield tool
    get_settings.cache_clear()


def _provision(cli: Cli) -> tuple[str, str, str]:
    """Returns (api key, organization id, connection id), all made through the CLI."""
    account = cli.json("accounts", "create", "--name", "Ops")
    uuid.UUID(account["account_id"])
    key = account["api_key"]
    org = cli.json("orgs", "create", "--name", "Globex", "--api-key", key)["organization_id"]
    connection = cli.json(
        "connections",
        "create",
        "--org",
        org,
        "--base-url",
        cli.jira.base_url,
        "--email",
        cli.jira.config.email,
        "--api-token",
        cli.jira.config.api_token,
        "--api-key",
        key,
    )
    assert connection["state"] == "ACTIVE" and "credentials" not in connection
    return key, org, connection["id"]


def _run(settings: Settings, fn: Any) -> Any:
    async def in_transaction(ctx: AppContext) -> Any:
        async with transaction(ctx.sessionmaker) as session:
            return await fn(ctx, session)

    return with_context(settings, in_transaction)


def test_migrate_is_idempotent(cli: Cli) -> None:
    assert "database is up to date" in cli("migrate")


def test_accounts_create_prints_the_id_and_a_working_first_key(cli: Cli) -> None:
    human = cli("accounts", "create", "--name", "Initech")
    assert "account id:" in human and "API key (shown once): tb_" in human
    account = cli.json("accounts", "create", "--name", "Initech")
    assert set(account) == {"account_id", "api_key"}
    org = cli.json("orgs", "create", "--name", "A", "--api-key", account["api_key"])
    uuid.UUID(org["organization_id"])


def test_cli_provisions_a_connection_that_tests_lists_and_syncs(cli: Cli) -> None:
    key, org, connection_id = _provision(cli)
    listed = cli.json("connections", "list", "--api-key", key)
    assert [(c["id"], c["organization_id"]) for c in listed] == [(connection_id, org)]
    assert connection_id in cli("connections", "list", "--api-key", key, COLUMNS="200")

    assert cli.json("connections", "test", connection_id, "--api-key", key)["ok"] is True
    # The key can come from the environment too.
    job = json.loads(cli("connections", "sync", connection_id, TICKETBRIDGE_API_KEY=key))
    assert job["status"] == "SUCCESS", job
    assert job["result"]["tickets"] == len(cli.jira.state.issues)


def test_cli_errors_are_messages_not_tracebacks(cli: Cli) -> None:
    key, org, connection_id = _provision(cli)
    cases: list[tuple[list[str], str]] = [
        (["orgs", "create", "--name", "x", "--api-key", "tb_nope"], "Invalid API key"),
        (["connections", "test", "not-a-uuid", "--api-key", key], "must be a UUID"),
        (["connections", "sync", str(uuid.uuid4()), "--api-key", key], "Connection not found"),
        (
            ["connections", "create", "--org", str(uuid.uuid4()), "--oauth", "--api-key", key],
            "Organization not found",
        ),
        (
            ["connections", "create", "--org", org, "--email", "a@b.c", "--api-key", key],
            "base_url, email and api_token are required",
        ),
    ]
    for args, message in cases:
        output = cli(*args, code=2)
        assert message in " ".join(output.split()), (args, output)
    refused = cli(
        "connections",
        "create",
        "--org",
        org,
        "--base-url",
        cli.jira.base_url,
        "--email",
        "a@b.c",
        "--api-token",
        "t",
        "--api-key",
        key,
        code=2,
        TICKETBRIDGE_ALLOW_PRIVATE_VENDOR_URLS="false",
    )
    assert "atlassian.net" in refused

    # Credentials Jira refuses: one line with Jira's message, exit 2, nothing stored.
    before = cli.json("connections", "list", "--api-key", key)
    rejected = cli(
        "connections",
        "create",
        "--org",
        org,
        "--base-url",
        cli.jira.base_url,
        "--email",
        cli.jira.config.email,
        "--api-token",
        "wrong",
        "--api-key",
        key,
        code=2,
    )
    assert "Jira rejected the connection's credentials" in " ".join(rejected.split())
    assert "Traceback" not in rejected
    assert cli.json("connections", "list", "--api-key", key) == before

    wrong = cli.json(
        "connections",
        "create",
        "--org",
        org,
        "--base-url",
        cli.jira.base_url,
        "--email",
        cli.jira.config.email,
        "--api-token",
        "wrong",
        "--no-validate",
        "--api-key",
        key,
    )
    failed = cli("connections", "test", wrong["id"], "--api-key", key, "--json", code=1)
    assert json.loads(failed)["ok"] is False
    listed = {c["id"]: c for c in cli.json("connections", "list", "--api-key", key)}
    assert listed[wrong["id"]]["health"]["status"] == "UNAUTHORIZED"
    assert listed[connection_id]["health"] is None  # untouched


def test_keys_generate_prints_a_fresh_fernet_key(cli: Cli) -> None:
    keys = {cli("keys", "generate").strip() for _ in range(2)}
    assert len(keys) == 2
    for key in keys:
        Fernet(key.encode())  # a valid key


def test_keys_rotate_re_encrypts_every_secret_with_the_new_primary_key(cli: Cli) -> None:
    key, _, connection_id = _provision(cli)
    old = cli.env["TICKETBRIDGE_ENCRYPTION_KEYS"]
    settings = cli.settings()

    async def set_webhook(ctx: AppContext, session: Any) -> None:
        account = await repository.account_by_api_key(session, key)
        assert account is not None
        patch = AccountPatch.model_validate({"webhook_url": "https://hooks.example.com/x"})
        await service.update_account(ctx, session, account, patch)

    _run(settings, set_webhook)

    async def secrets(_ctx: AppContext, session: Any) -> list[bytes]:
        rows = [c.credentials_encrypted for c in await session.scalars(select(Connection))]
        accounts = await session.scalars(select(Account))
        return rows + [a.webhook_secret_encrypted for a in accounts if a.webhook_secret_encrypted]

    before = _run(settings, secrets)
    assert len(before) >= 3

    new = cli("keys", "generate").strip()
    both = f"{new},{old}"
    output = cli("keys", "rotate", TICKETBRIDGE_ENCRYPTION_KEYS=both)
    assert f"re-encrypted {len(before)} secrets" in output

    after = _run(cli.settings(TICKETBRIDGE_ENCRYPTION_KEYS=new), secrets)
    only_new, only_old = Vault([new.encode()]), Vault([old.encode()])
    for token in after:
        only_new.decrypt_text(token)
        with pytest.raises(ValueError):
            only_old.decrypt_text(token)

    # The connection still syncs with the new key alone, and the old key alone is refused.
    job = json.loads(
        cli(
            "connections", "sync", connection_id, "--api-key", key, TICKETBRIDGE_ENCRYPTION_KEYS=new
        )
    )
    assert job["status"] == "SUCCESS", job
    refused = cli("keys", "rotate", code=2, TICKETBRIDGE_ENCRYPTION_KEYS=old)
    assert "cannot be decrypted" in refused
    cli.env["TICKETBRIDGE_ENCRYPTION_KEYS"] = new  # later tests in this module use the new key
