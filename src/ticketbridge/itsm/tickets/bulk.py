"""Bulk creates and updates: per-entry outcomes, in request order.

A malformed entry fails the whole request (422, by validation) before anything happens;
an entry whose references do not resolve fails alone. Vendor calls go through the
connector's bulk create (Jira: 50 per call), each entry carrying a creation token so an
unknown outcome (timeout, dropped connection, crash) is resolved by looking the token up
instead of creating twice.

A create happens in two steps: ``send`` (the vendor's bulk create, which yields a key per
entry) and ``complete`` (read the ticket back, walk it to the requested status, store it
when it was given with our UUIDs). Jobs persist the key between the two, so a crash or an
operational vendor failure never loses a created ticket.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.connectors.base import Connector, StatusUnreachable, TicketDraft, VendorTicket
from ticketbridge.errors import (
    STATUS_UNREACHABLE,
    Conflict,
    TicketBridgeError,
    Unprocessable,
    VendorOperationalError,
    VendorRequestError,
)
from ticketbridge.itsm.tickets import repository, service, writes
from ticketbridge.itsm.tickets.bulk_schemas import BulkOutcome, BulkResult
from ticketbridge.itsm.tickets.schemas import TicketCreate
from ticketbridge.itsm.vendor_json import printable
from ticketbridge.provisioning.models import Connection

# Read-backs of created tickets in flight at once (the connector's limiter still applies).
READBACK_CONCURRENCY = 8
# Created tickets read back per connector call (`get_tickets`; Jira: one search per 50).
READBACK_BATCH = 50


def check_cap(count: int, cap: int) -> None:
    if count > cap:
        raise Unprocessable(
            f"At most {cap} entries per request (got {count})", field="tickets", max_batch=cap
        )


def outcome(results: list[BulkResult]) -> BulkOutcome:
    ok = sum(1 for r in results if r.success)
    return BulkOutcome(total=len(results), succeeded=ok, failed=len(results) - ok, results=results)


def invalid_entry(index: int, request: Any, exc: ValidationError) -> BulkResult:
    """The outcome of a queued entry that today's request rules refuse."""
    errors = exc.errors()
    where = printable(".".join(str(p) for p in errors[0]["loc"])) if errors else ""
    reason = printable(errors[0]["msg"]).removeprefix("Value error, ") if errors else "invalid"
    identifier = request.get("identifier") if isinstance(request, dict) else None
    return BulkResult(
        request_index=index,
        success=False,
        identifier=printable(identifier) if isinstance(identifier, str) else None,
        error=reason if reason.startswith(where) else f"{where}: {reason}",
    )


@dataclass
class EntryError:
    """Why one entry failed after the vendor created it: a stable code and a message."""

    code: str
    message: str


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
    cache: dict[tuple[str, str], Any] | None = None,
) -> list[Prepared]:
    """Resolves references per entry; failures stay with their entry. Tokens come in.
    `cache` (projects, types, users: looked up once) can go on to `create_prepared`, which
    then finds them again when storing the tickets."""
    mappings = service.Mappings.of(connection)
    seen_identifiers: dict[str, int] = {}
    cache = {} if cache is None else cache
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
                    raise Conflict(
                        f"A ticket with identifier {body.identifier!r} already exists "
                        f"(ticket_id {existing.id})",
                        ticket_id=str(existing.id),
                    )
            draft = await writes.resolve_draft(session, connection, body, mappings, cache)
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
                        code=exc.code,
                        # CONFLICT: the ticket that already holds the identifier.
                        ticket_id=exc.extra.get("ticket_id"),
                    ),
                )
            )
    return prepared


