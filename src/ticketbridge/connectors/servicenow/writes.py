"""The ServiceNow connector's writes: creates (one through the Table API, many through the
Batch API, reconciled by creation token in ``correlation_id`` when the answer was lost),
edits and state changes (see BEHAVIOR.md, "Writes")."""

from __future__ import annotations

from typing import Any

from ticketbridge.connectors.base import (
    UNSET,
    CreateOutcome,
    StatusUnreachable,
    TicketChanges,
    TicketDraft,
    VendorTicket,
)
from ticketbridge.connectors.servicenow import mapping
from ticketbridge.connectors.servicenow.client import ServiceNowClient, error_for, vendor_message
from ticketbridge.connectors.servicenow.config import ServiceNowOptions
from ticketbridge.connectors.servicenow.reads import Reads
from ticketbridge.errors import Unprocessable, VendorNotFound, VendorOutcomeUnknown

BULK_LIMIT = 50
# Batch requests re-sent for the items the instance left unserviced (its 30 s quota).
UNSERVICED_ROUNDS = 3
# Item statuses that mean "not done, try again" (nothing was written).
RETRYABLE_ITEM = (429, 503)


def refuse_tags(tags: Any, field: str = "tags") -> None:
    if tags:
        raise Unprocessable("ServiceNow tickets have no tags", field=field)


