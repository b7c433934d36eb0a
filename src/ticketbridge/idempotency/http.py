"""Idempotency-Key on a write endpoint: one wrapper, so every write follows the same rules
(docs/api.md, "Idempotency"): scoped to the account, the first response replayed with
``Idempotent-Replayed: true``, 422 on the same key with another request, 409 while the
first is in flight.

The response to replay is stored in the request's own transaction when the write
commits, so a write and its stored answer are never apart (a job enqueued twice, or a
ticket stored without its replay, cannot happen).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Header, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.auth.dependencies import end_unit_of_work
from ticketbridge.context import AppContext
from ticketbridge.errors import TicketBridgeError
from ticketbridge.idempotency import service
from ticketbridge.idempotency.service import Claim

# The request header every write takes (docs/api.md, "Idempotency").
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Makes the write safe to retry: the first response is replayed",
    ),
]

REPLAYED = "Idempotent-Replayed"

# Makes the endpoint's response; `claim` is None when the request carries no key.
Produce = Callable[[Claim | None], Awaitable[Response]]


async def respond(
    request: Request,
    ctx: AppContext,
    session: AsyncSession,
    account_id: uuid.UUID,
    connection_id: uuid.UUID,
    key: str | None,
    produce: Produce,
) -> Response:
    """Runs `produce` at most once per key and commits the request's unit of work."""
    if key is None:
        response = await produce(None)
        await end_unit_of_work(session, None)
        return response
    fingerprint = service.request_hash(
        request.method, request.url.path, str(connection_id), await request.body()
    )
    outcome = await service.begin(ctx, account_id, key, fingerprint)
    if isinstance(outcome, service.Replay):
        return Response(
            outcome.body,
            status_code=outcome.status,
            headers={**outcome.headers, REPLAYED: "true"},
            media_type="application/json",
        )
    error: TicketBridgeError | None = None
    try:
        try:
            response = await produce(outcome)
        except TicketBridgeError as exc:  # recorded for replay, so answered here
            error = exc
            response = JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)
        body = bytes(response.body)
        headers = {k: v for k, v in response.headers.items() if k.lower() == "retry-after"}
        if error is None or error.committed:
            await service.store(session, outcome, response.status_code, body, headers)
            await end_unit_of_work(session, None)
        else:
            await end_unit_of_work(session, error)
            await service.finish(ctx, outcome, response.status_code, body, headers)
    except BaseException:
        await service.finish(ctx, outcome, 500, b"", {})  # the key is free for a retry
        raise
    return response
