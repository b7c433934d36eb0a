"""List envelopes with keyset (opaque cursor) or offset paging, on any table keyed by a UUIDv7."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from ticketbridge.errors import Unprocessable

T = TypeVar("T")


class ListEnvelope(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None
    previous_cursor: str | None


@dataclass
class PageParams:
    limit: int
    cursor: str | None
    offset: int | None


def page_params(
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int | None, Query(ge=0, le=10_000_000)] = None,
) -> PageParams:
    if cursor is not None and offset is not None:
        raise Unprocessable("Use either cursor or offset, not both", field="cursor")
    return PageParams(limit=limit, cursor=cursor, offset=offset)


def encode_cursor(direction: str, key: uuid.UUID) -> str:
    raw = json.dumps({"d": direction, "k": str(key)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, uuid.UUID]:
    """The direction and anchor of a cursor made by `encode_cursor`; any other text, however
    forged (wrong types in any slot, not base64, not JSON), is a 422 naming ``cursor``."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        raise Unprocessable("Invalid cursor", field="cursor") from None
    if not isinstance(data, dict) or set(data) != {"d", "k"}:
        raise Unprocessable("Invalid cursor", field="cursor")
    direction, key = data["d"], data["k"]
    if not isinstance(direction, str) or direction not in ("n", "p") or not isinstance(key, str):
        raise Unprocessable("Invalid cursor", field="cursor")
    try:
        return direction, uuid.UUID(key)
    except ValueError:
        raise Unprocessable("Invalid cursor", field="cursor") from None


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    key: InstrumentedAttribute[Any],
    params: PageParams,
) -> tuple[Sequence[Any], str | None, str | None]:
    """Returns (rows, next_cursor, previous_cursor). Pages cost the same at any depth."""
    return await _paginate(session.scalars, stmt, key, params)


async def paginate_rows(
    session: AsyncSession | AsyncConnection,
    stmt: Select[Any],
    key: InstrumentedAttribute[Any],
    params: PageParams,
) -> tuple[Sequence[Any], str | None, str | None]:
    """`paginate` for a select of columns (one of them labelled ``id``, the key): the rows
    come back as tuples, with no ORM entity built per row. Same paging, same cursors."""
    return await _paginate(session.execute, stmt, key, params)


# A page's read: ("n", anchor, _, n) the first n rows after anchor in key order, ("p",
# anchor, _, n) the first n before it in descending key order, ("o", None, offset, n) n rows
# in key order after skipping offset.
Fetch = Callable[[str, uuid.UUID | None, int, int], Awaitable[Sequence[Any]]]


async def _paginate(
    fetch: Callable[[Select[Any]], Awaitable[Any]],
    stmt: Select[Any],
    key: InstrumentedAttribute[Any],
    params: PageParams,
) -> tuple[Sequence[Any], str | None, str | None]:
    async def rows(mode: str, anchor: uuid.UUID | None, offset: int, n: int) -> Sequence[Any]:
        if mode == "n":
            page = stmt.where(key > anchor).order_by(key).limit(n)
        elif mode == "p":
            page = stmt.where(key < anchor).order_by(key.desc()).limit(n)
        else:
            page = stmt.order_by(key).offset(offset).limit(n)
        return (await fetch(page)).all()  # type: ignore[no-any-return]

    return await page_of(rows, params)


async def page_of(fetch: Fetch, params: PageParams) -> tuple[Sequence[Any], str | None, str | None]:
    """The page `params` asks for, read by `fetch` (rows with an ``id``, the key), and its
    cursors: the paging of `paginate` for any way of reading the rows."""
    limit = params.limit
    if params.cursor:
        direction, anchor = decode_cursor(params.cursor)
        if direction == "n":
            rows = await fetch("n", anchor, 0, limit + 1)
            has_more = len(rows) > limit
            rows = rows[:limit]
            nxt: str | None = encode_cursor("n", rows[-1].id) if has_more and rows else None
            prev: str | None = encode_cursor("p", rows[0].id if rows else anchor)
            return rows, nxt, prev
        rows = await fetch("p", anchor, 0, limit + 1)
        has_more = len(rows) > limit
        rows = list(reversed(rows[:limit]))
        prev = encode_cursor("p", rows[0].id) if has_more and rows else None
        nxt = encode_cursor("n", rows[-1].id if rows else anchor)
        return rows, nxt, prev
    offset = params.offset or 0
    rows = await fetch("o", None, offset, limit + 1)
    has_more = len(rows) > limit
    rows = rows[:limit]
    nxt = encode_cursor("n", rows[-1].id) if has_more and rows else None
    prev = encode_cursor("p", rows[0].id) if offset > 0 and rows else None
    return rows, nxt, prev
