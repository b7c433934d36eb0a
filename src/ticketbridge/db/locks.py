"""Named locks held until the surrounding transaction ends.

PostgreSQL: transaction-scoped advisory locks (work across processes). SQLite: the embedded
store runs one API process, so an in-process lock released on commit/rollback suffices.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

_local: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)


def _key64(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


async def hold(session: AsyncSession, name: str) -> None:
    """Blocks until this transaction owns ``name``; released when it commits or rolls back."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _key64(name)})
        return
    lock = _local[name]
    await lock.acquire()
    sync_session = session.sync_session
    released = False

    def release(*_args: Any) -> None:
        nonlocal released
        if not released:
            released = True
            lock.release()

    event.listen(sync_session, "after_commit", release)
    event.listen(sync_session, "after_rollback", release)
    event.listen(sync_session, "after_soft_rollback", release)
