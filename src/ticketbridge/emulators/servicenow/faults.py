"""Fault injection (latency, rate-limit rule, 429/503, dropped connections, transaction
quota) and request stats."""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from .errors import TRANSACTION_CANCELLED, error_body

RATE_RULE_SYS_ID = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """What to inject. Ratios are probabilities per request in [0, 1]."""

    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    # A rate-limit rule (sys_rate_limit_rules) over all API requests: requests per hour.
    rate_limit_per_hour: int | None = None
    # 429s as a rate-limit rule sends them (Retry-After, X-RateLimit-*, the documented body);
    # the limit shown is rate_limit_per_hour, else 100.
    error_429_ratio: float = 0.0
    overload_429_ratio: float = 0.0  # an overloaded node's bare 429: no headers at all
    error_503_ratio: float = 0.0
    drop_after_commit_ratio: float = 0.0  # writes only: commit, then abort the TCP connection
    retry_after_seconds: int = 1  # Retry-After on 429s
    # A rule's 429 without Retry-After (X-RateLimit-Reset alone says when to come back).
    omit_retry_after: bool = False
    # The rule's window: an hour on instances (rate_limit_per_hour); shorter in tests.
    rate_window_seconds: int = 3600
    # Transaction quota: a list GET asking for more rows than this is cancelled (0 = off).
    quota_max_page_size: int = 0
    # The "REST Batch API request timeout" quota: items not started by then are unserviced.
    batch_timeout_seconds: float = 30.0

    def updated(self, changes: dict[str, Any]) -> FaultConfig:
        """A copy with `changes` applied; unknown keys or bad values raise ValueError."""
        known = {f.name for f in fields(self)}
        clean: dict[str, Any] = {}
        for key, value in changes.items():
            if key not in known:
                raise ValueError(f"unknown fault setting '{key}'")
            if key == "rate_limit_per_hour":
                clean[key] = None if value in (None, 0) else int(value)
            elif key == "omit_retry_after":
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be true or false")
                clean[key] = value
            elif key in ("retry_after_seconds", "quota_max_page_size", "rate_window_seconds"):
                clean[key] = int(value)
                if key == "rate_window_seconds" and clean[key] < 1:
                    raise ValueError(f"{key} must be at least 1")
            else:
                clean[key] = float(value)
                if key.endswith("_ratio") and not 0.0 <= clean[key] <= 1.0:
                    raise ValueError(f"{key} must be between 0 and 1")
            if clean[key] is not None and clean[key] < 0:
                raise ValueError(f"{key} must not be negative")
        return replace(self, **clean)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Stats:
    routes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    records_created: int = 0
    responses_429: int = 0
    responses_503: int = 0
    cancelled: int = 0
    drops: int = 0
    requests_total: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests_total": self.requests_total,
            "requests_by_route": dict(self.routes),
            "responses_by_status": {str(k): v for k, v in self.statuses.items()},
            "records_created": self.records_created,
            "responses_429": self.responses_429,
            "responses_503": self.responses_503,
            "transactions_cancelled": self.cancelled,
            "drops": self.drops,
        }


@dataclass(frozen=True, slots=True)
class Injected:
    """An injected answer (status, headers, body); `headers_only` adds headers to a real one."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any] | None = None


class Faults:
    """Current fault settings, the random source, the rate-limit window and the stats."""

    def __init__(self, config: FaultConfig, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.config = config
        self.stats = Stats()
        self.window_start = 0.0
        self.window_count = 0

    def update(self, changes: dict[str, Any]) -> FaultConfig:
        self.config = self.config.updated(changes)
        self.window_start, self.window_count = 0.0, 0
        return self.config

    def reset(self, config: FaultConfig | None = None) -> None:
        """Back to no faults (or `config`) and zeroed stats."""
        self.config = config or FaultConfig()
        self.stats = Stats()
        self.window_start, self.window_count = 0.0, 0

    async def delay(self) -> None:
        cfg = self.config
        if cfg.latency_ms or cfg.latency_jitter_ms:
            jitter = self.rng.uniform(0, cfg.latency_jitter_ms) if cfg.latency_jitter_ms else 0.0
            await asyncio.sleep((cfg.latency_ms + jitter) / 1000.0)

    def rate_headers(self, limit: int | None = None) -> dict[str, str]:
        """The headers of the matching rate-limit rule (none without a rule)."""
        limit = limit or self.config.rate_limit_per_hour
        if not limit:
            return {}
        if not self.window_start:
            self.window_start = time.monotonic()
        window = self.config.rate_window_seconds
        # UNIX seconds, rounded up: a client waiting until then finds the new window open.
        reset = math.ceil(time.time() - time.monotonic() + self.window_start + window)
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Reset": str(reset),
            "X-RateLimit-Rule": RATE_RULE_SYS_ID,
        }

    def check(self) -> Injected | None:
        """Decide whether this API request is answered by an injected error."""
        cfg = self.config
        limit = cfg.rate_limit_per_hour
        if limit:
            now = time.monotonic()
            if not self.window_start or now - self.window_start >= cfg.rate_window_seconds:
                self.window_start, self.window_count = now, 0
            self.window_count += 1
            if self.window_count > limit:
                return self._rate_limited(limit)
        if cfg.error_429_ratio and self.rng.random() < cfg.error_429_ratio:
            return self._rate_limited(limit or 100)
        if cfg.overload_429_ratio and self.rng.random() < cfg.overload_429_ratio:
            self.stats.responses_429 += 1
            return Injected(429, {}, error_body("Too Many Requests", None))
        if cfg.error_503_ratio and self.rng.random() < cfg.error_503_ratio:
            self.stats.responses_503 += 1
            body = error_body("Service Unavailable", "The instance is temporarily overloaded")
            return Injected(503, {}, body)
        return None

    def _rate_limited(self, limit: int) -> Injected:
        self.stats.responses_429 += 1
        headers: dict[str, str] = {}
        if not self.config.omit_retry_after:
            headers["Retry-After"] = str(self.config.retry_after_seconds)
        headers |= self.rate_headers(limit)
        detail = f"Rate limit of {limit} requests per hour for Table API exceeded"
        return Injected(429, headers, error_body("Rate limit exceeded", detail))

    def cancelled(self, page_size: int) -> Injected | None:
        """The transaction quota: a page above `quota_max_page_size` rows is cancelled."""
        cap = self.config.quota_max_page_size
        if not cap or page_size <= cap:
            return None
        self.stats.cancelled += 1
        detail = f"TransactionCancelledException: {TRANSACTION_CANCELLED}"
        return Injected(500, {}, error_body(TRANSACTION_CANCELLED, detail))

    def should_drop(self) -> bool:
        ratio = self.config.drop_after_commit_ratio
        return bool(ratio) and self.rng.random() < ratio
