"""Bulk creates through the Batch API, and the vendor's failures: 429 honoured, lost answers
reconciled by creation token, transaction-quota cancellations retried with smaller pages."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest

from tests.connectors.servicenow.support import connector_to
from ticketbridge.connectors.base import TicketDraft
from ticketbridge.emulators.servicenow.server import ServiceNowServer
from ticketbridge.errors import VendorRateLimited

pytestmark = pytest.mark.store_independent

BATCH = "POST /api/now/batch"


def _drafts(n: int, run: str) -> list[TicketDraft]:
    return [
        TicketDraft(project_vendor_id="", name=f"bulk {i}", creation_token=f"{run}-{i}")
        for i in range(n)
    ]


def _tokens(sn: ServiceNowServer, run: str) -> Counter[str]:
    return Counter(
        r["correlation_id"]
        for r in sn.state.tables["incident"].values()
        if r.get("correlation_id", "").startswith(run)
    )


async def test_bulk_of_fifty_with_one_bad_entry(sn: ServiceNowServer) -> None:
    run = uuid.uuid4().hex
    drafts = _drafts(50, run)
    taken = next(iter(sn.state.tables["incident"]))
    drafts[17].custom_fields = {"sys_id": taken}  # a unique key violation for this one
    async with connector_to(sn) as connector:
        outcomes = await connector.bulk_create(drafts)
    assert [o.index for o in outcomes] == list(range(50))
    bad = outcomes[17]
    assert bad.key is None and bad.error and "Operation Failed" in bad.error
    assert bad.vendor_errors and bad.vendor_errors["error"]["message"] == "Operation Failed"
    assert all(o.key and not o.error for i, o in enumerate(outcomes) if i != 17)
    assert sn.stats["requests_by_route"][BATCH] == 1
    counts = _tokens(sn, run)
    assert len(counts) == 49 and set(counts.values()) == {1}


async def test_bulk_is_cut_in_fifties_in_request_order(sn: ServiceNowServer) -> None:
    run = uuid.uuid4().hex
    async with connector_to(sn) as connector:
        outcomes = await connector.bulk_create(_drafts(120, run))
    assert [o.index for o in outcomes] == list(range(120))
    assert sn.stats["requests_by_route"][BATCH] == 3
    records = {r["sys_id"]: r for r in sn.state.tables["incident"].values()}
    # The key is the record's number (as a Jira key), the internal id its sys_id.
    for o in outcomes:
        assert o.internal_id and o.key and o.key.startswith("INC")
        record = records[o.internal_id]
        assert record["correlation_id"] == f"{run}-{o.index}" and record["number"] == o.key


async def test_bulk_survives_the_fault_mix_exactly_once(sn: ServiceNowServer) -> None:
    run = uuid.uuid4().hex
    sn.set_faults(
        error_429_ratio=0.3,
        error_503_ratio=0.05,
        drop_after_commit_ratio=0.1,
        retry_after_seconds=0,
    )
    async with connector_to(sn, vendor_max_retries=12, vendor_max_backoff_seconds=0.05) as c:
        outcomes = []
        for start in range(0, 200, 20):  # several batches, each may meet each fault
            outcomes += await c.bulk_create(_drafts(200, run)[start : start + 20])
    assert all(o.key and not o.error for o in outcomes)
    counts = _tokens(sn, run)
    assert len(counts) == 200 and set(counts.values()) == {1}
    assert sn.stats["responses_429"] > 0


async def test_a_lost_batch_answer_is_reconciled(sn: ServiceNowServer) -> None:
    run = uuid.uuid4().hex
    sn.set_faults(drop_after_commit_ratio=1)
    async with connector_to(sn) as connector:
        outcomes = await connector.bulk_create(_drafts(10, run))
    assert sn.stats["drops"] == 1
    assert all(o.key for o in outcomes)
    assert set(_tokens(sn, run).values()) == {1} and len(_tokens(sn, run)) == 10


async def test_429_is_honoured_with_its_headers(sn: ServiceNowServer) -> None:
    sn.set_faults(rate_limit_per_hour=3, retry_after_seconds=3600)
    async with connector_to(sn) as connector:
        for _ in range(3):
            await connector.get_tickets([next(iter(sn.state.tables["incident"]))])
        with pytest.raises(VendorRateLimited) as limited:
            await connector.get_tickets([next(iter(sn.state.tables["incident"]))])
    # Retry-After beyond what one request waits: refused at once, with the vendor's wait.
    assert limited.value.retry_after == 3600
    assert sn.stats["responses_429"] == 1


async def test_a_429_without_retry_after_waits_until_the_rate_limit_reset(
    sn: ServiceNowServer,
) -> None:
    # A rule of 3 requests per 2-second window whose 429s carry X-RateLimit-Reset alone.
    sn.set_faults(rate_limit_per_hour=3, rate_window_seconds=2, omit_retry_after=True)
    ids = list(sn.state.tables["incident"])[:5]
    # One retry only: exponential backoff (0.25-0.5 s) would meet the same window again.
    async with connector_to(sn, vendor_max_retries=1) as connector:
        for sys_id in ids:
            assert (await connector.get_ticket(sys_id)).internal_id == sys_id
    assert sn.stats["responses_429"] >= 1
    # A reset further away than one request may wait: refused at once, with that wait.
    sn.reset()
    sn.set_faults(rate_limit_per_hour=1, omit_retry_after=True)  # the hour's window
    async with connector_to(sn) as connector:
        await connector.get_ticket(ids[0])
        with pytest.raises(VendorRateLimited) as limited:
            await connector.get_ticket(ids[1])
    assert 3500 < limited.value.retry_after <= 3601
    assert sn.stats["responses_429"] == 1


async def test_429s_are_retried_after_retry_after(sn: ServiceNowServer) -> None:
    sn.set_faults(error_429_ratio=0.5, retry_after_seconds=0)
    ids = list(sn.state.tables["incident"])[:5]
    async with connector_to(sn, vendor_max_retries=20) as connector:
        for sys_id in ids:
            assert (await connector.get_ticket(sys_id)).internal_id == sys_id
    assert sn.stats["responses_429"] > 0


async def test_quota_cancellation_retries_the_page_smaller(sn: ServiceNowServer) -> None:
    sn.set_faults(quota_max_page_size=40)
    async with connector_to(sn) as connector:
        seen = [t.internal_id async for page in connector.iter_tickets(None, None) for t in page]
    assert sorted(seen) == sorted(sn.state.tables["incident"])
    assert sn.stats["transactions_cancelled"] >= 1


async def test_unserviced_items_are_sent_again_then_fail_alone(sn: ServiceNowServer) -> None:
    run = uuid.uuid4().hex
    sn.set_faults(batch_timeout_seconds=0)  # the batch quota leaves every item unserviced
    async with connector_to(sn) as connector:
        outcomes = await connector.bulk_create(_drafts(3, run))
    assert sn.stats["requests_by_route"][BATCH] == 3
    assert all(o.key is None and o.error and "did not run" in o.error for o in outcomes)
    assert not _tokens(sn, run)
