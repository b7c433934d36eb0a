"""What the sync and the async client share: configuration, retries, answers, bulk results."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from ticketbridge_client._generated.client import AuthenticatedClient
from ticketbridge_client._generated.models.bulk_create import BulkCreate
from ticketbridge_client._generated.models.bulk_result import BulkResult
from ticketbridge_client._generated.models.job_accepted import JobAccepted
from ticketbridge_client._generated.models.job_out import JobOut
from ticketbridge_client._generated.models.ticket_create import TicketCreate
from ticketbridge_client._generated.models.ticket_update import TicketUpdate
from ticketbridge_client._generated.types import UNSET, Response, Unset
from ticketbridge_client.errors import (
    TicketBridgeError,
    error_from,
    message_of,
    retry_after_seconds,
)

T = TypeVar("T")

BULK_SIZE = 50  # the API's cap per bulk request (max_batch)
RETRY_STATUSES = frozenset({429, 503})
FINISHED = frozenset({"SUCCESS", "FAILED"})


@dataclass(frozen=True)
class Settings:
    api_url: str
    api_key: str
    connection_id: str | None
    timeout: float
    max_retries: int
    max_retry_wait: float


def settings(
    api_url: str | None,
    api_key: str | None,
    connection_id: str | None,
    timeout: float,
    max_retries: int,
    max_retry_wait: float,
) -> Settings:
    """Arguments first, then TICKETBRIDGE_API_URL / _API_KEY / _CONNECTION_ID."""
    url = api_url or os.environ.get("TICKETBRIDGE_API_URL")
    key = api_key or os.environ.get("TICKETBRIDGE_API_KEY")
    if not url:
        raise ValueError("No API URL: pass api_url or set TICKETBRIDGE_API_URL")
    if not key:
        raise ValueError("No API key: pass api_key or set TICKETBRIDGE_API_KEY")
    cid = connection_id or os.environ.get("TICKETBRIDGE_CONNECTION_ID") or None
    return Settings(url.rstrip("/"), key, cid, timeout, max_retries, max_retry_wait)


def generated_client(s: Settings, httpx_args: dict[str, Any] | None) -> AuthenticatedClient:
    """The generated client, authorised once: X-API-KEY (and X-CONNECTION-ID) on every call."""
    headers = {"X-CONNECTION-ID": s.connection_id} if s.connection_id else {}
    return AuthenticatedClient(
        base_url=s.api_url,
        token=s.api_key,
        prefix="",
        auth_header_name="X-API-KEY",
        headers=headers,
        timeout=httpx.Timeout(s.timeout),
        follow_redirects=False,
        httpx_args=httpx_args or {},
    )


def retry_delay(response: Response[Any], attempt: int, s: Settings) -> float | None:
    """Seconds to wait before retrying, or None: 429 and 503 are retried ``max_retries``
    times, after ``Retry-After`` (capped at ``max_retry_wait``; 1 s when absent)."""
    if response.status_code not in RETRY_STATUSES or attempt >= s.max_retries:
        return None
    wait = retry_after_seconds(response.headers)
    return min(wait if wait is not None else 1.0, s.max_retry_wait)


def unwrap(response: Response[Any], expected: type[T]) -> T:
    """The parsed body of a 2xx answer, or the typed error."""
    parsed = response.parsed
    if 200 <= response.status_code < 300 and isinstance(parsed, expected):
        return parsed
    raise error_from(response.status_code, response.content, response.headers)


def unwrap_list(response: Response[Any], item: type[T]) -> list[T]:
    parsed = response.parsed
    if 200 <= response.status_code < 300 and isinstance(parsed, list):
        return [p for p in parsed if isinstance(p, item)]
    raise error_from(response.status_code, response.content, response.headers)


def expect_no_content(response: Response[Any]) -> None:
    if not 200 <= response.status_code < 300:
        raise error_from(response.status_code, response.content, response.headers)


def idempotency_key(given: str | None) -> str:
    return given or str(uuid.uuid4())


def opt(value: T | None) -> T | Unset:
    return UNSET if value is None else value


def ticket_create(ticket: TicketCreate | Mapping[str, Any]) -> TicketCreate:
    return ticket if isinstance(ticket, TicketCreate) else TicketCreate.from_dict(dict(ticket))


def ticket_update(changes: TicketUpdate | Mapping[str, Any]) -> TicketUpdate:
    return changes if isinstance(changes, TicketUpdate) else TicketUpdate.from_dict(dict(changes))


def pages_by_offset(query: Mapping[str, Any]) -> bool:
    """Lists filtered by ``updated_since`` page by offset: the API refuses that filter
    together with a cursor (docs/api.md, paging)."""
    return query.get("updated_since") not in (None, UNSET)


def list_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """Python names for the query: ``type`` is ``type_`` in the generated functions."""
    return {("type_" if k == "type" else k): v for k, v in filters.items() if v is not None}


def chunks(tickets: Iterable[TicketCreate | Mapping[str, Any]]) -> list[BulkCreate]:
    items = [ticket_create(t) for t in tickets]
    return [BulkCreate(tickets=items[i : i + BULK_SIZE]) for i in range(0, len(items), BULK_SIZE)]


@dataclass(frozen=True)
class BulkProgress:
    """Where a bulk create stands: tickets ``done`` (failed included) of ``total``."""

    total: int
    done: int
    failed: int


@dataclass
class Unit:
    """A run of ``count`` tickets from ``offset``: sent as ``job``, or ``refused`` (one)."""

    offset: int
    count: int
    job: JobAccepted | None = None
    refused: BulkResult | None = None


def refused(index: int, error: TicketBridgeError) -> BulkResult:
    """The result of a ticket the API refused before any job (422 on its own)."""
    where = f"{error.field}: " if error.field else ""
    result = BulkResult(request_index=index, success=False, error=where + message_of(error.detail))
    result.code = error.code
    return result


def job_results(job: JobOut, offset: int, count: int) -> list[BulkResult]:
    """The job's per-ticket results, indexed from ``offset`` (its place in the whole input).
    A job that failed as a whole (e.g. EXECUTION_TIMEOUT) reports the entries it did not
    finish as failed with the job's code."""
    by_index: dict[int, BulkResult] = {}
    for source in (job.result, job.failure_reason):
        if source is None:
            continue
        raw = source.to_dict().get("results")
        for entry in raw if isinstance(raw, list) else []:
            result = BulkResult.from_dict(entry)
            by_index.setdefault(result.request_index, result)
    reason = job.failure_reason.to_dict() if job.failure_reason is not None else {}
    out = []
    for i in range(count):
        result = by_index.get(i) or BulkResult(
            request_index=i,
            success=False,
            error=str(reason.get("error") or f"job {job.id} ended {job.status} without a result"),
            code=str(reason.get("code") or "JOB_FAILED"),
        )
        result.request_index = offset + i
        out.append(result)
    return out


def failed_count(results: Sequence[BulkResult]) -> int:
    return sum(1 for r in results if not r.success)


def connection(s: Settings, given: str | None) -> str:
    cid = given or s.connection_id
    if not cid:
        raise ValueError("No connection: pass connection_id or set TICKETBRIDGE_CONNECTION_ID")
    return str(cid)
