"""Credentials are checked with the vendor (Jira: GET /myself) when a connection is created
or its credentials change; wrong ones are refused with 422 and nothing is stored, unless
the caller sends "validate": false (offline provisioning)."""

from __future__ import annotations

from typing import Any

from tests.provisioning.helpers import basic_credentials, connection_row
from tests.support.factories import Tenant
from ticketbridge.crypto import Vault
from ticketbridge.emulators.jira.server import EmulatorServer

MYSELF = "GET /rest/api/{version}/myself"


def _myself_calls(jira: EmulatorServer) -> int:
    return int(jira.stats["requests_by_route"].get(MYSELF, 0))


def _create(tenant: Tenant, credentials: dict[str, Any], **extra: Any) -> Any:
    return tenant.post(
        f"/v1/provisioning/organizations/{tenant.org_id}/connections",
        json={"vendor": "JIRA", "credentials": credentials, **extra},
    )


def _listed(tenant: Tenant) -> list[dict[str, Any]]:
    r = tenant.get(f"/v1/provisioning/organizations/{tenant.org_id}/connections")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_wrong_token_is_422_with_jiras_message_and_nothing_stored(
    small_tenant, small_jira: EmulatorServer
) -> None:
    tenant = small_tenant(connected=False)
    calls = _myself_calls(small_jira)
    r = _create(tenant, basic_credentials(small_jira, api_token="wrong-token"))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "VENDOR_UNAUTHORIZED" and body["field"] == "credentials"
    assert "Client must be authenticated to access this resource" in body["detail"]
    assert '"validate": false' in body["detail"]
    assert "wrong-token" not in r.text
    assert _myself_calls(small_jira) == calls + 1
    assert _listed(tenant) == []


def test_wrong_email_is_refused_too(small_tenant, small_jira: EmulatorServer) -> None:
    tenant = small_tenant(connected=False)
    r = _create(tenant, basic_credentials(small_jira, email="someone@else.example"))
    assert r.status_code == 422 and r.json()["code"] == "VENDOR_UNAUTHORIZED", r.text
    assert _listed(tenant) == []


def test_validate_false_stores_without_asking_the_vendor(
    small_tenant, small_jira: EmulatorServer
) -> None:
    tenant = small_tenant(connected=False)
    calls = _myself_calls(small_jira)
    r = _create(tenant, basic_credentials(small_jira, api_token="offline"), validate=False)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "ACTIVE"
    assert _myself_calls(small_jira) == calls
    assert [c["id"] for c in _listed(tenant)] == [r.json()["id"]]


def test_good_credentials_are_checked_and_active(small_tenant, small_jira) -> None:
    tenant = small_tenant(connected=False)
    calls = _myself_calls(small_jira)
    r = _create(tenant, basic_credentials(small_jira), validate=True)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "ACTIVE" and r.json()["is_active"] is True
    assert _myself_calls(small_jira) == calls + 1


def test_changed_credentials_are_checked_and_kept_when_refused(
    small_tenant, small_jira: EmulatorServer, settings
) -> None:
    tenant = small_tenant()
    path = tenant.connection_path
    r = tenant.patch(path, json={"credentials": basic_credentials(small_jira, api_token="bad")})
    assert r.status_code == 422 and r.json()["code"] == "VENDOR_UNAUTHORIZED", r.text
    stored = Vault.from_settings(settings).decrypt_json(
        connection_row(settings, tenant.connection_id).credentials_encrypted
    )
    assert stored["api_token"] == small_jira.config.api_token  # the old ones stay
    assert tenant.post(f"{path}/test").json()["ok"] is True

    calls = _myself_calls(small_jira)
    good = tenant.patch(path, json={"credentials": basic_credentials(small_jira)})
    assert good.status_code == 200 and good.json()["state"] == "ACTIVE", good.text
    assert _myself_calls(small_jira) == calls + 1
    unchecked = tenant.patch(
        path,
        json={"credentials": basic_credentials(small_jira, api_token="x"), "validate": False},
    )
    assert unchecked.status_code == 200, unchecked.text


def test_other_patches_do_not_call_the_vendor(small_tenant, small_jira) -> None:
    tenant = small_tenant()
    calls = _myself_calls(small_jira)
    r = tenant.patch(tenant.connection_path, json={"refresh_interval_secs": 3600})
    assert r.status_code == 200, r.text
    assert _myself_calls(small_jira) == calls


def test_oauth_connections_wait_for_their_tokens(small_tenant, small_jira) -> None:
    """No tokens yet, nothing to check: the vendor's token exchange is the check."""
    tenant = small_tenant(connected=False)
    calls = _myself_calls(small_jira)
    r = _create(tenant, {"oauth": True})
    assert r.status_code == 200 and r.json()["state"] == "PENDING", r.text
    assert _myself_calls(small_jira) == calls


def test_validate_must_be_a_boolean(small_tenant, small_jira) -> None:
    tenant = small_tenant(connected=False)
    r = _create(tenant, basic_credentials(small_jira), validate="nope")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "validate"]


def test_a_base_url_that_is_not_a_jira_api_is_422(small_tenant, small_jira) -> None:
    tenant = small_tenant(connected=False)
    r = _create(tenant, basic_credentials(small_jira, base_url=small_jira.base_url + "/nothing"))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "credentials" and r.json()["code"] == "VENDOR_NOT_FOUND"
    assert r.json()["detail"].startswith("The credentials could not be checked")
    assert _listed(tenant) == []


def test_an_unreachable_vendor_is_its_error_in_words_and_nothing_stored(
    small_tenant, small_jira
) -> None:
    tenant = small_tenant(connected=False)
    r = _create(tenant, basic_credentials(small_jira, base_url="http://127.0.0.1:1"))
    assert r.status_code == 502, r.text
    assert r.json()["code"] == "VENDOR_UNAVAILABLE"
    assert r.json()["detail"] == (
        "Jira is unreachable: the connection was refused or the host was not found"
    )
    assert _listed(tenant) == []
