"""The per-account request counter of the rate limit (PostgreSQL deployments)."""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ticketbridge.db.base import Base


class RateLimitCounter(Base):
    """One row per account: the current fixed window (its number, counted in windows since
    the Unix epoch by the database's clock) and the requests seen in it."""

    __tablename__ = "rate_limit_counters"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    window: Mapped[int] = mapped_column(BigInteger)
    hits: Mapped[int]
