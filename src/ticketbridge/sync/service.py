"""The sync engine: copies a vendor's projects, issue types, users and tickets into our store.

The first sync is full; later ones ask for tickets updated since the last high-water mark
minus an overlap window, and upsert idempotently. Each page is its own transaction, so a
sync's progress is visible; a crash loses at most the pages in flight (their commits do not
wait for the WAL flush), which the next sync writes again: the mark only moves once every
page is in. Tickets gone from the vendor are marked ``active: false``: after a full sync
those it did not see; after an incremental one those the vendor's deletion log names
(`registry.deletion_log`, ServiceNow's ``sys_audit_delete``) or, without a readable log,
those an id scan no longer finds.

Throughput: the connector pages two disjoint searches at once and maps each page as it
arrives (`aio.merged`); pages are written two at a time (`aio.BoundedTasks`), each with one
INSERT ... ON CONFLICT; the ids the pages refer to (projects, issue types, users) are read
once per sync, parents are linked once at the end. Memory does not grow with the number of
tickets: at most a few pages are held at once, and an incremental sync collects the ids
still at the vendor in a temporary table, not in a Python set.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ticketbridge.aio import BoundedTasks, merged
from ticketbridge.connectors import registry
from ticketbridge.connectors.base import Connector, VendorTicket
from ticketbridge.connectors.registry import references_internal_id
from ticketbridge.db.base import utcnow
from ticketbridge.db.session import transaction
from ticketbridge.ids import uuid7
from ticketbridge.itsm.issue_types.models import IssueType
from ticketbridge.itsm.projects.models import Project
from ticketbridge.itsm.tickets.service import Mappings
from ticketbridge.itsm.users.models import User
from ticketbridge.provisioning import repository as connections
from ticketbridge.sync import repository
from ticketbridge.sync.report import SyncReport
from ticketbridge.sync.tickets import PageWriter, References

log = logging.getLogger("ticketbridge.sync")

# progress(processed, total): total None leaves the job's total as it is.
Progress = Callable[[int, int | None], Awaitable[None]]
T = TypeVar("T")

# Vendor pages fetched ahead of the one being written.
PREFETCH_PAGES = 2
# Pages written at once, each in its own transaction: the database works on one while we
# prepare the next (rows are written in a fixed order, so two pages never deadlock).
PAGE_WRITERS = 2
# Seconds between progress writes during the ticket pages (and one at their end).
PROGRESS_EVERY = 0.5
# Deleted tickets ended per statement.
DEACTIVATE_CHUNK = 500


async def sync_connection(
    sessionmaker: async_sessionmaker[AsyncSession],
    connection_id: uuid.UUID,
    connector: Connector,
    progress: Progress,
    *,
    full: bool = False,
) -> SyncReport:
    """``full``: every ticket, whatever the mark says (also when the mark was reset, as a
    change of the connection's filter or mappings does)."""
    async with transaction(sessionmaker) as session:
        connection = await connections.get_connection_unscoped(session, connection_id)
        assert connection is not None
        options = connection.options or {}
        keys = options.get("project_keys_filter") or None
        mark = connection.sync_cursor
        since = None if full else mark
        mappings = Mappings.of(connection)
        parent_by_internal_id = references_internal_id(connection.vendor)
    report = SyncReport(full=since is None)
    sync_id, started = uuid7(), utcnow()
    project_ids = await _sync_projects(sessionmaker, connection_id, connector, keys, report)
    await _sync_users(sessionmaker, connection_id, connector, project_ids, report)
    async with transaction(sessionmaker) as session:
        refs = await References.load(session, connection_id)
    writer = PageWriter(sessionmaker, connection_id, sync_id, mappings, refs, report)
    high_water = since

    async def write(batch: list[VendorTicket]) -> None:
        nonlocal high_water
        newest = await writer.write(batch)
        if newest and (high_water is None or newest > high_water):
            high_water = newest

    # The vendor's count of what the search will bring, before the first page: a real total.
    total = await connector.count_tickets(since, keys, known_projects=list(project_ids))
    await progress(0, total)
    reported_at = time.monotonic()
    pages = merged(
        [connector.iter_tickets(since, keys, known_projects=list(project_ids))], PREFETCH_PAGES
    )
    async with contextlib.aclosing(pages), BoundedTasks(PAGE_WRITERS) as writers:
        async for batch in pages:
            await writers.submit(write(batch))
            if time.monotonic() - reported_at >= PROGRESS_EVERY:
                await progress(report.tickets + report.skipped_count, None)
                reported_at = time.monotonic()
    await progress(report.tickets + report.skipped_count, None)
    async with transaction(sessionmaker) as session:
        if report.full:  # the planner's row counts are from before this sync
            await repository.refresh_statistics(session)
        await repository.link_parents(session, connection_id, parent_by_internal_id)
        await repository.link_users(session, connection_id)
    deletions = registry.deletion_log(connector)
    if report.full:
        # A full sync saw every ticket still at the vendor: no second pass over its ids.
        async with transaction(sessionmaker) as session:
            report.deactivated = await repository.deactivate_unseen(
                session, connection_id, sync_id, started
            )
        # Those deleted during the sweep, after it saw them, are in the vendor's log since
        # the start (our clock; the connector's overlap covers the vendor's).
        if deletions is not None:
            gone = await deletions.deleted_ticket_ids(started)
            await _deactivate_deleted(sessionmaker, connection_id, gone or [], report)
    else:
        assert since is not None
        # The vendor's log of deletions when it has one the connection may read; the id
        # scan otherwise, and under a project filter (the scan also ends tickets that left
        # the filter, which no deletion log tells).
        gone = None
        if deletions is not None and not keys:
            gone = await deletions.deleted_ticket_ids(since)
        if gone is None:
            await _deactivate_missing(sessionmaker, connection_id, connector, keys, started, report)
        else:
            await _deactivate_deleted(sessionmaker, connection_id, gone, report)
        log.info("sync deletions: %s", "id scan" if gone is None else "the vendor's log")
    async with transaction(sessionmaker) as session:
        # The mark moves only if nobody reset it meanwhile (a change of options asks for a
        # full resync by resetting it; this sync ran on the old options).
        await connections.advance_sync_cursor(session, connection_id, mark, high_water)
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
                type_row = current.get(vt.vendor_id)
                if type_row is None:
                    type_row = IssueType(
                        id=uuid7(),
                        connection_id=connection_id,
                        project_id=project_id,
                        vendor_id=vt.vendor_id,
                    )
                    session.add(type_row)
                type_row.name = vt.name
                type_row.description = vt.description
                type_row.subtask = vt.subtask
                type_row.vendor_attributes = vt.attributes
                type_row.updated_at = utcnow()
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


async def _deactivate_missing(
    sessionmaker: async_sessionmaker[AsyncSession],
    connection_id: uuid.UUID,
    connector: Connector,
    keys: list[str] | None,
    started: datetime,
    report: SyncReport,
) -> None:
    engine: AsyncEngine = sessionmaker.kw["bind"]
    # One connection (its temporary table), committing per page: no transaction stays open
    # while the vendor answers.
    async with engine.connect() as conn:
        try:
            await repository.create_present_ids(conn)
            await conn.commit()
            pages = merged([connector.iter_ticket_ids(keys)], PREFETCH_PAGES)
            async with contextlib.aclosing(pages):
                async for ids in pages:
                    await repository.add_present_ids(conn, ids)
                    await conn.commit()
            report.deactivated = await repository.deactivate_absent(conn, connection_id, started)
            await repository.drop_present_ids(conn)
            await conn.commit()
        except BaseException:
            await conn.invalidate()  # closes it: the temporary table goes with it
            raise


async def _deactivate_deleted(
    sessionmaker: async_sessionmaker[AsyncSession],
    connection_id: uuid.UUID,
    vendor_ids: list[str],
    report: SyncReport,
) -> None:
    """The connection's tickets the vendor's log says were deleted end inactive, as the id
    scan would end them; the log is sure of each, so even a ticket written during this sync
    (read before it went) ends."""
    for start in range(0, len(vendor_ids), DEACTIVATE_CHUNK):
        async with transaction(sessionmaker) as session:
            chunk = vendor_ids[start : start + DEACTIVATE_CHUNK]
            report.deactivated += await repository.deactivate_deleted(session, connection_id, chunk)
