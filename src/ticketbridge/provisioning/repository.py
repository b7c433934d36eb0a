"""All SQL for tenancy. Every lookup is scoped by account: another account's row is None."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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


# Built once: this runs on every request that names a connection.
_ACCOUNT_AND_CONNECTION = (
    select(Account, Connection)
    .join(ApiKey, ApiKey.account_id == Account.id)
    .outerjoin(
        Connection,
        (Connection.account_id == Account.id) & (Connection.id == bindparam("connection_id")),
    )
    .where(ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None))
)


async def account_and_connection_by_api_key(
    session: AsyncSession, key: str, connection_id: uuid.UUID
) -> tuple[Account, Connection | None] | None:
    """``account_by_api_key`` plus that account's connection, in one round trip."""
    params = {"key_hash": hash_api_key(key), "connection_id": connection_id}
    row = (await session.execute(_ACCOUNT_AND_CONNECTION, params)).first()
    return (row[0], row[1]) if row else None


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


async def delete_org_connections(session: AsyncSession, org_id: uuid.UUID) -> None:
    await session.execute(
        update(Connection)
        .where(Connection.organization_id == org_id)
        .values(state="DELETED", deleted_at=utcnow(), next_sync_at=None)
    )


async def touch_api_key(session: AsyncSession, key_id: uuid.UUID) -> None:
    await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow()))
