"""Cross-account isolation: every route, walked from the OpenAPI document, refuses another
account's objects with the same 404 an unknown id gets, and changes nothing.

New routes are covered without editing this file: their path parameters must name a kind of
object listed in ``OBJECT_PARAMS`` (the test fails otherwise), and bodies are generated from
the route's schema with the owner's object ids put into every id field.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.factories import Tenant, new_tenant
from ticketbridge.config import Settings
from ticketbridge.emulators.jira.server import EmulatorServer

# Path and query parameters that name one of the owner's objects -> key in `Owner.ids`.
OBJECT_PARAMS = {
    "key_id": "api_key",
    "org_id": "org",
    "connection_id": "connection",
    "ticket_id": "ticket",
    "identifier": "ticket_identifier",
    "project_id": "project",
    "projectId": "project",
    "user_id": "user",
    "assignedUserId": "user",
    "parentTicketId": "ticket",
    "job_id": "job",
}
# Vendor-side names: not ours, so another account may legitimately use them on its own site.
VENDOR_PARAMS = {"project_key": "ENG", "jql": "project = ENG"}
# Body fields that reference the owner's objects.
BODY_REFS = {
    "project_id": "project",
    "type_id": "issue_type",
    "assigned_user_id": "user",
    "parent_ticket_id": "ticket",
    "ticket_ids": "ticket",
}
# Bodies the schema alone cannot make valid (cross-field rules).
BODY_OVERRIDES: dict[str, dict[str, Any]] = {
    "update_ticket": {"name": "hijacked"},
    "bulk_update_tickets": {"ticket_ids": ["{ticket}"], "updates": {"name": "hijacked"}},
}
# Routes without X-API-KEY, checked on their own below.
UNAUTHENTICATED = {"jira_oauth_callback"}


class Owner:
    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        project = tenant.get("/v1/itsm/projects").json()["items"][0]
        # Synced tickets take the vendor key as identifier, the same for every account on
        # the site; this one's identifier is the owner's alone.
        created = tenant.post(
            "/v1/itsm/tickets",
            json={
                "name": "Owner's ticket",
                "project_id": project["id"],
                "type": "Task",
                "identifier": f"owner-{uuid.uuid4().hex}",
            },
        )
        assert created.status_code == 200, created.text
        ticket = created.json()
        self.ids: dict[str, str] = {
            "org": tenant.org_id,
            "connection": tenant.connection_id,
            "api_key": tenant.get("/v1/provisioning/api-keys").json()[0]["id"],
            "ticket": ticket["id"],
            "ticket_identifier": ticket["identifier"],
            "project": project["id"],
            "user": tenant.get("/v1/itsm/users").json()["items"][0]["id"],
            "issue_type": tenant.get(f"/v1/itsm/issue-types?projectId={project['id']}").json()[
                "items"
            ][0]["id"],
            "job": tenant.extra["first_sync"]["id"],
        }

    def snapshot(self) -> dict[str, Any]:
        """Everything the owner can see, minus what its own reads change."""
        t = self.tenant
        keys = [{**k, "last_used_at": None} for k in t.get("/v1/provisioning/api-keys").json()]
        return {
            "account": t.get("/v1/provisioning/account").json(),
            "api_keys": keys,
            "orgs": t.get("/v1/provisioning/organizations").json(),
            "connection": t.get(t.connection_path).json(),
            "jobs": t.get(f"{t.connection_path}/jobs").json(),
            "tickets": t.get("/v1/itsm/tickets?limit=1000").json(),
            "projects": t.get("/v1/itsm/projects").json(),
            "users": t.get("/v1/itsm/users?limit=1000").json(),
            "issue_types": t.get("/v1/itsm/issue-types?limit=1000").json(),
        }


def _vendor_snapshot(jira: EmulatorServer) -> list[tuple[str, str, str]]:
    return sorted((i.key, i.status_name, i.updated.isoformat()) for i in jira.state.issues.values())


@pytest.fixture(scope="module")
def site() -> Iterator[EmulatorServer]:
    with EmulatorServer(issues=25, users=4, projects=2) as server:
        yield server


@pytest.fixture(scope="module")
def openapi(http: httpx.Client) -> dict[str, Any]:
    document: dict[str, Any] = http.get("/openapi.json").json()
    return document


def _resolve(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _sample(schema: dict[str, Any], doc: dict[str, Any], refs: dict[str, str]) -> Any:
    """A minimal valid value for ``schema``, with the owner's ids in reference fields."""
    schema = _resolve(schema, doc)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, doc).get("type") != "null"]
            return _sample(options[0], doc, refs)
    if "allOf" in schema:
        return _sample(schema["allOf"][0], doc, refs)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        out = {name: _sample(props[name], doc, refs) for name in schema.get("required", [])}
        for name, ref in BODY_REFS.items():
            if name in props:
                out[name] = [refs[ref]] if name.endswith("_ids") else refs[ref]
        return out
    if kind == "array":
        return [_sample(schema.get("items", {}), doc, refs)] * max(1, schema.get("minItems", 1))
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "uuid":
            return str(uuid.uuid4())
        if fmt in ("uri", "url"):
            return "https://example.com/hook"
        if fmt == "date":
            return "2030-01-01"
        if fmt == "date-time":
            return "2030-01-01T00:00:00+00:00"
        return "x" * max(1, schema.get("minLength", 1))
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return {}


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path, op


