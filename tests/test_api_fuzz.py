"""Schema-driven fuzzing of our own API: no input may produce a 5xx.

Every operation in /openapi.json gets generated requests, valid and invalid (schemathesis
strategies driven by hypothesis), sent with a real account's key and connection; the vendor
behind it is the emulator. The pytest plugin of schemathesis does not load under pytest 9,
so the strategies are driven directly.
"""

from __future__ import annotations

import base64
import json
import uuid
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.support.factories import Tenant, new_tenant
from tests.support.keepalive import KeepAlive
from ticketbridge.app import create_app

VENDOR_STATUSES = {502, 503, 504}  # legitimate vendor-side answers, not crashes


@pytest.fixture(scope="module")
def fuzz_tenant(http, settings, jira) -> Tenant:
    return new_tenant(http, settings, jira)


def test_no_input_gives_a_server_error(api, fuzz_tenant: Tenant) -> None:
    schema = schemathesis.openapi.from_url(f"{api.base_url}/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=5,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case) -> None:
                headers = {**(case.headers or {}), **fuzz_tenant.headers}
                response = case.call(base_url=api.base_url, headers=headers, timeout=60)
                if response.status_code >= 500 and response.status_code not in VENDOR_STATUSES:
                    failures.append(
                        f"{case.method} {case.formatted_path} {case.query} -> "
                        f"{response.status_code}: {response.text[:300]}"
                    )

            try:
                run()
            except Unsatisfiable:  # nothing invalid to generate (no parameters)
                assert mode is GenerationMode.NEGATIVE
    assert not failures, "\n".join(failures[:20])


# --- A corpus of hostile inputs, sent to every operation of the OpenAPI document --------
#
# Generated cases explore the schema; this corpus holds the inputs real integrations send
# by mistake (or on purpose): forged cursors, dates without offsets, numbers JSON cannot
# hold, lone surrogates, nesting past every parser's limit, invalid UTF-8 and percent
# escapes, odd headers and content types. Every answer must be below 500 and the server
# must keep the keep-alive connection (a 500 from an unhandled exception closes it).

PATH_VALUES = [
    "0",
    "-1",
    "x",
    "9" * 40,
    "00000000-0000-0000-0000-000000000000",
    "0190c3c0-0000-7000-8000-000000000000",
    "%2e%2e",
    "..%2F..%2Fx",
    "%ED%A0%80",  # a surrogate's UTF-8 bytes: invalid UTF-8
    "%FF",
    "%C3%A9",
    "a%20b",
    "%F0%9D%94%98",
    "%27%3B--",
    "%7B%7D",
    "%E2%80%8B",
    "x" * 3000,
]


def _b64(value: object) -> str:
    raw = json.dumps(value).encode()
    return quote(base64.urlsafe_b64encode(raw).decode().rstrip("="))


QUERY_VALUES = [
    "",
    "-1",
    "0",
    "1e999",
    "NaN",
    "9" * 60,
    "true",
    "%5B%5D",
    "%7B%7D",
    "%ED%A0%80",
    "%FF",
    "x" * 5000,
    "2026-01-01",
    "2026-01-01T10%3A00",
    "2026-13-45",
    "0001-01-01T00%3A00%3A00%2B01%3A00",
    "%20",
    "a%2Cb",
    "%E2%80%8B",
    _b64({"d": "n", "k": 1}),
    _b64({"d": "n", "k": {"a": 1}}),
    _b64({"d": "n", "k": [1]}),
    _b64({"d": "n", "k": 1.5}),
    _b64({"d": "n", "k": True}),
    _b64({"d": 1, "k": "0190c3c0-0000-7000-8000-000000000000"}),
]

HEADER_VALUES = {
    "X-API-KEY": ["", "x", "tb_" + "x" * 500, "tb_\xe9\xff"],
    "X-CONNECTION-ID": ["", "x", "0190c3c0-0000-7000-8000-000000000000", "\xe9", "9" * 300],
    "Idempotency-Key": ["", "k" * 1000, "\xe9\xff"],
}
CONTENT_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json; charset=utf-16",
    "application/merge-patch+json",
]

RAW_BODIES = [
    b"",
    b"null",
    b"[]",
    b"{}",
    b"1",
    b'"x"',
    b"{",
    b'{"a": 1} x',
    b"[" * 1000 + b"]" * 1000,
    b'{"x": ' + b"[" * 300 + b"]" * 300 + b"}",
    b"\xff\xfe",
    b'{"x": "\\ud800"}',
    b'{"\\udc00": 1}',
    b'{"x": NaN}',
    b'{"x": 1e999}',
    b'{"x": ' + b"9" * 5000 + b"}",
]


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_VALUES: list[object] = [
    None,
    -1,
    2**64,
    float("nan"),
    "",
    "x" * 70_000,
    [],
    {},
    _nested(300),
    "a\ud800",
    {"a": {"b": [2**70]}},
    {"summary": "x", "project": {"key": "OPS"}},
    {"\ud800": 1},
]

