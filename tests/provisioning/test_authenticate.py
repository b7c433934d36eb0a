"""The per-request API-key lookup: one statement outside the request's unit of work, whose
instances a session adopts without reading them again."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event

from tests.support.factories import Tenant
from tests.support.stores import with_context
from ticketbridge.config import Settings
from ticketbridge.context import AppContext
from ticketbridge.ids import tokens
from ticketbridge.provisioning import repository
from ticketbridge.provisioning.models import Account


def _run(settings: Settings, work: Any) -> Any:
    """``await work(ctx, statements)``: `statements` collects every SQL statement sent."""

    async def counted(ctx: AppContext) -> Any:
        statements: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        event.listen(ctx.engine.sync_engine, "before_cursor_execute", count)
        return await work(ctx, statements)

    return with_context(settings, counted)


def _account_id(tenant: Tenant) -> str:
    return str(tenant.get("/v1/provisioning/account").json()["id"])


def test_one_statement_gives_the_account_and_its_connection(
    settings: Settings, make_tenant: Any
) -> None:
    tenant: Tenant = make_tenant()
    other: Tenant = make_tenant()
    connection_id = uuid.UUID(tenant.connection_id)
    account_id, other_account_id = (_account_id(t) for t in (tenant, other))

    async def work(ctx: AppContext, statements: list[str]) -> None:
        found = await repository.authenticate(ctx.engine, tenant.api_key, connection_id)
        assert len(statements) == 1
        assert found is not None
        account, connection = found.account, found.connection
        assert str(account.id) == account_id
        assert connection is not None and connection.id == connection_id
        assert connection.account_id == account.id and connection.vendor == "JIRA"
        assert connection.credentials_encrypted  # every column is loaded
        # Without a connection id, or with another account's: the account alone.
        no_connection = await repository.authenticate(ctx.engine, tenant.api_key, None)
        assert no_connection is not None and no_connection[1] is None
        assert no_connection[0].id == account.id
        alone = await repository.authenticate(ctx.engine, other.api_key, connection_id)
        assert alone is not None and alone[1] is None
        assert str(alone[0].id) == other_account_id
        # Unknown keys find nothing.
        assert await repository.authenticate(ctx.engine, "tb_" + "x" * 43, connection_id) is None

    _run(settings, work)


def test_a_session_adopts_the_instances_without_reading_them_and_writes_their_changes(
    settings: Settings, make_tenant: Any
) -> None:
    tenant: Tenant = make_tenant(connected=False)

    async def work(ctx: AppContext, statements: list[str]) -> None:
        found = await repository.authenticate(ctx.engine, tenant.api_key, None)
        assert found is not None
        account = found[0]
        statements.clear()
        async with ctx.sessionmaker() as session:
            session.add(account)
            assert await session.get(Account, account.id) is account
            assert statements == []  # adopted as loaded: no SELECT
            account.name = "Renamed"
            await session.commit()
        assert [s.split()[0] for s in statements] == ["UPDATE"]
        async with ctx.sessionmaker() as session:
            stored = await session.get(Account, account.id)
            assert stored is not None and stored.name == "Renamed"

    _run(settings, work)


def test_tokens_are_distinct_hex() -> None:
    batch = tokens(50)
    assert len(batch) == 50 and len(set(batch)) == 50
    assert all(len(t) == 32 and int(t, 16) >= 0 for t in batch)
    assert tokens(0) == []
    assert set(tokens(50)).isdisjoint(batch)
