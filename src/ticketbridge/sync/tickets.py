"""Writing the sync's ticket pages: one statement per page, one bad item never fails it.

A page is prepared (identifiers chosen, references resolved) and written with one upsert in
its own transaction. When the store refuses the page (an identifier another page took in the
meantime, or a value one item carries that the database cannot hold), the page is written
again alone, then item by item: the items the store still refuses are reported as skipped,
with a reason, and the sync goes on. Errors that are not about the data (the database is
unreachable, the vendor is down) are not caught here: they fail the sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ticketbridge.connectors.base import TicketPage, VendorTicket
from ticketbridge.db.base import utcnow
from ticketbridge.db.session import transaction
from ticketbridge.ids import uuid7
from ticketbridge.itsm.tickets import identifiers
from ticketbridge.itsm.tickets.service import LocalRefs, Mappings, vendor_ticket_values
from ticketbridge.sync import repository
from ticketbridge.sync.report import SyncReport

log = logging.getLogger("ticketbridge.sync")

CONFLICT = "the store refused it: it conflicts with another ticket of this connection"
BAD_VALUE = (
    "the store refused it: it holds a value the database cannot keep "
    "(such as a NUL character or a number out of range)"
)


@dataclass
class References:
    """Our ids of what tickets point to, read once per sync (users as first met)."""

    projects: dict[str, uuid.UUID]
    issue_types: dict[tuple[str, str], uuid.UUID]
    users: dict[str, uuid.UUID | None] = field(default_factory=dict)

    @classmethod
    async def load(cls, session: AsyncSession, connection_id: uuid.UUID) -> References:
        return cls(
            projects=await repository.project_ids(session, connection_id),
            issue_types=await repository.issue_type_ids(session, connection_id),
        )

    async def load_users(
        self, session: AsyncSession, connection_id: uuid.UUID, vendor_ids: set[str]
    ) -> None:
        # Users are synced before tickets, so one not found now stays unknown this sync.
        missing = sorted(v for v in vendor_ids if v not in self.users)
        found = await repository.user_ids(session, connection_id, missing)
        for vendor_id in missing:
            self.users[vendor_id] = found.get(vendor_id)


@dataclass
class PageWriter:
    """Writes pages of one sync; `report` counts only what was committed."""

    sessionmaker: async_sessionmaker[AsyncSession]
    connection_id: uuid.UUID
    sync_id: uuid.UUID
    mappings: Mappings
    refs: References
    report: SyncReport
    # Pages that claim identifiers are written one at a time: each must see the claims the
    # others committed (two issues can carry one identifier, e.g. a clone).
    serial: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def write(self, batch: list[VendorTicket]) -> datetime | None:
        """Writes a page; returns the newest vendor update time among what was stored."""
        for item, reason in batch.unreadable if isinstance(batch, TicketPage) else ():
            self.report.skip(item, reason)
        claims = any(t.identifier for t in batch)
        try:
            async with self.serial if claims else contextlib.nullcontext():
                return await self._write(batch)
        except DBAPIError as exc:
            if repository.item_refusal(exc) is None:
                raise
            log.info("sync page refused (%s); writing it again alone", type(exc).__name__)
        async with self.serial:
            try:
                return await self._write(batch)
            except DBAPIError as exc:
                if repository.item_refusal(exc) is None:
                    raise
            newest: datetime | None = None
            for vt in batch:
                stored = await self._write_one(vt)
                if stored and (newest is None or stored > newest):
                    newest = stored
            return newest

    async def _write_one(self, vt: VendorTicket) -> datetime | None:
        """One item; a conflict is tried once more (a page written meanwhile by a writer
        that does not take the lock may have just taken its identifier), then skipped."""
        for attempt in (1, 2):
            try:
                return await self._write([vt])
            except DBAPIError as exc:
                refusal = repository.item_refusal(exc)
                if refusal is None:
                    raise
                if refusal == "conflict" and attempt == 1:
                    continue
                reason = CONFLICT if refusal == "conflict" else BAD_VALUE
                self.report.skip(vt.key or vt.internal_id, reason)
                return None
        return None

    async def _write(self, batch: list[VendorTicket]) -> datetime | None:
        async with transaction(self.sessionmaker) as session:
            await repository.page_settings(session)
            page = await self._prepare(session, batch)
            await repository.upsert_tickets(session, page.rows)
        page.count_into(self.report)
        return page.newest

    async def _prepare(self, session: AsyncSession, batch: list[VendorTicket]) -> _Page:
        cid = self.connection_id
        await self.refs.load_users(
            session,
            cid,
            {v for t in batch for v in (t.assignee_vendor_id, t.reporter_vendor_id) if v},
        )
        wanted = {
            c
            for t in batch
            if t.key and t.internal_id
            for c in identifiers.candidates(t.key, t.internal_id, t.identifier)
        }
        holders, stored = await repository.identifier_holders(
            session, cid, wanted, {t.internal_id for t in batch if t.internal_id}
        )
        page = _Page()
        rows: dict[str, dict[str, Any]] = {}  # by vendor internal id: the last one wins
        now = utcnow()
        for vt in batch:
            if not vt.key or not vt.internal_id:
                page.skipped.append((vt.internal_id or vt.key, "it has no id or no key"))
                continue
            identifier = stored.get(vt.internal_id) or _choose(vt, holders)
            if identifier is None:
                held = identifiers.candidates(vt.key, vt.internal_id, vt.identifier)
                page.skipped.append((vt.key, identifiers.taken_message(held)))
                continue
            local = LocalRefs(
                project_id=self.refs.projects.get(vt.project_vendor_id or ""),
                type_id=self.refs.issue_types.get(
                    (vt.project_vendor_id or "", vt.type_vendor_id or "")
                ),
                # The parent's id is written by the upsert (kept while the parent is the
                # same) and by `link_parents` once every page is in: no lookup per page.
                parent_ticket_id=None,
                assigned_user_id=self.refs.users.get(vt.assignee_vendor_id or ""),
                created_by_user_id=self.refs.users.get(vt.reporter_vendor_id or ""),
            )
            # The one mapping of writes and the sync (the upsert keeps status_updated_at when
            # the status did not change, as `apply_vendor_ticket` does).
            values = vendor_ticket_values(vt, local, self.mappings, now)
            values.update(
                id=uuid7(),
                connection_id=cid,
                identifier=identifier,
                created_at=now,
                last_seen_sync_id=self.sync_id,
            )
            rows[vt.internal_id] = values
            if values["status"] == "UNKNOWN":
                page.unmapped.append(vt.status_name)
            if vt.updated_at and (page.newest is None or vt.updated_at > page.newest):
                page.newest = vt.updated_at
        # In one order for every page: concurrent page writes lock rows in the same order.
        page.rows = [rows[k] for k in sorted(rows)]
        return page


def _choose(vt: VendorTicket, holders: dict[str, str]) -> str | None:
    """The first of the new ticket's candidates no other ticket holds (claimed for it in
    `holders`, so two tickets of one page never choose the same)."""
    for candidate in identifiers.candidates(vt.key, vt.internal_id, vt.identifier):
        if holders.setdefault(candidate, vt.internal_id) == vt.internal_id:
            return candidate
    return None


@dataclass
class _Page:
    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str | None, str]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    newest: datetime | None = None

    def count_into(self, report: SyncReport) -> None:
        report.tickets += len(self.rows)
        for item, reason in self.skipped:
            report.skip(item, reason)
        for name in self.unmapped:
            report.unmapped_statuses[name] = report.unmapped_statuses.get(name, 0) + 1