# A valid body to put each hostile value into, so validators past the first are reached.
TICKET_SEED = {"name": "fuzz", "project_vendor_id": "ENG", "type": "Task"}
SEEDS: dict[str, dict[str, object]] = {
    "TicketCreate": TICKET_SEED,
    "TicketUpdate": {"name": "fuzz"},
    "OrganizationCreate": {"name": "fuzz"},
}


def _encode(body: object) -> bytes:
    # json.dumps writes NaN/Infinity and escapes lone surrogates as \udXXX: what clients send.
    return json.dumps(body).encode()


def _schema_properties(spec: dict, ref: dict) -> tuple[str, dict]:
    name = ref.get("$ref", "").rsplit("/", 1)[-1]
    schema = spec["components"]["schemas"].get(name, {})
    return name, schema.get("properties", {})


def _bodies(spec: dict, ref: dict) -> list[bytes]:
    name, properties = _schema_properties(spec, ref)
    bodies = list(RAW_BODIES)
    if name == "BulkCreate":  # the entries are TicketCreate bodies
        _, entry = _schema_properties(spec, {"$ref": "#/TicketCreate"})
        for prop in entry:
            for value in HOSTILE_VALUES:
                bad = {**TICKET_SEED, prop: value}
                bodies.append(_encode({"tickets": [TICKET_SEED, bad]}))
        return bodies
    seed = SEEDS.get(name, {})
    for prop in properties:
        for value in HOSTILE_VALUES:
            bodies.append(_encode({**seed, prop: value}))
    return bodies


def _cases(spec: dict, tenant: Tenant) -> list[tuple[str, str, bytes | None, dict[str, str]]]:
    """(method, target, body, extra headers) for every operation."""
    real = {"org_id": tenant.org_id, "connection_id": tenant.connection_id}
    cases: list[tuple[str, str, bytes | None, dict[str, str]]] = []
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            method = method.upper()
            params = operation.get("parameters", [])
            path_names = [p["name"] for p in params if p["in"] == "path"]
            query_names = [p["name"] for p in params if p["in"] == "query"]
            required = "&".join(
                f"{p['name']}=project%20%3D%20ENG"
                for p in params
                if p["in"] == "query" and p.get("required")
            )
            # Writes never address a real object with hostile input, only reads and
            # bodies do (a DELETE on the tenant's own connection would end the test).
            usable = dict(real) if method != "DELETE" else {}
            base = template
            for name in path_names:
                base = base.replace("{" + name + "}", usable.get(name, str(uuid.uuid4())))
            for name in path_names:
                for value in PATH_VALUES:
                    target = template
                    for other in path_names:
                        filler = value if other == name else usable.get(other, "x")
                        target = target.replace("{" + other + "}", filler)
                    cases.append((method, f"{target}?{required}", None, {}))
            for name in query_names:
                for value in QUERY_VALUES:
                    query = "&".join(q for q in (required, f"{name}={value}") if q)
                    cases.append((method, f"{base}?{query}", None, {}))
            cases.append((method, f"{base}?{required}&limit=1&limit=x&unknown=%FF", None, {}))
            for header, values in HEADER_VALUES.items():
                cases += [(method, f"{base}?{required}", None, {header: v}) for v in values]
            ref = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema")
            )
            if ref is None:
                continue
            for content_type in CONTENT_TYPES:
                cases.append((method, base, b"{}", {"Content-Type": content_type}))
            cases += [(method, base, body, {}) for body in _bodies(spec, ref)]
    return cases


def test_hostile_inputs_on_every_operation_give_no_5xx_and_keep_the_connection(
    api, settings, fuzz_tenant: Tenant
) -> None:
    spec = create_app(settings).openapi()
    cases = _cases(spec, fuzz_tenant)
    operations = sum(len(ops) for ops in spec["paths"].values())
    assert operations > 30 and len(cases) > 2000
    failures: list[str] = []
    with KeepAlive(api.base_url, fuzz_tenant.headers) as conn:
        for method, target, body, headers in cases:
            status, answer = conn.send(method, target, body, headers)
            if status >= 500:
                failures.append(
                    f"{method} {target[:150]} {body!r:.120} -> {status} {answer!r:.300}"
                )
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:30])
    assert not conn.dropped_after, "connection dropped after:\n" + "\n".join(
        conn.dropped_after[:30]
    )