async def send(
    connector: Connector, prepared: list[Prepared], adopted: dict[str, str] | None = None
) -> list[BulkResult]:
    """The vendor's bulk create for the resolvable entries: a key or an error per entry.

    Operational failures propagate; the entries' outcome is then unknown until their
    creation tokens are looked up. `adopted` (creation token -> key): entries an earlier
    attempt already created, which are not sent again.
    """
    adopted = adopted or {}
    results: dict[int, BulkResult] = {p.index: p.error for p in prepared if p.error is not None}
    sendable = []
    for p in prepared:
        if p.draft is None:
            continue
        key = adopted.get(p.draft.creation_token or "")
        if key is None:
            sendable.append(p)
        else:
            results[p.index] = BulkResult(
                request_index=p.index,
                success=True,
                vendor_ticket_id=key,
                identifier=p.body.identifier,
            )
    outcomes = await connector.bulk_create([p.draft for p in sendable])  # type: ignore[misc]
    for p, out in zip(sendable, outcomes, strict=True):
        if out.error is not None or out.key is None:
            results[p.index] = BulkResult(
                request_index=p.index,
                success=False,
                identifier=p.body.identifier,
                error=out.error or "not created",
                code=VendorRequestError.code,
                vendor_errors=out.vendor_errors,
            )
        else:
            results[p.index] = BulkResult(
                request_index=p.index,
                success=True,
                vendor_ticket_id=out.key,
                identifier=p.body.identifier,
            )
    return [results[p.index] for p in prepared]


def needs_completion(body: TicketCreate) -> bool:
    """Entries given with vendor ids and no status are done once the vendor has them."""
    return body.status is not None or not body.uses_vendor_ids()


async def fetch(
    connector: Connector,
    connection: Connection,
    body: TicketCreate,
    key: str,
    known: VendorTicket | None = None,
) -> VendorTicket | EntryError:
    """Reads a created ticket back (unless `known`, read in a batch) and walks it to the
    requested status.

    Returns the ticket, or the entry's error when the vendor refused (operational
    failures propagate: the ticket exists, and fetching again is harmless).
    """
    mappings = service.Mappings.of(connection)
    try:
        vt = known if known is not None else await connector.get_ticket(key)
    except VendorOperationalError:
        raise
    except TicketBridgeError as exc:
        return readback_failed(key, exc)
    try:
        if body.status is not None and mappings.status_of(vt) != body.status:
            vt = await connector.move_to_status(vt, body.status, mappings.status)
    except StatusUnreachable as exc:
        return EntryError(
            STATUS_UNREACHABLE,
            f"created as {key}, but status {exc.target} is unreachable; "
            f"reachable: {', '.join(exc.reachable)}",
        )
    except VendorOperationalError:
        raise
    except TicketBridgeError as exc:  # the vendor refused the move (a data policy, say)
        return EntryError(
            exc.code, f"created as {key}, but moving it to {body.status} failed: {exc.detail}"
        )
    return vt


def readback_failed(key: str | None, exc: TicketBridgeError) -> EntryError:
    return EntryError(exc.code, f"created as {key}, but reading it back failed: {exc.detail}")


async def read_back(connector: Connector, keys: list[str]) -> dict[str, VendorTicket]:
    """Created tickets read in batches (a key missing from the answer is read alone later)."""
    known: dict[str, VendorTicket] = {}
    for start in range(0, len(keys), READBACK_BATCH):
        known.update(await connector.get_tickets(keys[start : start + READBACK_BATCH]))
    return known


async def fetch_all(
    connector: Connector, connection: Connection, work: list[tuple[TicketCreate, str]]
) -> list[VendorTicket | EntryError]:
    gate = asyncio.Semaphore(READBACK_CONCURRENCY)
    try:
        known = await read_back(connector, [key for _, key in work])
    except VendorOperationalError:
        raise
    except TicketBridgeError:
        known = {}  # each ticket is then read alone, and reports its own failure

    async def one(body: TicketCreate, key: str) -> VendorTicket | EntryError:
        async with gate:
            return await fetch(connector, connection, body, key, known.get(key))

    # Let every read-back end before raising: one left running while the job resumes
    # would walk the same ticket's workflow twice (and past the requested status).
    outcomes = await asyncio.gather(*(one(b, k) for b, k in work), return_exceptions=True)
    for out in outcomes:
        if isinstance(out, BaseException):
            raise out
    return [o for o in outcomes if not isinstance(o, BaseException)]


