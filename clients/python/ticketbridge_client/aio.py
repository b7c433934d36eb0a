"""The asynchronous client: ``AsyncTicketBridge`` (the same groups and methods, awaited)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any, Literal, overload

from ticketbridge_client import _core
from ticketbridge_client._core import BulkProgress, Settings
from ticketbridge_client._generated.api.capabilities import get_capabilities
from ticketbridge_client._generated.api.jobs import get_job
from ticketbridge_client._generated.api.passthrough import (
    passthrough_projects,
    passthrough_search_tickets,
    passthrough_users,
)
from ticketbridge_client._generated.api.projects import get_project, list_projects
from ticketbridge_client._generated.api.provisioning import (
    get_connection,
    list_connection_jobs,
    list_connections,
    sync_connection,
)
from ticketbridge_client._generated.api.tickets import (
    bulk_create_tickets,
    create_ticket,
    get_ticket,
    get_ticket_by_identifier,
    list_tickets,
    update_ticket,
)
from ticketbridge_client._generated.api.users import get_user, list_users
from ticketbridge_client._generated.client import AuthenticatedClient
from ticketbridge_client._generated.models import (
    BulkCreate,
    BulkResult,
    CapabilitiesOut,
    ConnectionOut,
    JobAccepted,
    JobOut,
    ListEnvelopeProjectOut,
    ListEnvelopeTicketOut,
    ListEnvelopeUserOut,
    ProjectOut,
    ProjectsPage,
    SearchPage,
    SyncRequest,
    TicketCreate,
    TicketOut,
    TicketUpdate,
    UserOut,
    UsersPage,
)
from ticketbridge_client._generated.types import Response
from ticketbridge_client.errors import ValidationError

# Aliases: inside the groups, `list` is the method.
BulkResults = list[BulkResult]
JobsAccepted = list[JobAccepted]
JobList = list[JobOut]
ConnectionList = list[ConnectionOut]
Units = list[_core.Unit]


class AsyncTicketBridge:
    """The TicketBridge API, asynchronously.

    >>> async with AsyncTicketBridge() as tb:  # TICKETBRIDGE_API_URL, _API_KEY, ...
    ...     async for ticket in tb.tickets.list(status="OPEN"):
    ...         print(ticket.id, ticket.name)
    """

    def __init__(
        self,
        api_url: str | None = None,
        api_key: str | None = None,
        connection_id: str | None = None,
        *,
        timeout: float = 60.0,
        max_retries: int = 3,
        max_retry_wait: float = 60.0,
        httpx_args: dict[str, Any] | None = None,
    ) -> None:
        """Arguments, or else the TICKETBRIDGE_* environment variables. 429 and 503 are
        retried ``max_retries`` times after Retry-After (at most ``max_retry_wait`` s
        each); ``httpx_args`` go to the httpx client (event_hooks, verify, proxy...)."""
        self.settings = _core.settings(
            api_url, api_key, connection_id, timeout, max_retries, max_retry_wait
        )
        self.client: AuthenticatedClient = _core.generated_client(self.settings, httpx_args)
        self.tickets = Tickets(self)
        self.projects = Projects(self)
        self.users = Users(self)
        self.jobs = Jobs(self)
        self.passthrough = Passthrough(self)
        self.connections = Connections(self)

    async def call(
        self, send: Callable[[AuthenticatedClient], Awaitable[Response[Any]]]
    ) -> Response[Any]:
        """Sends, retrying 429/503 after Retry-After (bounded: ``max_retries``)."""
        attempt = 0
        while True:
            response = await send(self.client)
            delay = _core.retry_delay(response, attempt, self.settings)
            if delay is None:
                return response
            await asyncio.sleep(delay)
            attempt += 1

    async def items(
        self, endpoint: Any, envelope: type[Any], page_size: int, query: dict[str, Any]
    ) -> AsyncIterator[Any]:
        """Every item of a paged list, following ``next_cursor`` to the end (by offset when
        ``updated_since`` is given: the API refuses it together with a cursor)."""
        cursor: str | None = None
        offset = 0
        by_offset = _core.pages_by_offset(query)
        while True:
            position = {"offset": offset} if by_offset else {"cursor": _core.opt(cursor)}
            kwargs = {**query, "limit": page_size, **position}

            async def send(cl: AuthenticatedClient, kw: dict[str, Any] = kwargs) -> Response[Any]:
                return await endpoint(client=cl, **kw)  # type: ignore[no-any-return]

            page = _core.unwrap(await self.call(send), envelope)
            for item in page.items:
                yield item
            offset += len(page.items)
            if by_offset and len(page.items) < page_size:
                return
            if not by_offset and not isinstance(page.next_cursor, str):
                return
            cursor = page.next_cursor if isinstance(page.next_cursor, str) else None

    async def close(self) -> None:
        await self.client.get_async_httpx_client().aclose()

    async def __aenter__(self) -> AsyncTicketBridge:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class _Group:
    def __init__(self, tb: AsyncTicketBridge) -> None:
        self._tb = tb

    @property
    def _settings(self) -> Settings:
        return self._tb.settings


class Tickets(_Group):
    async def list(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[TicketOut]:
        """Every ticket matching ``filters`` (status, priority, type, project_id,
        assigned_user_id, parent_ticket_id, identifier, updated_since), page after page."""
        query = _core.list_filters(filters)
        async for item in self._tb.items(
            list_tickets.asyncio_detailed, ListEnvelopeTicketOut, page_size, query
        ):
            yield item

    async def get(self, ticket_id: str) -> TicketOut:
        return _core.unwrap(
            await self._tb.call(lambda cl: get_ticket.asyncio_detailed(str(ticket_id), client=cl)),
            TicketOut,
        )

    async def get_by_identifier(self, identifier: str) -> TicketOut:
        return _core.unwrap(
            await self._tb.call(
                lambda cl: get_ticket_by_identifier.asyncio_detailed(identifier, client=cl)
            ),
            TicketOut,
        )

    async def create(
        self, ticket: TicketCreate | Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> TicketOut:
        """Creates a ticket; retried safely (one Idempotency-Key for all attempts)."""
        body, key = _core.ticket_create(ticket), _core.idempotency_key(idempotency_key)
        return _core.unwrap(
            await self._tb.call(
                lambda cl: create_ticket.asyncio_detailed(client=cl, body=body, idempotency_key=key)
            ),
            TicketOut,
        )

    async def update(
        self,
        ticket_id: str,
        changes: TicketUpdate | Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
    ) -> TicketOut:
        body, key = _core.ticket_update(changes), _core.idempotency_key(idempotency_key)
        return _core.unwrap(
            await self._tb.call(
                lambda cl: update_ticket.asyncio_detailed(
                    str(ticket_id), client=cl, body=body, idempotency_key=key
                )
            ),
            TicketOut,
        )

    @overload
    async def bulk_create(
        self,
        tickets: Iterable[TicketCreate | Mapping[str, Any]],
        wait: Literal[True] = ...,
        on_progress: Callable[[BulkProgress], None] | None = ...,
    ) -> BulkResults: ...

    @overload
    async def bulk_create(
        self,
        tickets: Iterable[TicketCreate | Mapping[str, Any]],
        wait: Literal[False],
        on_progress: Callable[[BulkProgress], None] | None = ...,
    ) -> JobsAccepted: ...

    async def bulk_create(
        self,
        tickets: Iterable[TicketCreate | Mapping[str, Any]],
        wait: bool = True,
        on_progress: Callable[[BulkProgress], None] | None = None,
    ) -> BulkResults | JobsAccepted:
        """Creates any number of tickets as bulk jobs of 50. With ``wait`` (the default),
        waits for every job and returns one result per ticket, in input order
        (``request_index`` is the ticket's place in ``tickets``); a batch refused as a whole
        is retried a ticket per job, so one bad ticket fails alone. Without ``wait``: the
        accepted jobs (a refused batch raises ValidationError)."""
        batches = _core.chunks(tickets)
        if not wait:
            return [await self._submit(batch) for batch in batches]
        units: Units = []
        for batch in batches:
            units += await self._submit_or_split(batch, sum(u.count for u in units))
        total = sum(u.count for u in units)
        results: BulkResults = []
        for unit in units:
            if unit.job is None:
                results.append(unit.refused)  # type: ignore[arg-type]
            else:
                base_done, base_failed = len(results), _core.failed_count(results)

                def report(j: JobOut, done: int = base_done, failed: int = base_failed) -> None:
                    if on_progress is not None:
                        on_progress(BulkProgress(total, done + j.progress.processed, failed))

                finished = await self._tb.jobs.wait(str(unit.job.job_id), on_progress=report)
                results.extend(_core.job_results(finished, unit.offset, unit.count))
            if on_progress is not None:
                on_progress(BulkProgress(total, len(results), _core.failed_count(results)))
        return results

    async def _submit_or_split(self, batch: BulkCreate, offset: int) -> Units:
        """A batch the API refuses as a whole (422: one malformed entry fails the request)
        is sent again one ticket per job, so only the bad entries fail, each with its reason."""
        try:
            return [_core.Unit(offset, len(batch.tickets), await self._submit(batch))]
        except ValidationError as exc:
            if len(batch.tickets) == 1:
                return [_core.Unit(offset, 1, refused=_core.refused(offset, exc))]
        units: Units = []
        for i, ticket in enumerate(batch.tickets):
            units += await self._submit_or_split(BulkCreate(tickets=[ticket]), offset + i)
        return units

    async def _submit(self, batch: BulkCreate) -> JobAccepted:
        key = _core.idempotency_key(None)
        return _core.unwrap(
            await self._tb.call(
                lambda cl: bulk_create_tickets.asyncio_detailed(
                    client=cl, body=batch, idempotency_key=key
                )
            ),
            JobAccepted,
        )


class Projects(_Group):
    async def list(self, *, page_size: int = 100) -> AsyncIterator[ProjectOut]:
        async for item in self._tb.items(
            list_projects.asyncio_detailed, ListEnvelopeProjectOut, page_size, {}
        ):
            yield item

    async def get(self, project_id: str) -> ProjectOut:
        return _core.unwrap(
            await self._tb.call(
                lambda cl: get_project.asyncio_detailed(str(project_id), client=cl)
            ),
            ProjectOut,
        )


class Users(_Group):
    async def list(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[UserOut]:
        """Every user matching ``filters`` (name, email, status, project_id, updated_since)."""
        query = _core.list_filters(filters)
        async for item in self._tb.items(
            list_users.asyncio_detailed, ListEnvelopeUserOut, page_size, query
        ):
            yield item

    async def get(self, user_id: str) -> UserOut:
        return _core.unwrap(
            await self._tb.call(lambda cl: get_user.asyncio_detailed(str(user_id), client=cl)),
            UserOut,
        )


class Jobs(_Group):
    async def get(self, job_id: str) -> JobOut:
        return _core.unwrap(
            await self._tb.call(lambda cl: get_job.asyncio_detailed(str(job_id), client=cl)), JobOut
        )

    async def wait(
        self,
        job_id: str,
        *,
        poll_interval: float = 0.5,
        timeout: float | None = None,  # noqa: ASYNC109  (the same signature as the sync one)
        on_progress: Callable[[JobOut], None] | None = None,
    ) -> JobOut:
        """Polls until the job is SUCCESS or FAILED and returns it (a FAILED job is
        returned, not raised: its per-ticket results say what failed). ``timeout``
        raises TimeoutError."""
        deadline = None if timeout is None else time.monotonic() + timeout
        interval = poll_interval
        while True:
            job = await self.get(job_id)
            if on_progress is not None:
                on_progress(job)
            if job.status.value in _core.FINISHED:
                return job
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} still {job.status.value} after {timeout} s")
            await asyncio.sleep(interval)
            interval = min(interval * 1.5, 5.0)

    async def list(
        self, org_id: str, connection_id: str | None = None, *, limit: int = 100
    ) -> JobList:
        """The connection's most recent jobs (the client's connection by default)."""
        cid = _core.connection(self._settings, connection_id)
        return _core.unwrap_list(
            await self._tb.call(
                lambda cl: list_connection_jobs.asyncio_detailed(
                    org_id, cid, client=cl, limit=limit
                )
            ),
            JobOut,
        )


class Passthrough(_Group):
    async def search(self, jql: str, *, cursor: str | None = None, limit: int = 50) -> SearchPage:
        """One page of the vendor's own search (Jira: JQL); ``next_cursor`` for the next."""
        return _core.unwrap(
            await self._tb.call(
                lambda cl: passthrough_search_tickets.asyncio_detailed(
                    client=cl, jql=jql, cursor=_core.opt(cursor), limit=limit
                )
            ),
            SearchPage,
        )

    async def projects(self, *, limit: int = 50, offset: int = 0) -> ProjectsPage:
        return _core.unwrap(
            await self._tb.call(
                lambda cl: passthrough_projects.asyncio_detailed(
                    client=cl, limit=limit, offset=offset
                )
            ),
            ProjectsPage,
        )

    async def users(
        self, *, query: str | None = None, limit: int = 50, offset: int = 0
    ) -> UsersPage:
        return _core.unwrap(
            await self._tb.call(
                lambda cl: passthrough_users.asyncio_detailed(
                    client=cl, query=_core.opt(query), limit=limit, offset=offset
                )
            ),
            UsersPage,
        )


