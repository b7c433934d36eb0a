"""Bulk reads and writes of the sync (one query per page, not per item)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import (
    JSON,
    Column,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy import column as sql_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ticketbridge.itsm.issue_types.models import IssueType
from ticketbridge.itsm.projects.models import Project, ProjectUser
from ticketbridge.itsm.tickets.models import Ticket
from ticketbridge.itsm.users.models import User

_tickets = cast(Table, Ticket.__table__)
# Columns a sync never overwrites on a ticket it already has.
_KEEP_ON_UPDATE = frozenset({"id", "connection_id", "identifier", "created_at"})


async def projects_by_vendor(session: AsyncSession, connection_id: uuid.UUID) -> dict[str, Project]:
    rows = await session.scalars(select(Project).where(Project.connection_id == connection_id))
    return {p.vendor_id: p for p in rows.all()}


async def issue_types_of(session: AsyncSession, project_id: uuid.UUID) -> dict[str, IssueType]:
    rows = await session.scalars(select(IssueType).where(IssueType.project_id == project_id))
    return {t.vendor_id: t for t in rows.all()}


async def users_by_vendor(
    session: AsyncSession, connection_id: uuid.UUID, vendor_ids: Iterable[str]
) -> dict[str, User]:
    ids = list(vendor_ids)
    if not ids:
        return {}
    rows = await session.scalars(
        select(User).where(User.connection_id == connection_id, User.vendor_id.in_(ids))
    )
    return {u.vendor_id: u for u in rows.all()}


async def project_ids(session: AsyncSession, connection_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Project key -> our id, for every project of the connection (active or not)."""
    rows = await session.execute(
        select(Project.vendor_id, Project.id).where(Project.connection_id == connection_id)
    )
    return {key: id_ for key, id_ in rows.all()}


async def issue_type_ids(
    session: AsyncSession, connection_id: uuid.UUID
) -> dict[tuple[str, str], uuid.UUID]:
    """(project key, issue type vendor id) -> our issue type id."""
    rows = await session.execute(
        select(Project.vendor_id, IssueType.vendor_id, IssueType.id)
        .join(Project, Project.id == IssueType.project_id)
        .where(Project.connection_id == connection_id)
    )
    return {(project, vendor_id): id_ for project, vendor_id, id_ in rows.all()}


async def user_ids(
    session: AsyncSession, connection_id: uuid.UUID, vendor_ids: Sequence[str]
) -> dict[str, uuid.UUID]:
    """User vendor id -> our id, for those of `vendor_ids` that are synced."""
    if not vendor_ids:
        return {}
    rows = await session.execute(
        select(User.vendor_id, User.id).where(
            User.connection_id == connection_id, User.vendor_id.in_(vendor_ids)
        )
    )
    return {vendor_id: id_ for vendor_id, id_ in rows.all()}


async def identifier_holders(
    session: AsyncSession,
    connection_id: uuid.UUID,
    identifiers: Iterable[str],
    internal_ids: Iterable[str],
) -> tuple[dict[str, str], dict[str, str]]:
    """In one query: identifier -> vendor internal id of the ticket holding it (for those of
    `identifiers` in use), and vendor internal id -> identifier (for those of `internal_ids`
    already stored)."""
    wanted, ids = sorted(set(identifiers)), sorted(set(internal_ids))
    if not wanted and not ids:
        return {}, {}
    rows = await session.execute(
        select(Ticket.identifier, Ticket.vendor_internal_id).where(
            Ticket.connection_id == connection_id,
            or_(Ticket.identifier.in_(wanted), Ticket.vendor_internal_id.in_(ids)),
        )
    )
    holders: dict[str, str] = {}
    stored: dict[str, str] = {}
    present = set(ids)
    for identifier, internal_id in rows.all():
        holders[identifier] = internal_id
        if internal_id in present:
            stored[internal_id] = identifier
    return holders, stored


def _insert(dialect_name: str, table: Table) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (both stores support it)."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for the {dialect_name} dialect")


