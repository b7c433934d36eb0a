"""Bulk creates and updates: per-entry outcomes, in request order.

A malformed entry fails the whole request (422, by validation) before anything happens;
an entry whose references do not resolve fails alone. Vendor calls go through the
connector's bulk create (Jira: 50 per call), each entry carrying a creation token so an
unknown outcome (timeout, dropped connection, crash) is resolved by looking the token up
instead of creating twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.connectors.base import Connector, StatusUnreachable, TicketDraft
from ticketbridge.errors import TicketBridgeError, Unprocessable
from ticketbridge.itsm.tickets import repository, service
from ticketbridge.itsm.tickets.bulk_schemas import BulkOutcome, BulkResult, BulkUpdates
from ticketbridge.itsm.tickets.schemas import TicketCreate, TicketUpdate
from ticketbridge.provisioning.models import Connection


def check_cap(count: int, cap: int) -> None:
    if count > cap:
        raise Unprocessable(
            f"At most {cap} entries per request (got {count})", field="tickets", max_batch=cap
        )


def outcome(results: list[BulkResult]) -> BulkOutcome:
    ok = sum(1 for r in results if r.success)
    return BulkOutcome(total=len(results), succeeded=ok, failed=len(results) - ok, results=results)


@dataclass
class Prepared:
    index: int
    body: TicketCreate
    draft: TicketDraft | None
    error: BulkResult | None


async def prepare(
    session: AsyncSession,
    connection: Connection,
    entries: list[tuple[int, TicketCreate, str]],
) -> list[Prepared]:
    """Resolves references per entry; failures stay with their entry. Tokens come in."""
    mappings = service.Mappings.of(connection)
    seen_identifiers: dict[str, int] = {}
    prepared = []
    for index, body, token in entries:
        try:
            if body.identifier:
                if body.identifier in seen_identifiers:
                    raise Unprocessable(
                        f"identifier {body.identifier!r} repeats entry "
                        f"{seen_identifiers[body.identifier]}"
                    )
                seen_identifiers[body.identifier] = index
                existing = await repository.by_identifier(session, connection.id, body.identifier)
                if existing is not None:
                    raise Unprocessable(
                        f"A ticket with identifier {body.identifier!r} already exists "
                        f"(ticket_id {existing.id})"
                    )
            draft = await service.resolve_draft(session, connection, body, mappings)
            draft.creation_token = token
            prepared.append(Prepared(index, body, draft, None))
        except TicketBridgeError as exc:
            prepared.append(
                Prepared(
                    index,
                    body,
                    None,
                    BulkResult(
                        request_index=index,
                        success=False,
                        identifier=body.identifier,
                        error=exc.detail,
                    ),
                )
            )
    return prepared


async def create_prepared(
    session: AsyncSession,
    connector: Connector,
    connection: Connection,
    prepared: list[Prepared],
) -> list[BulkResult]:
    """Creates the resolvable entries in the vendor, stores those given with our ids."""
    mappings = service.Mappings.of(connection)
    sendable = [p for p in prepared if p.draft is not None]
    outcomes = await connector.bulk_create([p.draft for p in sendable])  # type: ignore[misc]
    results: dict[int, BulkResult] = {p.index: p.error for p in prepared if p.error is not None}
    for p, out in zip(sendable, outcomes, strict=True):
        if out.error is not None or out.key is None:
            results[p.index] = BulkResult(
                request_index=p.index,
                success=False,
                identifier=p.body.identifier,
                error=out.error or "not created",
                vendor_errors=out.vendor_errors,
            )
            continue
        result = BulkResult(
            request_index=p.index,
            success=True,
            vendor_ticket_id=out.key,
            identifier=p.body.identifier,
        )
        results[p.index] = result
        needs_status = p.body.status is not None
        if p.body.uses_vendor_ids() and not needs_status:
            continue  # appears after the next sync (API.md 6.4)
        try:
            vt = await connector.get_ticket(out.key)
            if needs_status and mappings.status_of(vt) != p.body.status:
                vt = await connector.move_to_status(vt, p.body.status, mappings.status)  # type: ignore[arg-type]
        except StatusUnreachable as exc:
            result.error = (
                f"created as {out.key}, but status {exc.target} is unreachable; "
                f"reachable: {', '.join(exc.reachable)}"
            )
            result.success = False
            continue
        except TicketBridgeError as exc:
            result.error = f"created as {out.key}, but reading it back failed: {exc.detail}"
            result.success = False
            continue
        if not p.body.uses_vendor_ids():
            ticket = await service.store_vendor_ticket(
                session, connection, vt, mappings, p.body.identifier
            )
            result.ticket_id = ticket.id
            result.identifier = ticket.identifier
    return [results[p.index] for p in prepared]


async def update_one(
    session: AsyncSession,
    connector: Connector,
    connection: Connection,
    ticket_id: uuid.UUID,
    updates: BulkUpdates,
    index: int,
) -> BulkResult:
    """Status first; the field edits only when the transition succeeded."""
    try:
        ticket = await service.get_ticket(session, connection, ticket_id)
        mappings = service.Mappings.of(connection)
        vt = await connector.get_ticket(ticket.vendor_id)
        if updates.status and mappings.status_of(vt) != updates.status:
            try:
                vt = await connector.move_to_status(vt, updates.status, mappings.status)
            except StatusUnreachable as exc:
                raise Unprocessable(
                    f"status {exc.target} is unreachable; reachable: {', '.join(exc.reachable)}"
                ) from None
        fields: dict[str, Any] = {
            k: getattr(updates, k) for k in updates.model_fields_set if k != "status"
        }
        if fields:
            changes = await service.resolve_changes(
                session, connection, TicketUpdate(**fields), mappings
            )
            await connector.update_ticket(vt.key, changes)
            vt = await connector.get_ticket(vt.key)
        stored = await service.store_vendor_ticket(session, connection, vt, mappings, None)
        return BulkResult(
            request_index=index,
            success=True,
            ticket_id=stored.id,
            vendor_ticket_id=vt.key,
            identifier=stored.identifier,
        )
    except TicketBridgeError as exc:
        return BulkResult(request_index=index, success=False, ticket_id=ticket_id, error=exc.detail)
