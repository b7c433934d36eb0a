"""Jira connection credentials: basic (email + API token) or OAuth 2.0 (3LO)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ticketbridge.config import Settings
from ticketbridge.connectors.http import network_reason
from ticketbridge.errors import Unprocessable, VendorUnauthorized, VendorUnavailable
from ticketbridge.netguard import UrlRefused, literal_refusal, parse_url

OAUTH_SCOPES = "read:jira-work write:jira-work read:jira-user offline_access"
CALLBACK_PATH = "/v1/oauth/jira/callback"


class JiraCredentials(BaseModel):
    """Accepts either shape; stored as given (OAuth tokens are added after the callback)."""

    model_config = ConfigDict(extra="forbid")
    base_url: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=320)
    api_token: str | None = Field(default=None, max_length=2000)
    oauth: bool = False

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        """Parsed strictly at the edge (port, IDNA host, no userinfo/query/fragment): a URL
        the HTTP client would choke on later never gets stored. Stored normalized."""
        if not value:
            return value
        try:
            return parse_url(value.strip(), allow_query=False).url.rstrip("/")
        except UrlRefused as exc:
            raise ValueError(str(exc)) from None

    def model_post_init(self, _context: object) -> None:
        basic = (self.base_url, self.email, self.api_token)
        if self.oauth:
            if any(basic):
                raise ValueError("give either {base_url, email, api_token} or {oauth: true}")
        elif not all(basic):
            raise ValueError("base_url, email and api_token are required (or oauth: true)")


def check_base_url(settings: Settings, base_url: str) -> None:
    """Refuses anything but Atlassian Cloud hosts unless private vendor URLs are allowed
    (then any URL the strict parser accepts). The syntax and address rules are
    ``netguard``'s, the same as for webhooks."""
    try:
        url = parse_url(base_url, allow_query=False)
    except UrlRefused as exc:
        raise Unprocessable(f"credentials.base_url {exc}", field="base_url") from None
    if settings.allow_private_vendor_urls:
        return
    host = url.host
    allowed = (
        url.scheme == "https"
        and url.ip is None
        and url.port in (None, 443)
        and (
            (host.endswith(".atlassian.net") and host.count(".") == 2)
            or (host == "api.atlassian.com" and url.path.startswith("/ex/jira/"))
        )
    )
    if not allowed:
        raise Unprocessable(
            "credentials.base_url must be https://<site>.atlassian.net or "
            "https://api.atlassian.com/ex/jira/<cloudId>",
            field="base_url",
        )
    refusal = literal_refusal(url, allow_private=False)
    if refusal:  # never for an Atlassian Cloud host; the same rule as webhooks all the same
        raise Unprocessable(f"credentials.base_url: {refusal}", field="base_url")


def authorize_url(settings: Settings, state: str) -> str:
    query = urlencode(
        {
            "audience": "api.atlassian.com",
            "client_id": settings.jira_oauth_client_id,
            "scope": OAUTH_SCOPES,
            "redirect_uri": settings.public_url.rstrip("/") + CALLBACK_PATH,
            "state": state,
            "response_type": "code",
            "prompt": "consent",
        }
    )
    return f"{settings.jira_oauth_auth_url.rstrip('/')}/authorize?{query}"


# Whole-call deadline of the OAuth calls (the shared client bounds connect and each read).
TOKEN_CALL_DEADLINE = 60.0


async def request_token(
    http: httpx.AsyncClient, url: str, body: dict[str, Any], *, refused: str
) -> dict[str, Any]:
    """POST to Atlassian's token endpoint.

    A refusal (400/401/403: bad code, spent refresh token) means the customer must authorize
    again; anything else (unreachable, 5xx, garbage) is operational and says so.
    """
    try:
        async with asyncio.timeout(TOKEN_CALL_DEADLINE):
            response = await http.post(url, json=body)
    except (httpx.HTTPError, TimeoutError) as exc:
        raise VendorUnavailable(
            f"Atlassian's token endpoint is unreachable: {network_reason(exc)}"
        ) from None
    if response.status_code in (400, 401, 403):
        raise VendorUnauthorized(refused)
    if response.status_code != 200:
        raise VendorUnavailable(f"Atlassian's token endpoint answered HTTP {response.status_code}")
    try:
        token: dict[str, Any] = response.json()
        str(token["access_token"])
    except (ValueError, KeyError, TypeError):
        raise VendorUnavailable("Atlassian's token endpoint sent an unexpected answer") from None
    return token


async def accessible_site(http: httpx.AsyncClient, url: str, access_token: str) -> dict[str, Any]:
    """The first Jira site the token may use (``/oauth/token/accessible-resources``)."""
    try:
        async with asyncio.timeout(TOKEN_CALL_DEADLINE):
            response = await http.get(url, headers={"Authorization": f"Bearer {access_token}"})
    except (httpx.HTTPError, TimeoutError) as exc:
        raise VendorUnavailable(f"Atlassian is unreachable: {network_reason(exc)}") from None
    if response.status_code in (401, 403):
        raise VendorUnauthorized("Atlassian refused the new access token")
    try:
        sites = response.json() if response.status_code == 200 else None
    except ValueError:
        sites = None
    if not isinstance(sites, list) or not sites or not isinstance(sites[0], dict):
        if response.status_code == 200:
            raise VendorUnauthorized("The authorized Atlassian account has no Jira site")
        raise VendorUnavailable(f"Atlassian answered HTTP {response.status_code}")
    if "id" not in sites[0]:
        raise VendorUnavailable("Atlassian sent an unexpected list of sites")
    return sites[0]
