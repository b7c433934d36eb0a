"""Bulk reads and writes of the sync (one query per page, not per item)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.itsm.issue_types.models import IssueType
from ticketbridge.itsm.projects.models import Project, ProjectUser
from ticketbridge.itsm.tickets.models import Ticket
from ticketbridge.itsm.users.models import User


async def projects_by_vendor(session: AsyncSession, connection_id: uuid.UUID) -> dict[str, Project]:
    rows = await session.scalars(select(Project).where(Project.connection_id == connection_id))
    return {p.vendor_id: p for p in rows.all()}


async def issue_types_of(session: AsyncSession, project_id: uuid.UUID) -> dict[str, IssueType]:
    rows = await session.scalars(select(IssueType).where(IssueType.project_id == project_id))
    return {t.vendor_id: t for t in rows.all()}


async def users_by_vendor(
    session: AsyncSession, connection_id: uuid.UUID, vendor_ids: Iterable[str]
) -> dict[str, User]:
    ids = list(vendor_ids)
    if not ids:
        return {}
    rows = await session.scalars(
        select(User).where(User.connection_id == connection_id, User.vendor_id.in_(ids))
    )
    return {u.vendor_id: u for u in rows.all()}


async def replace_project_users(
    session: AsyncSession, project_id: uuid.UUID, user_ids: set[uuid.UUID]
) -> None:
    await session.execute(delete(ProjectUser).where(ProjectUser.project_id == project_id))
    session.add_all(ProjectUser(project_id=project_id, user_id=u) for u in user_ids)


async def link_parents(session: AsyncSession, connection_id: uuid.UUID) -> None:
    """Children synced before their parent get the parent's id once both exist."""
    parent = Ticket.__table__.alias("parent")
    sub = (
        select(parent.c.id)
        .where(
            parent.c.connection_id == connection_id,
            parent.c.vendor_id == Ticket.parent_ticket_vendor_id,
        )
        .scalar_subquery()
    )
    await session.execute(
        update(Ticket)
        .where(
            Ticket.connection_id == connection_id,
            Ticket.parent_ticket_vendor_id.is_not(None),
            Ticket.parent_ticket_id.is_(None),
        )
        .values(parent_ticket_id=sub)
        .execution_options(synchronize_session=False)
    )


async def link_users(session: AsyncSession, connection_id: uuid.UUID) -> None:
    """Tickets written before their users were synced get the users' ids."""
    for column, vendor_column in ((Ticket.assigned_user_id, Ticket.assigned_user_vendor_id),):
        sub = (
            select(User.id)
            .where(User.connection_id == connection_id, User.vendor_id == vendor_column)
            .scalar_subquery()
        )
        await session.execute(
            update(Ticket)
            .where(
                Ticket.connection_id == connection_id,
                vendor_column.is_not(None),
                column.is_(None),
            )
            .values({column.key: sub})
            .execution_options(synchronize_session=False)
        )
