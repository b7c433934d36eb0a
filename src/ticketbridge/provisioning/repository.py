"""All SQL for tenancy. Every lookup is scoped by account: another account's row is None."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, exists, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased, make_transient_to_detached

from ticketbridge.crypto import hash_api_key
from ticketbridge.db.base import utcnow
from ticketbridge.provisioning.models import Account, ApiKey, Connection, Organization


async def account_by_api_key(session: AsyncSession, key: str) -> Account | None:
    row = (
        await session.execute(
            select(Account, ApiKey.id)
            .join(ApiKey, ApiKey.account_id == Account.id)
            .where(ApiKey.key_hash == hash_api_key(key), ApiKey.revoked_at.is_(None))
        )
    ).first()
    return row[0] if row else None


def _labelled(model: type[Any], prefix: str) -> list[tuple[str, Any]]:
    """(attribute, column labelled ``prefix + attribute``) for every column of `model`."""
    return [(p.key, p.columns[0].label(prefix + p.key)) for p in inspect(model).column_attrs]


_ACCOUNT_COLUMNS = _labelled(Account, "a_")
_CONNECTION_COLUMNS = _labelled(Connection, "c_")
# Built once: every authenticated request runs it.
_AUTHENTICATE = (
    select(
        ApiKey.id.label("k_id"),
        ApiKey.last_used_at.label("k_last_used_at"),
        *(c for _, c in _ACCOUNT_COLUMNS),
        *(c for _, c in _CONNECTION_COLUMNS),
    )
    .select_from(Account)
    .join(ApiKey, ApiKey.account_id == Account.id)
    .outerjoin(
        Connection,
        (Connection.account_id == Account.id) & (Connection.id == bindparam("connection_id")),
    )
    .where(ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None))
)


def _detached(model: type[Any], columns: list[tuple[str, Any]], row: Any) -> Any:
    """An instance as if loaded by a session and detached from it: `session.add` makes it
    persistent again without a query, and its changes are then flushed as an UPDATE."""
    instance = model(**{key: row[column.name] for key, column in columns})
    make_transient_to_detached(instance)
    return instance


class Authenticated(NamedTuple):
    account: Account
    connection: Connection | None
    key_id: uuid.UUID
    key_last_used_at: datetime | None


async def authenticate(
    engine: AsyncEngine, key: str, connection_id: uuid.UUID | None
) -> Authenticated | None:
    """The key's account and, when `connection_id` is given, that account's connection
    (None if it is not that account's), as detached instances, with the key's id and
    ``last_used_at``; None for an unknown or revoked key.

    Every request runs this, so it is one prebuilt statement on a pooled connection in
    autocommit, outside the request's unit of work: no BEGIN/COMMIT round trips and no ORM
    loading (with them it was ~2.5 ms of a request). It reads committed rows, like any
    statement of the request's own READ COMMITTED transaction would: a revoked key is
    refused from the next request on.
    """
    params = {"key_hash": hash_api_key(key), "connection_id": connection_id}
    async with engine.connect() as conn:
        if conn.dialect.name != "sqlite":  # pysqlite opens no transaction for a SELECT
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        row = (await conn.execute(_AUTHENTICATE, params)).mappings().first()
    if row is None:
        return None
    account: Account = _detached(Account, _ACCOUNT_COLUMNS, row)
    connection: Connection | None = None
    if row["c_id"] is not None:
        connection = _detached(Connection, _CONNECTION_COLUMNS, row)
    return Authenticated(account, connection, row["k_id"], row["k_last_used_at"])


async def get_account(session: AsyncSession, account_id: uuid.UUID) -> Account | None:
    return await session.get(Account, account_id)


async def list_api_keys(session: AsyncSession, account_id: uuid.UUID) -> Sequence[ApiKey]:
    return (
        await session.scalars(
            select(ApiKey).where(ApiKey.account_id == account_id).order_by(ApiKey.created_at)
        )
    ).all()


async def get_api_key(
    session: AsyncSession, account_id: uuid.UUID, key_id: uuid.UUID
) -> ApiKey | None:
    return await session.scalar(
        select(ApiKey).where(ApiKey.account_id == account_id, ApiKey.id == key_id)
    )


async def revoke_api_key_unless_last(
    session: AsyncSession, account_id: uuid.UUID, key_id: uuid.UUID, now: datetime
) -> bool:
    """Revokes an active key if the account keeps another active one; False otherwise.

    One conditional UPDATE: on SQLite it runs under the database's single write lock, so
    two revocations of an account's last two keys cannot both see the other key active.
    On PostgreSQL (READ COMMITTED, two different rows) the caller must also hold the
    account's ``api-keys`` lock (``service.revoke_api_key`` does).
    """
    other = aliased(ApiKey)
    result = await session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            ApiKey.account_id == account_id,
            ApiKey.revoked_at.is_(None),
            exists().where(
                other.account_id == account_id, other.revoked_at.is_(None), other.id != key_id
            ),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def list_organizations(
    session: AsyncSession, account_id: uuid.UUID
) -> Sequence[Organization]:
    return (
        await session.scalars(
            select(Organization)
            .where(Organization.account_id == account_id, Organization.deleted_at.is_(None))
            .order_by(Organization.id)
        )
    ).all()


async def get_organization(
    session: AsyncSession, account_id: uuid.UUID, org_id: uuid.UUID
) -> Organization | None:
    return await session.scalar(
        select(Organization).where(
            Organization.account_id == account_id,
            Organization.id == org_id,
            Organization.deleted_at.is_(None),
        )
    )


async def list_connections(
    session: AsyncSession, account_id: uuid.UUID, org_id: uuid.UUID
) -> Sequence[Connection]:
    return (
        await session.scalars(
            select(Connection)
            .where(
                Connection.account_id == account_id,
                Connection.organization_id == org_id,
                Connection.state != "DELETED",
            )
            .order_by(Connection.id)
        )
    ).all()


async def get_connection(
    session: AsyncSession, account_id: uuid.UUID, connection_id: uuid.UUID
) -> Connection | None:
    return await session.scalar(
        select(Connection).where(
            Connection.account_id == account_id, Connection.id == connection_id
        )
    )


async def get_connection_unscoped(
    session: AsyncSession, connection_id: uuid.UUID, *, for_update: bool = False
) -> Connection | None:
    """For workers and the OAuth callback, which act on behalf of the owning account."""
    stmt = select(Connection).where(Connection.id == connection_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def connection_by_oauth_state(session: AsyncSession, state: str) -> Connection | None:
    return await session.scalar(select(Connection).where(Connection.oauth_state == state))


async def all_connections(session: AsyncSession) -> Sequence[Connection]:
    return (await session.scalars(select(Connection).order_by(Connection.id))).all()


async def accounts_with_webhook_secret(session: AsyncSession) -> Sequence[Account]:
    return (
        await session.scalars(
            select(Account)
            .where(Account.webhook_secret_encrypted.is_not(None))
            .order_by(Account.id)
        )
    ).all()


async def due_for_sync(session: AsyncSession, now: datetime) -> Sequence[Connection]:
    return (
        await session.scalars(
            select(Connection).where(
                Connection.state == "ACTIVE",
                Connection.deleted_at.is_(None),
                Connection.next_sync_at.is_not(None),
                Connection.next_sync_at <= now,
            )
        )
    ).all()


async def schedule_next_sync(session: AsyncSession, connection_id: uuid.UUID, at: datetime) -> None:
    """The connection's next scheduled sync, if it is still ACTIVE (not paused or deleted
    meanwhile)."""
    await session.execute(
        update(Connection)
        .where(
            Connection.id == connection_id,
            Connection.state == "ACTIVE",
            Connection.deleted_at.is_(None),
        )
        .values(next_sync_at=at)
        .execution_options(synchronize_session="fetch")
    )


async def delete_org_connections(session: AsyncSession, org_id: uuid.UUID) -> None:
    await session.execute(
        update(Connection)
        .where(Connection.organization_id == org_id)
        .values(state="DELETED", deleted_at=utcnow(), next_sync_at=None)
    )


async def advance_sync_cursor(
    session: AsyncSession,
    connection_id: uuid.UUID,
    expected: datetime | None,
    cursor: datetime | None,
) -> None:
    """A sync's end: the mark becomes `cursor` only if it is still `expected` (what the sync
    started from); a mark reset meanwhile stays reset. The sync time is recorded either way."""
    await session.execute(
        update(Connection)
        .where(Connection.id == connection_id)
        .values(last_synced_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Connection)
        .where(
            Connection.id == connection_id,
            Connection.sync_cursor.is_not_distinct_from(expected),
        )
        .values(sync_cursor=cursor)
        .execution_options(synchronize_session=False)
    )
