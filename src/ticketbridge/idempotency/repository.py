from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.idempotency.models import IdempotencyRecord


async def get(session: AsyncSession, account_id: uuid.UUID, key: str) -> IdempotencyRecord | None:
    return await session.scalar(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.account_id == account_id, IdempotencyRecord.key == key)
        .with_for_update()
    )


async def by_id(session: AsyncSession, record_id: uuid.UUID) -> IdempotencyRecord | None:
    return await session.get(IdempotencyRecord, record_id)


async def remove(session: AsyncSession, record: IdempotencyRecord) -> None:
    await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))
