"""The list endpoint's reads as prebuilt statements (its hot path).

`repository.list_stmt` builds a new select per request, and SQLAlchemy then derives a cache
key for it and adapts the cached result metadata to the new object (~15% of a request's
CPU). Here there is one statement per combination of the filters given and the way of
paging (after a cursor, before it, at an offset), built once, its values bound as
parameters: a request only looks its statement up and executes it. The conditions, the
order and the paging are `list_stmt`'s and `paging.paginate`'s (the cursor logic itself is
shared: `paging.page_of`); a property test over both stores holds the two paths to the same
pages for any tickets, filters and page (tests/itsm/tickets/test_ticket_list_prebuilt.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from ticketbridge.itsm.paging import PageParams, page_of
from ticketbridge.itsm.tickets.models import Ticket
from ticketbridge.itsm.tickets.serialize import COLUMNS

# Each filter: its condition on a bound parameter of its own name (`list_stmt`'s, in order).
_CONDITIONS: dict[str, Callable[[], ColumnElement[bool]]] = {
    "status": lambda: Ticket.status == bindparam("status"),
    "priority": lambda: Ticket.priority == bindparam("priority"),
    "type": lambda: Ticket.type == bindparam("type"),
    "project_id": lambda: Ticket.project_id == bindparam("project_id"),
    "assigned_user_id": lambda: Ticket.assigned_user_id == bindparam("assigned_user_id"),
    "parent_ticket_id": lambda: Ticket.parent_ticket_id == bindparam("parent_ticket_id"),
    "identifier": lambda: Ticket.identifier == bindparam("identifier"),
    "updated_since": lambda: Ticket.updated_at >= bindparam("updated_since"),
}
FILTERS = tuple(_CONDITIONS)

# (paging mode, filters given) -> its statement; at most 3 x 2^8, built as first asked for.
_STATEMENTS: dict[tuple[str, tuple[str, ...]], Select[Any]] = {}


def statement(mode: str, filters: tuple[str, ...]) -> Select[Any]:
    """The select of `serialize.COLUMNS` for `filters` (names of `FILTERS`, in that order)
    and a paging `mode` of `paging.Fetch`: parameters ``connection_id``, each filter's
    name, ``limit``, and ``anchor`` ("n", "p") or ``offset`` ("o")."""
    stmt = _STATEMENTS.get((mode, filters))
    if stmt is None:
        stmt = _build(mode, filters)
        _STATEMENTS[(mode, filters)] = stmt
    return stmt


def _build(mode: str, filters: tuple[str, ...]) -> Select[Any]:
    stmt = select(*COLUMNS).where(Ticket.connection_id == bindparam("connection_id"))
    for name in filters:
        stmt = stmt.where(_CONDITIONS[name]())
    limit = bindparam("limit", type_=Integer)
    if mode == "n":
        return stmt.where(Ticket.id > bindparam("anchor")).order_by(Ticket.id).limit(limit)
    if mode == "p":
        return stmt.where(Ticket.id < bindparam("anchor")).order_by(Ticket.id.desc()).limit(limit)
    return stmt.order_by(Ticket.id).offset(bindparam("offset", type_=Integer)).limit(limit)


async def list_page(
    engine: AsyncEngine,
    connection_id: uuid.UUID,
    params: PageParams,
    *,
    status: str | None = None,
    priority: str | None = None,
    type: str | None = None,
    project_id: uuid.UUID | None = None,
    assigned_user_id: uuid.UUID | None = None,
    parent_ticket_id: uuid.UUID | None = None,
    identifier: str | None = None,
    updated_since: datetime | None = None,
) -> tuple[Sequence[Any], str | None, str | None]:
    """`repository.list_page` of ``list_stmt(...).with_only_columns(*COLUMNS)``: the same
    rows and cursors, on a pooled connection in autocommit. A filter given as None or empty
    is no filter, as in `list_stmt`."""
    given = {
        "status": status,
        "priority": priority,
        "type": type,
        "project_id": project_id,
        "assigned_user_id": assigned_user_id,
        "parent_ticket_id": parent_ticket_id,
        "identifier": identifier,
        "updated_since": updated_since,
    }
    values: dict[str, Any] = {name: value for name, value in given.items() if value}
    values["connection_id"] = connection_id
    filters = tuple(name for name in FILTERS if name in values)
    async with engine.connect() as conn:
        if conn.dialect.name != "sqlite":  # pysqlite opens no transaction for a SELECT
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")

        async def fetch(mode: str, anchor: uuid.UUID | None, offset: int, n: int) -> Sequence[Any]:
            bound = {**values, "limit": n}
            if mode == "o":
                bound["offset"] = offset
            else:
                bound["anchor"] = anchor
            return (await conn.execute(statement(mode, filters), bound)).all()

        return await page_of(fetch, params)
