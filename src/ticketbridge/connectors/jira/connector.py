"""The Jira Cloud connector: the connector contract in terms of Jira's REST API v3.

The class is built from parts along the contract's seams: writes (`writes.py`), sync reads
(`sync_reads.py`) and passthrough (`passthrough.py`); the class-level hooks the registry
exposes (credentials, OAuth, default mappings) are here. Everything it needs is handed to
it: the HTTP client, the connection's credential store and call limiter, the settings.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import httpx

from ticketbridge.config import Settings
from ticketbridge.connectors.base import Capability, CredentialStore
from ticketbridge.connectors.http import RetryPolicy
from ticketbridge.connectors.jira import mapping
from ticketbridge.connectors.jira.client import JiraClient
from ticketbridge.connectors.jira.config import (
    CALLBACK_PATH,
    JiraCredentials,
    accessible_site,
    authorize_url,
    check_base_url,
    request_token,
)
from ticketbridge.connectors.jira.passthrough import JiraPassthrough
from ticketbridge.connectors.jira.reads import Reads
from ticketbridge.connectors.jira.sync_reads import JiraSyncReads
from ticketbridge.connectors.jira.writes import JiraWrites
from ticketbridge.connectors.limits import CallLimiter
from ticketbridge.connectors.options import JiraOptions


class JiraConnector(JiraWrites, JiraSyncReads, JiraPassthrough):
    vendor: ClassVar[str] = "JIRA"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability)
    credentials_model: ClassVar[type[JiraCredentials]] = JiraCredentials
    reserved_fields: ClassVar[dict[str, str]] = mapping.RESERVED_FIELDS
    options_model: ClassVar[type[JiraOptions]] = JiraOptions

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
        # options: Jira's filter and mappings are applied by the sync and the services.
        self.connection_id = connection_id
        self.credentials = credentials
        self.client = JiraClient(
            http,
            credentials,
            policy=RetryPolicy(
                max_retries=settings.vendor_max_retries,
                max_delay=settings.vendor_max_backoff_seconds,
                total_timeout=settings.vendor_total_timeout,
            ),
            limiter=limiter,
            oauth_token_url=settings.jira_oauth_auth_url.rstrip("/") + "/oauth/token",
            oauth_client=(settings.jira_oauth_client_id, settings.jira_oauth_client_secret),
        )
        self.reads = Reads(self.client, connection_id)

    # --- class-level hooks (the registry's) ----------------------------------------

    @staticmethod
    def check_credentials(settings: Settings, creds: JiraCredentials) -> None:
        if creds.base_url:
            check_base_url(settings, creds.base_url)

    @staticmethod
    def oauth_authorize_url(settings: Settings, state: str) -> str:
        return authorize_url(settings, state)

    @staticmethod
    async def exchange_oauth_code(
        http: httpx.AsyncClient, settings: Settings, code: str
    ) -> dict[str, Any]:
        token = await request_token(
            http,
            settings.jira_oauth_auth_url.rstrip("/") + "/oauth/token",
            {
                "grant_type": "authorization_code",
                "client_id": settings.jira_oauth_client_id,
                "client_secret": settings.jira_oauth_client_secret,
                "code": code,
                "redirect_uri": settings.public_url.rstrip("/") + CALLBACK_PATH,
            },
            refused="Jira refused the authorization code",
        )
        site = await accessible_site(
            http,
            settings.jira_oauth_api_url.rstrip("/") + "/oauth/token/accessible-resources",
            token["access_token"],
        )
        return {
            "oauth": True,
            "cloud_id": site["id"],
            "base_url": str(site.get("url") or "").rstrip("/"),
            "api_base_url": f"{settings.jira_oauth_api_url.rstrip('/')}/ex/jira/{site['id']}",
            "access_token": token["access_token"],
            "refresh_token": token.get("refresh_token"),
            "expires_at": time.time() + float(token.get("expires_in", 3600)),
        }

    # --- default mappings (a connection's own mapping wins) -----------------------------

    normalize_status = staticmethod(mapping.normalize_status)
    normalize_priority = staticmethod(mapping.normalize_priority)
    priority_to_vendor = staticmethod(mapping.priority_to_vendor)

    # --- the connection -------------------------------------------------------------

    async def test(self) -> str:
        me = await self.client.myself()
        return f"Authenticated to Jira as {me.get('displayName') or me.get('accountId')}"
