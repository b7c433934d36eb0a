"""Jobs and their items: the source of truth for GET /v1/jobs/{id}."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ticketbridge.db.base import Base, IdMixin, utcnow


class Job(IdMixin, Base):
    __tablename__ = "jobs"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="QUEUED")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    progress_total: Mapped[int] = mapped_column(default=0)
    progress_processed: Mapped[int] = mapped_column(default=0)
    failure_reason: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    # Lease held by the worker running it; an expired lease means the worker died.
    locked_by: Mapped[str | None] = mapped_column(String(128), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    webhook_delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        Index("ix_jobs_connection_created", "connection_id", "created_at"),
        Index("ix_jobs_status", "status", "lease_expires_at"),
    )


class JobItem(Base):
    """One entry of a bulk job; a resumed job skips the items already done."""

    __tablename__ = "job_items"

    job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    index: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="PENDING")  # PENDING|SENT|DONE
    creation_token: Mapped[str | None] = mapped_column(String(64), default=None)
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(default=None)