class ServiceNowWrites:
    """Mixed into `ServiceNowConnector`: needs its client, reads, options and connection id."""

    client: ServiceNowClient
    reads: Reads
    options: ServiceNowOptions
    connection_id: str

    def _table(self, draft: TicketDraft) -> str:
        table = mapping.table_of(draft.type_vendor_id, draft.type_name, self.options.tables)
        if table is None:
            raise Unprocessable(
                f"ServiceNow type {draft.type_vendor_id or draft.type_name!r} is not one of this "
                f"connection's tables ({', '.join(self.options.tables)})",
                field="type_vendor_id",
            )
        return table

    async def get_ticket(self, vendor_id: str) -> VendorTicket:
        """By sys_id or number (the ticket's key)."""
        found = await self.reads.tickets([vendor_id])
        if vendor_id not in found:
            raise VendorNotFound(f"Ticket '{vendor_id}' not found in ServiceNow")
        return found[vendor_id]

    async def get_tickets(self, vendor_ids: list[str]) -> dict[str, VendorTicket]:
        """Tickets by sys_id or number, keyed by the ref asked (`Reads.tickets`); missing
        ones are left out."""
        return await self.reads.tickets(vendor_ids)

    async def create_ticket(self, draft: TicketDraft) -> VendorTicket:
        refuse_tags(draft.tags)
        table = self._table(draft)
        record = mapping.draft_to_record(draft, self.connection_id)
        try:
            created = await self.client.insert(table, record)
        except VendorOutcomeUnknown:
            if not draft.creation_token:
                raise
            found = await self.find_by_creation_token(draft.creation_token)
            if found is not None:
                return found
            created = await self.client.insert(table, record)  # it never landed
        self.reads.remember(str(created["sys_id"]), table)
        # The insert answers with the whole record, read as we read any record.
        return self.reads.ticket(created, table)

    async def find_by_creation_token(self, token: str) -> VendorTicket | None:
        found = await self.reads.by_tokens([token], full=True)
        return found.get(token)

    async def find_by_creation_tokens(self, tokens: list[str]) -> dict[str, str]:
        """Creation token -> key (the record's number), for tokens whose record exists."""
        found = await self.reads.by_tokens(tokens, full=False)
        return {token: ticket.key for token, ticket in found.items()}

    async def bulk_create(self, drafts: list[TicketDraft]) -> list[CreateOutcome]:
        """Batch API requests of at most `BULK_LIMIT` creates, one table per request;
        outcomes in request order."""
        outcomes: list[CreateOutcome] = []
        by_table: dict[str, list[tuple[int, TicketDraft]]] = {}
        for i, draft in enumerate(drafts):
            if draft.tags:
                outcomes.append(CreateOutcome(index=i, error="ServiceNow tickets have no tags"))
                continue
            table = mapping.table_of(draft.type_vendor_id, draft.type_name, self.options.tables)
            if table is None:
                outcomes.append(
                    CreateOutcome(index=i, error="The type is not one of this connection's tables")
                )
                continue
            by_table.setdefault(table, []).append((i, draft))
        for table, entries in by_table.items():
            for start in range(0, len(entries), BULK_LIMIT):
                outcomes += await self._batch(table, entries[start : start + BULK_LIMIT])
        return sorted(outcomes, key=lambda o: o.index)

    async def _batch(
        self, table: str, entries: list[tuple[int, TicketDraft]]
    ) -> list[CreateOutcome]:
        outcomes: list[CreateOutcome] = []
        pending = entries
        unknown = False
        for _round in range(UNSERVICED_ROUNDS):
            if unknown:  # the last answer was lost: what landed is found by its token
                found = await self._landed(pending)
                outcomes += [
                    CreateOutcome(index=i, internal_id=found[t].internal_id, key=found[t].key)
                    for i, d in pending
                    if (t := d.creation_token or "") in found
                ]
                pending = [(i, d) for i, d in pending if d.creation_token not in found]
                if not pending:
                    return outcomes
            records = [mapping.draft_to_record(d, self.connection_id) for _, d in pending]
            try:
                serviced, _unserviced = await self.client.batch_insert(table, records)
            except VendorOutcomeUnknown:
                if not all(d.creation_token for _, d in pending):
                    raise
                unknown = True
                continue
            unknown = False
            left = []
            for n, (i, draft) in enumerate(pending):
                status, body = serviced.get(str(n), (0, None))
                if status and status not in RETRYABLE_ITEM:
                    outcomes.append(self._outcome(i, table, status, body))
                else:  # unserviced (the batch quota) or throttled alone: sent again
                    left.append((i, draft))
            pending = left
            if not pending:
                return outcomes
        if unknown:
            found = await self._landed(pending)
            outcomes += [
                CreateOutcome(index=i, internal_id=found[t].internal_id, key=found[t].key)
                for i, d in pending
                if (t := d.creation_token or "") in found
            ]
            pending = [(i, d) for i, d in pending if d.creation_token not in found]
            if pending:
                raise VendorOutcomeUnknown(
                    "ServiceNow closed the connection without an answer, again"
                )
        outcomes += [
            CreateOutcome(
                index=i, error="ServiceNow did not run this create (Batch API quota or throttling)"
            )
            for i, _ in pending
        ]
        return outcomes

    async def _landed(self, pending: list[tuple[int, TicketDraft]]) -> dict[str, VendorTicket]:
        return await self.reads.by_tokens([str(d.creation_token) for _, d in pending], full=False)

    def _outcome(self, index: int, table: str, status: int, body: Any) -> CreateOutcome:
        result = body.get("result") if isinstance(body, dict) else None
        if status in (200, 201) and isinstance(result, dict) and result.get("sys_id"):
            sys_id = str(result["sys_id"])
            number = result.get("number")
            key = number if isinstance(number, str) and number else sys_id
            self.reads.remember(sys_id, table)
            return CreateOutcome(index=index, internal_id=sys_id, key=key)
        message, error = vendor_message(body)
        err = error_for(status, body, "", None)
        return CreateOutcome(
            index=index,
            error=f"ServiceNow rejected the ticket: {message}" if message else err.detail,
            vendor_errors={"error": error} if error else None,
        )

    async def update_ticket(self, vendor_id: str, changes: TicketChanges) -> None:
        """`vendor_id`: the sys_id (a number read before, or looked up, also does)."""
        refuse_tags(None if changes.tags is UNSET else changes.tags)
        record = mapping.changes_to_record(changes)
        if record:
            sys_id, table = await self._address(vendor_id)
            updated = await self.client.patch(table, sys_id, record)
            self.reads.remember(str(updated.get("sys_id") or sys_id), table)

    async def _address(self, ref: str) -> tuple[str, str]:
        """(sys_id, table) of a ticket named by sys_id or number; read when not known."""
        sys_id = self.reads.sys_id_of(ref)
        table = self.reads.table_of(sys_id) if sys_id else None
        if sys_id is None or table is None:
            ticket = await self.get_ticket(ref)
            sys_id, table = ticket.internal_id, str(ticket.type_vendor_id)
        return sys_id, table

    async def move_to_status(
        self,
        ticket: VendorTicket,
        target: str,
        status_mapping: dict[str, str],
        fields: dict[str, Any] | None = None,
    ) -> VendorTicket:
        """One write of the table's state for `target` (ServiceNow has no transition graph
        through the Table API); closing an incident brings close_code and close_notes from
        `fields` (the request's custom_fields), else from the connection's
        ``resolve_defaults`` when the record has none."""
        table = str(ticket.type_vendor_id or self.options.tables[0])
        if mapping.normalize_status(ticket.status_name, table, status_mapping) == target:
            return ticket
        state = mapping.state_for(table, target, status_mapping)
        if state is None:
            raise StatusUnreachable(target, mapping.reachable(table, status_mapping))
        record: dict[str, Any] = {"state": state}
        if state in mapping.CLOSING_STATES.get(table, ()):
            data = ticket.vendor_attributes.get("data") or {}
            for name in ("close_code", "close_notes"):
                if (fields or {}).get(name):
                    record[name] = (fields or {})[name]
                elif not data.get(name) and self.options.resolve_defaults.get(name):
                    record[name] = self.options.resolve_defaults[name]
        updated = await self.client.patch(table, ticket.internal_id, record)
        return self.reads.ticket(updated, table)
