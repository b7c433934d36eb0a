"""Tickets as the wire's JSON without a model per ticket (the list endpoint's hot path).

`ticket_json(t)` holds the same values as ``TicketOut.model_validate(t)``, in its field
order, as the column values themselves; `page_json` encodes them with orjson, whose UUID,
date and datetime forms (``OPT_UTC_Z``) are pydantic's JSON forms. A property test holds
the two paths together (tests/itsm/tickets/test_ticket_serialize.py). Validating 100 stored rows
per page bought nothing: they were validated when written.

The list endpoint does not load ORM entities either: it selects `COLUMNS` (TicketOut's
fields, in order; the JSON ones as their stored text) and encodes the rows with
`rows_page_json`, decoding that text with orjson (`json_column`) instead of the driver's
``json.loads``; a property test over both stores holds that path equal to loading `Ticket`
entities and `page_json` (tests/itsm/tickets/test_ticket_list_rows.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Text, cast

from ticketbridge.itsm.tickets.models import Ticket
from ticketbridge.itsm.tickets.schemas import TicketOut

FIELDS = tuple(TicketOut.model_fields)
_OPTIONS = orjson.OPT_UTC_Z
# TicketOut's JSON fields: selected as their stored text, decoded by `json_column`.
JSON_FIELDS = frozenset({"tags", "vendor_attributes"})
# The columns holding TicketOut's fields, in its field order (each field is a column).
COLUMNS: tuple[ColumnElement[Any], ...] = tuple(
    cast(getattr(Ticket, name), Text).label(name) if name in JSON_FIELDS else getattr(Ticket, name)
    for name in FIELDS
)
_JSON_AT = tuple(i for i, name in enumerate(FIELDS) if name in JSON_FIELDS)


def json_column(text: str | None) -> Any:
    """A JSON column's stored text decoded: by orjson (a page decodes 200 of them, ~2x
    faster than ``json.loads``), or by ``json.loads`` for what orjson refuses (NaN and
    infinities written by ``json.dumps`` on SQLite, lone surrogates, deep nesting).
    Integers beyond 64 bits come back as floats (orjson); ``json.loads``' exact integers
    made the page a 500 instead, as orjson cannot encode them."""
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    values = ticket.__dict__  # loaded column values (every TicketOut field is a column)
    return {name: values.get(name) if name in values else getattr(ticket, name) for name in FIELDS}


def page_json(tickets: list[Ticket], next_cursor: str | None, previous_cursor: str | None) -> bytes:
    """A `ListEnvelope[TicketOut]` page of entities, encoded."""
    return _envelope([ticket_json(t) for t in tickets], next_cursor, previous_cursor)


def rows_page_json(
    rows: Sequence[Sequence[Any]], next_cursor: str | None, previous_cursor: str | None
) -> bytes:
    """A `ListEnvelope[TicketOut]` page of rows selected as `COLUMNS`, encoded."""
    items = []
    for row in rows:
        item = dict(zip(FIELDS, row, strict=True))
        for i in _JSON_AT:
            item[FIELDS[i]] = json_column(row[i])
        items.append(item)
    return _envelope(items, next_cursor, previous_cursor)


def _envelope(
    items: list[dict[str, Any]], next_cursor: str | None, previous_cursor: str | None
) -> bytes:
    return orjson.dumps(
        {"items": items, "next_cursor": next_cursor, "previous_cursor": previous_cursor},
        option=_OPTIONS,
        default=_uuid,
    )


def _uuid(value: Any) -> str:
    """UUIDs orjson does not take as such (asyncpg's own UUID class, a uuid.UUID subclass)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
