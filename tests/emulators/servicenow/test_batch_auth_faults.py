"""Batch API, OAuth (oauth_token.do), the incident data policy, faults and the control API."""

from __future__ import annotations

import base64
import json
import threading
import time

import httpx
import pytest

from ticketbridge.emulators.servicenow.server import ServiceNowServer

pytestmark = pytest.mark.store_independent


def b64(value: object) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


def item(ident: str, method: str, url: str, body: object | None = None) -> dict:
    request = {
        "id": ident,
        "method": method,
        "url": url,
        "headers": [
            {"name": "Content-Type", "value": "application/json"},
            {"name": "Accept", "value": "application/json"},
        ],
    }
    if body is not None:
        request["body"] = b64(body)
    return request


def test_batch_runs_items_in_order_with_per_item_status(
    client: httpx.Client, sn: ServiceNowServer
) -> None:
    before = sn.state.counters["incident"]
    payload = {
        "batch_request_id": 7,
        "rest_requests": [
            item(
                "a",
                "POST",
                "/api/now/table/incident?sysparm_fields=sys_id,number",
                {"short_description": "batch 1", "correlation_id": "b-1"},
            ),
            item("b", "POST", "/api/now/table/incident", {"short_description": "batch 2"}),
            item("c", "GET", "/api/now/table/incident/" + "0" * 32),
            item("d", "GET", "/api/now/v2/table/nosuch"),
        ],
    }
    response = client.post("/api/now/v1/batch", json=payload)
    assert response.status_code == 200
    body = response.json()
    assert body["batch_request_id"] == "7" and body["unserviced_requests"] == []
    served = {s["id"]: s for s in body["serviced_requests"]}
    assert [s["id"] for s in body["serviced_requests"]] == ["a", "b", "c", "d"]
    assert (served["a"]["status_code"], served["a"]["status_text"]) == (201, "Created")
    first = json.loads(base64.b64decode(served["a"]["body"]))["result"]
    assert set(first) == {"sys_id", "number"}
    assert first["number"] == f"INC{before + 1:07d}"
    assert served["c"]["status_code"] == 404
    assert (
        json.loads(base64.b64decode(served["c"]["body"]))["error"]["message"] == "No Record found"
    )
    assert served["d"]["status_code"] == 400
    assert isinstance(served["a"]["execution_time"], int)
    assert {"name": "Location", "value": served["a"]["headers"][1]["value"]} in served["a"][
        "headers"
    ]
    assert sn.state.counters["incident"] == before + 2


def test_batch_time_budget_leaves_items_unserviced(
    client: httpx.Client, sn: ServiceNowServer
) -> None:
    sn.set_faults(batch_timeout_seconds=0.0)
    requests = [item(str(i), "GET", "/api/now/table/sys_user_group") for i in range(3)]
    body = client.post(
        "/api/now/v1/batch", json={"batch_request_id": "x", "rest_requests": requests}
    ).json()
    assert body["serviced_requests"] == [] and body["unserviced_requests"] == ["0", "1", "2"]


def test_batch_needs_auth(sn: ServiceNowServer, cert: str) -> None:
    response = httpx.post(
        f"{sn.base_url}/api/now/v1/batch", json={"rest_requests": []}, verify=cert
    )
    assert response.status_code == 401


def _token(sn: ServiceNowServer, cert: str, **form: str) -> httpx.Response:
    data = {"client_id": sn.config.client_id, "client_secret": sn.config.client_secret, **form}
    return httpx.post(f"{sn.base_url}/oauth_token.do", data=data, verify=cert)


