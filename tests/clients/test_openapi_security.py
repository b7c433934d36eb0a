"""The OpenAPI document declares how to authenticate, and auth answers as it always did."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.factories import Tenant
from ticketbridge.app import create_app

METHODS = ("get", "put", "post", "delete", "patch")
UNAUTHENTICATED = {"jira_oauth_callback"}  # the vendor's browser redirect, no key


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


@pytest.mark.store_independent
def test_every_operation_declares_its_security_schemes_and_401() -> None:
    document = create_app().openapi()
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-KEY",
        "description": "Your API key",
    }
    assert schemes["ConnectionId"]["in"] == "header"
    assert schemes["ConnectionId"]["name"] == "X-CONNECTION-ID"
    ids = []
    for method, path, op in _operations(document):
        ids.append(op["operationId"])
        if op["operationId"] in UNAUTHENTICATED:
            assert "security" not in op
            continue
        # One requirement naming every header the operation needs (both, not either).
        assert len(op["security"]) == 1, (method, path)
        needed = set(op["security"][0])
        if path.startswith("/v1/itsm/"):
            assert needed == {"ApiKey", "ConnectionId"}, (method, path)
        else:
            assert needed == {"ApiKey"}, (method, path)
        assert "401" in op["responses"], (method, path)
        assert op["responses"]["401"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        if "requestBody" in op:
            assert "413" in op["responses"], (method, path)
    # Stable, explicit ids (FastAPI's generated ones end in the method: `..._get`).
    assert len(ids) == len(set(ids))
    assert not [i for i in ids if i.endswith(("_get", "_post", "_patch", "_delete"))]
    assert document["components"]["schemas"]["Error"]["required"] == ["detail", "code"]


def test_auth_answers_are_unchanged(make_tenant: Any) -> None:
    tenant: Tenant = make_tenant()
    http = tenant.http
    missing = http.get("/v1/itsm/tickets")
    assert missing.status_code == 401
    assert missing.json() == {"detail": "Invalid API key", "code": "UNAUTHORIZED"}
    wrong = http.get("/v1/itsm/tickets", headers={"X-API-KEY": "tb_" + "x" * 43})
    assert wrong.status_code == 401 and wrong.json()["code"] == "UNAUTHORIZED"
    no_connection = http.get("/v1/itsm/tickets", headers={"X-API-KEY": tenant.api_key})
    assert no_connection.status_code == 422
    assert no_connection.json() == {
        "detail": [
            {"loc": ["header", "x-connection-id"], "msg": "Field required", "type": "missing"}
        ],
        "code": "VALIDATION_ERROR",
    }
    empty = http.get(
        "/v1/itsm/tickets", headers={"X-API-KEY": tenant.api_key, "X-CONNECTION-ID": ""}
    )
    assert empty.status_code == 404 and empty.json()["code"] == "NOT_FOUND"
    assert tenant.get("/v1/itsm/tickets", params={"limit": 1}).status_code == 200
