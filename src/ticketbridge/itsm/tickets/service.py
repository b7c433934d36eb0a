"""Ticket reads, and storing vendor tickets: the one mapping of a vendor ticket onto our
row, for the writes (`writes.py`, `bulk.py`) and the sync."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.connectors.base import ConnectorClass, VendorTicket
from ticketbridge.connectors.registry import (
    connector_class,
    references_internal_id,
    status_keys,
)
from ticketbridge.db.base import utcnow
from ticketbridge.errors import Conflict, NotFound
from ticketbridge.ids import uuid7
from ticketbridge.itsm.issue_types import repository as issue_types
from ticketbridge.itsm.projects import repository as projects
from ticketbridge.itsm.tickets import identifiers, repository
from ticketbridge.itsm.tickets.models import Ticket
from ticketbridge.itsm.users import repository as users
from ticketbridge.provisioning.models import Connection


@dataclass
class Mappings:
    status: dict[str, str]
    priority: dict[str, str]
    # The vendor's connector class: its default priorities (registry hooks).
    vendor: ConnectorClass

    @classmethod
    def of(cls, connection: Connection) -> Mappings:
        options = connection.options or {}
        return cls(
            options.get("status_mapping") or {},
            options.get("priority_mapping") or {},
            connector_class(connection.vendor),
        )

    def status_of(self, vt: VendorTicket) -> str:
        """The connection's mapping, by the keys the vendor names a status with (registry
        ``status_keys``), wins over the connector's default."""
        if self.status:
            by_key: dict[str, str] = {}
            for name, status in self.status.items():
                by_key.setdefault(name.casefold(), status)  # the first of a case-variant wins
            for key in status_keys(self.vendor.vendor)(vt.status_name, vt.type_vendor_id):
                if key.casefold() in by_key:
                    return by_key[key.casefold()]
        return vt.status_default

    def priority_of(self, name: str | None) -> str:
        return self.vendor.normalize_priority(name, self.priority)

    def priority_to_vendor(self, priority: str) -> str:
        return self.vendor.priority_to_vendor(priority, self.priority)


@dataclass
class LocalRefs:
    """Our ids for a vendor ticket's references (None where not synced)."""

    project_id: uuid.UUID | None = None
    type_id: uuid.UUID | None = None
    parent_ticket_id: uuid.UUID | None = None
    assigned_user_id: uuid.UUID | None = None
    created_by_user_id: uuid.UUID | None = None


def vendor_ticket_values(
    vt: VendorTicket, refs: LocalRefs, mappings: Mappings, now: datetime
) -> dict[str, Any]:
    """Our columns for a vendor ticket: the one mapping used by writes and the sync.

    ``status_updated_at`` is the vendor's status change time; whoever stores the values keeps
    the stored one when the status did not change (`apply_vendor_ticket`, the sync's upsert).
    """
    status = mappings.status_of(vt)
    return {
        "vendor_id": vt.key,
        "vendor_internal_id": vt.internal_id,
        "name": vt.name,
        "description": vt.description,
        "status": status,
        "status_updated_at": vt.status_changed_at or vt.updated_at or now,
        "priority": mappings.priority_of(vt.priority_name),
        "type": vt.type_name,
        "type_vendor_id": vt.type_vendor_id,
        "type_id": refs.type_id,
        "project_id": refs.project_id,
        "project_vendor_id": vt.project_vendor_id,
        "parent_ticket_id": refs.parent_ticket_id,
        "parent_ticket_vendor_id": vt.parent_vendor_id,
        "assigned_user_id": refs.assigned_user_id,
        "assigned_user_vendor_id": vt.assignee_vendor_id,
        "created_by_user_id": refs.created_by_user_id,
        "tags": list(vt.labels),
        "url": vt.url,
        "due_date": vt.due_date,
        "ticket_created_at": vt.created_at,
        "ticket_updated_at": vt.updated_at,
        "closed_at": vt.closed_at if status in ("CLOSED", "RESOLVED") else None,
        "vendor_attributes": vt.vendor_attributes,
        "active": True,
        "updated_at": now,
    }


def apply_vendor_ticket(row: Ticket, vt: VendorTicket, refs: LocalRefs, mappings: Mappings) -> None:
    """Copies a vendor ticket onto our row (`vendor_ticket_values`)."""
    values = vendor_ticket_values(vt, refs, mappings, utcnow())
    if row.status == values["status"] and row.status_updated_at is not None:
        del values["status_updated_at"]
    for key, value in values.items():
        setattr(row, key, value)


async def _once(
    memo: dict[tuple[str, str], Any],
    kind: str,
    key: Any,
    load: Callable[[Any], Awaitable[Any]],
) -> Any:
    """`load(key)`, looked up once per (kind, key) in `memo` (one per batch)."""
    if not key:
        return None
    if (kind, str(key)) not in memo:
        memo[kind, str(key)] = await load(key)
    return memo[kind, str(key)]


