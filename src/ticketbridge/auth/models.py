"""API keys and the per-account request counter of the rate limit (PostgreSQL deployments).

They sit below the request edge's resources (`auth/limits.py`, held by `AppContext`), so
they import nothing but the declarative base; `provisioning.models` re-exports `ApiKey`."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ticketbridge.db.base import Base, IdMixin


class RateLimitCounter(Base):
    """One row per account: the current fixed window (its number, counted in windows since
    the Unix epoch by the database's clock) and the requests seen in it."""

    __tablename__ = "rate_limit_counters"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    window: Mapped[int] = mapped_column(BigInteger)
    hits: Mapped[int]


class ApiKey(IdMixin, Base):
    __tablename__ = "api_keys"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(String(200), default=None)
    prefix: Mapped[str] = mapped_column(String(32))
    key_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (Index("ix_api_keys_account", "account_id"),)
