from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ticketbridge.db.base import Base, IdMixin, TimestampMixin


class Project(IdMixin, TimestampMixin, Base):
    __tablename__ = "projects"

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    vendor_id: Mapped[str] = mapped_column(String(255))  # Jira key
    vendor_internal_id: Mapped[str | None] = mapped_column(String(255), default=None)
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    project_type: Mapped[str | None] = mapped_column(String(64), default=None)
    url: Mapped[str | None] = mapped_column(String(2000), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    vendor_attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        UniqueConstraint("connection_id", "vendor_id", name="uq_projects_connection_vendor"),
        Index("ix_projects_connection_id", "connection_id", "id"),
    )


class ProjectUser(Base):
    """Users assignable in a project (from the vendor's assignable-users search)."""

    __tablename__ = "project_users"

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("ix_project_users_user", "user_id"),)
