from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.itsm.issue_types.models import IssueType
from ticketbridge.itsm.projects.models import Project


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
        return named(rows, name)
    return rows[0] if rows else None


def named(types: Sequence[IssueType], name: str) -> IssueType | None:
    """The first of `types` called `name` (case-insensitively), as `in_project` finds it."""
    matches = [r for r in types if r.name.casefold() == name.casefold()]
    return matches[0] if matches else None


async def project_with_types(
    session: AsyncSession, connection_id: uuid.UUID, project_id: uuid.UUID
) -> tuple[Project | None, list[IssueType]]:
    """The connection's project `project_id` (None if unknown) and its issue types, in one
    round trip (`projects.get` then `in_project` take two)."""
    rows = (
        await session.execute(
            select(Project, IssueType)
            .outerjoin(
                IssueType,
                and_(IssueType.project_id == Project.id, IssueType.connection_id == connection_id),
            )
            .where(Project.connection_id == connection_id, Project.id == project_id)
        )
    ).all()
    if not rows:
        return None, []
    return rows[0][0], [t for _, t in rows if t is not None]


async def project_map(
    session: AsyncSession, connection_id: uuid.UUID
) -> dict[tuple[uuid.UUID, str], uuid.UUID]:
    rows = await session.execute(
        select(IssueType.project_id, IssueType.vendor_id, IssueType.id).where(
            IssueType.connection_id == connection_id
        )
    )
    return {(p, v): i for p, v, i in rows.all()}
