"""Time-ordered UUIDv7 identifiers (RFC 9562), so keyset pages follow creation order."""

from __future__ import annotations

import os
import threading
import time
import uuid

from ticketbridge.errors import NotFound

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def tokens(count: int) -> list[str]:
    """`count` random 128-bit tokens as 32 hex digits (unique, not ordered): one call to the
    system's random source for all of them (a bulk request needs 50; ``uuid7`` makes each
    under a lock, ~6 us apiece)."""
    raw = os.urandom(16 * count).hex()
    return [raw[i : i + 32] for i in range(0, 32 * count, 32)]


def uuid7() -> uuid.UUID:
    """A UUIDv7 that is strictly increasing within this process."""
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms <= _last_ms:
            _counter += 1
            if _counter > 0xFFF:  # 12-bit sequence exhausted: borrow the next millisecond
                _last_ms += 1
                _counter = 0
            now_ms = _last_ms
        else:
            _last_ms = now_ms
            _counter = 0
        seq = _counter
    rand = int.from_bytes(os.urandom(8), "big") & 0x3FFF_FFFF_FFFF_FFFF
    value = (now_ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76
    value |= seq << 64
    value |= 0b10 << 62
    value |= rand
    return uuid.UUID(int=value)


def parse_uuid(value: str, what: str) -> uuid.UUID:
    """A path or header id: one that is not a UUID names nothing (404 ``<what> not found``)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"{what} not found") from None