def _request(
    method: str,
    path: str,
    op: dict[str, Any],
    doc: dict[str, Any],
    refs: dict[str, str],
    connection_id: str,
) -> tuple[str, dict[str, Any], dict[str, str], Any]:
    """Builds (url, query, headers, body) naming the objects in ``refs``."""
    query: dict[str, Any] = {}
    headers: dict[str, str] = {}
    for param in op.get("parameters", []):
        name, where = param["name"], param["in"]
        if where == "path":
            if name in VENDOR_PARAMS:
                value = VENDOR_PARAMS[name]
            else:
                assert name in OBJECT_PARAMS, f"{method} {path}: unknown object kind {name!r}"
                value = refs[OBJECT_PARAMS[name]]
            path = path.replace("{" + name + "}", value)
        elif where == "query":
            if name in OBJECT_PARAMS:
                query[name] = refs[OBJECT_PARAMS[name]]
            elif name in VENDOR_PARAMS:
                query[name] = VENDOR_PARAMS[name]
            elif param.get("required"):
                query[name] = _sample(param["schema"], doc, refs)
    if _needs_connection(op):
        headers["X-CONNECTION-ID"] = connection_id
    body = None
    if "requestBody" in op:
        override = BODY_OVERRIDES.get(op["operationId"])
        if override is not None:
            body = _fill(copy.deepcopy(override), refs)
        else:
            schema = op["requestBody"]["content"]["application/json"]["schema"]
            body = _sample(schema, doc, refs)
    return path, query, headers, body


def _fill(value: Any, refs: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return refs[value[1:-1]]
    if isinstance(value, list):
        return [_fill(v, refs) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, refs) for k, v in value.items()}
    return value


def _needs_connection(op: dict[str, Any]) -> bool:
    """X-CONNECTION-ID is a security scheme of the operation (``ConnectionId``)."""
    return any("ConnectionId" in requirement for requirement in op.get("security", []))


def _targets_objects(op: dict[str, Any]) -> bool:
    return _needs_connection(op) or any(p["in"] == "path" for p in op.get("parameters", []))


def send(
    route: tuple[str, str, dict[str, Any]], caller: Tenant, refs: dict[str, str], connection: str
) -> httpx.Response:
    method, template, op = route
    doc = caller.extra["openapi"]
    path, query, headers, body = _request(method, template, op, doc, refs, connection)
    headers = {"X-API-KEY": caller.api_key, **headers}
    return caller.http.request(method, path, params=query, headers=headers, json=body)


def test_another_account_gets_404_for_every_route_and_changes_nothing(
    http: httpx.Client, settings: Settings, site: EmulatorServer, openapi: dict[str, Any]
) -> None:
    owner = Owner(new_tenant(http, settings, site))
    intruder = new_tenant(http, settings, site)
    intruder.extra["openapi"] = openapi
    strangers = {k: str(uuid.uuid4()) for k in owner.ids}
    strangers["ticket_identifier"] = "no-such-identifier"
    before, vendor_before = owner.snapshot(), _vendor_snapshot(site)
    walked = 0

    for method, template, op in _operations(openapi):
        if op["operationId"] in UNAUTHENTICATED:
            continue
        walked += 1
        route = (method, template, op)

        # 1. The owner's objects (and connection) under the intruder's key.
        theirs = send(route, intruder, owner.ids, owner.ids["connection"])
        label = f"{method} {template}"
        assert theirs.status_code != 500, (label, theirs.text)
        for secret in owner.ids.values():
            assert secret not in theirs.text, (label, theirs.text)
        if _targets_objects(op):
            assert theirs.status_code == 404, (label, theirs.status_code, theirs.text)
            # Existence is not disclosed: the answer is the one an unknown id gets.
            unknown = send(route, intruder, strangers, strangers["connection"])
            assert (unknown.status_code, unknown.json()) == (404, theirs.json()), label
        else:
            assert theirs.status_code < 300, (label, theirs.status_code, theirs.text)

        # 2. The intruder's own connection, pointing at the owner's objects.
        if template.startswith("/v1/itsm/"):
            mine = send(route, intruder, owner.ids, intruder.connection_id)
            assert mine.status_code != 500, (label, mine.text)
            for secret in owner.ids.values():
                assert secret not in mine.text, (label, mine.text)
            if any(
                p["in"] == "path" and p["name"] in OBJECT_PARAMS for p in op.get("parameters", [])
            ):
                assert mine.status_code == 404, (label, mine.status_code, mine.text)
            elif mine.status_code == 202:
                job = intruder.wait_job(mine.json()["job_id"])
                assert job["status"] == "FAILED", (label, job)
                assert (job["failure_reason"] or {}).get("succeeded", 0) == 0, (label, job)
            elif mine.status_code == 200 and "succeeded" in mine.json():
                assert mine.json()["succeeded"] == 0, (label, mine.text)
            else:
                assert mine.status_code in (200, 404, 422), (label, mine.status_code, mine.text)

    assert walked >= 30, walked
    # The owner's key still works and sees exactly what it saw before.
    assert owner.snapshot() == before
    assert _vendor_snapshot(site) == vendor_before


def test_the_oauth_callback_does_not_reveal_or_touch_connections(
    http: httpx.Client, openapi: dict[str, Any]
) -> None:
    assert {op["operationId"] for _, _, op in _operations(openapi)} >= UNAUTHENTICATED
    response = http.get("/v1/oauth/jira/callback", params={"code": "c", "state": "guess"})
    assert response.status_code == 404
