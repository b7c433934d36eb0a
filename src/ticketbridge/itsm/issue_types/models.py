from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ticketbridge.db.base import Base, IdMixin, TimestampMixin


class IssueType(IdMixin, TimestampMixin, Base):
    """An issue type as available in one project (vendor ids may be shared across projects)."""

    __tablename__ = "issue_types"

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    vendor_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    subtask: Mapped[bool] = mapped_column(default=False)
    vendor_attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        UniqueConstraint(
            "connection_id", "project_id", "vendor_id", name="uq_issue_types_project_vendor"
        ),
        Index("ix_issue_types_connection_id", "connection_id", "id"),
    )
