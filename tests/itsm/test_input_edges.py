"""Bad input at the edges of the ITSM API is a clean 422 naming the field, never a 500.

The reproductions of issue 11 ("Bad input never yields a 500"), each against the real API
with the emulator as the vendor. A 500 also made the server drop the keep-alive connection,
so the cursor cases are sent over one raw connection that must survive them all.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.support.factories import Tenant, new_tenant
from tests.support.keepalive import KeepAlive
from ticketbridge.emulators.jira.server import EmulatorServer

LISTS = ["/v1/itsm/tickets", "/v1/itsm/projects", "/v1/itsm/users", "/v1/itsm/issue-types"]
TASK = {"project_vendor_id": "ENG", "type": "Task"}


@pytest.fixture(scope="module")
def tenant(http, settings, jira: EmulatorServer) -> Tenant:
    return new_tenant(http, settings, jira)


def _b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED_CURSORS = [
    _b64({"d": "n", "k": 1}),
    _b64({"d": "n", "k": {"a": 1}}),
    _b64({"d": "n", "k": [1]}),
    _b64({"d": "n", "k": 1.5}),
    _b64({"d": "n", "k": True}),
    _b64({"d": "n", "k": None}),
    _b64({"d": ["n"], "k": "0190c3c0-0000-7000-8000-000000000000"}),
    _b64({"d": {"n": 1}, "k": "0190c3c0-0000-7000-8000-000000000000"}),
    _b64({"d": 1, "k": "0190c3c0-0000-7000-8000-000000000000"}),
    _b64({"d": "n", "k": "not-a-uuid"}),
    _b64({"d": "n"}),
    _b64([1, 2]),
    _b64("text"),
    _b64(1),
    _b64(b"\xff\xfe"),
    _b64(b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]"),
    "%%%",
    "é",
    "a",
]


def test_forged_cursors_are_422_on_every_list_and_keep_the_connection(api, tenant: Tenant) -> None:
    with KeepAlive(api.base_url, tenant.headers) as conn:
        for path in LISTS:
            for cursor in FORGED_CURSORS:
                status, body = conn.get(path, {"cursor": cursor})
                assert status == 422, (path, cursor, status, body)
                assert body["field"] == "cursor" and body["detail"] == "Invalid cursor"
        assert conn.reused, "the server dropped the keep-alive connection"


def test_forged_passthrough_cursor_is_the_vendors_400_not_a_5xx(api, tenant: Tenant) -> None:
    with KeepAlive(api.base_url, tenant.headers) as conn:
        for cursor in FORGED_CURSORS:
            status, body = conn.get(
                "/v1/itsm/passthrough/tickets/search", {"jql": "project = ENG", "cursor": cursor}
            )
            assert status == 400, (cursor, status, body)
            assert body["code"] == "VENDOR_BAD_QUERY"
        assert conn.reused


@pytest.mark.parametrize("path", ["/v1/itsm/tickets", "/v1/itsm/users"])
def test_updated_since_without_offset_is_read_as_utc(tenant: Tenant, path: str) -> None:
    every = tenant.get(path, params={"limit": 1000}).json()["items"]
    for given, same_as in [
        ("2026-01-01", "2026-01-01T00:00:00Z"),
        ("2026-01-01T10:30", "2026-01-01T10:30:00+00:00"),
        ("2026-01-01T10:30:00", "2026-01-01T12:30:00+02:00"),
        ("2000-01-01 00:00:00", "2000-01-01T00:00:00Z"),
    ]:
        a = tenant.get(path, params={"updatedSince": given, "limit": 1000})
        b = tenant.get(path, params={"updatedSince": same_as, "limit": 1000})
        assert a.status_code == 200, a.text
        assert a.json()["items"] == b.json()["items"]
    assert tenant.get(path, params={"updatedSince": "2000-01-01"}).json()["items"] == every[:100]
    assert tenant.get(path, params={"updatedSince": "9999-12-31"}).json()["items"] == []


@pytest.mark.parametrize("path", ["/v1/itsm/tickets", "/v1/itsm/users"])
@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2026-13-01",
        "2026-02-30",
        "2026-01-01T25:00",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "2026-01-01T00:00:00+99:99",
        "１２３４-01-01",
        "1700000000",
        "",
    ],
)
def test_updated_since_malformed_is_422_naming_it(tenant: Tenant, path: str, value: str) -> None:
    r = tenant.get(path, params={"updatedSince": value})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["query", "updatedSince"]


def _post_raw(tenant: Tenant, path: str, raw: bytes) -> Any:
    headers = {"Content-Type": "application/json"}
    return tenant.post(path, content=raw, headers=headers)


def _ticket_json(custom_fields: str = "null", tags: str = "null") -> bytes:
    return (
        f'{{"name": "edge", "project_vendor_id": "ENG", "type": "Task", '
        f'"custom_fields": {custom_fields}, "tags": {tags}}}'
    ).encode()


# (custom_fields as raw JSON text, what the answer must name)
HOSTILE_FIELDS = [
    ('{"customfield_1": 18446744073709551616}', "custom_fields.customfield_1"),
    ('{"customfield_1": -9223372036854775809}', "custom_fields.customfield_1"),
    ('{"customfield_1": ' + "[" * 300 + "]" * 300 + "}", "nests deeper"),
    ('{"a\\ud800": 1}', "custom_fields.a\\\\ud800"),
    ('{"customfield_1": "\\udc00"}', "custom_fields.customfield_1"),
    ('{"customfield_1": NaN}', "custom_fields.customfield_1"),
    ('{"customfield_1": Infinity}', "custom_fields.customfield_1"),
    ('{"customfield_1": -Infinity}', "custom_fields.customfield_1"),
    ('{"customfield_1": {"x": [1e999]}}', "custom_fields.customfield_1.x[0]"),
    ('{"": 1}', "custom_fields"),
]


def _named(response: Any, needle: str) -> bool:
    body = response.json()
    text = json.dumps(body)
    return needle in text or needle.replace("\\\\", "\\") in text


@pytest.mark.parametrize(("fields", "named"), HOSTILE_FIELDS)
def test_hostile_custom_fields_are_422_on_every_create_and_nothing_reaches_jira(
    tenant: Tenant, jira: EmulatorServer, fields: str, named: str
) -> None:
    before = len(jira.state.issues)
    one = _ticket_json(fields)
    many = b'{"tickets": [' + _ticket_json() + b", " + one + b"]}"
    for path, raw in [
        ("/v1/itsm/tickets", one),
        ("/v1/itsm/tickets/bulk/sync", many),
        ("/v1/itsm/tickets/bulk", many),
    ]:
        r = _post_raw(tenant, path, raw)
        assert r.status_code == 422, (path, r.status_code, r.text)
        assert _named(r, named), (path, r.text)
    assert len(jira.state.issues) == before


def test_lone_surrogate_in_tags_or_name_is_422_naming_the_field(
    tenant: Tenant, jira: EmulatorServer
) -> None:
    before = len(jira.state.issues)
    r = _post_raw(tenant, "/v1/itsm/tickets", _ticket_json(tags='["ok", "a\\ud800"]'))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "tags[1]" and "surrogate" in r.json()["detail"]
    many = b'{"tickets": [' + _ticket_json() + b", " + _ticket_json(tags='["\\udfff"]') + b"]}"
    r = _post_raw(tenant, "/v1/itsm/tickets/bulk", many)
    assert r.status_code == 422 and r.json()["field"] == "tickets[1].tags[0]", r.text
    r = _post_raw(tenant, "/v1/provisioning/organizations", b'{"name": "x\\ud83d"}')
    assert r.status_code == 422 and r.json()["field"] == "name", r.text
    assert len(jira.state.issues) == before
    # A surrogate pair is a character like any other; an escaped backslash is text.
    r = _post_raw(tenant, "/v1/itsm/tickets", _ticket_json(tags='["\\ud83d\\ude00", "\\\\ud800"]'))
    assert r.status_code == 200, r.text
    assert r.json()["tags"] == ["\U0001f600", "\\ud800"]


NORMALIZED_JIRA_FIELDS = "project summary issuetype description parent assignee labels duedate"


@pytest.mark.parametrize("key", [*NORMALIZED_JIRA_FIELDS.split(), "priority"])
def test_custom_fields_may_not_override_normalized_fields(
    tenant: Tenant, jira: EmulatorServer, key: str
) -> None:
    before = len(jira.state.issues)
    entry = {"name": "override", **TASK, "custom_fields": {key: {"key": "OPS"}}}
    r = tenant.post("/v1/itsm/tickets", json=entry)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == f"custom_fields.{key}" and repr(key) in r.json()["detail"]
    for path in ("/v1/itsm/tickets/bulk", "/v1/itsm/tickets/bulk/sync"):
        r = tenant.post(path, json={"tickets": [{"name": "fine", **TASK}, entry]})
        assert r.status_code == 422, r.text
        assert r.json()["field"] == f"tickets[1].custom_fields.{key}"
    assert len(jira.state.issues) == before


def test_custom_fields_that_are_fine_still_reach_jira(tenant: Tenant) -> None:
    fields = {"customfield_10020": {"nested": [1, 2.5, "x", None, True, 2**63 - 1]}}
    r = tenant.post("/v1/itsm/tickets", json={"name": "custom ok", **TASK, "custom_fields": fields})
    assert r.status_code == 200, r.text
    custom = r.json()["vendor_attributes"]["data"]["customFields"]
    assert custom["customfield_10020"] == fields["customfield_10020"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"[" * 1000 + b"]" * 1000, "it nests too deeply"),
        (b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}", "it nests too deeply"),
        (b'{"name": "\xff\xfe"}', "it is not valid UTF-8"),
    ],
)
def test_unparseable_bodies_are_422_in_the_contract_shape(
    tenant: Tenant, raw: bytes, reason: str
) -> None:
    for path in ("/v1/itsm/tickets", "/v1/itsm/tickets/bulk", "/v1/provisioning/organizations"):
        r = _post_raw(tenant, path, raw)
        assert r.status_code == 422, (path, r.text)
        assert r.json() == {
            "detail": f"The request body could not be read: {reason}",
            "code": "INVALID_JSON",
        }


def test_broken_json_is_422(tenant: Tenant) -> None:
    r = _post_raw(tenant, "/v1/itsm/tickets", b'{"name": ')
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "json_invalid"
