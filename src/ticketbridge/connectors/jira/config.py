"""Jira connection credentials: basic (email + API token) or OAuth 2.0 (3LO)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlencode, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ticketbridge.config import Settings
from ticketbridge.errors import Unprocessable

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
    def _strip(cls, value: str | None) -> str | None:
        return value.strip().rstrip("/") if value else value

    def model_post_init(self, _context: object) -> None:
        basic = (self.base_url, self.email, self.api_token)
        if self.oauth:
            if any(basic):
                raise ValueError("give either {base_url, email, api_token} or {oauth: true}")
        elif not all(basic):
            raise ValueError("base_url, email and api_token are required (or oauth: true)")


def check_base_url(settings: Settings, base_url: str) -> None:
    """Refuses anything but Atlassian Cloud hosts unless private vendor URLs are allowed."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Unprocessable(
            "credentials.base_url must be an absolute http(s) URL", field="base_url"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise Unprocessable("credentials.base_url must not carry userinfo, query or fragment")
    host = parts.hostname.lower()
    if settings.allow_private_vendor_urls:
        return
    allowed = parts.scheme == "https" and (
        (host.endswith(".atlassian.net") and host.count(".") == 2)
        or (host == "api.atlassian.com" and parts.path.startswith("/ex/jira/"))
    )
    if not allowed or parts.port not in (None, 443):
        raise Unprocessable(
            "credentials.base_url must be https://<site>.atlassian.net or "
            "https://api.atlassian.com/ex/jira/<cloudId>",
            field="base_url",
        )
    try:  # a literal IP is never an Atlassian site
        ipaddress.ip_address(host)
    except ValueError:
        return
    raise Unprocessable("credentials.base_url must be a hostname", field="base_url")


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
