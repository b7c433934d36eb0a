"""Configuration of one emulated Jira Cloud site."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from .faults import FaultConfig

DEFAULT_EMAIL = "sandbox@ticketbridge.dev"
DEFAULT_API_TOKEN = "sandbox-api-token"
DEFAULT_CLIENT_ID = "ticketbridge-sandbox-client"
DEFAULT_CLIENT_SECRET = "ticketbridge-sandbox-secret"


def cloud_id_for_seed(seed: int) -> str:
    """A stable cloudId per seed, shaped like Atlassian's (a UUID)."""
    return str(uuid.UUID(int=random.Random(f"cloud-{seed}").getrandbits(128), version=4))


@dataclass(frozen=True, slots=True)
class Site:
    """The emulated site's identity (what `/_emulator/info` and the gateway check)."""

    cloud_id: str
    name: str


@dataclass
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0 = let the OS pick a free port
    email: str = DEFAULT_EMAIL
    api_token: str = DEFAULT_API_TOKEN
    seed: int = 42
    projects: int = 3
    users: int = 25
    issues: int = 200
    faults: FaultConfig = field(default_factory=FaultConfig)
    oauth_client_id: str = DEFAULT_CLIENT_ID
    oauth_client_secret: str = DEFAULT_CLIENT_SECRET
    access_token_ttl_seconds: float = 3600.0
    cloud_id: str = ""  # derived from the seed when empty
    site_name: str = "ticketbridge-sandbox"
    # ENG's Bug type then requires customfield_10030 ("Customer Impact") on create.
    require_bug_customer_impact: bool = False
    access_log: bool = False

    def __post_init__(self) -> None:
        if not self.cloud_id:
            self.cloud_id = cloud_id_for_seed(self.seed)
