"""A connection's credentials as handed to a connector, with safe token rotation.

Connectors know nothing of the database: they see the contract's ``CredentialStore``
(``connectors/base.py``); this implementation persists rotated OAuth tokens in a
transaction of its own (a rotated refresh token must survive even if the request
that triggered the refresh later fails).
"""

from __future__ import annotations

import uuid
from typing import Any

from ticketbridge.connectors.base import Refresh
from ticketbridge.context import AppContext
from ticketbridge.db import locks
from ticketbridge.db.session import transaction
from ticketbridge.errors import NotFound
from ticketbridge.provisioning import repository


class ConnectionCredentials:
    def __init__(self, ctx: AppContext, connection_id: str, current: dict[str, Any]) -> None:
        self._ctx = ctx
        self._connection_id = uuid.UUID(connection_id)
        self.current = current

    async def rotate(self, refresh: Refresh) -> dict[str, Any]:
        """Refreshes under a row lock; adopts another process's newer token if there is one."""
        seen = self.current.get("access_token")
        async with transaction(self._ctx.sessionmaker) as session:
            # The row lock serialises refreshes across PostgreSQL processes; SQLite ignores
            # FOR UPDATE, so the named lock serialises the (single-process) embedded store.
            await locks.hold(session, f"oauth-refresh:{self._connection_id}")
            connection = await repository.get_connection_unscoped(
                session, self._connection_id, for_update=True
            )
            if connection is None:
                raise NotFound("Connection not found")
            stored = self._ctx.vault.decrypt_json(connection.credentials_encrypted)
            if stored.get("access_token") != seen:
                self.current = stored  # somebody else already rotated
                return stored
            fresh = await refresh(stored)
            connection.credentials_encrypted = self._ctx.vault.encrypt_json(fresh)
        self.current = fresh
        return fresh


class UnsavedCredentials:
    """Credentials not stored yet (a check of new ones, before they are): a rotation keeps
    the fresh tokens in memory only. Writing them to the connection's row would create
    nothing (a new connection has no row yet) or overwrite the credentials it still uses."""

    def __init__(self, current: dict[str, Any]) -> None:
        self.current = current

    async def rotate(self, refresh: Refresh) -> dict[str, Any]:
        self.current = await refresh(self.current)
        return self.current
