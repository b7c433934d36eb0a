"""The `ticketbridge` command line against a database of its own, built by `ticketbridge migrate`.

Settings come from the environment, as for an operator; `get_settings` is cached, so the
cache is cleared whenever the environment changes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from tests.support.cli import Cli, cli_session, provision
from tests.support.dns import FakeDNS
from tests.support.stores import with_context
from ticketbridge.config import Settings
from ticketbridge.context import AppContext
from ticketbridge.crypto import Vault
from ticketbridge.db.migrate import head_revision
from ticketbridge.db.session import transaction
from ticketbridge.jobs.models import Job
from ticketbridge.provisioning import repository, service
from ticketbridge.provisioning.models import Account, Connection
from ticketbridge.provisioning.schemas import AccountPatch


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    with cli_session(tmp_path_factory.mktemp("cli")) as tool:
        yield tool


def _run(settings: Settings, fn: Any) -> Any:
    async def in_transaction(ctx: AppContext) -> Any:
        async with transaction(ctx.sessionmaker) as session:
            return await fn(ctx, session)

    return with_context(settings, in_transaction)


def test_migrate_says_already_up_to_date_only_when_nothing_was_applied(cli: Cli) -> None:
    # (The fixture's first `migrate` said "migrated the database from (empty) to <head>".)
    output = cli("migrate")
    assert f"database already up to date (revision {head_revision()})" in output
    assert "migrated" not in output


def test_accounts_create_prints_the_id_and_a_working_first_key(cli: Cli) -> None:
    human = cli("accounts", "create", "--name", "Initech")
    assert "account id:" in human and "API key (shown once): tb_" in human
    account = cli.json("accounts", "create", "--name", "Initech")
    assert set(account) == {"account_id", "api_key"}
    org = cli.json("orgs", "create", "--name", "A", "--api-key", account["api_key"])
    uuid.UUID(org["organization_id"])


def test_cli_provisions_a_connection_that_tests_lists_and_syncs(cli: Cli) -> None:
    key, org, connection_id = provision(cli)
    listed = cli.json("connections", "list", "--api-key", key)
    assert [(c["id"], c["organization_id"]) for c in listed] == [(connection_id, org)]
    assert connection_id in cli("connections", "list", "--api-key", key, COLUMNS="200")

    assert cli.json("connections", "test", connection_id, "--api-key", key)["ok"] is True
    # The key can come from the environment too.
    job = cli.json("connections", "sync", connection_id, TICKETBRIDGE_API_KEY=key)
    assert job["status"] == "SUCCESS", job
    assert job["result"]["tickets"] == len(cli.jira.state.issues)


def test_connections_list_never_cuts_ids_in_a_narrow_terminal(cli: Cli) -> None:
    key, _, connection_id = provision(cli)
    for columns in ("40", "80", "200"):
        output = cli("connections", "list", "--api-key", key, COLUMNS=columns)
        assert connection_id in output.split(), (columns, output)
        assert "Globex" in output and "ACTIVE" in output


def test_connections_sync_shows_a_progress_bar_with_the_total(cli: Cli) -> None:
    key, _, connection_id = provision(cli)
    issues = len(cli.jira.state.issues)
    output = cli("connections", "sync", connection_id, "--api-key", key, COLUMNS="120")
    assert f"{issues}/{issues}" in output and "tickets" in output, output
    assert "sync finished" in output and f"{issues} tickets" in output
    with pytest.raises(json.JSONDecodeError):
        json.loads(output)  # human output, not JSON


def test_connections_sync_json_is_one_line_and_full_is_passed_to_the_job(cli: Cli) -> None:
    key, _, connection_id = provision(cli)

    def payload(job_id: str) -> Any:
        async def read(_ctx: AppContext, session: Any) -> Any:
            return (await session.get(Job, uuid.UUID(job_id))).payload

        return _run(cli.settings(), read)

    for args, expected in (([], {}), (["--full"], {"full": True})):
        output = cli("connections", "sync", connection_id, "--api-key", key, *args, "--json")
        assert len(output.strip().splitlines()) == 1, output  # no bar in machine output
        job = json.loads(output)
        assert job["status"] == "SUCCESS", job
        assert payload(job["id"]) == expected


def test_cli_errors_are_messages_not_tracebacks(cli: Cli) -> None:
    key, org, connection_id = provision(cli)
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
    assert " ".join(rejected.split()).endswith("(field: credentials)")  # no Python repr
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
    failed_sync = cli("connections", "sync", wrong["id"], "--api-key", key, code=1)
    assert "sync failed" in failed_sync and "Traceback" not in failed_sync
    listed = {c["id"]: c for c in cli.json("connections", "list", "--api-key", key)}
    assert listed[wrong["id"]]["health"]["status"] == "UNAUTHORIZED"
    assert listed[connection_id]["health"] is None  # untouched


def test_keys_generate_prints_a_fresh_fernet_key(cli: Cli) -> None:
    keys = {cli("keys", "generate").strip() for _ in range(2)}
    assert len(keys) == 2
    for key in keys:
        Fernet(key.encode())  # a valid key


def test_keys_rotate_re_encrypts_every_secret_with_the_new_primary_key(cli: Cli) -> None:
    key, _, connection_id = provision(cli)
    old = cli.env["TICKETBRIDGE_ENCRYPTION_KEYS"]
    settings = cli.settings()

    async def set_webhook(ctx: AppContext, session: Any) -> None:
        account = await repository.account_by_api_key(session, key)
        assert account is not None
        patch = AccountPatch.model_validate({"webhook_url": "https://hooks.example.com/x"})
        ctx.resolver = FakeDNS({"hooks.example.com": ["93.184.216.34"]})  # no real DNS
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
    job = cli.json(
        "connections", "sync", connection_id, "--api-key", key, TICKETBRIDGE_ENCRYPTION_KEYS=new
    )
    assert job["status"] == "SUCCESS", job
    refused = cli("keys", "rotate", code=2, TICKETBRIDGE_ENCRYPTION_KEYS=old)
    assert "cannot be decrypted" in refused
    cli.env["TICKETBRIDGE_ENCRYPTION_KEYS"] = new  # later tests in this module use the new key
