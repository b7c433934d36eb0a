"""The list endpoint's query path (a select of TicketOut's columns on an autocommit
connection, rows encoded as they are) gives the same bytes as loading `Ticket` entities in
a session and encoding those, for any stored tickets, filter and page (offset, or a keyset
cursor either way), on the test store."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from sqlalchemy import delete

from tests.support.factories import Tenant, new_tenant
from tests.support.paging import pages
from tests.support.stores import with_context
from ticketbridge.itsm.paging import paginate
from ticketbridge.itsm.tickets import repository, serialize
from ticketbridge.itsm.tickets.models import Ticket
from ticketbridge.itsm.tickets.serialize import page_json, rows_page_json

# No NUL: PostgreSQL text and jsonb refuse it.
chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
text = st.text(chars, max_size=12)
maybe_uuid = st.none() | st.uuids()
# Aware only (the columns refuse naive datetimes), in years every store keeps.
zones = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))])
moments = st.none() | st.datetimes(datetime(1900, 1, 1), datetime(2200, 1, 1), timezones=zones)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
STATUSES = ["TODO", "IN_PROGRESS", "IN_REVIEW", "CLOSED"]

ticket_values = st.fixed_dictionaries(
    {
        "name": text,
        "description": st.none() | text,
        "status": st.sampled_from(STATUSES),
        "priority": st.sampled_from(["LOW", "MEDIUM", "HIGH", "CRITICAL"]),
        "type": st.none() | text,
        "type_id": maybe_uuid,
        "type_vendor_id": st.none() | text,
        "active": st.booleans(),
        "project_id": maybe_uuid,
        "project_vendor_id": st.none() | text,
        "parent_ticket_id": maybe_uuid,
        "parent_ticket_vendor_id": st.none() | text,
        "assigned_user_id": maybe_uuid,
        "assigned_user_vendor_id": st.none() | text,
        "created_by_user_id": maybe_uuid,
        "tags": st.lists(text, max_size=3),
        "url": st.none() | text,
        "due_date": st.none() | st.dates(date(1900, 1, 1), date(2200, 1, 1)),
        "ticket_created_at": moments,
        "status_updated_at": moments,
        "closed_at": moments,
        "vendor_attributes": st.dictionaries(text, json_values, max_size=3),
    }
)


@pytest.fixture(scope="module")
def tenant(http: Any, settings: Any, jira: Any) -> Tenant:
    """A connection of its own: each example replaces its tickets."""
    return new_tenant(http, settings, jira)


@given(data=st.data(), stored=st.lists(ticket_values, max_size=7))
@examples(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_rows_path_equals_the_entities_path(
    tenant: Tenant, settings: Any, data: st.DataObject, stored: list[dict[str, Any]]
) -> None:
    connection_id = uuid.UUID(tenant.connection_id)
    tickets = [
        Ticket(
            id=uuid.uuid4(),
            connection_id=connection_id,
            identifier=f"prop-{n}",
            vendor_id=f"P-{n}",
            vendor_internal_id=f"prop-{n}",
            **values,
        )
        for n, values in enumerate(stored)
    ]
    ids = sorted(t.id for t in tickets)
    params = [data.draw(pages(ids)) for _ in range(3)]
    status = data.draw(st.none() | st.sampled_from(STATUSES))

    async def work(ctx: Any) -> list[tuple[bytes, bytes]]:
        async with ctx.sessionmaker() as session:
            await session.execute(delete(Ticket).where(Ticket.connection_id == connection_id))
            session.add_all(tickets)
            await session.commit()
        compared = []
        for page in params:
            stmt = repository.list_stmt(connection_id, status=status)
            async with ctx.sessionmaker() as session:  # fresh: no entity from the insert
                rows, nxt, prev = await paginate(session, stmt, Ticket.id, page)
                old = page_json(list(rows), nxt, prev)
            columns = stmt.with_only_columns(*serialize.COLUMNS)
            rows, nxt, prev = await repository.list_page(ctx.engine, columns, page)
            new = rows_page_json(rows, nxt, prev)
            compared.append((old, new))
        return compared

    for old, new in with_context(settings, work):
        assert new == old
