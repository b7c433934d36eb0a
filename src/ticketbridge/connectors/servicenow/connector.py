"""The ServiceNow connector: the connector contract in terms of the Table and Batch APIs.

Built from parts along the contract's seams, as the Jira connector: writes (`writes.py`),
sync reads (`sync_reads.py`) and passthrough (`passthrough.py`); the class-level hooks the
registry exposes (credentials, default mappings) are here. Everything it needs is handed to
it: the HTTP client, the connection's credential store, call limiter and options, the
settings.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from ticketbridge.config import Settings
from ticketbridge.connectors.base import Capability, CredentialStore
from ticketbridge.connectors.http import RetryPolicy
from ticketbridge.connectors.limits import CallLimiter
from ticketbridge.connectors.servicenow import mapping
from ticketbridge.connectors.servicenow.client import ServiceNowClient
from ticketbridge.connectors.servicenow.config import (
    ServiceNowCredentials,
    ServiceNowOptions,
    check_base_url,
)
from ticketbridge.connectors.servicenow.passthrough import ServiceNowPassthrough
from ticketbridge.connectors.servicenow.reads import Reads
from ticketbridge.connectors.servicenow.sync_reads import ServiceNowSyncReads
from ticketbridge.connectors.servicenow.writes import ServiceNowWrites
from ticketbridge.errors import NotSupported


class ServiceNowConnector(ServiceNowWrites, ServiceNowSyncReads, ServiceNowPassthrough):
    vendor: ClassVar[str] = "SERVICENOW"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability) - {
        Capability.PASSTHROUGH_SEARCH
    }
    credentials_model: ClassVar[type[ServiceNowCredentials]] = ServiceNowCredentials
    reserved_fields: ClassVar[dict[str, str]] = mapping.RESERVED_FIELDS
    # A create may name no assignment group, nor a type (the first of options.tables);
    # ServiceNow tickets have no tags; a parent reference holds the parent's sys_id.
    project_required: ClassVar[bool] = False
    type_required: ClassVar[bool] = False
    tags_supported: ClassVar[bool] = False
    references_internal_id: ClassVar[bool] = True

    def __init__(
        self,
        *,
        connection_id: str,
        http: httpx.AsyncClient,
        credentials: CredentialStore,
        limiter: CallLimiter | None,
        settings: Settings,
        options: dict[str, Any] | None = None,
    ) -> None:
        """``options``: the connection's options (``tables``, ``resolve_defaults``)."""
        self.connection_id = connection_id
        self.credentials = credentials
        self.options = ServiceNowOptions.of(options)
        self.client = ServiceNowClient(
            http,
            credentials,
            policy=RetryPolicy(
                max_retries=settings.vendor_max_retries,
                max_delay=settings.vendor_max_backoff_seconds,
                total_timeout=settings.vendor_total_timeout,
            ),
            limiter=limiter,
        )
        self.reads = Reads(
            self.client, connection_id, self.options.tables, self.options.status_mapping
        )

    # --- class-level hooks (the registry's) ----------------------------------------

    @staticmethod
    def check_credentials(settings: Settings, creds: ServiceNowCredentials) -> None:
        check_base_url(settings, creds.base_url)

    @staticmethod
    def oauth_authorize_url(settings: Settings, state: str) -> str:
        raise NotSupported("ServiceNow connections take credentials, not an OAuth redirect")

    @staticmethod
    async def exchange_oauth_code(
        http: httpx.AsyncClient, settings: Settings, code: str
    ) -> dict[str, Any]:
        raise NotSupported("ServiceNow connections take credentials, not an OAuth redirect")

    # --- default mappings (a connection's own mapping wins) -----------------------------

    normalize_status = staticmethod(mapping.normalize_status)
    normalize_priority = staticmethod(mapping.normalize_priority)
    priority_to_vendor = staticmethod(mapping.priority_to_vendor)

    # --- the connection -------------------------------------------------------------

    async def test(self) -> str:
        """One cheap read: the connection's user (basic and password grant) or one group."""
        creds = self.credentials.current
        username = creds.get("username")
        if username and "^" not in str(username):
            page = await self.client.query_table(
                "sys_user", query=f"user_name={username}", fields=["sys_id", "name"], limit=1
            )
            if page.rows:
                return f"Authenticated to ServiceNow as {page.rows[0].get('name') or username}"
            return f"Authenticated to ServiceNow as {username}"
        await self.client.query_table("sys_user_group", fields=["sys_id"], limit=1)
        return "Authenticated to ServiceNow with OAuth client credentials"
