from __future__ import annotations

from tests.support.factories import Tenant


def test_first_sync_copies_projects_users_types_and_tickets(shared_tenant: Tenant, jira) -> None:
    job = shared_tenant.extra["first_sync"]
    assert job["status"] == "SUCCESS", job
    state = jira.state
    projects = shared_tenant.get("/v1/itsm/projects").json()["items"]
    assert {p["vendor_id"] for p in projects} == {p.key for p in state.projects.values()}
    assert job["result"]["tickets"] >= 300