async def upsert_tickets(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert or update tickets by (connection, vendor internal id) in one statement.

    Every row has the same keys and no two rows the same vendor internal id. A ticket already
    stored keeps its id, identifier and created_at; its status_updated_at moves only when its
    status changes (or was never set), exactly as `apply_vendor_ticket` does on an ORM row;
    its parent's id is kept while its parent stays the same (`link_parents` sets new ones).

    On PostgreSQL the page travels as one JSON document (``INSERT ... SELECT FROM
    jsonb_to_recordset(...)``): one parameter instead of one per value, one statement
    execution instead of one per row (bench/README.md has the figures). SQLite takes the
    rows as executemany.
    """
    if not rows:
        return
    keys = tuple(rows[0])
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        document = orjson.dumps(rows, default=_json_default).decode()
        await session.execute(_ticket_upsert(dialect, keys), {"rows": document})
    else:
        await session.execute(_ticket_upsert(dialect, keys), rows)


def item_refusal(error: DBAPIError) -> str | None:
    """What a store error says about the data written: "conflict" (a unique key another row
    holds), "value" (a value the database cannot keep), or None when it is not about the data
    (the database is unreachable, out of space, ...), which must fail the sync."""
    if isinstance(error, IntegrityError):
        return "conflict"
    if isinstance(error, DataError):
        return "value"
    sqlstate = str(getattr(error.orig, "sqlstate", None) or "")
    if sqlstate.startswith("23"):  # PostgreSQL's integrity constraint violations
        return "conflict"
    if sqlstate.startswith("22"):  # data exceptions (asyncpg's are not all DataError)
        return "value"
    return None


async def page_settings(session: AsyncSession) -> None:
    """This transaction's settings for one sync page (PostgreSQL), in one round trip.

    - Its commit does not wait for its WAL flush: a crash can lose the last fraction of a
      second of pages, which the next sync writes again (the sync's mark only moves once
      every page is in).
    - Its statements are planned for their values (``plan_cache_mode``): the driver
      prepares each statement once per database session, and after five runs PostgreSQL
      may keep a generic plan made while a first sync's table was nearly empty (a sequential
      scan), then run it for every page of a table that grew to 50,000 rows: the identifier
      lookup cost O(rows) per page and a 30,000-issue sync took 4x longer.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_PAGE_SETTINGS)


_PAGE_SETTINGS = text(
    "SELECT set_config('synchronous_commit', 'off', true),"
    " set_config('plan_cache_mode', 'force_custom_plan', true)"
)


def _json_default(value: Any) -> Any:
    if isinstance(value, uuid.UUID):  # asyncpg's own UUID (ids read back) is one
        return str(value)
    if isinstance(value, int):  # over 64 bits: orjson refuses it, JSON has no such limit
        return orjson.Fragment(str(value))
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


@functools.lru_cache(maxsize=16)
def _ticket_upsert(dialect_name: str, keys: tuple[str, ...]) -> Any:
    """The upsert statement for rows with `keys`, built once (building it is not cheap)."""
    table = _tickets
    stmt = _insert(dialect_name, table)
    if dialect_name == "postgresql":
        jsonb = postgresql.JSONB()
        types = {k: jsonb if isinstance(table.c[k].type, JSON) else table.c[k].type for k in keys}
        page = func.jsonb_to_recordset(bindparam("rows", type_=Text()).cast(jsonb))
        source = page.table_valued(*(sql_column(k, types[k]) for k in keys))
        source = source.render_derived(name="page", with_types=True)
        stmt = stmt.from_select(list(keys), select(*(source.c[key] for key in keys)))
    new = stmt.excluded
    changes: dict[str, Any] = {key: new[key] for key in keys if key not in _KEEP_ON_UPDATE}
    if "parent_ticket_id" in changes:  # the sync leaves parents to `link_parents`
        changes["parent_ticket_id"] = case(
            (
                table.c.parent_ticket_vendor_id.is_not_distinct_from(new.parent_ticket_vendor_id),
                func.coalesce(new.parent_ticket_id, table.c.parent_ticket_id),
            ),
            else_=new.parent_ticket_id,
        )
    if "status_updated_at" in changes:
        changes["status_updated_at"] = case(
            (
                or_(table.c.status != new.status, table.c.status_updated_at.is_(None)),
                new.status_updated_at,
            ),
            else_=table.c.status_updated_at,
        )
    return stmt.on_conflict_do_update(
        index_elements=[table.c.connection_id, table.c.vendor_internal_id], set_=changes
    )


async def replace_project_users(
    session: AsyncSession, project_id: uuid.UUID, user_ids: set[uuid.UUID]
) -> None:
    await session.execute(delete(ProjectUser).where(ProjectUser.project_id == project_id))
    session.add_all(ProjectUser(project_id=project_id, user_id=u) for u in user_ids)


