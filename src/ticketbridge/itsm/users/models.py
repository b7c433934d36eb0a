from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ticketbridge.db.base import Base, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    vendor_id: Mapped[str] = mapped_column(String(255))  # Jira accountId
    name: Mapped[str | None] = mapped_column(String(500), default=None)
    email: Mapped[str | None] = mapped_column(String(500), default=None)
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    vendor_attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        UniqueConstraint("connection_id", "vendor_id", name="uq_users_connection_vendor"),
        Index("ix_users_connection_id", "connection_id", "id"),
        Index("ix_users_connection_updated", "connection_id", "updated_at", "id"),
    )
