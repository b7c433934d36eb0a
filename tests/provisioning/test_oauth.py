"""OAuth 2.0 (3LO) end to end against the emulated Atlassian authorization server.

The emulator's access tokens live one second, so every vendor call refreshes: refresh tokens
rotate (single use), and each rotation must be persisted before the old one is useless.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.provisioning.helpers import connection_row
from tests.support.factories import Tenant, create_account
from tests.support.servers import ApiServer
from tests.support.stores import fresh_database
from ticketbridge.config import Settings
from ticketbridge.crypto import Vault
from ticketbridge.emulators.jira.server import EmulatorServer


@dataclass
class OAuthWorld:
    jira: EmulatorServer
    settings: Settings
    http: httpx.Client


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OAuthWorld]:
    # A store of its own: the session API's worker must not run these jobs with its settings.
    with (
        EmulatorServer(issues=20, users=5, projects=2, access_token_ttl_seconds=1) as jira,
        fresh_database(tmp_path_factory.mktemp("oauth-db")) as database_url,
    ):
        settings = Settings(
            env="test",
            database_url=database_url,
            allow_private_vendor_urls=False,  # OAuth connections need no vendor base_url
            public_url="http://127.0.0.1:9/tb",
            jira_oauth_client_id=jira.config.oauth_client_id,
            jira_oauth_client_secret=jira.config.oauth_client_secret,
            jira_oauth_auth_url=jira.base_url,
            jira_oauth_api_url=jira.base_url,
            scheduler_interval_seconds=3600,
            vendor_max_backoff_seconds=1,
        )
        with ApiServer(settings) as api, httpx.Client(base_url=api.base_url, timeout=60) as http:
            yield OAuthWorld(jira, settings, http)


def _pending_connection(world: OAuthWorld) -> tuple[Tenant, dict]:
    tenant = Tenant(http=world.http, api_key=create_account(world.settings))
    tenant.org_id = tenant.post("/v1/provisioning/organizations", json={"name": "C"}).json()["id"]
    created = tenant.post(
        f"/v1/provisioning/organizations/{tenant.org_id}/connections",
        json={"vendor": "JIRA", "credentials": {"oauth": True}},
    )
    assert created.status_code == 200, created.text
    connection = created.json()
    tenant.connection_id = connection["id"]
    return tenant, connection


def _consent(world: OAuthWorld, authorize_url: str) -> dict[str, str]:
    """Follow the authorize URL as the user's browser would; returns the callback query."""
    redirect = httpx.get(authorize_url, follow_redirects=False, timeout=30)
    assert redirect.status_code == 302, redirect.text
    location = urlsplit(redirect.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        world.settings.public_url + "/v1/oauth/jira/callback"
    )
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def _stored(world: OAuthWorld, connection_id: str) -> dict:
    row = connection_row(world.settings, connection_id)
    return Vault.from_settings(world.settings).decrypt_json(row.credentials_encrypted)


def test_oauth_connection_authorizes_syncs_and_rotates_refresh_tokens(world: OAuthWorld) -> None:
    tenant, connection = _pending_connection(world)
    assert connection["state"] == "PENDING" and connection["is_active"] is False
    url = connection["oauth2_authorize_url"]
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert url.startswith(world.jira.base_url + "/authorize?")
    assert query["client_id"] == world.jira.config.oauth_client_id
    assert query["response_type"] == "code" and "offline_access" in query["scope"].split()
    assert query["redirect_uri"] == world.settings.public_url + "/v1/oauth/jira/callback"

    # Before consent: nothing to test or sync.
    assert tenant.post(f"{tenant.connection_path}/test").json()["ok"] is False
    assert tenant.post(f"{tenant.connection_path}/sync").status_code == 422
    assert tenant.get(tenant.connection_path).json()["oauth2_authorize_url"] == url

    callback = _consent(world, url)
    assert callback["state"] == query["state"]
    done = world.http.get("/v1/oauth/jira/callback", params=callback)
    assert done.status_code == 200, done.text
    assert "connected" in done.text

    # The state is single use.
    replay = world.http.get("/v1/oauth/jira/callback", params=callback)
    assert replay.status_code == 404

    active = tenant.get(tenant.connection_path).json()
    assert active["state"] == "ACTIVE" and active["oauth2_authorize_url"] is None
    jobs = tenant.get(f"{tenant.connection_path}/jobs").json()
    assert [j["type"] for j in jobs] == ["SYNC"]
    sync = tenant.wait_job(jobs[0]["id"])
    assert sync["status"] == "SUCCESS", sync
    assert sync["result"]["tickets"] == len(world.jira.state.issues)
    tickets = tenant.get("/v1/itsm/tickets").json()["items"]
    assert tickets and tickets[0]["url"].startswith(world.jira.base_url + "/browse/")

    stored = _stored(world, tenant.connection_id)
    cloud_id = world.jira.config.cloud_id
    assert stored["oauth"] is True and stored["cloud_id"] == cloud_id
    assert stored["api_base_url"] == f"{world.jira.base_url}/ex/jira/{cloud_id}"
    oauth = world.jira.emulator.oauth
    assert stored["refresh_token"] in oauth.refresh  # the latest rotation was persisted
    assert len(oauth.access) > 2  # the sync refreshed along the way

    # Let the stored access token expire, then use the connection: it refreshes again.
    time.sleep(1.1)
    old_access, old_refresh = stored["access_token"], stored["refresh_token"]
    gateway = f"{stored['api_base_url']}/rest/api/3/myself"
    expired = httpx.get(gateway, headers={"Authorization": f"Bearer {old_access}"})
    assert expired.status_code == 401
    assert tenant.post(f"{tenant.connection_path}/test").json()["ok"] is True
    created = tenant.post(
        "/v1/itsm/tickets",
        json={"name": "Through the gateway", "project_vendor_id": "ENG", "type": "Task"},
    )
    assert created.status_code == 200, created.text

    fresh = _stored(world, tenant.connection_id)
    assert fresh["refresh_token"] != old_refresh
    assert fresh["refresh_token"] in oauth.refresh
    refused = httpx.post(
        f"{world.jira.base_url}/oauth/token",
        json={
            "grant_type": "refresh_token",
            "client_id": world.jira.config.oauth_client_id,
            "client_secret": world.jira.config.oauth_client_secret,
            "refresh_token": old_refresh,
        },
    )
    assert refused.status_code == 403
    assert refused.json()["error"] == "invalid_grant"
    # The old refresh attempt did not disturb the connection.
    assert tenant.sync()["status"] == "SUCCESS"


