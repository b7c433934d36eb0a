"""The real `ticketbridge` CLI, run through Typer's runner against a database of its own.

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
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from tests.support.stores import PG_ADMIN, store_name
from ticketbridge.cli import app
from ticketbridge.config import Settings, get_settings
from ticketbridge.db.migrate import head_revision
from ticketbridge.emulators.jira.server import EmulatorServer


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


@contextmanager
def cli_session(tmp: Path) -> Iterator[Cli]:
    """The CLI on a freshly migrated database (by `ticketbridge migrate`) and an emulator."""
    with (
        EmulatorServer(issues=15, users=4, projects=2) as jira,
        empty_database(tmp) as url,
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
        head = head_revision()
        assert f"migrated the database from (empty) to {head}" in tool("migrate")
        yield tool
    get_settings.cache_clear()


def provision(cli: Cli) -> tuple[str, str, str]:
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
