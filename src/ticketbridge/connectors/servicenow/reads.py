"""Reading records back after writes and creation-token lookups: one ``sys_idIN`` (or
``correlation_idIN``) query per chunk and table."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from ticketbridge.connectors.base import VendorTicket
from ticketbridge.connectors.servicenow import mapping
from ticketbridge.connectors.servicenow.client import ServiceNowClient

# Ids (or tokens) per query; each is a 32-character sys_id, the URL stays well short.
READ_CHUNK = 100
# Seconds waited before each further lookup of tokens not found (as the Jira connector:
# a record committed just before a lost answer is then surely visible). 2.5 s in all.
TOKEN_LOOKUP_WAITS = (0.25, 0.75, 1.5)
KNOWN_TABLES = 5000


class Reads:
    def __init__(
        self,
        client: ServiceNowClient,
        connection_id: str,
        tables: tuple[str, ...],
        status_mapping: dict[str, str] | None = None,
    ) -> None:
        self.client = client
        self.connection_id = connection_id
        self.tables = tables
        self.status_mapping = status_mapping or {}
        self.waits: Sequence[float] = TOKEN_LOOKUP_WAITS
        self._table_of: OrderedDict[str, str] = OrderedDict()  # sys_id or number -> table
        self._sys_id_of: OrderedDict[str, str] = OrderedDict()  # number -> sys_id

    def remember(self, sys_id: str, table: str) -> None:
        self._table_of[sys_id] = table
        self._table_of.move_to_end(sys_id)
        while len(self._table_of) > KNOWN_TABLES:
            self._table_of.popitem(last=False)

    def table_of(self, sys_id: str) -> str | None:
        return self._table_of.get(sys_id)

    def ticket(self, record: dict[str, Any], table: str) -> VendorTicket:
        ticket = mapping.record_to_ticket(
            record, table, self.client.base_url, self.connection_id, self.status_mapping
        )
        self.remember(ticket.internal_id, str(ticket.type_vendor_id))
        if ticket.key != ticket.internal_id:  # its number, for writes addressed by number
            self.remember(ticket.key, str(ticket.type_vendor_id))
            self._sys_id_of[ticket.key] = ticket.internal_id
            self._sys_id_of.move_to_end(ticket.key)
            while len(self._sys_id_of) > KNOWN_TABLES:
                self._sys_id_of.popitem(last=False)
        return ticket

    def sys_id_of(self, ref: str) -> str | None:
        """The sys_id of a ticket named by its sys_id or a number read before."""
        return ref if mapping.is_sys_id(ref) else self._sys_id_of.get(ref)

    def _tables_for(self, refs: Sequence[str]) -> list[str]:
        """Tables to look in: those the refs are known to live in first, then the others."""
        known = [self._table_of[i] for i in refs if i in self._table_of]
        return list(dict.fromkeys([*known, *self.tables]))

    async def tickets(self, refs: Sequence[str]) -> dict[str, VendorTicket]:
        """Tickets by sys_id or number (INC0010001), keyed by the ref asked: one ``sys_idIN``
        and one ``numberIN`` query per table at most; refs found in none of the connection's
        tables are left out."""
        wanted = list(dict.fromkeys(i for i in refs if i))
        found: dict[str, VendorTicket] = {}
        for table in self._tables_for(wanted):
            missing = [i for i in wanted if i not in found]
            if not missing:
                break
            by_id = [i for i in missing if mapping.is_sys_id(i)]
            by_number = [i for i in missing if not mapping.is_sys_id(i)]
            for field, values in (("sys_id", by_id), ("number", by_number)):
                for record in await self._query(table, field, values, mapping.TICKET_FIELDS):
                    ticket = self.ticket(record, table)
                    for seen in (ticket.internal_id, str(record.get("number") or "")):
                        if seen in values:
                            found[seen] = ticket
        return found

    async def by_tokens(self, tokens: Sequence[str], *, full: bool) -> dict[str, VendorTicket]:
        """Creation token -> ticket for tokens whose record exists, looking again after
        `waits` for those not found (``correlation_id`` holds the token)."""
        found = await self._lookup(tokens, full)
        for wait in self.waits:
            missing = [t for t in tokens if t not in found]
            if not missing:
                break
            await asyncio.sleep(wait)
            found.update(await self._lookup(missing, full))
        return found

    async def _lookup(self, tokens: Sequence[str], full: bool) -> dict[str, VendorTicket]:
        fields = (
            mapping.TICKET_FIELDS
            if full
            else ["sys_id", "number", "correlation_id", "sys_class_name"]
        )
        found: dict[str, VendorTicket] = {}
        for table in self.tables:
            missing = [t for t in tokens if t not in found]
            if not missing:
                break
            for record in await self._query(table, "correlation_id", missing, fields):
                token = record.get("correlation_id")
                if token and token not in found:
                    found[token] = self.ticket(record, table)
        return found

    async def _query(
        self, table: str, field: str, values: Sequence[str], fields: list[str]
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for start in range(0, len(values), READ_CHUNK):
            chunk = [v for v in values[start : start + READ_CHUNK] if "," not in v and "^" not in v]
            if not chunk:
                continue
            page = await self.client.query_table(
                table,
                query=f"{field}IN{','.join(chunk)}^ORDERBYsys_id",
                fields=fields,
                limit=len(chunk) * 2,
            )
            rows += page.rows
        return rows
