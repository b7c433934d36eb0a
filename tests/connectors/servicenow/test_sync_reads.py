"""Sync reads against the emulator: full and incremental pages by keyset, stable while
records change, counts, id scans and deletions, groups, tables and users."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.connectors.servicenow.support import connector_to
from ticketbridge.emulators.servicenow.server import ServiceNowServer

pytestmark = pytest.mark.store_independent
AUDIT = "GET /api/now/table/sys_audit_delete"


def _http(sn: ServiceNowServer) -> httpx.Client:
    return httpx.Client(base_url=sn.base_url, auth=(sn.config.username, sn.config.password))


async def test_full_then_incremental(sn: ServiceNowServer) -> None:
    everything = set(sn.state.tables["incident"])
    async with connector_to(sn) as connector:
        assert await connector.count_tickets(None, None) == len(everything)
        pages = [page async for page in connector.iter_tickets(None, None)]
        assert {t.internal_id for p in pages for t in p} == everything
        stamps = [(t.updated_at, t.internal_id) for p in pages for t in p]
        assert stamps == sorted(stamps)  # sys_updated_on, sys_id
        mark = datetime.now(UTC)
        with _http(sn) as http:
            sys_id = sorted(everything)[0]
            r = http.patch(f"/api/now/table/incident/{sys_id}", json={"short_description": "new"})
            assert r.status_code == 200
        recent = [t async for p in connector.iter_tickets(mark, None) for t in p]
        assert sys_id in {t.internal_id for t in recent}
        assert len(recent) < len(everything)  # only the overlap before the mark
        assert await connector.count_tickets(mark, None) == len(recent)


async def test_pages_stay_stable_when_records_change_between_pages(sn: ServiceNowServer) -> None:
    everything = set(sn.state.tables["incident"])
    seen: list[str] = []
    async with connector_to(sn) as connector:
        connector.page_size = 20
        with _http(sn) as http:
            async for page in connector.iter_tickets(None, None):
                if not seen:  # move records not read yet to the end, and one already read
                    ahead = [k for k in everything if k not in {t.internal_id for t in page}][:15]
                    for sys_id in [*ahead, page[0].internal_id]:
                        http.patch(f"/api/now/table/incident/{sys_id}", json={"impact": "1"})
                seen += [t.internal_id for t in page]
    assert set(seen) == everything  # none skipped (changed ones may come twice)


async def test_project_filter_and_id_scan(sn: ServiceNowServer) -> None:
    group_id, group = next(iter(sn.state.tables["sys_user_group"].items()))
    mine = {k for k, r in sn.state.tables["incident"].items() if r["assignment_group"] == group_id}
    assert mine
    async with connector_to(sn) as connector:
        connector.page_size = 25
        by_id = [t.internal_id async for p in connector.iter_tickets(None, [group_id]) for t in p]
        by_name = [
            t.internal_id async for p in connector.iter_tickets(None, [group["name"]]) for t in p
        ]
        assert set(by_id) == set(by_name) == mine
        ids = [i async for chunk in connector.iter_ticket_ids(None) for i in chunk]
        assert sorted(ids) == sorted(sn.state.tables["incident"])


async def test_deletions_from_the_audit(sn: ServiceNowServer) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    victim = next(iter(sn.state.tables["incident"]))
    async with connector_to(sn) as connector:
        before = sn.stats["requests_by_route"].get(AUDIT, 0)
        assert await connector.deleted_ticket_ids(since) == []
        assert sn.stats["requests_by_route"][AUDIT] == before + 1  # none: one counted call
        with _http(sn) as http:
            assert http.delete(f"/api/now/table/incident/{victim}").status_code == 204
        assert await connector.deleted_ticket_ids(since) == [victim]
        ids = {i async for chunk in connector.iter_ticket_ids(None) for i in chunk}
        assert victim not in ids
        # Older than the mark minus the overlap: not asked for.
        assert await connector.deleted_ticket_ids(datetime.now(UTC) + timedelta(minutes=5)) == []


async def test_deletions_only_of_the_connections_tables_and_not_restored(
    sn: ServiceNowServer,
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    incident, again = sorted(sn.state.tables["incident"])[:2]
    problem = next(iter(sn.state.tables["problem"]))
    with _http(sn) as http:
        for table, sys_id in (("incident", incident), ("problem", problem), ("incident", again)):
            assert http.delete(f"/api/now/table/{table}/{sys_id}").status_code == 204
        # Restored under its sys_id (as an undelete does): not deleted any more.
        r = http.post(
            "/api/now/table/incident", json={"sys_id": again, "short_description": "back"}
        )
        assert r.status_code == 201, r.text
    async with connector_to(sn) as connector:
        assert await connector.deleted_ticket_ids(since) == [incident]
    async with connector_to(sn, options={"tables": ["problem", "incident"]}) as connector:
        assert sorted(await connector.deleted_ticket_ids(since) or []) == sorted(
            [incident, problem]
        )


async def test_deletions_unreadable_without_the_admin_role(sn: ServiceNowServer) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    victim = next(iter(sn.state.tables["incident"]))
    with _http(sn) as http:
        assert http.delete(f"/api/now/table/incident/{victim}").status_code == 204
        admin = http.get("/api/now/table/sys_user", params={"user_name": sn.config.username})
        me = admin.json()["result"][0]["sys_id"]
        assert http.patch(f"/api/now/table/sys_user/{me}", json={"roles": "itil"}).is_success
    async with connector_to(sn) as connector:
        assert await connector.deleted_ticket_ids(since) is None  # 403: the id scan's turn
        assert sn.stats["responses_by_status"]["403"] == 1
        ids = {i async for chunk in connector.iter_ticket_ids(None) for i in chunk}
        assert victim not in ids and len(ids) == len(sn.state.tables["incident"])


async def test_deletions_unreadable_when_an_acl_blanks_the_record_key(
    sn: ServiceNowServer,
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    victim = next(iter(sn.state.tables["incident"]))
    with _http(sn) as http:
        assert http.delete(f"/api/now/table/incident/{victim}").status_code == 204
    (row,) = sn.state.tables["sys_audit_delete"].values()
    row["documentkey"] = ""  # as a field ACL sends a field the user may not read
    async with connector_to(sn) as connector:
        assert await connector.deleted_ticket_ids(since) is None


async def test_all_configured_tables(sn: ServiceNowServer) -> None:
    tables = ["incident", "problem", "change_request", "sc_task"]
    async with connector_to(sn, options={"tables": tables}) as connector:
        got = [t async for p in connector.iter_tickets(None, None) for t in p]
        assert {t.type_vendor_id for t in got} == set(tables)
        assert len(got) == sum(len(sn.state.tables[t]) for t in tables)
        assert all(t.status_default != "UNKNOWN" for t in got)
        assert await connector.count_tickets(None, None) == len(got)


async def test_groups_tables_and_users(sn: ServiceNowServer) -> None:
    async with connector_to(sn, options={"tables": ["incident", "problem"]}) as connector:
        projects = [p async for p in connector.iter_projects(None)]
        assert {p.vendor_id for p in projects} == set(sn.state.tables["sys_user_group"])
        one = projects[0]
        assert [p.vendor_id async for p in connector.iter_projects([one.name])] == [one.vendor_id]
        types = [t async for t in connector.iter_issue_types(one)]
        assert [(t.vendor_id, t.name) for t in types] == [
            ("incident", "Incident"),
            ("problem", "Problem"),
        ]
        users = [u async for u in connector.iter_users()]
        assert {u.vendor_id for u in users} == set(sn.state.tables["sys_user"])
        members = {
            r["user"]
            for r in sn.state.tables["sys_user_grmember"].values()
            if r["group"] == one.vendor_id
        }
        assert {u async for u in connector.iter_assignable_users(one.vendor_id)} == members


async def test_an_unreadable_record_is_reported_not_fatal(sn: ServiceNowServer) -> None:
    victim = sorted(sn.state.tables["incident"])[3]
    sn.state.tables["incident"][victim]["opened_at"] = "yesterday"
    sn.state.tables["incident"][victim]["sys_created_on"] = "not a date"
    async with connector_to(sn) as connector:
        pages = [page async for page in connector.iter_tickets(None, None)]
    keys = {t.internal_id for p in pages for t in p}
    unreadable = [u for p in pages for u in p.unreadable]
    assert victim not in keys and len(keys) == len(sn.state.tables["incident"]) - 1
    assert (
        len(unreadable) == 1 and unreadable[0][0] == sn.state.tables["incident"][victim]["number"]
    )