async def link_parents(
    session: AsyncSession, connection_id: uuid.UUID, by_internal_id: bool = False
) -> None:
    """Tickets whose parent id is not known yet get it once both are stored: the parent is
    the ticket whose key (or, `by_internal_id`, internal id) the child's reference holds.

    One UPDATE ... FROM (a join the planner can hash), not a subquery per ticket: right
    after a first sync the table's statistics still say "empty", and a per-row subquery
    planned on them scans the table for every child.
    """
    parent = _tickets.alias("parent")
    await session.execute(
        update(_tickets)
        .where(
            _tickets.c.connection_id == connection_id,
            _tickets.c.parent_ticket_vendor_id.is_not(None),
            _tickets.c.parent_ticket_id.is_(None),
            parent.c.connection_id == connection_id,
            (parent.c.vendor_internal_id if by_internal_id else parent.c.vendor_id)
            == _tickets.c.parent_ticket_vendor_id,
        )
        .values(parent_ticket_id=parent.c.id)
    )


async def refresh_statistics(session: AsyncSession) -> None:
    """After a full sync on PostgreSQL: the planner's row counts for tickets are current
    at once (autovacuum would get there within minutes; reads plan on them meanwhile)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"ANALYZE {_tickets.name}"))


async def link_users(session: AsyncSession, connection_id: uuid.UUID) -> None:
    """Tickets written before their users were synced get the users' ids."""
    for column, vendor_column in ((Ticket.assigned_user_id, Ticket.assigned_user_vendor_id),):
        sub = (
            select(User.id)
            .where(User.connection_id == connection_id, User.vendor_id == vendor_column)
            .scalar_subquery()
        )
        await session.execute(
            update(Ticket)
            .where(
                Ticket.connection_id == connection_id,
                vendor_column.is_not(None),
                column.is_(None),
            )
            .values({column.key: sub})
            .execution_options(synchronize_session=False)
        )


# --- tickets still at the vendor ----------------------------------------------------------
# The vendor's ids are collected in a temporary table of one database connection, not in
# memory, so a sync's memory does not grow with the number of tickets.

_present = Table(
    "tb_sync_present",
    MetaData(),
    Column("vendor_internal_id", String(255), primary_key=True),
    prefixes=["TEMPORARY"],
)


async def create_present_ids(conn: AsyncConnection) -> None:
    await drop_present_ids(conn)
    await conn.run_sync(_present.create)


async def add_present_ids(conn: AsyncConnection, ids: Iterable[str]) -> None:
    rows = [{"vendor_internal_id": i} for i in set(ids)]
    if rows:
        stmt = _insert(conn.dialect.name, _present).on_conflict_do_nothing()
        await conn.execute(stmt, rows)


def _deactivate(connection_id: uuid.UUID, started: datetime, gone: Any) -> Any:
    """Active tickets matching `gone` become inactive, except those written since the sync
    started: a ticket created meanwhile may be missing from the vendor's listing, and is
    certainly not gone."""
    return (
        update(_tickets)
        .where(
            _tickets.c.connection_id == connection_id,
            _tickets.c.active.is_(True),
            _tickets.c.updated_at < started,
            gone,
        )
        .values(active=False)
    )


async def deactivate_absent(
    conn: AsyncConnection, connection_id: uuid.UUID, started: datetime
) -> int:
    """Marks inactive the active tickets whose id is not among the present ids."""
    absent = ~exists().where(_present.c.vendor_internal_id == _tickets.c.vendor_internal_id)
    result = await conn.execute(_deactivate(connection_id, started, absent))
    return int(result.rowcount)


async def deactivate_unseen(
    session: AsyncSession, connection_id: uuid.UUID, sync_id: uuid.UUID, started: datetime
) -> int:
    """After a full sync: marks inactive the active tickets that sync did not see."""
    unseen = or_(_tickets.c.last_seen_sync_id.is_(None), _tickets.c.last_seen_sync_id != sync_id)
    result = await session.execute(_deactivate(connection_id, started, unseen))
    return int(cast(Any, result).rowcount)


async def deactivate_deleted(
    session: AsyncSession, connection_id: uuid.UUID, vendor_internal_ids: Sequence[str]
) -> int:
    """Marks inactive the connection's active tickets of these vendor ids (deleted at the
    vendor, as its own log says: no ticket is spared, whenever it was written)."""
    if not vendor_internal_ids:
        return 0
    result = await session.execute(
        update(_tickets)
        .where(
            _tickets.c.connection_id == connection_id,
            _tickets.c.active.is_(True),
            _tickets.c.vendor_internal_id.in_(sorted(set(vendor_internal_ids))),
        )
        .values(active=False)
    )
    return int(cast(Any, result).rowcount)


async def drop_present_ids(conn: AsyncConnection) -> None:
    schema = "pg_temp" if conn.dialect.name == "postgresql" else "temp"  # never a real table
    await conn.execute(text(f"DROP TABLE IF EXISTS {schema}.{_present.name}"))
