"""The sync SDK against the running API and the Jira emulator (no mocks)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.factories import Tenant, new_tenant
from tests.support.servers import ApiServer
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge_client import (
    AuthenticationError,
    BulkProgress,
    ConflictError,
    NotFoundError,
    TicketBridge,
    ValidationError,
)


@pytest.fixture(scope="module")
def tenant(http, settings, jira: EmulatorServer) -> Tenant:
    return new_tenant(http, settings, jira)


@pytest.fixture
def tb(api: ApiServer, tenant: Tenant) -> Iterator[TicketBridge]:
    with TicketBridge(api.base_url, tenant.api_key, tenant.connection_id) as client:
        yield client


def _issues_with(jira: EmulatorServer, text: str) -> list[Any]:
    return [i for i in list(jira.state.issues.values()) if text in i.summary]


def test_configuration_from_the_environment(
    api: ApiServer, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TICKETBRIDGE_API_URL", api.base_url)
    monkeypatch.setenv("TICKETBRIDGE_API_KEY", tenant.api_key)
    monkeypatch.setenv("TICKETBRIDGE_CONNECTION_ID", tenant.connection_id)
    with TicketBridge() as tb:
        assert tb.connections.capabilities().vendor == "JIRA"
    monkeypatch.delenv("TICKETBRIDGE_API_KEY")
    with pytest.raises(ValueError, match="TICKETBRIDGE_API_KEY"):
        TicketBridge()


def test_list_follows_next_cursor_through_every_page(tb: TicketBridge, tenant: Tenant) -> None:
    expected, cursor = [], None
    while True:
        page = tenant.get(
            "/v1/itsm/tickets", params={"limit": 1000, **({"cursor": cursor} if cursor else {})}
        ).json()
        expected += [t["id"] for t in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert len(expected) > 3 * 37  # several pages of 37
    assert [str(t.id) for t in tb.tickets.list(page_size=37)] == expected
    # Filters are the query's, under Python names.
    in_progress = list(tb.tickets.list(status="IN_PROGRESS", page_size=50))
    assert in_progress and all(t.status.value == "IN_PROGRESS" for t in in_progress)
    projects = list(tb.projects.list(page_size=1))
    assert len(projects) == 3 and len({p.id for p in projects}) == 3
    eng = next(p for p in projects if p.vendor_id == "ENG")
    assert tb.projects.get(str(eng.id)).name == eng.name
    users = list(tb.users.list(page_size=7))
    assert len(users) > 7 and tb.users.get(str(users[0].id)).id == users[0].id


def test_create_get_update_and_idempotency(
    tb: TicketBridge, tenant: Tenant, jira: EmulatorServer
) -> None:
    run = uuid.uuid4().hex[:8]
    created = tb.tickets.create(
        {"name": f"sdk {run}", "project_vendor_id": "ENG", "type": "Task", "identifier": run}
    )
    assert created.name == f"sdk {run}" and created.identifier == run
    assert tb.tickets.get(str(created.id)).id == created.id
    assert tb.tickets.get_by_identifier(run).id == created.id
    updated = tb.tickets.update(str(created.id), {"status": "IN_PROGRESS", "name": f"sdk {run} b"})
    assert updated.status.value == "IN_PROGRESS" and updated.name == f"sdk {run} b"
    assert jira.state.issue_by_key(created.vendor_attributes["id"]).status_name == "In Progress"

    # A given key makes the write safe to retry: the second answer is the first one.
    key = str(uuid.uuid4())
    body = {"name": f"idem {run}", "project_vendor_id": "ENG", "type": "Task"}
    first = tb.tickets.create(body, idempotency_key=key)
    again = tb.tickets.create(body, idempotency_key=key)
    assert again.id == first.id
    # Without one, each write gets its own key: two calls are two tickets.
    tb.tickets.create(body)
    assert len(_issues_with(jira, f"idem {run}")) == 2


def test_errors_are_typed_with_the_api_code_and_keys(
    tb: TicketBridge, api: ApiServer, tenant: Tenant
) -> None:
    with pytest.raises(NotFoundError) as missing:
        tb.tickets.get(str(uuid.uuid4()))
    assert (missing.value.status, missing.value.code) == (404, "NOT_FOUND")

    run = uuid.uuid4().hex[:8]
    first = tb.tickets.create(
        {"name": "dup", "project_vendor_id": "ENG", "type": "Task", "identifier": run}
    )
    with pytest.raises(ConflictError) as dup:
        tb.tickets.create(
            {"name": "dup", "project_vendor_id": "ENG", "type": "Task", "identifier": run}
        )
    assert dup.value.code == "CONFLICT" and dup.value.ticket_id == str(first.id)

    with pytest.raises(NotFoundError) as unknown:
        tb.tickets.create({"name": "x", "project_id": str(uuid.uuid4()), "type": "Task"})
    assert (unknown.value.code, unknown.value.field) == ("NOT_FOUND", "project_id")

    with pytest.raises(ValidationError) as bad:
        tb.tickets.create({"name": "", "project_vendor_id": "ENG", "type": "Task"})
    assert bad.value.code == "VALIDATION_ERROR" and "name" in str(bad.value)

    with pytest.raises(ValidationError) as vendor:
        tb.tickets.create({"name": "x", "project_vendor_id": "ENG", "type": "No Such Type"})
    assert vendor.value.code == "VENDOR_REJECTED" and vendor.value.vendor_errors

    wrong = TicketBridge(api.base_url, "tb_" + "x" * 43, tenant.connection_id)
    with wrong, pytest.raises(AuthenticationError) as denied:
        wrong.tickets.get(str(first.id))
    assert (denied.value.status, denied.value.code) == (401, "UNAUTHORIZED")
    assert "Invalid API key" in str(denied.value)


def test_bulk_create_splits_into_jobs_of_50_and_keeps_input_order(
    tb: TicketBridge, jira: EmulatorServer
) -> None:
    run = uuid.uuid4().hex[:8]
    tickets: list[dict[str, Any]] = [
        {"name": f"bulk {run} {i}", "project_vendor_id": "ENG", "type": "Task"} for i in range(120)
    ]
    bad = {7, 64, 119}  # one per job
    for i in bad:
        tickets[i] = {"name": f"bulk {run} {i}", "project_vendor_id": "NOPE", "type": "Task"}
    seen: list[BulkProgress] = []

    results = tb.tickets.bulk_create(tickets, on_progress=seen.append)

    assert [r.request_index for r in results] == list(range(120))
    assert {i for i, r in enumerate(results) if not r.success} == bad
    for i, r in enumerate(results):
        if i in bad:
            assert r.code and r.error
            continue
        issue = jira.state.issue_by_key(r.vendor_ticket_id)
        assert issue is not None and issue.summary == f"bulk {run} {i}"
    assert len(_issues_with(jira, f"bulk {run} ")) == 117
    assert seen[-1] == BulkProgress(total=120, done=120, failed=3)
    assert [p.done for p in seen] == sorted(p.done for p in seen)

    accepted = tb.tickets.bulk_create(tickets[:60], wait=False)
    assert len(accepted) == 2  # 50 + 10
    jobs = [tb.jobs.wait(str(a.job_id)) for a in accepted]
    assert [j.progress.total for j in jobs] == [50, 10]
    assert all(j.status.value in ("SUCCESS", "FAILED") for j in jobs)


def test_passthrough_and_connections(tb: TicketBridge, tenant: Tenant) -> None:
    page = tb.passthrough.search("project = ENG ORDER BY key", limit=5)
    assert 0 < len(page.items) <= 5
    assert any(p.vendor_id == "ENG" for p in tb.passthrough.projects().items)
    connection = tb.connections.get(tenant.org_id)
    assert str(connection.id) == tenant.connection_id
    assert [str(c.id) for c in tb.connections.list(tenant.org_id)] == [tenant.connection_id]
    sync = tb.connections.sync(tenant.org_id)
    assert tb.jobs.wait(str(sync.job_id)).status.value == "SUCCESS"
    assert str(sync.job_id) in [str(j.id) for j in tb.jobs.list(tenant.org_id)]


def test_bulk_create_a_malformed_ticket_fails_alone(tb: TicketBridge, jira: EmulatorServer) -> None:
    """The API refuses a whole batch for one malformed entry (422); the SDK then sends the
    batch a ticket per job, so only that entry fails, with the API's reason."""
    run = uuid.uuid4().hex[:8]
    tickets: list[dict[str, Any]] = [
        {"name": f"split {run} {i}", "project_vendor_id": "ENG", "type": "Task"} for i in range(5)
    ]
    tickets[2] = {**tickets[2], "project_id": str(uuid.uuid4())}  # both project ids: 422
    results = tb.tickets.bulk_create(tickets)
    assert [r.request_index for r in results] == list(range(5))
    assert [r.success for r in results] == [True, True, False, True, True]
    assert results[2].code == "VALIDATION_ERROR" and "project_vendor_id" in str(results[2].error)
    assert len(_issues_with(jira, f"split {run} ")) == 4


def test_list_with_updated_since_pages_by_offset_through_every_page(
    tb: TicketBridge, tenant: Tenant
) -> None:
    everything = [t.id for t in tb.tickets.list(page_size=1000)]
    since = [
        t.id for t in tb.tickets.list(updated_since=datetime(2000, 1, 1, tzinfo=UTC), page_size=7)
    ]
    assert len(everything) > 7 and sorted(since) == sorted(everything)


def test_a_refusal_with_a_message_in_detail_is_a_typed_error(tb: TicketBridge) -> None:
    # FastAPI's 422 has a list in `detail`, every other 422 a message: both parse.
    with pytest.raises(ValidationError) as refused:
        tb.tickets.create(
            {
                "name": "x",
                "project_vendor_id": "ENG",
                "type": "Task",
                "custom_fields": {"summary": "y"},
            }
        )
    assert refused.value.code == "VALIDATION_ERROR"
    assert refused.value.field == "custom_fields.summary"
