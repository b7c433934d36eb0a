from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.itsm.projects.models import ProjectUser
from ticketbridge.itsm.users.models import User


def list_stmt(
    connection_id: uuid.UUID,
    *,
    name: str | None = None,
    email: str | None = None,
    status: str | None = None,
    project_id: uuid.UUID | None = None,
    updated_since: datetime | None = None,
) -> Select[User]:
    stmt = select(User).where(User.connection_id == connection_id)
    if name:
        stmt = stmt.where(func.lower(User.name).contains(name.lower(), autoescape=True))
    if email:
        stmt = stmt.where(func.lower(User.email) == email.lower())
    if status:
        stmt = stmt.where(User.status == status)
    if project_id:
        stmt = stmt.where(
            User.id.in_(select(ProjectUser.user_id).where(ProjectUser.project_id == project_id))
        )
    if updated_since:
        stmt = stmt.where(User.updated_at >= updated_since)
    return stmt


async def get(session: AsyncSession, connection_id: uuid.UUID, user_id: uuid.UUID) -> User | None:
    return await session.scalar(
        select(User).where(User.connection_id == connection_id, User.id == user_id)
    )


async def by_vendor_id(
    session: AsyncSession, connection_id: uuid.UUID, vendor_id: str
) -> User | None:
    return await session.scalar(
        select(User).where(User.connection_id == connection_id, User.vendor_id == vendor_id)
    )


async def vendor_map(session: AsyncSession, connection_id: uuid.UUID) -> dict[str, uuid.UUID]:
    rows = await session.execute(
        select(User.vendor_id, User.id).where(User.connection_id == connection_id)
    )
    return {vendor_id: uid for vendor_id, uid in rows.all()}
