"""The ServiceNow connector's sync reads: groups, tables, users and pages of records, paged
by a keyset on (``sys_updated_on``, ``sys_id``), see BEHAVIOR.md, "Sync"."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from ticketbridge.connectors.base import TicketPage, VendorIssueType, VendorProject, VendorUser
from ticketbridge.connectors.servicenow import mapping
from ticketbridge.connectors.servicenow.client import ListPage, QuotaCancelled, ServiceNowClient
from ticketbridge.connectors.servicenow.config import ServiceNowOptions
from ticketbridge.connectors.servicenow.reads import Reads
from ticketbridge.errors import VendorNotFound, VendorUnauthorized

PAGE = 500
MIN_PAGE = 10
# Incremental syncs re-read this much before the mark (server clocks, 1 s resolution).
OVERLAP = timedelta(minutes=2)
STAMP = "%Y-%m-%d %H:%M:%S"
# Deleted sys_ids looked up again per query (a record restored from the audit is back).
RESTORED_CHUNK = 100
GROUP_FIELDS = ["sys_id", "name", "description", "type", "active", "email", "manager"]
USER_FIELDS = ["sys_id", "user_name", "name", "email", "active", "title"]


class ServiceNowSyncReads:
    """Mixed into `ServiceNowConnector`: needs its client, options and connection id."""

    client: ServiceNowClient
    options: ServiceNowOptions
    reads: Reads
    connection_id: str
    page_size: int = PAGE

    async def _pages(
        self, table: str, base: str, fields: list[str], order: tuple[str, ...]
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every row of `table` matching `base`, in `order` (``sys_id`` last), by keyset:
        each page asks for the rows after the last one seen, so rows changed meanwhile
        never shift the pages (a row updated during the sweep comes again later). A page the
        instance cancels at its transaction quota is asked again with half the rows. The
        next page is asked before this one is handed over."""
        size = self.page_size

        def query(after: dict[str, Any] | None) -> str:
            tail = "^".join(f"ORDERBY{f}" for f in order)
            if after is None:
                return "^".join(p for p in (base, tail) if p)
            groups = []
            for n, f in enumerate(order):  # (a > x) or (a = x and b > y) ...
                conds = [f"{g}={after.get(g) or ''}" for g in order[:n]] + [
                    f"{f}>{after.get(f) or ''}"
                ]
                groups.append("^".join(p for p in (base, *conds) if p))
            return "^NQ".join(groups) + "^" + tail

        async def fetch(after: dict[str, Any] | None) -> ListPage:
            nonlocal size
            while True:
                try:
                    return await self.client.query_table(
                        table, query=query(after), fields=fields, limit=size
                    )
                except QuotaCancelled:
                    if size <= MIN_PAGE:
                        raise
                    size = max(MIN_PAGE, size // 2)

        pending = asyncio.ensure_future(fetch(None))
        try:
            while True:
                page = await pending
                rows = page.rows
                # `sysparm_limit` applies before ACLs: a short page is not the end.
                last = not rows
                if not last:
                    pending = asyncio.ensure_future(fetch(rows[-1]))
                    await asyncio.sleep(0)
                if rows:
                    yield rows
                if last:
                    return
        finally:
            pending.cancel()

    async def iter_projects(self, keys: list[str] | None) -> AsyncIterator[VendorProject]:
        wanted = {k.casefold() for k in keys} if keys else None
        async for rows in self._pages("sys_user_group", "", GROUP_FIELDS, ("sys_id",)):
            for g in rows:
                if wanted is None or {str(g["sys_id"]), str(g.get("name", "")).casefold()} & wanted:
                    yield _project(g, self.client.base_url)

    async def iter_issue_types(self, project: VendorProject) -> AsyncIterator[VendorIssueType]:
        for table in self.options.tables:
            yield VendorIssueType(
                vendor_id=table,
                name=mapping.label_of(table),
                description=None,
                subtask=False,
                attributes={"table": table},
            )

    async def iter_users(self) -> AsyncIterator[VendorUser]:
        async for rows in self._pages("sys_user", "", USER_FIELDS, ("sys_id",)):
            for u in rows:
                yield _user(u)

    async def iter_assignable_users(self, project_vendor_id: str) -> AsyncIterator[str]:
        base = f"group={project_vendor_id}"
        async for rows in self._pages("sys_user_grmember", base, ["sys_id", "user"], ("sys_id",)):
            for m in rows:
                if m.get("user"):
                    yield str(m["user"])

    def _base(self, updated_since: datetime | None, project_keys: list[str] | None) -> str:
        parts = []
        if updated_since is not None:
            parts.append(f"sys_updated_on>={(updated_since - OVERLAP).strftime(STAMP)}")
        if project_keys:
            keys = ",".join(k for k in project_keys if "," not in k and "^" not in k)
            parts.append(f"assignment_groupIN{keys}^ORassignment_group.nameIN{keys}")
        return "^".join(parts)

    async def iter_tickets(
        self,
        updated_since: datetime | None,
        project_keys: list[str] | None,
        known_projects: Sequence[str] = (),
    ) -> AsyncIterator[TicketPage]:
        """Pages of records of the connection's tables updated since `updated_since` minus
        `OVERLAP` (all of them without it), ordered by ``sys_updated_on, sys_id``."""
        base = self._base(updated_since, project_keys)
        for table in self.options.tables:
            order = ("sys_updated_on", "sys_id")
            async for rows in self._pages(table, base, mapping.TICKET_FIELDS, order):
                yield _tickets_of(rows, table, self.reads)

    async def count_tickets(
        self,
        updated_since: datetime | None,
        project_keys: list[str] | None,
        known_projects: Sequence[str] = (),
    ) -> int | None:
        """The instance's ``X-Total-Count`` of each table (one call each)."""
        base = self._base(updated_since, project_keys)
        total = 0
        for table in self.options.tables:
            page = await self.client.query_table(
                table, query=base, fields=["sys_id"], limit=1, count=True
            )
            if page.total is None:
                return None
            total += page.total
        return total

    async def iter_ticket_ids(self, project_keys: list[str] | None) -> AsyncIterator[list[str]]:
        """Every record's sys_id (an id scan, by keyset on sys_id)."""
        base = self._base(None, project_keys)
        for table in self.options.tables:
            async for rows in self._pages(table, base, ["sys_id"], ("sys_id",)):
                yield [str(r["sys_id"]) for r in rows]

    async def deleted_ticket_ids(self, since: datetime) -> list[str] | None:
        """sys_ids of the connection's records deleted since `since` (minus `OVERLAP`), from
        ``sys_audit_delete``, the records of its tables only; None when the connection's
        user may not read that table (then only an id scan finds deletions).

        One counted call first: none deleted is that one call. Rows an ACL hides from the
        pages (fewer rows than the count) make the answer None too: a partial list would
        miss deletions; so do rows whose table or sys_id comes blank (a field ACL). A record
        restored since (a sys_id found again in its table) is not deleted."""
        tables = ",".join(self.options.tables)
        base = f"tablenameIN{tables}^sys_created_on>={(since - OVERLAP).strftime(STAMP)}"
        fields = ["sys_id", "tablename", "documentkey"]
        try:
            first = await self.client.query_table(
                "sys_audit_delete", query=base, fields=["sys_id"], limit=1, count=True
            )
            if first.total == 0 or (first.total is None and not first.rows):
                return []
            rows = [
                r
                async for page in self._pages("sys_audit_delete", base, fields, ("sys_id",))
                for r in page
            ]
        except (VendorUnauthorized, VendorNotFound):
            return None
        if first.total is not None and len(rows) < first.total:
            return None
        by_table: dict[str, set[str]] = {}
        for row in rows:
            table, key = row.get("tablename"), row.get("documentkey")
            if not isinstance(table, str) or not isinstance(key, str) or not table or not key:
                return None  # a field an ACL blanks: which record went is unknown
            if table in self.options.tables:
                by_table.setdefault(table, set()).add(key)
        deleted: list[str] = []
        for table, keys in by_table.items():
            wanted = sorted(keys)
            for start in range(0, len(wanted), RESTORED_CHUNK):
                chunk = wanted[start : start + RESTORED_CHUNK]
                page = await self.client.query_table(
                    table, query=f"sys_idIN{','.join(chunk)}", fields=["sys_id"], limit=len(chunk)
                )
                restored = {str(r.get("sys_id")) for r in page.rows}
                deleted += [k for k in chunk if k not in restored]
        return deleted


def _project(g: dict[str, Any], base_url: str) -> VendorProject:
    sys_id = str(g["sys_id"])
    return VendorProject(
        vendor_id=sys_id,
        internal_id=sys_id,
        name=g.get("name") or sys_id,
        description=g.get("description") or None,
        project_type=g.get("type") or None,
        url=mapping.form_url(base_url, "sys_user_group", sys_id),
        attributes={
            "id": g.get("name") or sys_id,
            "vendor": mapping.VENDOR,
            "data": {"vendor": mapping.VENDOR, "sys_id": sys_id, "active": g.get("active")},
        },
    )


def _user(u: dict[str, Any]) -> VendorUser:
    sys_id = str(u["sys_id"])
    return VendorUser(
        vendor_id=sys_id,
        name=u.get("name") or u.get("user_name") or None,
        email=u.get("email") or None,
        active=u.get("active", "true") != "false",
        account_type=None,
        attributes={
            "id": u.get("user_name") or sys_id,
            "vendor": mapping.VENDOR,
            "data": {"vendor": mapping.VENDOR, "sys_id": sys_id, "user_name": u.get("user_name")},
        },
    )


def _tickets_of(rows: list[dict[str, Any]], table: str, reads: Reads) -> TicketPage:
    """The page's tickets; a record we cannot read is set aside with a reason."""
    page = TicketPage()
    for row in rows:
        try:
            if not isinstance(row.get("sys_id"), str) or not row["sys_id"]:
                raise ValueError("no sys_id")
            page.append(reads.ticket(row, table))
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            ref = row.get("number") or row.get("sys_id") if isinstance(row, dict) else None
            reason = (
                "ServiceNow sent it without a usable sys_id"
                if str(exc) == "no sys_id"
                else "ServiceNow sent a field of it in a format we cannot read"
            )
            page.unreadable.append((str(ref) if ref else None, reason))
    return page
