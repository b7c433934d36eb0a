"""Wire models for provisioning (docs/api.md, "Provisioning")."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ticketbridge.connectors.options import (  # noqa: F401  (re-exported)
    MAX_MAPPING_ENTRIES,
    MAX_PROJECT_KEY_LENGTH,
    MAX_PROJECT_KEYS,
    MAX_VENDOR_NAME_LENGTH,
    JiraOptions,
    Priority,
    ServiceNowOptions,
    Status,
)
from ticketbridge.netguard import UrlRefused, parse_url

ConnectionState = Literal["PENDING", "ACTIVE", "PAUSED", "DELETED"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    webhook_url: str | None
    created_at: datetime
    webhook_secret: str | None = Field(
        default=None, description="Shown once, when webhook_url is set or changed."
    )


class AccountPatch(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    webhook_url: str | None = Field(
        default=None,
        description="http(s) URL of a public host; resolved and checked again at each delivery.",
    )

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        """The URL's normalized form (A-label host); refused with the reason otherwise."""
        if value is None:
            return None
        try:
            return parse_url(value).url
        except UrlRefused as exc:
            raise ValueError(str(exc)) from None


class ApiKeyCreate(StrictModel):
    name: str | None = Field(default=None, max_length=200)


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str | None
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The full key; shown only in this response.")


class OrganizationCreate(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    identifier: str | None = Field(default=None, max_length=200)


class OrganizationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    identifier: str | None
    created_at: datetime
    updated_at: datetime


# Each vendor's options model and their caps: connectors/options.py (re-exported here;
# ConnectionOptions is Jira's, the first vendor's, kept under its old name).
ConnectionOptions = JiraOptions

# "validate" on the wire (BaseModel.validate is taken): false skips the vendor check.
VALIDATE = Field(
    default=True,
    alias="validate",
    description="Check the credentials against the vendor (one cheap call); "
    "false skips the check, for offline provisioning.",
)


class ConnectionCreate(StrictModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    vendor: str = Field(
        min_length=1,
        max_length=40,
        description="A vendor of the connector registry: JIRA or SERVICENOW "
        "(GET /v1/itsm/capabilities lists them).",
        examples=["JIRA", "SERVICENOW"],
    )
    credentials: dict[str, Any]
    check_vendor: bool = VALIDATE
    options: dict[str, Any] | None = Field(
        default=None,
        description="The vendor's options (docs/api.md, Connection options), checked "
        "against the vendor's model: a 422 names the field.",
    )
    refresh_interval_secs: int = Field(default=21600, ge=60, le=30 * 86400)
    timeout_secs: int = Field(default=1800, ge=10, le=86400)
    identifier: str | None = Field(default=None, max_length=200)


class ConnectionPatch(StrictModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    credentials: dict[str, Any] | None = None
    check_vendor: bool = VALIDATE
    options: dict[str, Any] | None = Field(
        default=None,
        description="A JSON merge patch (RFC 7396) on the connection's options: keys sent "
        "replace, keys sent as null are removed, nested objects merge, keys not sent stay. "
        "`null` for the whole object restores the defaults.",
    )
    state: Literal["ACTIVE", "PAUSED"] | None = None
    refresh_interval_secs: int | None = Field(default=None, ge=60, le=30 * 86400)
    identifier: str | None = Field(default=None, max_length=200)


class Health(BaseModel):
    name: str
    status: str
    description: str | None = None
    resolution_owner: str | None = None
    skipped_items: int | None = Field(
        default=None,
        description="After a sync that skipped items it could not store (status stays "
        "HEALTHY): how many; the sync job's result.skipped lists them with reasons.",
    )


class ConnectionOut(BaseModel):
    id: uuid.UUID
    vendor: str
    is_active: bool
    state: ConnectionState
    refresh_interval_secs: int
    timeout_secs: int
    organization_id: uuid.UUID
    organization_name: str | None
    identifier: str | None
    oauth2_authorize_url: str | None
    health: Health | None
    last_synced_at: datetime | None
    created_at: datetime
    updated_at: datetime
    options: dict[str, Any] = Field(description="The vendor's options, defaults filled in.")


class ConnectionTestOut(BaseModel):
    ok: bool
    detail: str


class SyncRequest(StrictModel):
    full: bool = Field(
        default=False,
        description="Every ticket, not only those updated since the last sync.",
    )


class JobAccepted(BaseModel):
    job_id: uuid.UUID
