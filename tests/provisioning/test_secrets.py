"""Credentials never leave the vault: not in responses, log lines, errors, nor DB plaintext."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator

import httpx
import pytest

from tests.provisioning.helpers import basic_credentials, connection_row
from tests.support.factories import Tenant, create_account
from ticketbridge.config import Settings
from ticketbridge.crypto import Vault
from ticketbridge.emulators.jira.server import EmulatorServer

CANARY = "canary-token-7f3a9c1e5b"
WRONG = "canary-wrong-2d8e6b4a90"


@pytest.fixture(scope="module")
def canary_jira() -> Iterator[EmulatorServer]:
    with EmulatorServer(issues=10, users=3, projects=1, api_token=CANARY) as server:
        yield server


def _forms(jira: EmulatorServer, token: str) -> list[str]:
    """The token as it could leak: plain, or inside a Basic authorization header."""
    basic = base64.b64encode(f"{jira.config.email}:{token}".encode()).decode()
    return [token, basic]


def test_tokens_never_appear_in_responses_logs_or_the_database(
    http: httpx.Client,
    settings: Settings,
    canary_jira: EmulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    responses: list[httpx.Response] = []

    def call(method: str, path: str, **kw: object) -> httpx.Response:
        response = getattr(tenant, method)(path, **kw)
        responses.append(response)
        return response  # type: ignore[no-any-return]

    tenant = Tenant(http=http, api_key=create_account(settings))
    tenant.org_id = call("post", "/v1/provisioning/organizations", json={"name": "C"}).json()["id"]
    connections = f"/v1/provisioning/organizations/{tenant.org_id}/connections"
    good = basic_credentials(canary_jira)

    # Rejected shapes that carry the token must not echo it.
    for bad in (
        {**good, "extra": CANARY},
        {**good, "base_url": "not a url"},
        {**good, "base_url": "https://intranet.example.com:99?x=" + CANARY},
        {"api_token": CANARY},
        {**good, "api_token": [CANARY]},
        {**good, "oauth": True},
    ):
        assert (
            call("post", connections, json={"vendor": "JIRA", "credentials": bad}).status_code
            == 422
        )

    created = call("post", connections, json={"vendor": "JIRA", "credentials": good})
    assert created.status_code == 200
    tenant.connection_id = created.json()["id"]
    path = tenant.connection_path
    first = call("get", f"{path}/jobs").json()[0]
    assert tenant.wait_job(first["id"])["status"] == "SUCCESS"
    call("get", path)
    call("get", connections)
    assert call("post", f"{path}/test").json()["ok"] is True
    call("get", "/v1/itsm/tickets?limit=5")
    call("get", "/v1/itsm/passthrough/projects")
    call(
        "post", "/v1/itsm/tickets", json={"name": "x", "project_vendor_id": "NOPE", "type": "Task"}
    )

    # Wrong token: failed test, failed sync, unauthorized health; none of it echoes a token.
    wrong = {**good, "api_token": WRONG}
    refused = call("patch", path, json={"credentials": wrong})
    assert refused.status_code == 422 and refused.json()["code"] == "VENDOR_UNAUTHORIZED"
    assert call("patch", path, json={"credentials": wrong, "validate": False}).status_code == 200
    assert call("post", f"{path}/test").json()["ok"] is False
    sync = call("post", f"{path}/sync").json()
    failed = tenant.wait_job(sync["job_id"])
    assert failed["status"] == "FAILED"
    responses.append(tenant.get(f"/v1/jobs/{sync['job_id']}"))
    assert call("get", path).json()["health"]["status"] == "UNAUTHORIZED"
    assert call("get", "/v1/itsm/passthrough/projects").status_code in (401, 502)
    assert call("patch", path, json={"credentials": good}).status_code == 200

    secrets = _forms(canary_jira, CANARY) + _forms(canary_jira, WRONG)
    assert len(responses) > 20
    for response in responses:
        seen = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        for secret in secrets:
            assert secret not in seen, f"{response.request.method} {response.request.url}"

    ours = [r for r in caplog.records if not r.name.startswith("ticketbridge.emulators")]
    names = {r.name for r in ours}
    assert "httpx" in names and any(n.startswith("ticketbridge") for n in names), names
    logged = "\n".join(logging.Formatter().format(r) for r in ours)
    for secret in secrets:
        assert secret not in logged

    row = connection_row(settings, tenant.connection_id)
    assert CANARY.encode() not in row.credentials_encrypted
    assert (
        Vault.from_settings(settings).decrypt_json(row.credentials_encrypted)["api_token"] == CANARY
    )
