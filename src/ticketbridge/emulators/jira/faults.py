"""Fault injection (latency, rate limits, 429/503, dropped connections) and request stats."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """What to inject. Ratios are probabilities per request in [0, 1]."""

    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    rate_limit_per_second: float | None = None  # token bucket over all API requests
    error_429_ratio: float = 0.0
    error_503_ratio: float = 0.0
    drop_after_commit_ratio: float = 0.0  # writes only: commit, then abort the TCP connection
    retry_after_seconds: int = 1  # Retry-After on 429s
    retry_after_503: bool = False  # also send Retry-After on injected 503s
    # Eventual consistency of search: an issue created is missing from `search/jql` answers
    # for this long, unless its id is among the request's `reconcileIssues`.
    search_visibility_delay_ms: float = 0.0

    def updated(self, changes: dict[str, Any]) -> FaultConfig:
        """A copy with `changes` applied; unknown keys or bad values raise ValueError."""
        known = {f.name: f for f in fields(self)}
        clean: dict[str, Any] = {}
        for key, value in changes.items():
            if key not in known:
                raise ValueError(f"unknown fault setting '{key}'")
            if key == "rate_limit_per_second":
                clean[key] = None if value in (None, 0) else float(value)
            elif key == "retry_after_503":
                clean[key] = bool(value)
            elif key == "retry_after_seconds":
                clean[key] = int(value)
            else:
                clean[key] = float(value)
                if key.endswith("_ratio") and not 0.0 <= clean[key] <= 1.0:
                    raise ValueError(f"{key} must be between 0 and 1")
                if clean[key] < 0:
                    raise ValueError(f"{key} must not be negative")
        return replace(self, **clean)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class TokenBucket:
    """Classic token bucket: `rate` tokens per second, burst capacity of one second's worth."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            return False

    @property
    def remaining(self) -> int:
        return int(self.tokens)


@dataclass(slots=True)
class Stats:
    routes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    issues_created: int = 0
    responses_429: int = 0
    responses_503: int = 0
    drops: int = 0
    requests_total: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests_total": self.requests_total,
            "requests_by_route": dict(self.routes),
            "responses_by_status": {str(k): v for k, v in self.statuses.items()},
            "issues_created": self.issues_created,
            "responses_429": self.responses_429,
            "responses_503": self.responses_503,
            "drops": self.drops,
        }


@dataclass(frozen=True, slots=True)
class Injected:
    """An injected error answer: status, headers, body."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any]


class Faults:
    """Current fault settings plus the per-process random source and token bucket."""

    def __init__(self, config: FaultConfig, seed: int = 0) -> None:
        self.initial = config
        self.rng = random.Random(seed)
        self.config = config
        self.bucket: TokenBucket | None = None
        self.stats = Stats()
        # Issue id -> monotonic time at which searches start to see it (visibility delay).
        self.hidden_until: dict[int, float] = {}
        self.configure(config)

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        rate = config.rate_limit_per_second
        self.bucket = TokenBucket(rate) if rate else None

    def update(self, changes: dict[str, Any]) -> FaultConfig:
        self.configure(self.config.updated(changes))
        return self.config

    def reset(self, config: FaultConfig | None = None) -> None:
        """Back to no faults (or `config`) and zeroed stats."""
        self.configure(config or FaultConfig())
        self.stats = Stats()
        self.hidden_until.clear()

    async def delay(self) -> None:
        cfg = self.config
        if cfg.latency_ms or cfg.latency_jitter_ms:
            jitter = self.rng.uniform(0, cfg.latency_jitter_ms) if cfg.latency_jitter_ms else 0.0
            await asyncio.sleep((cfg.latency_ms + jitter) / 1000.0)

    def _rate_limited(self, limit: int, remaining: int) -> Injected:
        cfg = self.config
        reset_at = datetime.now(UTC) + timedelta(seconds=cfg.retry_after_seconds)
        self.stats.responses_429 += 1
        return Injected(
            429,
            {
                "Retry-After": str(cfg.retry_after_seconds),
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": reset_at.strftime("%Y-%m-%dT%H:%MZ"),
                "RateLimit-Reason": "jira-burst-based",
            },
            {"errorMessages": ["Rate limit exceeded."], "errors": {}},
        )

    def check(self) -> Injected | None:
        """Decide whether this API request is answered by an injected error."""
        cfg = self.config
        if self.bucket is not None and not self.bucket.take():
            return self._rate_limited(int(self.bucket.capacity), 0)
        if cfg.error_429_ratio and self.rng.random() < cfg.error_429_ratio:
            limit = int(self.bucket.capacity) if self.bucket else 100
            return self._rate_limited(limit, 0)
        if cfg.error_503_ratio and self.rng.random() < cfg.error_503_ratio:
            self.stats.responses_503 += 1
            headers = {"Retry-After": str(cfg.retry_after_seconds)} if cfg.retry_after_503 else {}
            return Injected(
                503,
                headers,
                {"errorMessages": ["Service Unavailable: resource limit reached."], "errors": {}},
            )
        return None

    def created(self, issue_id: int) -> None:
        """Record a new issue: searches miss it for `search_visibility_delay_ms`."""
        delay = self.config.search_visibility_delay_ms
        if delay:
            self.hidden_until[issue_id] = time.monotonic() + delay / 1000.0

    def hidden(self, reconciled: frozenset[int]) -> frozenset[int]:
        """Ids of issues searches do not see yet (reconciled ids are always seen)."""
        if not self.hidden_until:
            return frozenset()
        now = time.monotonic()
        for issue_id in [i for i, t in self.hidden_until.items() if t <= now]:
            del self.hidden_until[issue_id]
        return frozenset(self.hidden_until) - reconciled

    def should_drop(self) -> bool:
        ratio = self.config.drop_after_commit_ratio
        return bool(ratio) and self.rng.random() < ratio
