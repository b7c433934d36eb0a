"""The API-key lookup cached in the process for a moment, for read-only routes (issue 16).

`repository.authenticate` is a database round trip on every request. `authenticate` here
answers a repeated (key, connection) from memory for at most
``TICKETBRIDGE_API_KEY_CACHE_SECONDS`` (default 1 s, at most 2 s, 0 turns it off), and is
used only by routes that read (``auth/dependencies.get_read_connection``): the cached
account and connection are never attached to a session, changed or written back. Writes
keep reading both fresh.

- Only full answers are kept: an unknown or revoked key, or a connection that is not the
  key's account's, is looked up again on the next request (a new key or connection works
  at once; guesses fill nothing).
- An entry is keyed by the database, the key's digest and the connection id asked for, and
  holds what `repository.authenticate` answered for exactly that pair: the account scoping
  is the statement's, so no other account's connection can come out of it.
- Revoking a key, deleting a connection or an organisation in this process empties the
  cache once that unit of work commits (`invalidate_after_commit`), and a lookup that
  started before that does not store its answer (generation check): such a key or
  connection is refused from the next request on, as without the cache. Other processes
  refuse it once their entry expires, within the TTL.
- Entries expire TTL seconds after their lookup started; at most `MAX_ENTRIES` are kept.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ticketbridge.crypto import hash_api_key
from ticketbridge.provisioning import repository
from ticketbridge.provisioning.repository import Authenticated

MAX_ENTRIES = 10_000

_entries: dict[tuple[Any, str, uuid.UUID], tuple[float, Authenticated]] = {}
_generation = 0


async def authenticate(
    engine: AsyncEngine, key: str, connection_id: uuid.UUID | None, ttl: float
) -> Authenticated | None:
    """`repository.authenticate`, answered from the cache when the same key asked for the
    same connection less than `ttl` seconds ago (read-only use: see the module)."""
    if ttl <= 0 or connection_id is None:
        return await repository.authenticate(engine, key, connection_id)
    entry_key = (engine.url, hash_api_key(key), connection_id)
    started = time.monotonic()
    hit = _entries.get(entry_key)
    if hit is not None and hit[0] > started:
        return hit[1]
    generation = _generation
    found = await repository.authenticate(engine, key, connection_id)
    if found is not None and found.connection is not None and generation == _generation:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[entry_key] = (started + ttl, found)
    return found


def invalidate() -> None:
    """Forgets every entry, and keeps lookups in flight from storing theirs."""
    global _generation
    _entries.clear()
    _generation += 1


def invalidate_after_commit(session: AsyncSession) -> None:
    """`invalidate` once `session`'s transaction commits (a key revoked, a connection
    deleted): from then on the database refuses them, and so does this process."""
    event.listen(session.sync_session, "after_commit", _after_commit, once=True)


def _after_commit(_session: Any) -> None:
    invalidate()
