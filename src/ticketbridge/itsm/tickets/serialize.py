"""Tickets as the wire's JSON without a model per ticket (the list endpoint's hot path).

`ticket_json(t)` holds the same values as ``TicketOut.model_validate(t)``, in its field
order, as the column values themselves; `page_json` encodes them with orjson, whose UUID,
date and datetime forms (``OPT_UTC_Z``) are pydantic's JSON forms. A property test holds
the two paths together (tests/itsm/test_ticket_serialize.py). Validating 100 stored rows
per page bought nothing: they were validated when written.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from ticketbridge.itsm.tickets.models import Ticket
from ticketbridge.itsm.tickets.schemas import TicketOut

FIELDS = tuple(TicketOut.model_fields)
_OPTIONS = orjson.OPT_UTC_Z


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    values = ticket.__dict__  # loaded column values (every TicketOut field is a column)
    return {name: values.get(name) if name in values else getattr(ticket, name) for name in FIELDS}


def page_json(tickets: list[Ticket], next_cursor: str | None, previous_cursor: str | None) -> bytes:
    """A `ListEnvelope[TicketOut]` page, encoded."""
    return orjson.dumps(
        {
            "items": [ticket_json(t) for t in tickets],
            "next_cursor": next_cursor,
            "previous_cursor": previous_cursor,
        },
        option=_OPTIONS,
        default=_uuid,
    )


def _uuid(value: Any) -> str:
    """UUIDs orjson does not take as such (asyncpg's own UUID class, a uuid.UUID subclass)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
