"""Typed settings, read from the environment with the ``TICKETBRIDGE_`` prefix."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["production", "development", "demo", "test"]

# Used only when no key is configured outside production. Deterministic so a dev store
# written by one run can be read by the next; never acceptable in production.
_DEV_KEY_MATERIAL = b"ticketbridge-development-only-key"


def _split(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TICKETBRIDGE_", extra="ignore")

    env: Environment = "development"
    database_url: str = "sqlite+aiosqlite:///./ticketbridge.db"
    # MultiFernet keys, newest first; comma-separated in the environment.
    encryption_keys: list[str] = Field(default_factory=list)
    cors_origins: list[str] = Field(default_factory=list)
    allow_private_vendor_urls: bool = False
    # Webhook URLs may then point at private, loopback and single-label hosts (development
    # only; independent of allow_private_vendor_urls). See docs/security.md.
    allow_private_webhook_urls: bool = False
    max_batch: int = Field(default=50, ge=1, le=1000)
    max_body_bytes: int = 1024 * 1024
    log_level: str = "INFO"
    # "json": one JSON object per line (production); "console": readable lines.
    log_format: Literal["console", "json"] = "console"
    # OpenTelemetry traces (the `otel` extra); also on when OTEL_EXPORTER_OTLP_ENDPOINT is set.
    otel: bool = False
    # Public URL of this API, used to build OAuth callback URLs.
    public_url: str = "http://127.0.0.1:8000"
    # Jira OAuth 2.0 (3LO) app; the auth/api hosts are overridable for the emulator.
    jira_oauth_client_id: str = ""
    jira_oauth_client_secret: str = ""
    jira_oauth_auth_url: str = "https://auth.atlassian.com"
    jira_oauth_api_url: str = "https://api.atlassian.com"
    # Python's cyclic GC: a first-generation threshold of 700 (the default) makes it run every
    # few hundred allocations, and a sync allocates ~50,000 objects per vendor page (a third of
    # its CPU went to collections). 0 keeps Python's default. See docs/operations.md.
    gc_gen0_threshold: int = Field(10_000, ge=0)

    # Vendor HTTP behaviour.
    vendor_connect_timeout: float = 5.0
    vendor_read_timeout: float = 30.0
    # Whole-call deadline (connect + send + every read), enforced around each attempt.
    vendor_total_timeout: float = Field(default=60.0, gt=0)
    # Outbound webhook deliveries (the receiver is the customer's; keep it short).
    webhook_connect_timeout: float = Field(default=5.0, gt=0)
    webhook_read_timeout: float = Field(default=10.0, gt=0)
    webhook_total_timeout: float = Field(default=15.0, gt=0)
    vendor_max_retries: int = 4
    vendor_max_backoff_seconds: float = 30.0
    vendor_concurrency_per_connection: int = 4
    # Jobs: "auto" picks the embedded worker on SQLite and procrastinate on PostgreSQL.
    job_backend: Literal["auto", "embedded", "procrastinate"] = "auto"
    run_embedded_worker: bool = True
    scheduler_interval_seconds: float = 30.0
    # procrastinate workers (PostgreSQL): heartbeat, when a silent worker counts as dead,
    # and how often a sweep re-queues the jobs of dead workers.
    worker_concurrency: int = Field(default=4, ge=1)
    worker_heartbeat_seconds: float = Field(default=10.0, gt=0)
    worker_stalled_seconds: float = Field(default=30.0, gt=0)
    stalled_sweep_seconds: int = Field(default=60, ge=1)
    idempotency_ttl_seconds: int = 24 * 3600

    # Requests per account per window (0: no limit). Counted in the database on PostgreSQL
    # (shared by every API process), in the process on SQLite. See docs/security.md.
    rate_limit_per_minute: int = Field(default=0, ge=0)
    rate_limit_window_seconds: int = Field(default=60, ge=1, le=86400)
    # How long a read-only route may answer an API key's lookup from this process's memory
    # (0: never). A key revoked in another process is refused within this. docs/security.md.
    api_key_cache_seconds: float = Field(default=1.0, ge=0, le=2)

    # The HTTP server `ticketbridge serve` starts (uvicorn). See docs/operations.md.
    server_max_header_bytes: int = Field(default=32 * 1024, ge=1024)
    server_header_timeout_seconds: float = Field(default=10.0, gt=0)
    server_keep_alive_seconds: int = Field(default=5, ge=1)
    server_graceful_shutdown_seconds: int = Field(default=30, ge=1)

    @field_validator("encryption_keys", "cors_origins", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        return _split(value)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def effective_job_backend(self) -> Literal["embedded", "procrastinate"]:
        if self.job_backend != "auto":
            return self.job_backend
        return "embedded" if self.is_sqlite else "procrastinate"

    def fernet_keys(self) -> list[bytes]:
        """The configured keys, or the development key outside production."""
        if self.encryption_keys:
            return [key.encode() for key in self.encryption_keys]
        if self.env == "production":
            raise RuntimeError(
                "TICKETBRIDGE_ENCRYPTION_KEYS must be set in production "
                "(generate one with `ticketbridge keys generate`)"
            )
        return [base64.urlsafe_b64encode(hashlib.sha256(_DEV_KEY_MATERIAL).digest())]


# Settings parse JSON for list fields from the environment; accept comma lists too.
Settings.model_config["enable_decoding"] = False


@lru_cache
def get_settings() -> Settings:
    return Settings()