def test_concurrent_requests_share_one_refresh_chain(world: OAuthWorld) -> None:
    """Each call must refresh (1 s tokens); parallel refreshes must not reuse a spent token."""
    tenant, connection = _pending_connection(world)
    callback = _consent(world, connection["oauth2_authorize_url"])
    assert world.http.get("/v1/oauth/jira/callback", params=callback).status_code == 200
    jobs = tenant.get(f"{tenant.connection_path}/jobs").json()
    assert tenant.wait_job(jobs[0]["id"])["status"] == "SUCCESS"

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _: tenant.get("/v1/itsm/passthrough/projects"), range(16)))
    assert [r.status_code for r in responses] == [200] * 16, [r.text for r in responses]
    stored = _stored(world, tenant.connection_id)
    assert stored["refresh_token"] in world.jira.emulator.oauth.refresh


def test_callback_refuses_unknown_state_denied_consent_and_bad_codes(world: OAuthWorld) -> None:
    tenant, connection = _pending_connection(world)
    state = parse_qs(urlsplit(connection["oauth2_authorize_url"]).query)["state"][0]
    cases = [
        ({"code": "x", "state": "not-a-state"}, 404),
        ({"error": "access_denied", "state": state}, 422),
        ({"state": state}, 422),
        ({}, 422),
    ]
    for params, status in cases:
        response = world.http.get("/v1/oauth/jira/callback", params=params)
        assert response.status_code == status, (params, response.text)
        assert isinstance(response.json()["detail"], str)

    bad_code = world.http.get("/v1/oauth/jira/callback", params={"code": "forged", "state": state})
    assert bad_code.status_code in (401, 502), bad_code.text
    assert "authorization code" in bad_code.json()["detail"]
    still = tenant.get(tenant.connection_path).json()
    assert still["state"] == "PENDING" and still["oauth2_authorize_url"]

    # A real consent still completes afterwards.
    callback = _consent(world, still["oauth2_authorize_url"])
    assert world.http.get("/v1/oauth/jira/callback", params=callback).status_code == 200
    assert tenant.get(tenant.connection_path).json()["state"] == "ACTIVE"


def test_an_oauth_connection_cannot_be_activated_without_consent(world: OAuthWorld) -> None:
    tenant, _ = _pending_connection(world)
    response = tenant.patch(tenant.connection_path, json={"state": "ACTIVE"})
    assert response.status_code == 422
    assert "OAuth" in response.json()["detail"]


def _activate(world: OAuthWorld) -> Tenant:
    tenant, connection = _pending_connection(world)
    callback = _consent(world, connection["oauth2_authorize_url"])
    assert world.http.get("/v1/oauth/jira/callback", params=callback).status_code == 200
    jobs = tenant.get(f"{tenant.connection_path}/jobs").json()
    assert tenant.wait_job(jobs[0]["id"])["status"] == "SUCCESS"
    return tenant


def test_a_spent_refresh_token_marks_the_connection_unauthorized(world: OAuthWorld) -> None:
    tenant = _activate(world)
    stored = _stored(world, tenant.connection_id)
    # Someone else uses (and so spends) the stored refresh token.
    stolen = httpx.post(
        f"{world.jira.base_url}/oauth/token",
        json={
            "grant_type": "refresh_token",
            "client_id": world.jira.config.oauth_client_id,
            "client_secret": world.jira.config.oauth_client_secret,
            "refresh_token": stored["refresh_token"],
        },
    )
    assert stolen.status_code == 200
    result = tenant.post(f"{tenant.connection_path}/test").json()
    assert result == {
        "ok": False,
        "detail": "Jira refused to refresh the OAuth token; re-authorize",
    }
    health = tenant.get(tenant.connection_path).json()["health"]
    assert health["status"] == "UNAUTHORIZED" and health["resolution_owner"] == "CUSTOMER"
    listed = tenant.get("/v1/itsm/passthrough/projects")
    assert listed.status_code == 502 and "re-authorize" in listed.json()["detail"]


def test_an_unreachable_token_endpoint_is_a_502_and_the_code_stays_usable(
    world: OAuthWorld,
) -> None:
    tenant, connection = _pending_connection(world)
    callback = _consent(world, connection["oauth2_authorize_url"])
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}"
    broken = world.settings.model_copy(
        update={"jira_oauth_auth_url": nowhere, "run_embedded_worker": False}
    )
    with ApiServer(broken) as api:
        failed = httpx.get(f"{api.base_url}/v1/oauth/jira/callback", params=callback)
    assert failed.status_code == 502, failed.text
    assert "unreachable" in failed.json()["detail"]
    assert tenant.get(tenant.connection_path).json()["state"] == "PENDING"
    assert world.http.get("/v1/oauth/jira/callback", params=callback).status_code == 200
    assert tenant.get(tenant.connection_path).json()["state"] == "ACTIVE"
