from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.itsm.issue_types.models import IssueType


def list_stmt(connection_id: uuid.UUID, project_id: uuid.UUID | None) -> Select[IssueType]:
    stmt = select(IssueType).where(IssueType.connection_id == connection_id)
    if project_id:
        stmt = stmt.where(IssueType.project_id == project_id)
    return stmt


async def get(
    session: AsyncSession, connection_id: uuid.UUID, type_id: uuid.UUID
) -> IssueType | None:
    return await session.scalar(
        select(IssueType).where(IssueType.connection_id == connection_id, IssueType.id == type_id)
    )


async def in_project(
    session: AsyncSession,
    connection_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    name: str | None = None,
    vendor_id: str | None = None,
) -> IssueType | None:
    stmt = select(IssueType).where(
        IssueType.connection_id == connection_id, IssueType.project_id == project_id
    )
    if vendor_id is not None:
        stmt = stmt.where(IssueType.vendor_id == vendor_id)
    rows = (await session.scalars(stmt)).all()
    if name is not None:
        rows = [r for r in rows if r.name.casefold() == name.casefold()]
    return rows[0] if rows else None


async def project_map(
    session: AsyncSession, connection_id: uuid.UUID
) -> dict[tuple[uuid.UUID, str], uuid.UUID]:
    rows = await session.execute(
        select(IssueType.project_id, IssueType.vendor_id, IssueType.id).where(
            IssueType.connection_id == connection_id
        )
    )
    return {(p, v): i for p, v, i in rows.all()}
