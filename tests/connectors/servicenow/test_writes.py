"""Creates, reads back, edits and state changes against the emulator over HTTP."""

from __future__ import annotations

import uuid

import pytest

from tests.connectors.servicenow.support import connector_to
from ticketbridge.connectors.base import StatusUnreachable, TicketChanges, TicketDraft
from ticketbridge.emulators.servicenow.server import ServiceNowServer
from ticketbridge.errors import Unprocessable, VendorNotFound, VendorRequestError

pytestmark = pytest.mark.store_independent


def _group(sn: ServiceNowServer) -> str:
    return next(iter(sn.state.tables["sys_user_group"]))


def _with_token(sn: ServiceNowServer, token: str) -> list[dict[str, str]]:
    return [r for r in sn.state.tables["incident"].values() if r.get("correlation_id") == token]


async def test_create_reads_back_the_record(sn: ServiceNowServer) -> None:
    group = _group(sn)
    async with connector_to(sn) as connector:
        ticket = await connector.create_ticket(
            TicketDraft(
                project_vendor_id=group,
                name="VPN down",
                description="**Markdown** as written",
                priority_vendor_name="2",
                creation_token="tok-1",
                identifier="ext-1",
                custom_fields={"category": "network"},
            )
        )
        assert ticket.type_vendor_id == "incident" and ticket.type_name == "Incident"
        assert ticket.project_vendor_id == group
        assert ticket.name == "VPN down" and ticket.description == "**Markdown** as written"
        assert ticket.status_name == "incident:1" and ticket.status_default == "OPEN"
        assert ticket.priority_name == "2"  # impact 1 x urgency 2
        assert ticket.creation_token == "tok-1" and ticket.identifier == "ext-1"
        # The key is the record's number (as a Jira key); the internal id its sys_id.
        number, sys_id = ticket.vendor_attributes["id"], ticket.internal_id
        assert number.startswith("INC") and ticket.key == number
        assert ticket.vendor_attributes["data"]["sys_id"] == sys_id
        assert ticket.url == f"{sn.base_url}/nav_to.do?uri=incident.do?sys_id={sys_id}"
        stored = sn.state.tables["incident"][sys_id]
        assert stored["category"] == "network" and stored["number"] == number
        again = await connector.get_ticket(sys_id)
        assert again.key == number and again.internal_id == sys_id
        by_number = await connector.get_ticket(number)  # by key, as on Jira
        assert by_number.internal_id == sys_id
        both = await connector.get_tickets([number, sys_id, "INC9999999"])
        assert {k: t.internal_id for k, t in both.items()} == {number: sys_id, sys_id: sys_id}
        found = await connector.find_by_creation_token("tok-1")
        assert found is not None and found.key == number
        assert await connector.find_by_creation_tokens(["tok-1"]) == {"tok-1": number}


async def test_a_group_is_optional_and_tags_are_refused_before_any_call(
    sn: ServiceNowServer,
) -> None:
    async with connector_to(sn) as connector:
        ticket = await connector.create_ticket(TicketDraft(project_vendor_id="", name="no group"))
        assert ticket.project_vendor_id is None
        before = sn.stats["requests_total"]
        with pytest.raises(Unprocessable) as refused:
            await connector.create_ticket(TicketDraft(project_vendor_id="", name="x", tags=["a"]))
        assert refused.value.extra["field"] == "tags"
        with pytest.raises(Unprocessable):
            await connector.update_ticket(ticket.key, TicketChanges(tags=["a"]))
        assert sn.stats["requests_total"] == before


async def test_get_tickets_is_one_query(sn: ServiceNowServer) -> None:
    ids = list(sn.state.tables["incident"])[:60]
    async with connector_to(sn) as connector:
        before = sn.stats["requests_total"]
        got = await connector.get_tickets([*ids, "0" * 32])
        assert set(got) == set(ids)
        assert sn.stats["requests_total"] - before == 1
        with pytest.raises(VendorNotFound):
            await connector.get_ticket("0" * 32)


