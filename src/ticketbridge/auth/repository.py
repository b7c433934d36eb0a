"""SQL of the request path's bookkeeping: key usage and the rate-limit counter."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from ticketbridge.auth.models import ApiKey


async def touch_api_key(
    engine: AsyncEngine, key_id: uuid.UUID, now: datetime, every: timedelta
) -> bool:
    """Sets ``last_used_at`` unless it was set less than `every` ago (by any process).
    Its own short transaction, never the request's."""
    async with engine.begin() as conn:
        result = await conn.execute(
            update(ApiKey)
            .where(
                ApiKey.id == key_id,
                or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - every),
            )
            .values(last_used_at=now)
        )
    return bool(result.rowcount == 1)


# One statement, atomic under concurrency (the row is locked by the upsert): counts this
# request in the account's current window, starting a new window when the database's
# clock has moved past the stored one. The window comes from the database's clock, so
# API processes on hosts with skewed clocks still share one window.
_HIT = text(
    """
    INSERT INTO rate_limit_counters (account_id, "window", hits)
    VALUES (:account_id, floor(extract(epoch FROM clock_timestamp()) / :size)::bigint, 1)
    ON CONFLICT (account_id) DO UPDATE SET
        hits = CASE WHEN rate_limit_counters."window" >= excluded."window"
                    THEN rate_limit_counters.hits + 1 ELSE 1 END,
        "window" = greatest(rate_limit_counters."window", excluded."window")
    RETURNING hits, ("window" + 1) * :size - extract(epoch FROM clock_timestamp()) AS remaining
    """
)


async def count_request(
    engine: AsyncEngine, account_id: uuid.UUID, window_seconds: int
) -> tuple[int, float]:
    """(requests in the current window including this one, seconds until it ends)."""
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        row = (await conn.execute(_HIT, {"account_id": account_id, "size": window_seconds})).one()
    return int(row.hits), float(row.remaining)
