"""Accounts and API keys (docs/api.md, "Provisioning"): shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

import httpx
import pytest

from tests.provisioning.helpers import api_key_rows
from tests.support.factories import Tenant
from ticketbridge.config import Settings

INVALID = {"detail": "Invalid API key"}


def _detail(response: httpx.Response) -> str:
    return str(response.json()["detail"])


def test_api_keys_are_random_shown_once_and_stored_only_as_a_hash(
    small_tenant: Callable[..., Tenant], settings: Settings
) -> None:
    tenant = small_tenant(connected=False)
    created = [tenant.post("/v1/provisioning/api-keys", json={"name": f"ci-{i}"}) for i in range(2)]
    assert [r.status_code for r in created] == [200, 200]
    keys = [r.json() for r in created]
    assert keys[0]["key"] != keys[1]["key"]
    for key in keys:
        assert key["key"].startswith("tb_") and len(key["key"]) >= 40
        assert key["key"].startswith(key["prefix"]) and len(key["prefix"]) < len(key["key"])
        assert key["revoked_at"] is None

    listed = tenant.get("/v1/provisioning/api-keys")
    assert listed.status_code == 200
    by_id = {k["id"]: k for k in listed.json()}
    assert {k["id"] for k in keys} <= set(by_id)
    assert len(by_id) == 3  # the account's first key, plus the two above
    for key in keys:
        assert by_id[key["id"]]["prefix"] == key["prefix"]
        assert by_id[key["id"]]["name"] == key["name"]
    assert "key" not in listed.json()[0]
    for key in keys:
        assert key["key"] not in listed.text

    rows = api_key_rows(settings, [k["id"] for k in keys])
    assert len(rows) == 2
    for row in rows:
        full = next(k["key"] for k in keys if k["id"] == str(row.id))
        stored = " ".join(str(v) for v in vars(row).values())
        assert full not in stored  # no column holds the plaintext
        assert row.key_hash == hashlib.sha256(full.encode()).hexdigest()

    # Every new key works on its own.
    for key in keys:
        own = tenant.http.get("/v1/provisioning/account", headers={"X-API-KEY": key["key"]})
        assert own.status_code == 200


def test_a_revoked_key_is_refused_at_once(small_tenant: Callable[..., Tenant]) -> None:
    tenant = small_tenant(connected=False)
    spare = tenant.post("/v1/provisioning/api-keys", json={}).json()
    spare_headers = {"X-API-KEY": spare["key"]}
    assert tenant.http.get("/v1/provisioning/account", headers=spare_headers).status_code == 200

    revoked = tenant.delete(f"/v1/provisioning/api-keys/{spare['id']}")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None

    for path in ("/v1/provisioning/account", "/v1/provisioning/organizations"):
        response = tenant.http.get(path, headers=spare_headers)
        assert response.status_code == 401
        assert _detail(response) == INVALID["detail"]
    listed = {k["id"]: k for k in tenant.get("/v1/provisioning/api-keys").json()}
    assert listed[spare["id"]]["revoked_at"] is not None
    # The key that revoked it still works; revoking twice is harmless.
    assert tenant.delete(f"/v1/provisioning/api-keys/{spare['id']}").status_code == 200


@pytest.mark.parametrize("key_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_revoking_an_unknown_key_is_404(small_tenant: Callable[..., Tenant], key_id: str) -> None:
    tenant = small_tenant(connected=False)
    response = tenant.delete(f"/v1/provisioning/api-keys/{key_id}")
    assert response.status_code == 404
    assert _detail(response) == "API key not found"


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-API-KEY": ""}, {"X-API-KEY": "tb_" + "x" * 43}, {"X-API-KEY": "nonsense"}],
    ids=["missing", "empty", "unknown", "malformed"],
)
@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/v1/provisioning/account"),
        ("POST", "/v1/provisioning/organizations"),
        ("GET", "/v1/itsm/tickets"),
        ("GET", f"/v1/jobs/{uuid.uuid4()}"),
    ],
)
def test_requests_without_a_valid_key_get_401(
    http: httpx.Client, headers: dict[str, str], method: str, path: str
) -> None:
    headers = {**headers, "X-CONNECTION-ID": str(uuid.uuid4())}
    response = http.request(method, path, headers=headers, json={"name": "x"})
    assert response.status_code == 401, response.text
    assert _detail(response) == INVALID["detail"]


def test_account_can_be_read_renamed_and_given_a_webhook_whose_secret_shows_once(
    small_tenant: Callable[..., Tenant],
) -> None:
    tenant = small_tenant(connected=False)
    account = tenant.get("/v1/provisioning/account").json()
    assert account["name"] == "Acme" and account["webhook_url"] is None
    assert account["webhook_secret"] is None

    renamed = tenant.patch("/v1/provisioning/account", json={"name": "Acme Security"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Acme Security"
    assert renamed.json()["webhook_secret"] is None

    url = "https://hooks.example.com/ticketbridge"
    first = tenant.patch("/v1/provisioning/account", json={"webhook_url": url})
    assert first.status_code == 200
    assert first.json()["webhook_url"] == url
    secret = first.json()["webhook_secret"]
    assert secret and secret.startswith("whsec_")

    again = tenant.get("/v1/provisioning/account").json()
    assert again["webhook_url"] == url and again["webhook_secret"] is None
    same = tenant.patch("/v1/provisioning/account", json={"webhook_url": url}).json()
    assert same["webhook_secret"] is None  # unchanged URL: the secret is not re-issued

    changed = tenant.patch("/v1/provisioning/account", json={"webhook_url": url + "/v2"}).json()
    assert changed["webhook_secret"] and changed["webhook_secret"] != secret

    cleared = tenant.patch("/v1/provisioning/account", json={"webhook_url": None}).json()
    assert cleared["webhook_url"] is None and cleared["webhook_secret"] is None
    assert tenant.get("/v1/provisioning/account").json()["name"] == "Acme Security"


@pytest.mark.parametrize(
    "body",
    [{"webhook_url": "not a url"}, {"name": ""}, {"colour": "red"}, {"webhook_url": "ftp://x.io"}],
)
def test_bad_account_patches_are_422(small_tenant: Callable[..., Tenant], body: dict) -> None:
    tenant = small_tenant(connected=False)
    response = tenant.patch("/v1/provisioning/account", json=body)
    assert response.status_code == 422, response.text
    assert isinstance(response.json()["detail"], list)
