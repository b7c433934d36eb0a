"""Ticket wire models (docs/api.md, "Synced reads" and "Writes")."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ticketbridge.itsm.vendor_json import check_vendor_json

Status = Literal["OPEN", "TODO", "IN_PROGRESS", "IN_REVIEW", "RESOLVED", "CLOSED", "UNKNOWN"]
Priority = Literal["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNKNOWN"]

Tag = Field(min_length=1, max_length=255)


class TicketOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    identifier: str
    name: str
    description: str | None
    status: Status
    priority: Priority
    type: str | None
    type_id: uuid.UUID | None
    type_vendor_id: str | None
    active: bool
    project_id: uuid.UUID | None
    project_vendor_id: str | None
    parent_ticket_id: uuid.UUID | None
    parent_ticket_vendor_id: str | None
    assigned_user_id: uuid.UUID | None
    assigned_user_vendor_id: str | None
    created_by_user_id: uuid.UUID | None
    tags: list[str]
    url: str | None
    due_date: date | None
    ticket_created_at: datetime | None
    status_updated_at: datetime | None
    closed_at: datetime | None
    vendor_attributes: dict[str, Any]


def _exclusive(data: dict[str, Any], ours: str, theirs: str, *, required: bool) -> None:
    a, b = data.get(ours), data.get(theirs)
    if a is not None and b is not None:
        raise ValueError(f"Give either {ours} or {theirs}, not both")
    if required and a is None and b is None:
        raise ValueError(f"One of {ours} or {theirs} is required")


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=100_000)
    project_id: uuid.UUID | None = None
    project_vendor_id: str | None = Field(default=None, min_length=1, max_length=255)
    type: str | None = Field(default=None, min_length=1, max_length=255)
    type_id: uuid.UUID | None = Field(default=None, description="Deprecated: our issue type id")
    type_vendor_id: str | None = Field(default=None, min_length=1, max_length=255)
    assigned_user_id: uuid.UUID | None = None
    assigned_user_vendor_id: str | None = Field(default=None, min_length=1, max_length=255)
    parent_ticket_id: uuid.UUID | None = None
    parent_ticket_vendor_id: str | None = Field(default=None, min_length=1, max_length=255)
    status: Status | None = None
    priority: Priority | None = None
    identifier: str | None = Field(default=None, min_length=1, max_length=255)
    tags: list[str] | None = Field(default=None, max_length=100)
    due_date: date | None = None
    custom_fields: dict[str, Any] | None = Field(
        default=None,
        description="Raw vendor fields merged into the create (docs/api.md, Input validation).",
    )

    @field_validator("custom_fields")
    @classmethod
    def _vendor_json(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            check_vendor_json(value)
        return value

    @model_validator(mode="before")
    @classmethod
    def _references(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        # Whether a project or a type is required is the vendor's rule
        # (connectors.registry.check_draft).
        _exclusive(data, "project_id", "project_vendor_id", required=False)
        ours = [f for f in ("type", "type_id") if data.get(f) is not None]
        if ours and data.get("type_vendor_id") is not None:
            raise ValueError(f"Give either {' or '.join(ours)} or type_vendor_id, not both")
        if len(ours) == 2:
            raise ValueError("Give either type or type_id, not both")
        _exclusive(data, "assigned_user_id", "assigned_user_vendor_id", required=False)
        _exclusive(data, "parent_ticket_id", "parent_ticket_vendor_id", required=False)
        return data

    @model_validator(mode="after")
    def _tags(self) -> TicketCreate:
        for tag in self.tags or []:
            if not tag or len(tag) > 255:
                raise ValueError("tags must be 1 to 255 characters")
        if self.status == "UNKNOWN":
            raise ValueError("status UNKNOWN cannot be requested")
        if self.priority == "UNKNOWN":
            raise ValueError("priority UNKNOWN cannot be requested")
        return self

    def has_type(self) -> bool:
        return any(getattr(self, f) is not None for f in ("type", "type_id", "type_vendor_id"))

    def uses_vendor_ids(self) -> bool:
        return any(
            getattr(self, f) is not None
            for f in (
                "project_vendor_id",
                "type_vendor_id",
                "assigned_user_vendor_id",
                "parent_ticket_vendor_id",
            )
        )


class TicketUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=100_000)
    status: Status | None = None
    priority: Priority | None = None
    assigned_user_id: uuid.UUID | None = None
    assigned_user_vendor_id: str | None = Field(default=None, min_length=1, max_length=255)
    tags: list[str] | None = Field(default=None, max_length=100)
    due_date: date | None = None
    custom_fields: dict[str, Any] | None = Field(
        default=None,
        description="Raw vendor fields merged into the update (docs/api.md, Input validation).",
    )

    @field_validator("custom_fields")
    @classmethod
    def _vendor_json(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            check_vendor_json(value)
        return value

    @model_validator(mode="before")
    @classmethod
    def _one_assignee(cls, data: Any) -> Any:
        if isinstance(data, dict):
            _exclusive(data, "assigned_user_id", "assigned_user_vendor_id", required=False)
            if not data:
                raise ValueError("Give at least one field to update")
        return data

    @model_validator(mode="after")
    def _known(self) -> TicketUpdate:
        if not self.model_fields_set:
            raise ValueError("Give at least one field to update")
        for name in ("name", "status", "priority", "custom_fields"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        if self.status == "UNKNOWN" or self.priority == "UNKNOWN":
            raise ValueError("UNKNOWN cannot be requested")
        return self


# The error answers every ticket write documents in the OpenAPI document.
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown ticket, connection or referenced object"},
    409: {"description": "Duplicate identifier, or the Idempotency-Key is in flight"},
    422: {"description": "Invalid request or rejected by the vendor"},
    502: {"description": "Vendor rejected our credentials or failed"},
    503: {"description": "Vendor rate limited after retries (Retry-After)"},
    504: {"description": "Vendor timed out"},
}
