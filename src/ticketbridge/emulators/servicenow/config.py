"""Configuration of one emulated ServiceNow instance."""

from __future__ import annotations

from dataclasses import dataclass, field

from .faults import FaultConfig

DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "sandbox-password"
DEFAULT_CLIENT_ID = "ticketbridge-sn-client"
DEFAULT_CLIENT_SECRET = "ticketbridge-sn-secret"


@dataclass
class ServiceNowConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0 = let the OS pick a free port
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    # The API user's roles (sys_user.roles, comma-separated): without admin, the admin-only
    # tables (sys_audit_delete, sys_audit) answer 403.
    roles: str = "admin"
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    access_token_ttl_seconds: float = 1799.0
    # OAuth client_credentials grant (off by default on a real instance; on here).
    client_credentials_grant: bool = True
    seed: int = 42
    users: int = 25
    groups: int = 4
    records: int = 200  # seeded records per task table (incident gets this many, others half)
    faults: FaultConfig = field(default_factory=FaultConfig)
    # The incident data policy: state 6/7 needs close_code and close_notes.
    incident_data_policy: bool = True
    # glide.invalid_query.returns_no_rows: an invalid condition makes a query return nothing.
    invalid_query_returns_no_rows: bool = False
    access_log: bool = False
