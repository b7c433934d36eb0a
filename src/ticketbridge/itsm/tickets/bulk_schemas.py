"""Bulk wire models (docs/api.md, "Writes")."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ticketbridge.itsm.tickets.schemas import Priority, Status, TicketCreate


class BulkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tickets: list[TicketCreate] = Field(min_length=1)


class BulkResult(BaseModel):
    request_index: int
    success: bool
    ticket_id: uuid.UUID | None = None
    vendor_ticket_id: str | None = None
    identifier: str | None = None
    error: str | None = None
    code: str | None = Field(
        default=None, description="Stable machine code of `error` (docs/api.md, Error codes)"
    )
    vendor_errors: dict[str, Any] | None = None


class BulkOutcome(BaseModel):
    total: int
    succeeded: int
    failed: int
    results: list[BulkResult]


class BulkUpdates(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Status | None = None
    priority: Priority | None = None
    assigned_user_id: uuid.UUID | None = None
    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=100_000)

    @model_validator(mode="after")
    def _some(self) -> BulkUpdates:
        if not self.model_fields_set:
            raise ValueError("updates must contain at least one field")
        for name in ("status", "priority", "name"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class BulkUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticket_ids: list[uuid.UUID] = Field(min_length=1)
    updates: BulkUpdates
