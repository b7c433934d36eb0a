from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ticketbridge.db.base import Base, IdMixin, TimestampMixin


class Ticket(IdMixin, TimestampMixin, Base):
    __tablename__ = "tickets"

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    identifier: Mapped[str] = mapped_column(String(255))
    vendor_id: Mapped[str] = mapped_column(String(255))  # Jira key, e.g. ENG-12
    vendor_internal_id: Mapped[str] = mapped_column(String(255))  # Jira numeric id
    name: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    type: Mapped[str | None] = mapped_column(String(255), default=None)
    type_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    type_vendor_id: Mapped[str | None] = mapped_column(String(255), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    project_vendor_id: Mapped[str | None] = mapped_column(String(255), default=None)
    parent_ticket_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    parent_ticket_vendor_id: Mapped[str | None] = mapped_column(String(255), default=None)
    assigned_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    assigned_user_vendor_id: Mapped[str | None] = mapped_column(String(255), default=None)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    tags: Mapped[list[str]] = mapped_column(default=list)
    url: Mapped[str | None] = mapped_column(String(2000), default=None)
    due_date: Mapped[date | None] = mapped_column(Date, default=None)
    ticket_created_at: Mapped[datetime | None] = mapped_column(default=None)
    ticket_updated_at: Mapped[datetime | None] = mapped_column(default=None)
    status_updated_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    vendor_attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_seen_sync_id: Mapped[uuid.UUID | None] = mapped_column(default=None)

    __table_args__ = (
        UniqueConstraint("connection_id", "identifier", name="uq_tickets_connection_identifier"),
        UniqueConstraint(
            "connection_id", "vendor_internal_id", name="uq_tickets_connection_vendor"
        ),
        Index("ix_tickets_connection_id", "connection_id", "id"),
        Index("ix_tickets_connection_updated", "connection_id", "updated_at", "id"),
        Index("ix_tickets_connection_status", "connection_id", "status", "id"),
        Index("ix_tickets_connection_project", "connection_id", "project_id", "id"),
        Index("ix_tickets_connection_assignee", "connection_id", "assigned_user_id", "id"),
        Index("ix_tickets_connection_parent", "connection_id", "parent_ticket_id", "id"),
        Index("ix_tickets_connection_vendor_key", "connection_id", "vendor_id"),
    )
