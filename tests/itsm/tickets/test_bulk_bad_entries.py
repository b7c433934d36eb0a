"""One bad entry of a bulk job fails alone, with its reason; the others are created.

The edge refuses such entries now, but a job queued before (or by any other door) still
holds them: a queued entry that today's rules refuse, and an entry the vendor client cannot
encode, each become that entry's failure instead of a job failed whole with a TypeError.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from tests.connectors.jira.support import connector_to
from tests.support.factories import Tenant, new_tenant
from tests.support.stores import with_context
from ticketbridge.connectors.base import TicketDraft
from ticketbridge.context import AppContext
from ticketbridge.db.session import transaction
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge.errors import Unprocessable
from ticketbridge.jobs import service as jobs
from ticketbridge.provisioning import repository as connections

TASK = {"project_vendor_id": "ENG", "type": "Task"}


@pytest.fixture(scope="module")
def tenant(http, settings, jira: EmulatorServer) -> Tenant:
    return new_tenant(http, settings, jira)


def _queue(settings, tenant: Tenant, entries: list[dict[str, Any]]) -> str:
    """A bulk-create job queued straight into the store, as one queued before the edge
    refused such entries would be; the API's worker runs it."""

    async def work(ctx: AppContext) -> str:
        async with transaction(ctx.sessionmaker) as session:
            connection = await connections.get_connection_unscoped(
                session, uuid.UUID(tenant.connection_id)
            )
            assert connection is not None
            job = await jobs.enqueue(
                ctx.settings, session, connection, "BULK_CREATE_TICKETS", {}, entries
            )
            return str(job.id)

    job_id: str = with_context(settings, work)
    return job_id


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def test_queued_entries_refused_by_todays_rules_fail_alone(
    settings, tenant: Tenant, jira: EmulatorServer
) -> None:
    run = uuid.uuid4().hex[:8]
    entries = [
        {"name": f"{run} ok 0", **TASK},
        {"name": f"{run} big int", **TASK, "custom_fields": {"customfield_1": 2**70}},
        {"name": f"{run} ok 2", **TASK},
        {"name": f"{run} override", **TASK, "custom_fields": {"summary": "other"}},
        {"name": f"{run} ok 4", **TASK, "identifier": f"{run}-4"},
        {"name": f"{run} deep", **TASK, "custom_fields": {"x": _nested(40)}},
    ]
    job = tenant.wait_job(_queue(settings, tenant, entries))
    assert job["status"] == "FAILED"
    summary = job["failure_reason"]
    assert (summary["total"], summary["succeeded"], summary["failed"]) == (6, 3, 3)
    results = {r["request_index"]: r for r in summary["results"]}
    for i in (0, 2, 4):
        assert results[i]["success"] and results[i]["vendor_ticket_id"], results[i]
    assert (
        results[1]["error"] == "custom_fields.customfield_1: integers must fit in 64 bits (signed)"
    )
    assert "'summary'" in results[3]["error"] and "set by name" in results[3]["error"]
    assert "nests deeper" in results[5]["error"]
    created = {i.summary for i in list(jira.state.issues.values())}
    assert {f"{run} ok 0", f"{run} ok 2", f"{run} ok 4"} <= created
    assert not {f"{run} big int", f"{run} override", f"{run} deep"} & created


def test_jira_bulk_create_sends_the_encodable_entries_and_fails_the_others(
    jira: EmulatorServer,
) -> None:
    run = uuid.uuid4().hex[:8]
    drafts = [
        TicketDraft(project_vendor_id="ENG", name=f"{run} a", type_name="Task"),
        TicketDraft(
            project_vendor_id="ENG",
            name=f"{run} b",
            type_name="Task",
            custom_fields={"customfield_1": 2**70},
        ),
        TicketDraft(project_vendor_id="ENG", name=f"{run} c", type_name="Task", tags=["x\ud800"]),
        TicketDraft(project_vendor_id="ENG", name=f"{run} d", type_name="Task"),
    ]

    async def work() -> Any:
        async with connector_to(jira) as connector:
            outcomes = await connector.bulk_create(drafts)
            with pytest.raises(Unprocessable, match="cannot be sent to Jira"):
                await connector.create_ticket(drafts[1])
            return outcomes

    outcomes = asyncio.run(work())
    assert [o.index for o in outcomes] == [0, 1, 2, 3]
    assert outcomes[0].key and outcomes[3].key
    assert outcomes[1].key is None and "cannot be sent to Jira" in (outcomes[1].error or "")
    assert outcomes[2].key is None and "surrogates" in (outcomes[2].error or "")
    summaries = {i.summary for i in list(jira.state.issues.values())}
    assert {f"{run} a", f"{run} d"} <= summaries
    assert not {f"{run} b", f"{run} c"} & summaries
