"""Bulk updates, a batch at a time: the tickets are read in one connector call
(`get_tickets`; Jira: one search per 50), moved and edited one by one, read back after
their edits in one call again, and stored together. Tickets missing from a batched read
are read alone.

Status first; the field edits only when the transition succeeded. Operational vendor
failures propagate (the job tries the batch again later: every step is safe to repeat);
anything else is that ticket's outcome.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.connectors.base import Connector, StatusUnreachable, TicketChanges, VendorTicket
from ticketbridge.errors import (
    STATUS_UNREACHABLE,
    TicketBridgeError,
    Unprocessable,
    VendorOperationalError,
)
from ticketbridge.itsm.tickets import service, writes
from ticketbridge.itsm.tickets.bulk import READBACK_BATCH, read_back
from ticketbridge.itsm.tickets.bulk_schemas import BulkResult, BulkUpdates
from ticketbridge.itsm.tickets.schemas import TicketUpdate
from ticketbridge.provisioning.models import Connection

BATCH = READBACK_BATCH


async def _read(connector: Connector, keys: list[str]) -> dict[str, VendorTicket]:
    """A batched read; if it fails for another reason than an operational one, each ticket
    is read alone (and reports its own failure)."""
    try:
        return await read_back(connector, keys)
    except VendorOperationalError:
        raise
    except TicketBridgeError:
        return {}


async def update_batch(
    session: AsyncSession,
    connector: Connector,
    connection: Connection,
    work: list[tuple[int, uuid.UUID]],
    updates: BulkUpdates,
) -> dict[int, BulkResult]:
    """(request index, ticket id) -> the entry's outcome, for up to `BATCH` tickets."""
    mappings = service.Mappings.of(connection)
    results: dict[int, BulkResult] = {}

    def failed(index: int, ticket_id: uuid.UUID, exc: TicketBridgeError) -> None:
        results[index] = BulkResult(
            request_index=index, success=False, ticket_id=ticket_id, error=exc.detail, code=exc.code
        )

    # Tickets are read by the vendor's internal id where known (Jira: reconciled searches).
    local: dict[int, tuple[uuid.UUID, str]] = {}
    for index, ticket_id in work:
        try:
            ticket = await service.get_ticket(session, connection, ticket_id)
            local[index] = (ticket_id, ticket.vendor_internal_id or ticket.vendor_id)
        except TicketBridgeError as exc:
            failed(index, ticket_id, exc)
    known = await _read(connector, [vendor_id for _, vendor_id in local.values()])
    fields: dict[str, Any] = {
        k: getattr(updates, k) for k in updates.model_fields_set if k != "status"
    }
    changes: TicketChanges | TicketBridgeError | None = None
    final: dict[int, VendorTicket] = {}
    edited: dict[int, str] = {}
    for index, (ticket_id, vendor_id) in local.items():
        try:
            vt = known.get(vendor_id) or await connector.get_ticket(vendor_id)
            if updates.status and mappings.status_of(vt) != updates.status:
                try:
                    vt = await connector.move_to_status(vt, updates.status, mappings.status)
                except StatusUnreachable as exc:
                    raise Unprocessable(
                        f"status {exc.target} is unreachable; "
                        f"reachable: {', '.join(exc.reachable)}",
                        code=STATUS_UNREACHABLE,
                    ) from None
            if not fields:
                final[index] = vt
                continue
            if changes is None:  # the same for every ticket: resolved once
                try:
                    changes = await writes.resolve_changes(
                        session, connection, TicketUpdate(**fields), mappings
                    )
                except TicketBridgeError as exc:
                    changes = exc
            if isinstance(changes, TicketBridgeError):
                raise changes
            await connector.update_ticket(vt.key, changes)
            edited[index] = vt.internal_id or vt.key
        except VendorOperationalError:
            raise
        except TicketBridgeError as exc:
            failed(index, ticket_id, exc)
    reread = await _read(connector, list(edited.values()))
    for index, key in edited.items():
        try:
            final[index] = reread.get(key) or await connector.get_ticket(key)
        except VendorOperationalError:
            raise
        except TicketBridgeError as exc:
            failed(index, local[index][0], exc)
    order = list(final)
    stored = await service.store_vendor_tickets(
        session, connection, [(final[i], None) for i in order], mappings
    )
    for index, ticket in zip(order, stored, strict=True):
        results[index] = BulkResult(
            request_index=index,
            success=True,
            ticket_id=ticket.id,
            vendor_ticket_id=final[index].key,
            identifier=ticket.identifier,
        )
    return results
