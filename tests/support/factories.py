"""Factories: accounts (made the way the CLI makes them), connections over the API."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from ticketbridge.config import Settings
from ticketbridge.context import AppContext
from ticketbridge.db.session import transaction
from ticketbridge.provisioning import service


def create_account(settings: Settings, name: str = "Acme") -> str:
    async def run() -> str:
        ctx = AppContext.create(settings)
        try:
            async with transaction(ctx.sessionmaker) as session:
                _, key = await service.create_account(session, name)
                return key
        finally:
            await ctx.http.aclose()
            await ctx.engine.dispose()

    return asyncio.run(run())


@dataclass
class Tenant:
    """An account with an organization and (optionally) a Jira connection, seen as a client."""

    http: httpx.Client
    api_key: str
    org_id: str = ""
    connection_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        h = {"X-API-KEY": self.api_key}
        if self.connection_id:
            h["X-CONNECTION-ID"] = self.connection_id
        return h

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.post(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def patch(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.patch(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.delete(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    @property
    def connection_path(self) -> str:
        return f"/v1/provisioning/organizations/{self.org_id}/connections/{self.connection_id}"

    def wait_job(self, job_id: str, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(f"/v1/jobs/{job_id}").json()
            if job["status"] in ("SUCCESS", "FAILED"):
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} did not finish: {job}")
            time.sleep(0.1)

    def sync(self) -> dict[str, Any]:
        response = self.post(f"{self.connection_path}/sync")
        assert response.status_code == 202, response.text
        return self.wait_job(response.json()["job_id"])


def new_tenant(
    http: httpx.Client,
    settings: Settings,
    jira: Any | None,
    *,
    options: dict[str, Any] | None = None,
) -> Tenant:
    """A new account and organization; with `jira`, a JIRA connection to it whose first
    sync has ended (its job in ``extra["first_sync"]``)."""
    if jira is None:
        return _organization(http, settings)
    credentials = {
        "base_url": jira.base_url,
        "email": jira.config.email,
        "api_token": jira.config.api_token,
    }
    body: dict[str, Any] = {"vendor": "JIRA", "credentials": credentials}
    if options:
        body["options"] = options
    return _connected(_organization(http, settings), body)


def new_servicenow_tenant(http: httpx.Client, settings: Settings, sn: Any, **body: Any) -> Tenant:
    """A new account and organization with a SERVICENOW connection (basic auth) to the
    emulator `sn`, `body` merged into the create request (``options``, say); its first
    sync has ended (its job in ``extra["first_sync"]``)."""
    credentials = {
        "base_url": sn.base_url,
        "username": sn.config.username,
        "password": sn.config.password,
    }
    request = {"vendor": "SERVICENOW", "credentials": credentials} | body
    return _connected(_organization(http, settings), request)


def _organization(http: httpx.Client, settings: Settings) -> Tenant:
    tenant = Tenant(http=http, api_key=create_account(settings))
    org = tenant.post("/v1/provisioning/organizations", json={"name": "Customer"})
    assert org.status_code == 200, org.text
    tenant.org_id = org.json()["id"]
    return tenant


def _connected(tenant: Tenant, body: dict[str, Any]) -> Tenant:
    created = tenant.post(f"/v1/provisioning/organizations/{tenant.org_id}/connections", json=body)
    assert created.status_code == 200, created.text
    tenant.connection_id = created.json()["id"]
    jobs = tenant.get(f"{tenant.connection_path}/jobs").json()
    assert jobs and jobs[0]["type"] == "SYNC"
    tenant.extra["first_sync"] = tenant.wait_job(jobs[0]["id"])
    return tenant