async def test_other_tables_by_type(sn: ServiceNowServer) -> None:
    options = {"tables": ["incident", "problem", "change_request", "sc_task"]}
    async with connector_to(sn, options=options) as connector:
        problem = await connector.create_ticket(
            TicketDraft(project_vendor_id="", name="p", type_vendor_id="problem")
        )
        assert problem.type_name == "Problem" and problem.status_default == "OPEN"
        assert problem.vendor_attributes["id"].startswith("PRB")
        task = await connector.create_ticket(
            TicketDraft(project_vendor_id="", name="t", type_name="Catalog Task")
        )
        assert task.type_vendor_id == "sc_task"
        got = await connector.get_tickets([problem.key, task.key])
        assert {t.type_vendor_id for t in got.values()} == {"problem", "sc_task"}
        closed = await connector.move_to_status(task, "CLOSED", {})
        assert closed.status_name == "sc_task:3"
    async with connector_to(sn) as connector:  # incident only
        with pytest.raises(Unprocessable):
            await connector.create_ticket(
                TicketDraft(project_vendor_id="", name="p", type_vendor_id="problem")
            )


async def test_update_and_states(sn: ServiceNowServer) -> None:
    async with connector_to(sn) as connector:
        ticket = await connector.create_ticket(TicketDraft(project_vendor_id="", name="a"))
        user = next(iter(sn.state.tables["sys_user"]))
        await connector.update_ticket(
            ticket.key,
            TicketChanges(name="b", priority_vendor_name="1", assignee_vendor_id=user),
        )
        ticket = await connector.get_ticket(ticket.key)
        assert (ticket.name, ticket.priority_name, ticket.assignee_vendor_id) == ("b", "1", user)
        moved = await connector.move_to_status(ticket, "IN_PROGRESS", {})
        assert moved.status_name == "incident:2"
        with pytest.raises(VendorRequestError) as refused:  # the data policy
            await connector.move_to_status(moved, "RESOLVED", {})
        assert "Data Policy Exception" in refused.value.detail
        assert "Resolution code" in refused.value.detail
        with pytest.raises(StatusUnreachable):
            await connector.move_to_status(moved, "IN_REVIEW", {})
        # The request's custom_fields bring them, with the state write ...
        resolved = await connector.move_to_status(
            await connector.get_ticket(ticket.key),
            "RESOLVED",
            {},
            fields={"close_code": "Solution provided", "close_notes": "ok", "category": "x"},
        )
        assert resolved.status_name == "incident:6" and resolved.status_default == "RESOLVED"
        stored = sn.state.tables["incident"][ticket.internal_id]
        assert (stored["close_code"], stored["close_notes"]) == ("Solution provided", "ok")
        assert stored["category"] != "x"  # the edit writes the other fields
        # ... or written by an edit before (a number or a sys_id addresses the record).
        await connector.update_ticket(ticket.key, TicketChanges(custom_fields={"category": "x"}))
        await connector.update_ticket(ticket.internal_id, TicketChanges(name="c"))
        assert (stored["category"], stored["short_description"]) == ("x", "c")
        # ... and a mapping may name the state to write.
        closed = await connector.move_to_status(resolved, "CLOSED", {"incident:8": "CLOSED"})
        assert closed.status_name == "incident:7"


async def test_resolve_defaults_from_options(sn: ServiceNowServer) -> None:
    options = {"resolve_defaults": {"close_code": "Solution provided", "close_notes": "Done"}}
    async with connector_to(sn, options=options) as connector:
        ticket = await connector.create_ticket(TicketDraft(project_vendor_id="", name="a"))
        closed = await connector.move_to_status(ticket, "CLOSED", {})
        assert closed.status_name == "incident:7" and closed.status_default == "CLOSED"
        stored = sn.state.tables["incident"][ticket.internal_id]
        assert (stored["close_code"], stored["close_notes"]) == ("Solution provided", "Done")


async def test_the_connections_status_mapping(sn: ServiceNowServer) -> None:
    options = {"status_mapping": {"1": "TODO", "incident:2": "IN_REVIEW"}}
    async with connector_to(sn, options=options) as connector:
        ticket = await connector.create_ticket(TicketDraft(project_vendor_id="", name="a"))
        assert (ticket.status_name, ticket.status_default) == ("incident:1", "TODO")
        moved = await connector.move_to_status(ticket, "IN_REVIEW", options["status_mapping"])
        assert (moved.status_name, moved.status_default) == ("incident:2", "IN_REVIEW")


async def test_a_lost_answer_creates_once(sn: ServiceNowServer) -> None:
    token = uuid.uuid4().hex
    sn.set_faults(drop_after_commit_ratio=1)
    async with connector_to(sn) as connector:
        ticket = await connector.create_ticket(
            TicketDraft(project_vendor_id="", name="once", creation_token=token)
        )
    assert sn.stats["drops"] == 1
    assert [r["sys_id"] for r in _with_token(sn, token)] == [ticket.internal_id]