async def store(
    session: AsyncSession,
    connection: Connection,
    body: TicketCreate,
    result: BulkResult,
    fetched: VendorTicket | EntryError,
) -> BulkResult:
    """The entry's final outcome; stores the ticket when it was given with our UUIDs."""
    if isinstance(fetched, EntryError):
        return result.model_copy(
            update={"success": False, "error": fetched.message, "code": fetched.code}
        )
    if body.uses_vendor_ids():
        return result  # appears after the next sync (docs/api.md, "Writes")
    ticket = await service.store_vendor_ticket(
        session, connection, fetched, service.Mappings.of(connection), body.identifier
    )
    return result.model_copy(update={"ticket_id": ticket.id, "identifier": ticket.identifier})


async def store_all(
    session: AsyncSession,
    connection: Connection,
    work: list[tuple[TicketCreate, BulkResult, VendorTicket | EntryError]],
    cache: dict[tuple[str, str], Any] | None = None,
) -> list[BulkResult]:
    """`store` for a batch: the tickets given with our UUIDs are stored together."""
    finals: list[BulkResult | None] = []
    keep: list[tuple[int, TicketCreate, BulkResult, VendorTicket]] = []
    for n, (body, result, fetched) in enumerate(work):
        if isinstance(fetched, EntryError) or body.uses_vendor_ids():
            finals.append(await store(session, connection, body, result, fetched))
        else:
            finals.append(None)
            keep.append((n, body, result, fetched))
    tickets = await service.store_vendor_tickets(
        session,
        connection,
        [(vt, body.identifier) for _, body, _, vt in keep],
        service.Mappings.of(connection),
        cache,
    )
    for (n, _, result, _), ticket in zip(keep, tickets, strict=True):
        finals[n] = result.model_copy(
            update={"ticket_id": ticket.id, "identifier": ticket.identifier}
        )
    return [f for f in finals if f is not None]


async def create_prepared(
    session: AsyncSession,
    connector: Connector,
    connection: Connection,
    prepared: list[Prepared],
    *,
    end_reads: bool = False,
    adopted: dict[str, str] | None = None,
    cache: dict[tuple[str, str], Any] | None = None,
) -> list[BulkResult]:
    """Creates the resolvable entries in the vendor, stores those given with our ids.

    For the synchronous endpoint: after the vendor created an entry, any failure to
    complete it is that entry's error (the ticket exists in the vendor and will sync).

    ``end_reads`` (for a caller that has written nothing yet): the session's transaction,
    which only read, is committed while the vendor creates, so its pooled database
    connection is not held across the vendor call and the final commit has nothing to do
    when nothing is stored. ``adopted``: see `send`; ``cache``: see `prepare`.
    """
    if end_reads and session.in_transaction():
        sent, ended = await asyncio.gather(
            send(connector, prepared, adopted), session.commit(), return_exceptions=True
        )
        for out in (sent, ended):  # both have finished: the session is free again
            if isinstance(out, BaseException):
                raise out
        assert not isinstance(sent, BaseException)
        results = sent
    else:
        results = await send(connector, prepared, adopted)
    todo = [
        (p, r)
        for p, r in zip(prepared, results, strict=True)
        if r.success and needs_completion(p.body)
    ]
    gate = asyncio.Semaphore(READBACK_CONCURRENCY)
    try:
        known = await read_back(connector, [r.vendor_ticket_id or "" for _, r in todo])
    except TicketBridgeError:
        known = {}  # each entry is then read alone, and reports its own failure

    async def one(p: Prepared, r: BulkResult) -> VendorTicket | EntryError:
        key = r.vendor_ticket_id or ""
        async with gate:
            try:
                return await fetch(connector, connection, p.body, key, known.get(key))
            except TicketBridgeError as exc:
                return readback_failed(r.vendor_ticket_id, exc)

    fetched = await asyncio.gather(*(one(p, r) for p, r in todo), return_exceptions=True)
    for got in fetched:
        if isinstance(got, BaseException):
            raise got
    final = {r.request_index: r for r in results}
    work = [
        (p.body, r, got)
        for (p, r), got in zip(todo, fetched, strict=True)
        if not isinstance(got, BaseException)
    ]
    for (p, _), done in zip(todo, await store_all(session, connection, work, cache), strict=True):
        final[p.index] = done
    return [final[p.index] for p in prepared]
