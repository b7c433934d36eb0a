"""The list endpoint's prebuilt statements (`listing.list_page`: one statement per filter
combination and way of paging, values bound) give the same rows and cursors as building
the select per request (`repository.list_stmt` with TicketOut's columns, paged by
`repository.list_page`), for any stored tickets, any combination of filters (empty ones
included) and any page: offset, or a keyset cursor either way; on the test store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from sqlalchemy import delete

from tests.support.factories import Tenant, new_tenant
from tests.support.paging import pages
from tests.support.stores import with_context
from ticketbridge.itsm.tickets import listing, repository, serialize
from ticketbridge.itsm.tickets.models import Ticket
from ticketbridge.itsm.tickets.serialize import rows_page_json

STATUSES = ["TODO", "IN_PROGRESS", "CLOSED"]
PRIORITIES = ["LOW", "HIGH"]
TEXTS = ["", "Bug", "Task"]  # "" is no filter, as an absent one
POOL = [uuid.UUID(int=n) for n in (1, 2)]
BASE = datetime(2026, 1, 1, tzinfo=UTC)
zones = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))])
moments = st.integers(0, 5).map(lambda h: BASE + timedelta(hours=h))

ticket_values = st.fixed_dictionaries(
    {
        "status": st.sampled_from(STATUSES),
        "priority": st.sampled_from(PRIORITIES),
        "type": st.none() | st.sampled_from(TEXTS[1:]),
        "project_id": st.none() | st.sampled_from(POOL),
        "assigned_user_id": st.none() | st.sampled_from(POOL),
        "parent_ticket_id": st.none() | st.sampled_from(POOL),
        "updated_at": moments,
    }
)

filters = st.fixed_dictionaries(
    {},
    optional={
        "status": st.none() | st.sampled_from(STATUSES),
        "priority": st.none() | st.sampled_from(PRIORITIES),
        "type": st.none() | st.sampled_from(TEXTS),
        "project_id": st.none() | st.sampled_from(POOL),
        "assigned_user_id": st.none() | st.sampled_from(POOL),
        "parent_ticket_id": st.none() | st.sampled_from(POOL),
        "identifier": st.none() | st.sampled_from(["", "prebuilt-0", "prebuilt-1", "nope"]),
        "updated_since": st.none()
        | st.builds(
            lambda m, z: m.astimezone(z),
            st.integers(0, 6).map(lambda h: BASE + timedelta(hours=h, minutes=-30)),
            zones,
        ),
    },
)


@pytest.fixture(scope="module")
def tenant(http: Any, settings: Any, jira: Any) -> Tenant:
    """A connection of its own: each example replaces its tickets."""
    return new_tenant(http, settings, jira)


@given(data=st.data(), stored=st.lists(ticket_values, max_size=8))
@examples(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_prebuilt_statements_equal_the_built_select(
    tenant: Tenant, settings: Any, data: st.DataObject, stored: list[dict[str, Any]]
) -> None:
    connection_id = uuid.UUID(tenant.connection_id)
    tickets = [
        Ticket(
            id=uuid.uuid4(),
            connection_id=connection_id,
            identifier=f"prebuilt-{n}",
            vendor_id=f"P-{n}",
            vendor_internal_id=f"prebuilt-{n}",
            name=f"ticket {n}",
            **values,
        )
        for n, values in enumerate(stored)
    ]
    ids = sorted(t.id for t in tickets)
    asked = [(data.draw(filters), data.draw(pages(ids))) for _ in range(4)]

    async def work(ctx: Any) -> list[tuple[bytes, bytes]]:
        async with ctx.sessionmaker() as session:
            await session.execute(delete(Ticket).where(Ticket.connection_id == connection_id))
            session.add_all(tickets)
            await session.commit()
        compared = []
        for given_filters, page in asked:
            built = repository.list_stmt(connection_id, **given_filters)
            columns = built.with_only_columns(*serialize.COLUMNS)
            old = rows_page_json(*await repository.list_page(ctx.engine, columns, page))
            rows = await listing.list_page(ctx.engine, connection_id, page, **given_filters)
            compared.append((old, rows_page_json(*rows)))
        return compared

    for old, new in with_context(settings, work):
        assert new == old


def test_one_statement_per_filter_combination_and_paging() -> None:
    """The same object each time (SQLAlchemy's compiled form and result metadata are then
    reused), a distinct one per combination."""
    one = listing.statement("n", ("status",))
    assert listing.statement("n", ("status",)) is one
    assert listing.statement("p", ("status",)) is not one
    assert listing.statement("n", ("status", "type")) is not one
