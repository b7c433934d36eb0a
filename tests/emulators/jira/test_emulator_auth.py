"""Authentication of the Jira emulator: Basic, OAuth 2.0 (3LO) with rotation, gateway prefix."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = pytest.mark.store_independent

UNAUTHENTICATED = {
    "errorMessages": ["Client must be authenticated to access this resource."],
    "errors": {},
}


@pytest.mark.parametrize(
    "auth", [None, ("sandbox@ticketbridge.dev", "wrong"), ("x@y.z", "sandbox-api-token")]
)
def test_missing_or_bad_credentials_are_401(
    emulator: EmulatorServer, auth: tuple[str, str] | None
) -> None:
    response = httpx.get(f"{emulator.base_url}/rest/api/3/myself", auth=auth)
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert response.headers["X-Seraph-LoginReason"] == "AUTHENTICATED_FAILED"


def authorize(server: EmulatorServer, scope: str) -> tuple[str, str]:
    redirect = "https://app.example.com/callback"
    response = httpx.get(
        f"{server.base_url}/authorize",
        params={
            "audience": "api.atlassian.com",
            "client_id": server.config.oauth_client_id,
            "scope": scope,
            "redirect_uri": redirect,
            "state": "xyz",
            "response_type": "code",
            "prompt": "consent",
        },
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    return query["code"][0], redirect


def exchange(server: EmulatorServer, **data: str) -> httpx.Response:
    body = {
        "client_id": server.config.oauth_client_id,
        "client_secret": server.config.oauth_client_secret,
        **data,
    }
    return httpx.post(f"{server.base_url}/oauth/token", json=body)


def test_oauth_code_flow_refresh_rotation_and_gateway(emulator: EmulatorServer) -> None:
    code, redirect = authorize(emulator, "read:jira-work write:jira-work offline_access")
    tokens = exchange(
        emulator, grant_type="authorization_code", code=code, redirect_uri=redirect
    ).json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    assert (
        exchange(
            emulator, grant_type="authorization_code", code=code, redirect_uri=redirect
        ).status_code
        == 403
    )

    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    resources = httpx.get(
        f"{emulator.base_url}/oauth/token/accessible-resources", headers=bearer
    ).json()
    assert resources[0]["id"] == emulator.config.cloud_id
    assert set(resources[0]["scopes"]) == {"read:jira-work", "write:jira-work"}

    myself = httpx.get(f"{emulator.gateway_url}/rest/api/3/issue/ENG-1", headers=bearer)
    assert myself.status_code == 200
    assert myself.json()["self"].startswith(f"{emulator.gateway_url}/rest/api/3/issue/")
    unknown_site = httpx.get(
        f"{emulator.base_url}/ex/jira/00000000-0000-0000-0000-000000000000/rest/api/3/myself",
        headers=bearer,
    )
    assert unknown_site.status_code == 404

    rotated = exchange(emulator, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert rotated.status_code == 200 and rotated.json()["refresh_token"] != tokens["refresh_token"]
    reused = exchange(emulator, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert reused.status_code == 403 and reused.json()["error"] == "invalid_grant"
    form = httpx.post(
        f"{emulator.base_url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": rotated.json()["refresh_token"],
            "client_id": emulator.config.oauth_client_id,
            "client_secret": emulator.config.oauth_client_secret,
        },
    )
    assert form.status_code == 200


def test_oauth_rejects_bad_client_and_read_only_tokens_cannot_write(
    emulator: EmulatorServer,
) -> None:
    code, redirect = authorize(emulator, "read:jira-work")
    bad = httpx.post(
        f"{emulator.base_url}/oauth/token",
        json={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "client_id": "x",
            "client_secret": "y",
        },
    )
    assert bad.status_code == 401
    tokens = exchange(
        emulator, grant_type="authorization_code", code=code, redirect_uri=redirect
    ).json()
    assert "refresh_token" not in tokens  # no offline_access, no refresh token
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    body = {"fields": {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "s"}}
    assert (
        httpx.post(
            f"{emulator.gateway_url}/rest/api/3/issue", json=body, headers=bearer
        ).status_code
        == 401
    )
    assert httpx.get(f"{emulator.gateway_url}/rest/api/3/myself", headers=bearer).status_code == 200


def test_access_tokens_expire() -> None:
    with EmulatorServer(issues=0, access_token_ttl_seconds=0.3) as server:
        code, redirect = authorize(server, "read:jira-work offline_access")
        tokens = exchange(
            server, grant_type="authorization_code", code=code, redirect_uri=redirect
        ).json()
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert (
            httpx.get(f"{server.gateway_url}/rest/api/3/myself", headers=bearer).status_code == 200
        )
        time.sleep(0.4)
        expired = httpx.get(f"{server.gateway_url}/rest/api/3/myself", headers=bearer)
        assert expired.status_code == 401 and expired.json() == {
            "code": 401,
            "message": "Unauthorized",
        }
        fresh = exchange(
            server, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
        ).json()
        again = {"Authorization": f"Bearer {fresh['access_token']}"}
        assert (
            httpx.get(f"{server.gateway_url}/rest/api/3/myself", headers=again).status_code == 200
        )


def test_gateway_accepts_basic_auth_too(emulator: EmulatorServer) -> None:
    auth = (emulator.config.email, emulator.config.api_token)
    response = httpx.get(f"{emulator.gateway_url}/rest/api/3/project/search", auth=auth)
    assert response.status_code == 200
    assert response.json()["self"].startswith(emulator.gateway_url)
