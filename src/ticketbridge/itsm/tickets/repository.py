from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ticketbridge.itsm.paging import PageParams, paginate_rows
from ticketbridge.itsm.tickets.models import Ticket


def list_stmt(
    connection_id: uuid.UUID,
    *,
    status: str | None = None,
    priority: str | None = None,
    type: str | None = None,
    project_id: uuid.UUID | None = None,
    assigned_user_id: uuid.UUID | None = None,
    parent_ticket_id: uuid.UUID | None = None,
    identifier: str | None = None,
    updated_since: datetime | None = None,
) -> Select[Ticket]:
    stmt = select(Ticket).where(Ticket.connection_id == connection_id)
    if status:
        stmt = stmt.where(Ticket.status == status)
    if priority:
        stmt = stmt.where(Ticket.priority == priority)
    if type:
        stmt = stmt.where(Ticket.type == type)
    if project_id:
        stmt = stmt.where(Ticket.project_id == project_id)
    if assigned_user_id:
        stmt = stmt.where(Ticket.assigned_user_id == assigned_user_id)
    if parent_ticket_id:
        stmt = stmt.where(Ticket.parent_ticket_id == parent_ticket_id)
    if identifier:
        stmt = stmt.where(Ticket.identifier == identifier)
    if updated_since:
        stmt = stmt.where(Ticket.updated_at >= updated_since)
    return stmt


async def list_page(
    engine: AsyncEngine, stmt: Select[Any], params: PageParams
) -> tuple[Sequence[Any], str | None, str | None]:
    """A page of `stmt` (a select of columns, one labelled ``id``) as rows, with its cursors
    (`paginate_rows`). One statement on a pooled connection in autocommit, like the API-key
    lookup: a read-only request then costs no BEGIN and COMMIT round trips (2 of its 4).
    A single statement reads one snapshot of committed rows, as it would inside the
    request's READ COMMITTED transaction."""
    async with engine.connect() as conn:
        if conn.dialect.name != "sqlite":  # pysqlite opens no transaction for a SELECT
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        return await paginate_rows(conn, stmt, Ticket.id, params)


async def get(
    session: AsyncSession, connection_id: uuid.UUID, ticket_id: uuid.UUID
) -> Ticket | None:
    return await session.scalar(
        select(Ticket).where(Ticket.connection_id == connection_id, Ticket.id == ticket_id)
    )


async def by_identifier(
    session: AsyncSession, connection_id: uuid.UUID, identifier: str
) -> Ticket | None:
    return await session.scalar(
        select(Ticket).where(Ticket.connection_id == connection_id, Ticket.identifier == identifier)
    )


async def by_vendor_ref(
    session: AsyncSession, connection_id: uuid.UUID, ref: str, internal_id: bool = False
) -> Ticket | None:
    """The ticket a vendor reference names: by its key, or (`internal_id`) its internal id."""
    column = Ticket.vendor_internal_id if internal_id else Ticket.vendor_id
    return await session.scalar(
        select(Ticket).where(Ticket.connection_id == connection_id, column == ref)
    )


async def for_storing(
    session: AsyncSession,
    connection_id: uuid.UUID,
    internal_ids: Iterable[str],
    identifiers: Iterable[str],
) -> tuple[dict[str, Ticket], dict[str, str]]:
    """In one round trip: the tickets stored for `internal_ids` (vendor internal id ->
    ticket), and which of `identifiers` are in use (identifier -> vendor internal id of the
    ticket holding it)."""
    ids, wanted = list(set(internal_ids)), list(set(identifiers))
    if not ids and not wanted:
        return {}, {}
    found = await session.scalars(
        select(Ticket).where(
            Ticket.connection_id == connection_id,
            or_(Ticket.vendor_internal_id.in_(ids), Ticket.identifier.in_(wanted)),
        )
    )
    rows: dict[str, Ticket] = {}
    owners: dict[str, str] = {}
    chosen, asked = set(ids), set(wanted)
    for t in found.all():
        if t.vendor_internal_id in chosen:
            rows[t.vendor_internal_id] = t
        if t.identifier in asked:
            owners[t.identifier] = t.vendor_internal_id
    return rows, owners


async def active_internal_ids(session: AsyncSession, connection_id: uuid.UUID) -> Sequence[str]:
    return (
        await session.scalars(
            select(Ticket.vendor_internal_id).where(
                Ticket.connection_id == connection_id, Ticket.active.is_(True)
            )
        )
    ).all()


async def deactivate(
    session: AsyncSession, connection_id: uuid.UUID, internal_ids: Sequence[str]
) -> None:
    for start in range(0, len(internal_ids), 500):
        await session.execute(
            update(Ticket)
            .where(
                Ticket.connection_id == connection_id,
                Ticket.vendor_internal_id.in_(internal_ids[start : start + 500]),
            )
            .values(active=False)
        )
