"""Ticket writes. Vendor first: Jira changes, then our store; failures store nothing.

An endpoint makes one call here, `prepare_create` or `prepare_update`: it refuses what can
be refused before an ``Idempotency-Key`` is claimed (capability, connection, unknown ticket)
and returns the `Write` the idempotency wrapper then runs at most once per key.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.connectors.base import (
    Capability,
    Connector,
    StatusUnreachable,
    TicketChanges,
    TicketDraft,
)
from ticketbridge.connectors.registry import (
    check_custom_fields,
    check_draft,
    references_internal_id,
    require,
)
from ticketbridge.context import AppContext
from ticketbridge.db import locks
from ticketbridge.errors import (
    STATUS_UNREACHABLE,
    Conflict,
    NotFound,
    TicketBridgeError,
    Unprocessable,
)
from ticketbridge.idempotency.service import Claim
from ticketbridge.ids import parse_uuid, uuid7
from ticketbridge.itsm.issue_types import repository as issue_types
from ticketbridge.itsm.projects import repository as projects
from ticketbridge.itsm.tickets import repository
from ticketbridge.itsm.tickets.models import Ticket
from ticketbridge.itsm.tickets.schemas import TicketCreate, TicketUpdate
from ticketbridge.itsm.tickets.service import Mappings, _once, get_ticket, store_vendor_ticket
from ticketbridge.itsm.users import repository as users
from ticketbridge.provisioning.connectors import open_connector
from ticketbridge.provisioning.health import vendor_guard
from ticketbridge.provisioning.models import Connection

T = TypeVar("T")
# A write to run under the request's Idempotency-Key claim (None without a key).
Write = Callable[[Claim | None], Awaitable[T]]


def prepare_create(
    ctx: AppContext, session: AsyncSession, connection: Connection, body: TicketCreate
) -> Write[Ticket]:
    """`POST /tickets`. The write creates the ticket or, retried after an attempt that died,
    stores the one that attempt created (found by the claim's creation token)."""
    require(connection.vendor, Capability.CREATE_TICKET)
    check_new_ticket(connection.vendor, body)
    connector = open_connector(ctx, connection)

    async def create(claim: Claim | None) -> Ticket:
        async with vendor_guard(ctx, connection):
            found = (
                await connector.find_by_creation_token(claim.creation_token)
                if claim is not None and claim.resumed
                else None
            )
            if found is not None:
                return await store_vendor_ticket(
                    session, connection, found, Mappings.of(connection), body.identifier
                )
            token = claim.creation_token if claim is not None else None
            return await create_ticket(session, connector, connection, body, creation_token=token)

    return create


async def prepare_update(
    ctx: AppContext,
    session: AsyncSession,
    connection: Connection,
    ticket_id: str,
    body: TicketUpdate,
) -> Write[Ticket]:
    """`PATCH /tickets/{id}`: an unknown ticket is 404 before the vendor is touched."""
    require(connection.vendor, Capability.UPDATE_TICKET)
    check_draft(connection.vendor, has_tags=body.tags is not None)
    check_custom_fields(connection.vendor, body.custom_fields)
    uid = parse_uuid(ticket_id, "Ticket")
    await get_ticket(session, connection, uid)
    connector = open_connector(ctx, connection)

    async def update(_claim: Claim | None) -> Ticket:
        async with vendor_guard(ctx, connection):
            return await update_ticket(session, connector, connection, uid, body)

    return update


def check_new_ticket(vendor: str, body: TicketCreate, where: str = "") -> None:
    """The vendor's rules on a create the schema cannot know (a project or a type required,
    tags, the fields ``custom_fields`` may not set): 422 naming the field, before any vendor
    call."""
    check_draft(
        vendor,
        has_project=body.project_id is not None or body.project_vendor_id is not None,
        has_type=body.has_type(),
        has_tags=body.tags is not None,
        where=where,
    )
    check_custom_fields(vendor, body.custom_fields, where=where)


def _known(memo: dict[tuple[str, str], Any], project_id: uuid.UUID) -> bool:
    return ("project-id", str(project_id)) in memo


async def resolve_draft(
    session: AsyncSession,
    connection: Connection,
    body: TicketCreate,
    mappings: Mappings,
    cache: dict[tuple[str, str], Any] | None = None,
) -> TicketDraft:
    """Turns our references into vendor ids; an unknown UUID is a 404 naming the field.
    `cache` (one per batch of entries) looks each project, type and user up once.

    ``custom_fields`` naming what a normalized field sets is a 422 naming the key (checked
    here too, not only at the edge, so a queued job entry fails alone)."""
    check_new_ticket(connection.vendor, body)
    cid = connection.id
    memo: dict[tuple[str, str], Any] = {} if cache is None else cache
    project = None
    if body.project_id is not None:
        if body.type_id is None and body.type is not None and not _known(memo, body.project_id):
            # a create naming its project and type: both in one round trip
            found, types = await issue_types.project_with_types(session, cid, body.project_id)
            memo["project-id", str(body.project_id)] = found
            if found is not None:
                memo[f"type-name:{found.id}", body.type] = issue_types.named(types, body.type)
        project = await _once(
            memo, "project-id", body.project_id, lambda k: projects.get(session, cid, k)
        )
        if project is None:
            raise NotFound("Project not found", field="project_id")
        project_key = project.vendor_id
        memo.setdefault(("project", project.vendor_id), project)  # for storing it (local_refs)
    else:
        project_key = body.project_vendor_id or ""
    type_vendor_id = body.type_vendor_id
    type_name = body.type
    if body.type_id is not None:
        issue_type = await _once(
            memo, "type-id", body.type_id, lambda k: issue_types.get(session, cid, k)
        )
        if issue_type is None:
            raise NotFound("Issue type not found", field="type_id")
        type_vendor_id, type_name = issue_type.vendor_id, None
    elif type_name is not None and project is not None:
        issue_type = await _once(
            memo,
            f"type-name:{project.id}",
            type_name,
            lambda k: issue_types.in_project(session, cid, project.id, name=k),
        )
        if issue_type is not None:  # else let the vendor judge the name
            type_vendor_id, type_name = issue_type.vendor_id, None
            memo.setdefault((f"type:{project.id}", issue_type.vendor_id), issue_type)
    assignee_vendor_id = body.assigned_user_vendor_id
    if body.assigned_user_id is not None:
        user = await _once(
            memo, "user-id", body.assigned_user_id, lambda k: users.get(session, cid, k)
        )
        if user is None:
            raise NotFound("User not found", field="assigned_user_id")
        assignee_vendor_id = user.vendor_id
    parent_vendor_id = body.parent_ticket_vendor_id
    if body.parent_ticket_id is not None:
        parent = await repository.get(session, cid, body.parent_ticket_id)
        if parent is None:
            raise NotFound("Parent ticket not found", field="parent_ticket_id")
        # the parent as the vendor's references name it (its key, or its internal id)
        by_id = references_internal_id(connection.vendor)
        parent_vendor_id = parent.vendor_internal_id if by_id else parent.vendor_id
    return TicketDraft(
        project_vendor_id=project_key,
        name=body.name,
        type_vendor_id=type_vendor_id,
        type_name=type_name,
        description=body.description,
        priority_vendor_name=mappings.priority_to_vendor(body.priority) if body.priority else None,
        assignee_vendor_id=assignee_vendor_id,
        parent_vendor_id=parent_vendor_id,
        tags=body.tags,
        due_date=body.due_date,
        custom_fields=body.custom_fields,
        identifier=body.identifier,
    )


async def claim_identifier(session: AsyncSession, connection: Connection, identifier: str) -> None:
    """Serializes creates of one identifier and refuses a duplicate with 409."""
    await locks.hold(session, f"ticket-identifier:{connection.id}:{identifier}")
    existing = await repository.by_identifier(session, connection.id, identifier)
    if existing is not None:
        raise Conflict(
            f"A ticket with identifier {identifier!r} already exists", ticket_id=str(existing.id)
        )


async def create_ticket(
    session: AsyncSession,
    connector: Connector,
    connection: Connection,
    body: TicketCreate,
    *,
    creation_token: str | None = None,
) -> Ticket:
    mappings = Mappings.of(connection)
    if body.identifier:
        await claim_identifier(session, connection, body.identifier)
    cache: dict[tuple[str, str], Any] = {}  # the project and type, for storing the ticket
    draft = await resolve_draft(session, connection, body, mappings, cache)
    draft.creation_token = creation_token or uuid7().hex
    vt = await connector.create_ticket(draft)
    if body.status and mappings.status_of(vt) != body.status:
        try:
            vt = await connector.move_to_status(vt, body.status, mappings.status)
        except StatusUnreachable as exc:
            ticket = await store_vendor_ticket(
                session, connection, vt, mappings, body.identifier, cache
            )
            raise Unprocessable(
                f"Ticket {vt.key} was created, but status {exc.target} cannot be reached "
                f"from {ticket.status}; reachable: {', '.join(exc.reachable)}",
                field="status",
                code=STATUS_UNREACHABLE,
                ticket_id=str(ticket.id),
                reachable_statuses=exc.reachable,
                committed=True,
            ) from None
        except TicketBridgeError as exc:
            ticket = await store_vendor_ticket(
                session, connection, vt, mappings, body.identifier, cache
            )
            exc.extra["ticket_id"] = str(ticket.id)
            exc.detail = f"Ticket {vt.key} was created, but setting its status failed: {exc.detail}"
            exc.committed = True
            raise
    return await store_vendor_ticket(session, connection, vt, mappings, body.identifier, cache)


async def update_ticket(
    session: AsyncSession,
    connector: Connector,
    connection: Connection,
    ticket_id: uuid.UUID,
    body: TicketUpdate,
) -> Ticket:
    mappings = Mappings.of(connection)
    ticket = await get_ticket(session, connection, ticket_id)
    changes = await resolve_changes(session, connection, body, mappings)
    vt = await connector.get_ticket(ticket.vendor_id)
    if body.status and mappings.status_of(vt) != body.status:
        try:
            vt = await connector.move_to_status(
                vt, body.status, mappings.status, fields=body.custom_fields
            )
        except StatusUnreachable as exc:
            raise Unprocessable(
                f"Status {exc.target} cannot be reached from {mappings.status_of(vt)}; "
                f"reachable: {', '.join(exc.reachable)}",
                field="status",
                code=STATUS_UNREACHABLE,
                reachable_statuses=exc.reachable,
            ) from None
    if not changes.is_empty():
        await connector.update_ticket(vt.key, changes)
        vt = await connector.get_ticket(vt.key)
    return await store_vendor_ticket(session, connection, vt, mappings, None)


async def resolve_changes(
    session: AsyncSession, connection: Connection, body: TicketUpdate, mappings: Mappings
) -> TicketChanges:
    fields = body.model_fields_set
    changes = TicketChanges()
    if "name" in fields:
        changes.name = body.name
    if "description" in fields:
        changes.description = body.description
    if "priority" in fields and body.priority:
        changes.priority_vendor_name = mappings.priority_to_vendor(body.priority)
    if "assigned_user_id" in fields:
        if body.assigned_user_id is None:
            changes.assignee_vendor_id = None
        else:
            user = await users.get(session, connection.id, body.assigned_user_id)
            if user is None:
                raise NotFound("User not found", field="assigned_user_id")
            changes.assignee_vendor_id = user.vendor_id
    if "assigned_user_vendor_id" in fields:
        changes.assignee_vendor_id = body.assigned_user_vendor_id
    if "tags" in fields:
        changes.tags = body.tags or []
    if "due_date" in fields:
        changes.due_date = body.due_date
    if body.custom_fields:
        changes.custom_fields = body.custom_fields
    return changes