def test_oauth_password_refresh_and_client_credentials(sn: ServiceNowServer, cert: str) -> None:
    granted = _token(sn, cert, grant_type="password", username="admin", password=sn.config.password)
    assert granted.status_code == 200
    token = granted.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 1799
    assert token["scope"] == "useraccount" and token["refresh_token"]
    url = f"{sn.base_url}/api/now/table/sys_user_group"
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert httpx.get(url, headers=bearer, verify=cert).status_code == 200
    refreshed = _token(sn, cert, grant_type="refresh_token", refresh_token=token["refresh_token"])
    assert refreshed.status_code == 200 and "refresh_token" not in refreshed.json()
    machine = _token(sn, cert, grant_type="client_credentials")
    assert machine.status_code == 200
    sn.emulator.oauth.expire_all()
    assert httpx.get(url, headers=bearer, verify=cert).status_code == 401


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "password", "username": "admin", "password": "wrong"},
        {"grant_type": "refresh_token", "refresh_token": "nope"},
        {"grant_type": "password", "username": "admin", "password": "x", "client_secret": "bad"},
    ],
)
def test_oauth_refusals(sn: ServiceNowServer, cert: str, form: dict[str, str]) -> None:
    response = _token(sn, cert, **form)
    assert response.status_code == 401
    assert response.json() == {"error_description": "access_denied", "error": "server_error"}


def test_oauth_needs_a_form_body(sn: ServiceNowServer, cert: str) -> None:
    response = httpx.post(
        f"{sn.base_url}/oauth_token.do", json={"grant_type": "password"}, verify=cert
    )
    assert response.status_code == 400


@pytest.mark.parametrize("state", ["6", "7"])
def test_incident_data_policy(client: httpx.Client, state: str) -> None:
    created = client.post("/api/now/table/incident", json={"short_description": "dp"}).json()
    url = f"/api/now/table/incident/{created['result']['sys_id']}"
    refused = client.patch(url, json={"state": state})
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "message": "Operation Failed",
        "detail": "Data Policy Exception: \n\tThe following fields are mandatory: "
        "Resolution code, Close notes",
    }
    half = client.patch(url, json={"state": state, "close_code": "Solution provided"})
    assert half.json()["error"]["detail"].endswith("mandatory: Close notes")
    done = client.patch(
        url,
        params={"sysparm_exclude_reference_link": "true"},
        json={"state": state, "close_code": "Solution provided", "close_notes": "fixed"},
    )
    assert done.status_code == 200
    result = done.json()["result"]
    if state == "6":
        assert result["resolved_at"] and result["resolved_by"] and result["active"] == "true"
    else:
        assert result["closed_at"] and result["active"] == "false"
    assert client.post("/api/now/table/incident", json={"state": "6"}).status_code == 403


def test_data_policy_switch(client: httpx.Client, sn: ServiceNowServer) -> None:
    sn.state.incident_data_policy = False  # the fixture re-seeds (policy back on) after this
    created = client.post("/api/now/table/incident", json={"state": "6"})
    assert created.status_code == 201


def test_rate_limit_rule_headers_and_429(client: httpx.Client, sn: ServiceNowServer) -> None:
    sn.set_faults(rate_limit_per_hour=2, retry_after_seconds=30)
    ok = client.get("/api/now/table/sys_user_group")
    assert ok.headers["x-ratelimit-limit"] == "2"
    assert ok.headers["x-ratelimit-reset"].isdigit() and len(ok.headers["x-ratelimit-rule"]) == 32
    client.get("/api/now/table/sys_user_group")
    limited = client.get("/api/now/table/sys_user_group")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "30"
    assert limited.headers["x-ratelimit-limit"] == "2"
    assert limited.json() == {
        "error": {
            "message": "Rate limit exceeded",
            "detail": "Rate limit of 2 requests per hour for Table API exceeded",
        },
        "status": "failure",
    }
    assert sn.stats["responses_429"] == 1


def test_a_rule_may_omit_retry_after_and_have_a_short_window(
    client: httpx.Client, sn: ServiceNowServer
) -> None:
    sn.set_faults(rate_limit_per_hour=1, rate_window_seconds=5, omit_retry_after=True)
    before = time.time()
    ok = client.get("/api/now/table/sys_user_group")
    limited = client.get("/api/now/table/sys_user_group")
    assert ok.status_code == 200 and limited.status_code == 429
    assert "retry-after" not in limited.headers
    reset = int(limited.headers["x-ratelimit-reset"])
    assert reset == int(ok.headers["x-ratelimit-reset"])  # one window
    assert before + 5 <= reset <= time.time() + 6  # its end, rounded up to the second
    assert limited.json()["error"]["message"] == "Rate limit exceeded"
    for bad in ({"omit_retry_after": "yes"}, {"rate_window_seconds": 0}):
        assert client.post("/_emulator/faults", json=bad).status_code == 400


