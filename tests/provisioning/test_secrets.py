"""Credentials never leave the vault: not in responses, log lines, errors, nor DB plaintext."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from tests.provisioning.helpers import basic_credentials, connection_row
from tests.support.factories import Tenant, create_account, new_tenant
from tests.support.servers import ApiServer
from tests.support.stores import in_store
from ticketbridge.config import Settings
from ticketbridge.crypto import Vault
from ticketbridge.db.models import Base
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge.provisioning.models import Connection

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
    for vendor_http in ("httpx", "httpcore"):  # WARNING unless LOG_LEVEL=DEBUG (logs.py)
        caplog.set_level(logging.DEBUG, logger=vendor_http)
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


def _plaintext_dump(settings: Settings) -> str:
    """Every value of every column of every table, as text (binary columns decoded as
    latin-1, so a plaintext secret inside one would show)."""

    async def dump(session: Any) -> str:
        parts: list[str] = []
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        parts.append(bytes(value).decode("latin-1"))
                    else:
                        parts.append(json.dumps(value, default=str))
        return "\n".join(parts)

    return in_store(settings, dump)  # type: ignore[no-any-return]


def test_canaries_stay_out_of_new_error_paths_logs_job_records_and_every_column(
    settings: Settings, canary_jira: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The vendor token, an API key and a webhook secret, through rate-limit 429s, key
    revocation refusals, vendor and job timeouts, webhook deliveries and idempotent
    replays: none of them in any response (but the one that shows it once), log line,
    job record, stored idempotent response or database column."""
    caplog.set_level(logging.DEBUG)
    strict = settings.model_copy(
        update={
            "rate_limit_per_minute": 40,
            "rate_limit_window_seconds": 3600,
            "vendor_total_timeout": 1.0,
            "vendor_max_retries": 0,
        }
    )
    responses: list[httpx.Response] = []
    with ApiServer(strict) as api, httpx.Client(base_url=api.base_url, timeout=60) as http:
        tenant = new_tenant(http, strict, canary_jira)

        def call(method: str, path: str, **kw: Any) -> httpx.Response:
            response = getattr(tenant, method)(path, **kw)
            responses.append(response)
            return response  # type: ignore[no-any-return]

        # A webhook secret (shown once: that response is not checked) and deliveries that fail.
        hooked = tenant.patch("/v1/provisioning/account", json={"webhook_url": _DEAD_HOOK})
        assert hooked.status_code == 200, hooked.text
        webhook_secret = hooked.json()["webhook_secret"]
        # A second key (shown once), then a revocation refused because it is the last one.
        spare = tenant.post("/v1/provisioning/api-keys", json={"name": "spare"}).json()
        own = call("get", "/v1/provisioning/api-keys").json()
        call("delete", f"/v1/provisioning/api-keys/{own[0]['id']}")
        as_spare = Tenant(http=http, api_key=spare["key"])
        assert as_spare.delete(f"/v1/provisioning/api-keys/{spare['id']}").status_code == 409
        responses.append(as_spare.delete(f"/v1/provisioning/api-keys/{spare['id']}"))
        tenant.api_key = spare["key"]

        # An idempotent create, stored and replayed.
        project = call("get", "/v1/itsm/passthrough/projects").json()["items"][0]["vendor_id"]
        body = {"name": "canary", "project_vendor_id": project, "type": "Task"}
        for _ in range(2):
            created = call("post", "/v1/itsm/tickets", json=body, headers={"Idempotency-Key": "k1"})
            assert created.status_code == 200, created.text

        # Vendor timeouts (a read and a write), then a job stopped by timeout_secs.
        canary_jira.set_faults(latency_ms=2500)
        try:
            assert call("get", "/v1/itsm/passthrough/projects").status_code == 504
            slow = {**body, "name": "canary slow"}
            assert call("post", "/v1/itsm/tickets", json=slow).status_code >= 500
            _set_timeout_secs(strict, tenant.connection_id, 1)
            sync = call("post", f"{tenant.connection_path}/sync", json={"full": True}).json()
            failed = tenant.wait_job(sync["job_id"])
            responses.append(tenant.get(f"/v1/jobs/{sync['job_id']}"))
            assert failed["failure_reason"]["code"] == "EXECUTION_TIMEOUT"
        finally:
            canary_jira.set_faults(latency_ms=0)

        # Spend the rest of the budget: the 429s carry no secret either.
        limited = [call("get", "/v1/provisioning/account") for _ in range(40)]
        assert limited[-1].status_code == 429

    secrets = [
        *_forms(canary_jira, CANARY),
        tenant_key := own_key(responses),
        spare["key"],
        webhook_secret,
    ]
    assert tenant_key and webhook_secret and len(responses) >= 50
    for response in responses:
        seen = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        seen += " " + str(response.request.url)
        for secret in secrets:
            assert secret not in seen, f"{response.request.method} {response.request.url}"

    ours = [r for r in caplog.records if not r.name.startswith("ticketbridge.emulators")]
    logged = "\n".join(logging.Formatter().format(r) for r in ours)
    assert "ticketbridge.jobs" in {r.name for r in ours}
    stored = _plaintext_dump(settings)
    assert "EXECUTION_TIMEOUT" in stored and "canary" in stored  # the dump sees job records
    for secret in secrets:
        assert secret not in logged
        assert secret not in stored


_DEAD_HOOK = "http://127.0.0.1:9/hook"  # nothing listens on the discard port


def own_key(responses: list[httpx.Response]) -> str:
    """The account's first key, as sent in a request header (responses never carry it)."""
    return str(responses[0].request.headers["X-API-KEY"])


def _set_timeout_secs(settings: Settings, connection_id: str, seconds: int) -> None:
    async def work(session: Any) -> None:
        await session.execute(
            update(Connection)
            .where(Connection.id == uuid.UUID(connection_id))
            .values(timeout_secs=seconds)
        )

    in_store(settings, work)
