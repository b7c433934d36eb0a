"""The list endpoint's serialisation (no model per ticket) equals TicketOut's JSON."""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta, timezone

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketbridge.itsm.tickets.models import Ticket
from ticketbridge.itsm.tickets.schemas import TicketOut
from ticketbridge.itsm.tickets.serialize import page_json

pytestmark = pytest.mark.store_independent

text = st.text(max_size=20)
maybe_uuid = st.none() | st.uuids()
zones = st.sampled_from([None, UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))])
moments = st.none() | st.datetimes(timezones=zones)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)

tickets = st.builds(
    Ticket,
    id=st.uuids(),
    connection_id=st.uuids(),
    identifier=text,
    vendor_id=text,
    vendor_internal_id=text,
    name=text,
    description=st.none() | text,
    status=st.sampled_from(["TODO", "IN_PROGRESS", "IN_REVIEW", "CLOSED"]),
    priority=st.sampled_from(["LOW", "MEDIUM", "HIGH", "CRITICAL"]),
    type=st.none() | text,
    type_id=maybe_uuid,
    type_vendor_id=st.none() | text,
    active=st.booleans(),
    project_id=maybe_uuid,
    project_vendor_id=st.none() | text,
    parent_ticket_id=maybe_uuid,
    parent_ticket_vendor_id=st.none() | text,
    assigned_user_id=maybe_uuid,
    assigned_user_vendor_id=st.none() | text,
    created_by_user_id=maybe_uuid,
    tags=st.lists(text, max_size=3),
    url=st.none() | text,
    due_date=st.none() | st.dates(),
    ticket_created_at=moments,
    status_updated_at=moments,
    closed_at=moments,
    vendor_attributes=st.dictionaries(st.text(max_size=5), json_values, max_size=3),
)


@given(st.lists(tickets, max_size=4), st.none() | text, st.none() | text)
def test_page_json_equals_the_models_json(rows: list[Ticket], nxt, prev) -> None:
    expected = {
        "items": [TicketOut.model_validate(t).model_dump(mode="json") for t in rows],
        "next_cursor": nxt,
        "previous_cursor": prev,
    }
    encoded = page_json(rows, nxt, prev)
    assert orjson.loads(encoded) == expected
    assert list(orjson.loads(encoded)["items"][0]) == list(TicketOut.model_fields) if rows else True


def test_a_stored_ticket_has_the_same_fields() -> None:
    row = Ticket(id=uuid.uuid4(), name="x", status="TODO", priority="LOW", tags=[])
    assert set(orjson.loads(page_json([row], None, None))["items"][0]) == set(
        TicketOut.model_fields
    )


def test_asyncpg_uuids_are_written_as_uuids() -> None:
    from asyncpg.pgproto import pgproto

    raw = uuid.uuid4()
    row = Ticket(id=pgproto.UUID(str(raw)), name="x", status="TODO", priority="LOW", tags=[])
    assert orjson.loads(page_json([row], None, None))["items"][0]["id"] == str(raw)
