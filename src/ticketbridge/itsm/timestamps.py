"""Timestamps callers send in query strings (``updatedSince``), decoded to aware UTC datetimes.

Accepted (docs/api.md, "Input validation"): an RFC 3339 date-time with an offset or ``Z``;
a date-time without an offset, read as UTC; a date alone, read as midnight UTC. Anything
else, or a moment outside years 1 to 9999 once in UTC, is a clean 422 naming the parameter.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator, WithJsonSchema

MAX_LENGTH = 64

_FORMAT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?)?",
    re.ASCII,
)

FORMATS = (
    "an RFC 3339 date-time (2026-01-31T09:30:00Z), a date-time without offset "
    "(read as UTC) or a date (2026-01-31, midnight UTC)"
)


def parse_timestamp(value: str) -> datetime:
    """An aware UTC datetime, or ValueError with a message a caller can act on."""
    if len(value) > MAX_LENGTH or not _FORMAT.fullmatch(value):
        raise ValueError(f"Invalid timestamp: expected {FORMATS}")
    text = value.upper().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:  # well formed, but no such day or time
        raise ValueError(f"Invalid timestamp ({exc})") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise ValueError("Timestamp out of range (years 1 to 9999 in UTC)") from None


def _timestamp_or_none(value: Any) -> Any:
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"Invalid timestamp: expected {FORMATS}")
    return parse_timestamp(value)


UpdatedSince = Annotated[
    datetime | None,
    BeforeValidator(_timestamp_or_none),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]}
    ),
    Query(
        alias="updatedSince",
        description=f"Only items updated at or after this moment: {FORMATS}.",
    ),
]
