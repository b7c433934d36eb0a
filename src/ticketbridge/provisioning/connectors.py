"""Builds connectors: the one place that hands a connector what it needs.

A connector is pure (``connectors/base.py``): it gets the shared vendor HTTP client, the
connection's credential store (``provisioning/credentials.py``, persisting rotated OAuth
tokens), the connection's share of the vendor budget (``ctx.vendor_budget``), the
settings and the connection's options (the vendor's model, ``connectors/options.py``).
Which class serves the vendor is the registry's answer (``connectors/registry.py``).
Every request, job and the sync reach the vendor through `open_connector`.
"""

from __future__ import annotations

from typing import Any

from ticketbridge.connectors.base import Connector
from ticketbridge.connectors.registry import connector_class, validate_options
from ticketbridge.context import AppContext
from ticketbridge.errors import Unprocessable
from ticketbridge.provisioning.credentials import ConnectionCredentials, UnsavedCredentials
from ticketbridge.provisioning.models import Connection


def build_connector(
    ctx: AppContext,
    vendor: str,
    connection_id: str,
    credentials: dict[str, Any],
    options: dict[str, Any] | None = None,
    *,
    unsaved: bool = False,
) -> Connector:
    """A connector for `vendor` with these (decrypted) credentials.
    ``options``: the connection's (validated) options, the vendor's defaults when None.
    ``unsaved``: credentials not stored yet (checked before they are): OAuth tokens the
    connector fetches stay in memory, never written over what the connection stores."""
    store = (
        UnsavedCredentials(credentials)
        if unsaved
        else ConnectionCredentials(ctx, connection_id, credentials)
    )
    return connector_class(vendor)(
        connection_id=connection_id,
        http=ctx.http,
        credentials=store,
        limiter=ctx.vendor_budget(connection_id),
        settings=ctx.settings,
        options=validate_options(vendor, options) if options is None else options,
    )


def open_connector(ctx: AppContext, connection: Connection) -> Connector:
    """The connection's connector; the one door to the vendor for requests and jobs."""
    if connection.state == "PENDING":
        # No credentials yet: calling the vendor would only fail (and blame the customer).
        raise Unprocessable("Connection is waiting for OAuth authorization")
    credentials = ctx.vault.decrypt_json(connection.credentials_encrypted)
    return build_connector(
        ctx, connection.vendor, str(connection.id), credentials, dict(connection.options or {})
    )