def test_injected_503_and_429(client: httpx.Client, sn: ServiceNowServer) -> None:
    sn.set_faults(error_503_ratio=1.0)
    assert client.get("/api/now/table/incident").status_code == 503
    sn.set_faults(error_503_ratio=0.0, error_429_ratio=1.0)
    limited = client.get("/api/now/table/incident")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    assert limited.headers["x-ratelimit-limit"] == "100"
    assert limited.headers["x-ratelimit-reset"].isdigit() and limited.headers["x-ratelimit-rule"]
    assert limited.json()["error"]["message"] == "Rate limit exceeded"
    sn.set_faults(error_429_ratio=0.0, overload_429_ratio=1.0)
    overloaded = client.get("/api/now/table/incident")
    assert overloaded.status_code == 429 and "retry-after" not in overloaded.headers
    assert "x-ratelimit-limit" not in overloaded.headers


def test_transaction_quota_cancels_big_pages(client: httpx.Client, sn: ServiceNowServer) -> None:
    sn.set_faults(quota_max_page_size=100)
    assert client.get("/api/now/table/incident", params={"sysparm_limit": "100"}).status_code == 200
    cancelled = client.get("/api/now/table/incident", params={"sysparm_limit": "101"})
    assert "Transaction cancelled: maximum execution time exceeded" in cancelled.text
    assert cancelled.status_code >= 400
    assert sn.stats["transactions_cancelled"] == 1


def test_drop_after_commit(sn: ServiceNowServer, client: httpx.Client) -> None:
    sn.set_faults(drop_after_commit_ratio=1.0)
    with pytest.raises(httpx.TransportError):
        client.post("/api/now/table/incident", json={"correlation_id": "dropped-1"})
    sn.set_faults(drop_after_commit_ratio=0.0)
    found = client.get(
        "/api/now/table/incident", params={"sysparm_query": "correlation_id=dropped-1"}
    )
    assert len(found.json()["result"]) == 1  # committed although the client saw no answer
    assert sn.stats["drops"] == 1


def test_latency_applies(sn: ServiceNowServer, client: httpx.Client) -> None:
    sn.set_faults(latency_ms=1)
    assert client.get("/api/now/table/sys_user_group").status_code == 200


def test_control_endpoints(sn: ServiceNowServer, client: httpx.Client) -> None:
    client.post("/api/now/table/incident", json={"short_description": "x"})
    stats = client.get("/_emulator/stats").json()
    assert stats["requests_by_route"]["POST /api/now/table/incident"] == 1
    assert stats["records_created"] == 1
    assert client.post("/_emulator/faults", json={"error_503_ratio": 2}).status_code == 400
    assert client.post("/_emulator/faults", json={"nope": 1}).status_code == 400
    changed = client.post("/_emulator/faults", json={"latency_ms": 5}).json()
    assert changed["latency_ms"] == 5.0 and client.get("/_emulator/faults").json() == changed
    reset = client.post("/_emulator/reset").json()
    assert reset["incident"] == len(sn.state.tables["incident"])
    assert client.get("/_emulator/stats").json()["requests_by_route"] == {}
    assert client.get("/_emulator/info").json()["username"] == "admin"


def test_concurrent_creates_get_unique_numbers(sn: ServiceNowServer, cert: str) -> None:
    auth = (sn.config.username, sn.config.password)
    created: list[str] = []

    def work() -> None:
        with httpx.Client(base_url=sn.base_url, auth=auth, verify=cert) as http:
            for _ in range(5):
                body = http.post("/api/now/table/incident", json={"short_description": "c"}).json()
                created.append(body["result"]["number"])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(created) == len(set(created)) == 20