class Connections(_Group):
    async def list(self, org_id: str) -> ConnectionList:
        return _core.unwrap_list(
            await self._tb.call(lambda cl: list_connections.asyncio_detailed(org_id, client=cl)),
            ConnectionOut,
        )

    async def get(self, org_id: str, connection_id: str | None = None) -> ConnectionOut:
        cid = _core.connection(self._settings, connection_id)
        return _core.unwrap(
            await self._tb.call(lambda cl: get_connection.asyncio_detailed(org_id, cid, client=cl)),
            ConnectionOut,
        )

    async def sync(
        self, org_id: str, connection_id: str | None = None, *, full: bool = False
    ) -> JobAccepted:
        """Starts a sync job of the connection; ``tb.jobs.wait(job.job_id)`` to follow it."""
        cid = _core.connection(self._settings, connection_id)
        body = SyncRequest(full=full)
        return _core.unwrap(
            await self._tb.call(
                lambda cl: sync_connection.asyncio_detailed(org_id, cid, client=cl, body=body)
            ),
            JobAccepted,
        )

    async def capabilities(self) -> CapabilitiesOut:
        """What the client's connection's vendor supports."""
        return _core.unwrap(
            await self._tb.call(lambda cl: get_capabilities.asyncio_detailed(client=cl)),
            CapabilitiesOut,
        )