async def local_refs(
    session: AsyncSession,
    connection_id: uuid.UUID,
    vt: VendorTicket,
    cache: dict[tuple[str, str], Any] | None = None,
    parent_by_internal_id: bool = False,
) -> LocalRefs:
    """Our ids of what `vt` refers to; `cache` (one per batch) saves repeated lookups.
    ``parent_by_internal_id``: the vendor's parent reference holds the parent's internal id
    (registry ``references_internal_id``), else its key."""
    memo: dict[tuple[str, str], Any] = {} if cache is None else cache

    async def once(kind: str, key: str | None, load: Callable[[str], Awaitable[Any]]) -> Any:
        return await _once(memo, kind, key, load)

    project = await once(
        "project", vt.project_vendor_id, lambda k: projects.by_vendor_id(session, connection_id, k)
    )
    issue_type = (
        await once(
            f"type:{project.id}",
            vt.type_vendor_id,
            lambda k: issue_types.in_project(session, connection_id, project.id, vendor_id=k),
        )
        if project
        else None
    )
    parent = await once(
        "parent",
        vt.parent_vendor_id,
        lambda k: repository.by_vendor_ref(session, connection_id, k, parent_by_internal_id),
    )

    def user(k: str) -> Awaitable[Any]:
        return users.by_vendor_id(session, connection_id, k)

    assignee = await once("user", vt.assignee_vendor_id, user)
    reporter = await once("user", vt.reporter_vendor_id, user)
    return LocalRefs(
        project_id=project.id if project else None,
        type_id=issue_type.id if issue_type else None,
        parent_ticket_id=parent.id if parent else None,
        assigned_user_id=assignee.id if assignee else None,
        created_by_user_id=reporter.id if reporter else None,
    )


async def get_ticket(session: AsyncSession, connection: Connection, ticket_id: uuid.UUID) -> Ticket:
    ticket = await repository.get(session, connection.id, ticket_id)
    if ticket is None:
        raise NotFound("Ticket not found")
    return ticket


async def get_by_identifier(
    session: AsyncSession, connection: Connection, identifier: str
) -> Ticket:
    ticket = await repository.by_identifier(session, connection.id, identifier)
    if ticket is None:
        raise NotFound("Ticket not found")
    return ticket


async def store_vendor_ticket(
    session: AsyncSession,
    connection: Connection,
    vt: VendorTicket,
    mappings: Mappings,
    identifier: str | None,
    cache: dict[tuple[str, str], Any] | None = None,
) -> Ticket:
    (ticket,) = await store_vendor_tickets(session, connection, [(vt, identifier)], mappings, cache)
    return ticket


async def store_vendor_tickets(
    session: AsyncSession,
    connection: Connection,
    items: Sequence[tuple[VendorTicket, str | None]],
    mappings: Mappings,
    cache: dict[tuple[str, str], Any] | None = None,
) -> list[Ticket]:
    """Stores (inserts or updates) vendor tickets with their identifiers, in order: one read
    of the existing rows and of the identifiers new tickets may take, each referenced
    project, type and user looked up once, one flush.

    A caller's identifier is kept; a new ticket without one takes its first free candidate
    (`identifiers`), as the sync does."""
    rows, owners = await repository.for_storing(
        session,
        connection.id,
        [vt.internal_id for vt, _ in items],
        # the candidates of every ticket given without one: those already stored ask too
        # (one round trip instead of two); only the new ones' are used
        [
            c
            for vt, ident in items
            if not ident
            for c in identifiers.candidates(vt.key, vt.internal_id)
        ],
    )
    cache = {} if cache is None else cache
    by_internal_id = references_internal_id(connection.vendor)
    stored = []
    for vt, identifier in items:
        ticket = rows.get(vt.internal_id)
        if identifier and (ticket is None or ticket.identifier != identifier):
            await _take_identifier(session, connection, identifier, vt)
            owners[identifier] = vt.internal_id
        if ticket is None:
            if not identifier:
                identifier = _first_free(vt.key, vt.internal_id, owners)
                owners[identifier] = vt.internal_id
            ticket = Ticket(
                id=uuid7(), connection_id=connection.id, identifier=identifier, created_at=utcnow()
            )
            session.add(ticket)
            rows[vt.internal_id] = ticket
        elif identifier and ticket.identifier != identifier:
            ticket.identifier = identifier
        refs = await local_refs(session, connection.id, vt, cache, by_internal_id)
        apply_vendor_ticket(ticket, vt, refs, mappings)
        stored.append(ticket)
    await session.flush()
    return stored


def _first_free(
    key: str, internal_id: str, owners: dict[str, str], besides: str | None = None
) -> str:
    """The first candidate identifier of the vendor's ticket (`key`, `internal_id`) that no
    other ticket holds (`owners`: identifier -> the vendor internal id holding it), other
    than `besides`."""
    held = identifiers.candidates(key, internal_id)
    for candidate in held:
        if owners.get(candidate, internal_id) == internal_id and candidate != besides:
            return candidate
    raise Conflict(f"Ticket {key} was created in the vendor, but {identifiers.taken_message(held)}")


async def _free_identifier(
    session: AsyncSession,
    connection: Connection,
    key: str,
    internal_id: str,
    besides: str | None = None,
) -> str:
    """`_first_free`, its candidates' holders read in one query."""
    _, owners = await repository.for_storing(
        session, connection.id, [], identifiers.candidates(key, internal_id)
    )
    return _first_free(key, internal_id, owners, besides)


async def _take_identifier(
    session: AsyncSession, connection: Connection, identifier: str, vt: VendorTicket
) -> None:
    """Makes a caller's identifier free for `vt`. It was free when the create claimed it; a
    sync may have stored meanwhile the vendor's ticket whose key it is: the caller's
    identifier is kept, that ticket moves to its next candidate (`identifiers`)."""
    holder = await repository.by_identifier(session, connection.id, identifier)
    if holder is None or holder.vendor_internal_id == vt.internal_id:
        return
    if holder.identifier != holder.vendor_id:  # another caller's: never taken from them
        raise Conflict(
            f"Ticket {vt.key} was created in the vendor, but identifier {identifier!r} is "
            "held by another ticket",
            ticket_id=str(holder.id),
        )
    holder.identifier = await _free_identifier(
        session, connection, holder.vendor_id, holder.vendor_internal_id, besides=identifier
    )
    await session.flush()  # before the new ticket takes the identifier
