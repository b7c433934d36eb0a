"""The sync engine: copies a vendor's projects, issue types, users and tickets into our store.

The first sync is full; later ones ask for tickets updated since the last high-water mark
minus an overlap window, and upsert idempotently. Each page is its own transaction, so a
sync's progress is visible and a crash loses at most one page of work (which the next
sync redoes). Tickets gone from the vendor are marked ``active: false``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ticketbridge.connectors.base import Connector, VendorTicket
from ticketbridge.db.base import utcnow
from ticketbridge.db.session import transaction
from ticketbridge.ids import uuid7
from ticketbridge.itsm.issue_types.models import IssueType
from ticketbridge.itsm.projects.models import Project
from ticketbridge.itsm.tickets import repository as tickets
from ticketbridge.itsm.tickets.models import Ticket
from ticketbridge.itsm.tickets.service import LocalRefs, Mappings, apply_vendor_ticket
from ticketbridge.itsm.users.models import User
from ticketbridge.provisioning import repository as connections
from ticketbridge.sync import repository

log = logging.getLogger("ticketbridge.sync")

Progress = Callable[[int], Awaitable[None]]


@dataclass
class SyncReport:
    full: bool
    projects: int = 0
    issue_types: int = 0
    users: int = 0
    tickets: int = 0
    deactivated: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "full": self.full,
            "projects": self.projects,
            "issue_types": self.issue_types,
            "users": self.users,
            "tickets": self.tickets,
            "deactivated": self.deactivated,
            "skipped": self.skipped[:1000],
            "skipped_count": len(self.skipped),
        }


async def sync_connection(
    sessionmaker: async_sessionmaker[AsyncSession],
    connection_id: uuid.UUID,
    connector: Connector,
    progress: Progress,
) -> SyncReport:
    async with transaction(sessionmaker) as session:
        connection = await connections.get_connection_unscoped(session, connection_id)
        assert connection is not None
        options = connection.options or {}
        keys = options.get("project_keys_filter") or None
        since = connection.sync_cursor
        mappings = Mappings.of(connection)
    report = SyncReport(full=since is None)
    project_ids = await _sync_projects(sessionmaker, connection_id, connector, keys, report)
    await _sync_users(sessionmaker, connection_id, connector, project_ids, report)
    high_water = since
    async for batch in connector.iter_tickets(since, keys):
        async with transaction(sessionmaker) as session:
            newest = await _upsert_tickets(session, connection_id, batch, mappings, report)
        if newest and (high_water is None or newest > high_water):
            high_water = newest
        await progress(report.tickets)
    async with transaction(sessionmaker) as session:
        await repository.link_parents(session, connection_id)
        await repository.link_users(session, connection_id)
    await _deactivate_missing(sessionmaker, connection_id, connector, keys, report)
    async with transaction(sessionmaker) as session:
        connection = await connections.get_connection_unscoped(session, connection_id)
        assert connection is not None
        connection.sync_cursor = high_water
        connection.last_synced_at = utcnow()
    return report


async def _sync_projects(
    sessionmaker: async_sessionmaker[AsyncSession],
    connection_id: uuid.UUID,
    connector: Connector,
    keys: list[str] | None,
    report: SyncReport,
) -> dict[str, uuid.UUID]:
    vendor_projects = [p async for p in connector.iter_projects(keys)]
    async with transaction(sessionmaker) as session:
        existing = await repository.projects_by_vendor(session, connection_id)
        seen: dict[str, uuid.UUID] = {}
        for vp in vendor_projects:
            row = existing.get(vp.vendor_id)
            if row is None:
                row = Project(id=uuid7(), connection_id=connection_id, vendor_id=vp.vendor_id)
                session.add(row)
            row.vendor_internal_id = vp.internal_id
            row.name = vp.name
            row.description = vp.description
            row.project_type = vp.project_type
            row.url = vp.url
            row.vendor_attributes = vp.attributes
            row.active = True
            row.updated_at = utcnow()
            seen[vp.vendor_id] = row.id
        for vendor_id, row in existing.items():
            if vendor_id not in seen and keys is None:
                row.active = False
        await session.flush()
        report.projects = len(seen)
    for vp in vendor_projects:
        types = [t async for t in connector.iter_issue_types(vp)]
        async with transaction(sessionmaker) as session:
            project_id = seen[vp.vendor_id]
            current = await repository.issue_types_of(session, project_id)
            for vt in types:
                row = current.get(vt.vendor_id)
                if row is None:
                    row = IssueType(
                        id=uuid7(),
                        connection_id=connection_id,
                        project_id=project_id,
                        vendor_id=vt.vendor_id,
                    )
                    session.add(row)
                row.name = vt.name
                row.description = vt.description
                row.subtask = vt.subtask
                row.vendor_attributes = vt.attributes
                row.updated_at = utcnow()
            report.issue_types += len(types)
    return seen


async def _sync_users(
    sessionmaker: async_sessionmaker[AsyncSession],
    connection_id: uuid.UUID,
    connector: Connector,
    project_ids: dict[str, uuid.UUID],
    report: SyncReport,
) -> None:
    batch: list[Any] = []

    async def flush() -> None:
        async with transaction(sessionmaker) as session:
            existing = await repository.users_by_vendor(
                session, connection_id, (u.vendor_id for u in batch)
            )
            for vu in batch:
                row = existing.get(vu.vendor_id)
                if row is None:
                    row = User(id=uuid7(), connection_id=connection_id, vendor_id=vu.vendor_id)
                    session.add(row)
                status = "ACTIVE" if vu.active else "INACTIVE"
                changed = (row.name, row.email, row.status) != (vu.name, vu.email, status)
                row.name = vu.name
                row.email = vu.email
                row.status = status
                row.vendor_attributes = vu.attributes
                if changed:
                    row.updated_at = utcnow()
        report.users += len(batch)
        batch.clear()

    async for user in connector.iter_users():
        batch.append(user)
        if len(batch) >= 500:
            await flush()
    if batch:
        await flush()
    for project_key, project_id in project_ids.items():
        account_ids = {a async for a in connector.iter_assignable_users(project_key)}
        async with transaction(sessionmaker) as session:
            users = await repository.users_by_vendor(session, connection_id, account_ids)
            await repository.replace_project_users(
                session, project_id, {u.id for u in users.values()}
            )


async def _upsert_tickets(
    session: AsyncSession,
    connection_id: uuid.UUID,
    batch: list[VendorTicket],
    mappings: Mappings,
    report: SyncReport,
) -> datetime | None:
    existing = await tickets.by_internal_ids(session, connection_id, (t.internal_id for t in batch))
    projects = await repository.projects_by_vendor(session, connection_id)
    type_ids: dict[tuple[str, str], uuid.UUID] = {}
    for project in {t.project_vendor_id for t in batch if t.project_vendor_id}:
        if project in projects:
            for vendor_id, it in (
                await repository.issue_types_of(session, projects[project].id)
            ).items():
                type_ids[(project, vendor_id)] = it.id
    user_ids = {
        vid: u.id
        for vid, u in (
            await repository.users_by_vendor(
                session,
                connection_id,
                {v for t in batch for v in (t.assignee_vendor_id, t.reporter_vendor_id) if v},
            )
        ).items()
    }
    parents = await tickets.ids_by_keys(
        session, connection_id, (t.parent_vendor_id for t in batch if t.parent_vendor_id)
    )
    newest: datetime | None = None
    for vt in batch:
        if not vt.key or not vt.internal_id:
            report.skipped.append({"item": vt.internal_id or vt.key, "reason": "missing id or key"})
            continue
        row = existing.get(vt.internal_id)
        if row is None:
            row = Ticket(
                id=uuid7(),
                connection_id=connection_id,
                identifier=vt.key,
                created_at=utcnow(),
            )
            session.add(row)
        project = projects.get(vt.project_vendor_id or "")
        refs = LocalRefs(
            project_id=project.id if project else None,
            type_id=type_ids.get((vt.project_vendor_id or "", vt.type_vendor_id or "")),
            parent_ticket_id=parents.get(vt.parent_vendor_id or ""),
            assigned_user_id=user_ids.get(vt.assignee_vendor_id or ""),
            created_by_user_id=user_ids.get(vt.reporter_vendor_id or ""),
        )
        apply_vendor_ticket(row, vt, refs, mappings)
        if row.status == "UNKNOWN":
            report.skipped.append(
                {
                    "item": vt.key,
                    "reason": f"status {vt.status_name!r} has no mapping; stored as UNKNOWN",
                }
            )
        report.tickets += 1
        if vt.updated_at and (newest is None or vt.updated_at > newest):
            newest = vt.updated_at
    await session.flush()
    return newest


async def _deactivate_missing(
    sessionmaker: async_sessionmaker[AsyncSession],
    connection_id: uuid.UUID,
    connector: Connector,
    keys: list[str] | None,
    report: SyncReport,
) -> None:
    present: set[str] = set()
    async for ids in connector.iter_ticket_ids(keys):
        present.update(ids)
    async with transaction(sessionmaker) as session:
        active = await tickets.active_internal_ids(session, connection_id)
        gone = [i for i in active if i not in present]
        await tickets.deactivate(session, connection_id, gone)
        report.deactivated = len(gone)
