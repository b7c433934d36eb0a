"""Database round trips of the write path (issue 16): a create naming its project and type
resolves both with one query, and storing vendor tickets reads the existing rows and the
identifiers in use with one query. Counted as statements the engine sends, on the test store."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, event

from tests.support.factories import Tenant, new_tenant
from tests.support.stores import with_context
from ticketbridge.errors import NotFound
from ticketbridge.itsm.tickets import repository, service, writes
from ticketbridge.itsm.tickets.schemas import TicketCreate
from ticketbridge.provisioning.models import Connection


@pytest.fixture(scope="module")
def tenant(http: Any, settings: Any, jira: Any) -> Tenant:
    return new_tenant(http, settings, jira)


def _run(settings: Any, tenant: Tenant, work: Any) -> tuple[Any, list[str]]:
    """``await work(session, connection)``, and the SELECTs it sent."""

    async def run(ctx: Any) -> tuple[Any, list[str]]:
        sent: list[str] = []

        def count(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
            sent.append(statement)

        async with ctx.sessionmaker() as session:
            connection = await session.get(Connection, uuid.UUID(tenant.connection_id))
            event.listen(ctx.engine.sync_engine, "before_cursor_execute", count)
            try:
                result = await work(session, connection)
            except Exception as exc:  # returned, so the caller sees what was sent too
                result = exc
            finally:
                event.remove(ctx.engine.sync_engine, "before_cursor_execute", count)
        return result, [s for s in sent if s.lstrip().upper().startswith("SELECT")]

    outcome: tuple[Any, list[str]] = with_context(settings, run)
    return outcome


def _project(tenant: Tenant, key: str = "ENG") -> dict[str, Any]:
    projects = tenant.get("/v1/itsm/projects").json()["items"]
    return next(p for p in projects if p["vendor_id"] == key)


def _type(tenant: Tenant, project_id: str, name: str) -> dict[str, Any]:
    types = tenant.get("/v1/itsm/issue-types", params={"projectId": project_id}).json()["items"]
    return next(t for t in types if t["name"] == name)


def test_project_and_type_name_resolve_in_one_query(tenant: Tenant, settings: Any) -> None:
    project = _project(tenant)
    task = _type(tenant, project["id"], "Task")
    body = TicketCreate(name="x", project_id=project["id"], type="tASK")  # case-insensitive

    async def resolve(session: Any, connection: Connection) -> Any:
        return await writes.resolve_draft(
            session, connection, body, service.Mappings.of(connection)
        )

    draft, selects = _run(settings, tenant, resolve)
    assert (draft.project_vendor_id, draft.type_vendor_id, draft.type_name) == (
        "ENG",
        task["vendor_id"],
        None,
    )
    assert len(selects) == 1, selects


def test_unknown_type_name_is_left_to_the_vendor_and_unknown_project_is_404(
    tenant: Tenant, settings: Any
) -> None:
    project = _project(tenant)
    body = TicketCreate(name="x", project_id=project["id"], type="No such type")

    async def resolve(session: Any, connection: Connection) -> Any:
        return await writes.resolve_draft(
            session, connection, body, service.Mappings.of(connection)
        )

    draft, selects = _run(settings, tenant, resolve)
    assert (draft.type_vendor_id, draft.type_name) == (None, "No such type")
    assert len(selects) == 1

    body = TicketCreate(name="x", project_id=str(uuid.uuid4()), type="Task")
    error, _ = _run(settings, tenant, resolve)
    assert isinstance(error, NotFound) and error.extra["field"] == "project_id"


def test_stored_rows_and_identifiers_in_use_read_in_one_query(
    tenant: Tenant, settings: Any
) -> None:
    stored = tenant.get("/v1/itsm/tickets", params={"limit": 2}).json()["items"]
    first, second = stored
    first_internal = first["vendor_attributes"]["data"]["id"]
    second_internal = second["vendor_attributes"]["data"]["id"]

    async def read(session: Any, connection: Connection) -> Any:
        return await repository.for_storing(
            session,
            connection.id,
            [first_internal, "no-such-id"],
            [second["identifier"], "a-free-identifier"],
        )

    (rows, owners), selects = _run(settings, tenant, read)
    assert {k: str(t.id) for k, t in rows.items()} == {first_internal: first["id"]}
    assert owners == {second["identifier"]: second_internal}
    assert len(selects) == 1


def test_bulk_sync_looks_its_project_and_type_up_once(tenant: Tenant) -> None:
    """Resolving the entries and storing the created tickets share one cache: the project
    (with its types) is read once for the whole request, not again when storing."""
    project = _project(tenant)
    pid = uuid.UUID(project["id"])
    sent: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        values = params.values() if isinstance(params, dict) else params or ()
        if any(str(v) in (str(pid), pid.hex) for v in values):
            sent.append(statement)

    event.listen(Engine, "before_cursor_execute", count)  # the API server's engine too
    try:
        entries = [{"name": f"once {i}", "project_id": str(pid), "type": "Task"} for i in range(3)]
        r = tenant.post("/v1/itsm/tickets/bulk/sync", json={"tickets": entries})
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert r.status_code == 200, r.text
    assert all(item["success"] for item in r.json()["results"]), r.text
    reads = [s for s in sent if "FROM projects" in s or "FROM issue_types" in s]
    assert len(reads) == 1, reads
