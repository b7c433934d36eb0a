from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.itsm.projects.models import Project


def list_stmt(connection_id: uuid.UUID) -> Select[Project]:
    return select(Project).where(Project.connection_id == connection_id, Project.active.is_(True))


async def get(
    session: AsyncSession, connection_id: uuid.UUID, project_id: uuid.UUID
) -> Project | None:
    return await session.scalar(
        select(Project).where(Project.connection_id == connection_id, Project.id == project_id)
    )


async def by_vendor_id(
    session: AsyncSession, connection_id: uuid.UUID, vendor_id: str
) -> Project | None:
    return await session.scalar(
        select(Project).where(
            Project.connection_id == connection_id, Project.vendor_id == vendor_id
        )
    )


async def vendor_map(session: AsyncSession, connection_id: uuid.UUID) -> dict[str, uuid.UUID]:
    rows = await session.execute(
        select(Project.vendor_id, Project.id).where(Project.connection_id == connection_id)
    )
    return {vendor_id: pid for vendor_id, pid in rows.all()}
