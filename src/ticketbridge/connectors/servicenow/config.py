"""ServiceNow connection credentials and options: basic auth, OAuth client credentials or the
OAuth password grant (tokens from the instance's ``/oauth_token.do``)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ticketbridge.config import Settings
from ticketbridge.connectors.http import network_reason
from ticketbridge.errors import Unprocessable, VendorUnauthorized, VendorUnavailable
from ticketbridge.netguard import UrlRefused, literal_refusal, parse_url

# The task tables a connection may treat as tickets, with their labels (the ticket `type`).
TABLE_LABELS = {
    "incident": "Incident",
    "problem": "Problem",
    "change_request": "Change Request",
    "sc_task": "Catalog Task",
}
DEFAULT_TABLES = ("incident",)


class ServiceNowCredentials(BaseModel):
    """{base_url, username, password} (basic), {base_url, client_id, client_secret} (OAuth
    client credentials) or all five (OAuth password grant). OAuth tokens are added to the
    stored credentials by the connector (``access_token``, ``refresh_token``, ``expires_at``)."""

    model_config = ConfigDict(extra="forbid")
    base_url: str = Field(max_length=500)
    username: str | None = Field(default=None, max_length=255)
    password: str | None = Field(default=None, max_length=2000)
    client_id: str | None = Field(default=None, max_length=255)
    client_secret: str | None = Field(default=None, max_length=2000)
    # Kept by the connector after a token call; never given by the caller.
    access_token: str | None = Field(default=None, max_length=8000)
    refresh_token: str | None = Field(default=None, max_length=8000)
    expires_at: float | None = None

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        """Parsed strictly at the edge, stored normalized (no trailing slash)."""
        try:
            return parse_url(value.strip(), allow_query=False).url.rstrip("/")
        except UrlRefused as exc:
            raise ValueError(str(exc)) from None

    def model_post_init(self, _context: object) -> None:
        basic = self.username is not None or self.password is not None
        oauth = self.client_id is not None or self.client_secret is not None
        if basic and not (self.username and self.password):
            raise ValueError("username and password go together")
        if oauth and not (self.client_id and self.client_secret):
            raise ValueError("client_id and client_secret go together")
        if not basic and not oauth:
            raise ValueError(
                "give {base_url, username, password}, {base_url, client_id, client_secret} "
                "or all five"
            )


def auth_kind(creds: dict[str, Any]) -> str:
    """``basic``, ``client_credentials`` or ``password`` (the OAuth password grant)."""
    if creds.get("client_id"):
        return "password" if creds.get("username") else "client_credentials"
    return "basic"


def check_base_url(settings: Settings, base_url: str) -> None:
    """Refuses anything but ``https://<instance>.service-now.com`` unless private vendor
    URLs are allowed (then any URL the strict parser accepts); the rules are ``netguard``'s."""
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
        and url.path in ("", "/")
        and host.endswith(".service-now.com")
        and host.count(".") == 2
    )
    if not allowed:
        raise Unprocessable(
            "credentials.base_url must be https://<instance>.service-now.com", field="base_url"
        )
    refusal = literal_refusal(url, allow_private=False)
    if refusal:
        raise Unprocessable(f"credentials.base_url: {refusal}", field="base_url")


@dataclass
class ServiceNowOptions:
    """The connection options the connector reads (BEHAVIOR.md, "Options"): ``tables``,
    ``resolve_defaults: {close_code, close_notes}``, ``status_mapping``."""

    tables: tuple[str, ...] = DEFAULT_TABLES
    resolve_defaults: dict[str, str] = field(default_factory=dict)
    status_mapping: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, options: dict[str, Any] | None) -> ServiceNowOptions:
        options = options or {}
        tables = tuple(t for t in options.get("tables") or () if t in TABLE_LABELS)
        defaults = options.get("resolve_defaults") or {}
        status_mapping = options.get("status_mapping") or {}
        return cls(
            status_mapping=dict(status_mapping) if isinstance(status_mapping, dict) else {},
            tables=tables or DEFAULT_TABLES,
            resolve_defaults={
                k: str(v)
                for k, v in defaults.items()
                if k in ("close_code", "close_notes") and v not in (None, "")
            }
            if isinstance(defaults, dict)
            else {},
        )


# Whole-call deadline of a token call (the shared client bounds connect and each read).
TOKEN_CALL_DEADLINE = 60.0


async def request_token(
    http: httpx.AsyncClient, base_url: str, form: dict[str, str]
) -> dict[str, Any]:
    """POST ``/oauth_token.do`` (form encoded, as the instance requires). A refusal (400,
    401, 403) means the credentials are wrong; anything else is operational."""
    try:
        async with asyncio.timeout(TOKEN_CALL_DEADLINE):
            response = await http.post(
                f"{base_url}/oauth_token.do", data=form, headers={"Accept": "application/json"}
            )
    except (httpx.HTTPError, TimeoutError) as exc:
        raise VendorUnavailable(
            f"ServiceNow's token endpoint is unreachable: {network_reason(exc)}"
        ) from None
    if response.status_code in (400, 401, 403):
        raise VendorUnauthorized(
            f"ServiceNow refused the OAuth {form.get('grant_type', '')} grant"
            f" (HTTP {response.status_code})"
        )
    if response.status_code != 200:
        raise VendorUnavailable(f"ServiceNow's token endpoint answered HTTP {response.status_code}")
    try:
        token: dict[str, Any] = response.json()
        str(token["access_token"])
    except (ValueError, KeyError, TypeError):
        raise VendorUnavailable("ServiceNow's token endpoint sent an unexpected answer") from None
    return token


async def fresh_token(http: httpx.AsyncClient, stored: dict[str, Any]) -> dict[str, Any]:
    """The stored credentials with a new access token: the refresh-token grant when a
    refresh token is kept (falling back to the original grant if it is refused), else the
    connection's own grant (password or client credentials)."""
    base_url = str(stored["base_url"]).rstrip("/")
    client = {"client_id": str(stored["client_id"]), "client_secret": str(stored["client_secret"])}
    token: dict[str, Any] | None = None
    if stored.get("refresh_token"):
        try:
            token = await request_token(
                http,
                base_url,
                {"grant_type": "refresh_token", "refresh_token": stored["refresh_token"], **client},
            )
        except VendorUnauthorized:
            token = None
    if token is None:
        if auth_kind(stored) == "password":
            form = {
                "grant_type": "password",
                "username": str(stored["username"]),
                "password": str(stored["password"]),
                **client,
            }
        else:
            form = {"grant_type": "client_credentials", **client}
        token = await request_token(http, base_url, form)
    return {
        **stored,
        "access_token": token["access_token"],
        "refresh_token": token.get("refresh_token") or stored.get("refresh_token"),
        "expires_at": time.time() + float(token.get("expires_in") or 1799),
    }
