"""Stored first responses for Idempotency-Key requests."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ticketbridge.db.base import Base, IdMixin, utcnow


class IdempotencyRecord(IdMixin, Base):
    __tablename__ = "idempotency_records"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="IN_FLIGHT")  # IN_FLIGHT|DONE
    response_status: Mapped[int | None] = mapped_column(default=None)
    response_body: Mapped[bytes | None] = mapped_column(default=None)
    response_headers: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    creation_token: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("account_id", "key", name="uq_idempotency_account_key"),)
