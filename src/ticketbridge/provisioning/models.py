"""Tenancy tables: accounts, API keys, organizations, connections."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ticketbridge.auth.models import ApiKey
from ticketbridge.db.base import Base, IdMixin, TimestampMixin

__all__ = ["Account", "ApiKey", "Connection", "Organization"]


class Account(IdMixin, TimestampMixin, Base):
    __tablename__ = "accounts"

    name: Mapped[str] = mapped_column(String(200))
    webhook_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    webhook_secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)


class Organization(IdMixin, TimestampMixin, Base):
    __tablename__ = "organizations"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    identifier: Mapped[str | None] = mapped_column(String(200), default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (Index("ix_organizations_account", "account_id", "id"),)


class Connection(IdMixin, TimestampMixin, Base):
    __tablename__ = "connections"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    vendor: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="PENDING")
    identifier: Mapped[str | None] = mapped_column(String(200), default=None)
    credentials_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    refresh_interval_secs: Mapped[int] = mapped_column(default=21600)
    timeout_secs: Mapped[int] = mapped_column(default=1800)
    health: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    last_synced_at: Mapped[datetime | None] = mapped_column(default=None)
    # High-water mark of vendor `updated` seen by the last successful sync.
    sync_cursor: Mapped[datetime | None] = mapped_column(default=None)
    next_sync_at: Mapped[datetime | None] = mapped_column(default=None)
    oauth_state: Mapped[str | None] = mapped_column(String(128), default=None, unique=True)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        Index("ix_connections_account", "account_id", "id"),
        Index("ix_connections_next_sync", "state", "next_sync_at"),
        UniqueConstraint("organization_id", "identifier", name="uq_connections_org_identifier"),
    )
