"""Idempotency-Key: the first response is stored for 24 h and replayed byte for byte.

The key is claimed in its own committed transaction before any vendor call, so a second
request with the same key, even a concurrent one on another process, can never reach the
vendor. A claim whose first attempt died (5xx, timeout, crash) keeps its creation token:
the retry looks for that token in the vendor before creating anything.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.context import AppContext
from ticketbridge.db.base import utcnow
from ticketbridge.db.session import transaction
from ticketbridge.errors import (
    IDEMPOTENCY_KEY_IN_FLIGHT,
    IDEMPOTENCY_KEY_REUSED,
    Conflict,
    Unprocessable,
)
from ticketbridge.idempotency import repository
from ticketbridge.idempotency.models import IdempotencyRecord
from ticketbridge.ids import uuid7

# An in-flight claim older than this is taken to belong to a dead process.
STALE_AFTER = timedelta(minutes=10)


@dataclass
class Replay:
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass
class Claim:
    record_id: uuid.UUID
    creation_token: str
    resumed: bool  # an earlier attempt may have reached the vendor


def request_hash(method: str, path: str, connection_id: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), connection_id.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


async def begin(
    ctx: AppContext, account_id: uuid.UUID, key: str, fingerprint: str
) -> Replay | Claim:
    if not key or len(key) > 255:
        raise Unprocessable("Idempotency-Key must be 1 to 255 characters", field="Idempotency-Key")
    now = utcnow()
    try:
        async with transaction(ctx.sessionmaker) as session:
            record = await repository.get(session, account_id, key)
            if record is not None and record.expires_at <= now:
                await repository.remove(session, record)
                await session.flush()
                record = None
            if record is None:
                token = uuid7().hex
                record = IdempotencyRecord(
                    account_id=account_id,
                    key=key,
                    request_hash=fingerprint,
                    creation_token=token,
                    created_at=now,
                    expires_at=now + timedelta(seconds=ctx.settings.idempotency_ttl_seconds),
                )
                session.add(record)
                await session.flush()
                return Claim(record.id, token, resumed=False)
            if record.request_hash != fingerprint:
                raise Unprocessable(
                    "Idempotency-Key was already used with a different request",
                    field="Idempotency-Key",
                    code=IDEMPOTENCY_KEY_REUSED,
                )
            if record.state == "DONE":
                return Replay(
                    record.response_status or 200,
                    record.response_body or b"",
                    dict(record.response_headers or {}),
                )
            if record.state == "IN_FLIGHT" and now - record.created_at < STALE_AFTER:
                raise in_flight()
            record.state = "IN_FLIGHT"
            record.created_at = now
            return Claim(record.id, record.creation_token or uuid7().hex, resumed=True)
    except IntegrityError:
        raise in_flight() from None


def in_flight() -> Conflict:
    return Conflict(
        "A request with this Idempotency-Key is still in progress; retry later",
        code=IDEMPOTENCY_KEY_IN_FLIGHT,
    )


async def finish(
    ctx: AppContext, claim: Claim, status: int, body: bytes, headers: dict[str, str]
) -> None:
    """Stores the response to replay, in a transaction of its own."""
    async with transaction(ctx.sessionmaker) as session:
        await store(session, claim, status, body, headers)


async def store(
    session: AsyncSession, claim: Claim, status: int, body: bytes, headers: dict[str, str]
) -> None:
    """Stores the response to replay in `session` (so it commits with the write it answers);
    server-side failures release the key for a retry."""
    record = await repository.by_id(session, claim.record_id)
    if record is None:
        return
    if status >= 500:
        record.state = "RETRYABLE"
        return
    record.state = "DONE"
    record.response_status = status
    record.response_body = body
    record.response_headers = headers
