"""Input the stores or the vendor cannot take is refused at the edge, before any write."""

from __future__ import annotations

from tests.support.factories import Tenant


def test_nul_in_body_query_or_path_is_422_and_nothing_is_written(
    shared_tenant: Tenant, jira
) -> None:
    before = len(jira.state.issues)
    body = {"name": "a\x00b", "project_vendor_id": "ENG", "type": "Task"}
    r = shared_tenant.post("/v1/itsm/tickets", json=body)
    assert r.status_code == 422 and "NUL" in r.json()["detail"]
    assert len(jira.state.issues) == before
    r = shared_tenant.get("/v1/itsm/tickets", params={"identifier": "a\x00b"})
    assert r.status_code == 422
    r = shared_tenant.get("/v1/itsm/tickets/by-identifier/a%00b")
    assert r.status_code == 422


def test_escaped_backslash_u0000_text_is_not_nul(shared_tenant: Tenant) -> None:
    r = shared_tenant.post("/v1/provisioning/organizations", json={"name": "literal \\u0000 text"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "literal \\u0000 text"


def test_body_over_one_mib_is_413(shared_tenant: Tenant) -> None:
    r = shared_tenant.post(
        "/v1/itsm/tickets",
        json={
            "name": "big",
            "project_vendor_id": "ENG",
            "type": "Task",
            "description": "x" * 1_100_000,
        },
    )
    assert r.status_code == 413


def test_validation_errors_never_echo_the_input(shared_tenant: Tenant) -> None:
    r = shared_tenant.post(
        f"/v1/provisioning/organizations/{shared_tenant.org_id}/connections",
        json={
            "credentials": {
                "base_url": "https://x.atlassian.net",
                "email": "a@b.c",
                "api_token": "S3CRET-T0KEN",
            }
        },
    )
    assert r.status_code == 422
    assert "S3CRET-T0KEN" not in r.text
    assert r.json()["detail"][0] == {
        "loc": ["body", "vendor"],
        "msg": "Field required",
        "type": "missing",
    }
