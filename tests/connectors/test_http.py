"""The retry layer's header decoders: how long a vendor asks us to wait."""

from __future__ import annotations

import math
import time

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketbridge.connectors.http import parse_rate_limit_reset, parse_retry_after, retry_wait

pytestmark = pytest.mark.store_independent

NOW = 1_800_000_000.0
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.floats(min_value=NOW - 10, max_value=NOW + 10**6).map(lambda f: f"{f:.3f}"),
)


@given(st.one_of(st.none(), header_text, numbers))
def test_a_reset_is_a_wait_or_none_never_an_exception(value: str | None) -> None:
    wait = parse_rate_limit_reset(value, NOW)
    assert wait is None or (math.isfinite(wait) and 0.0 <= wait <= 366 * 24 * 3600)


@given(st.one_of(st.none(), header_text, numbers))
def test_a_retry_after_is_a_wait_or_none_never_an_exception(value: str | None) -> None:
    wait = parse_retry_after(value)
    assert wait is None or (math.isfinite(wait) and wait >= 0.0)


@pytest.mark.parametrize(
    ("value", "wait"),
    [
        (str(int(NOW) + 30), 30.0),
        (f"{NOW + 2.5}", 2.5),
        (str(int(NOW) - 5), 0.0),  # passed: come back now
        (str(int(NOW * 1000) + 30_000), None),  # milliseconds: not seconds
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("-1", None),
    ],
)
def test_reset_values(value: str | None, wait: float | None) -> None:
    assert parse_rate_limit_reset(value, NOW) == wait


def test_retry_after_wins_and_a_reset_counts_on_429_only() -> None:
    reset = str(int(time.time()) + 20)
    both = httpx.Response(429, headers={"Retry-After": "3", "X-RateLimit-Reset": reset})
    assert retry_wait(both) == 3.0
    wait = retry_wait(httpx.Response(429, headers={"X-RateLimit-Reset": reset}))
    assert wait is not None and 18.0 <= wait <= 20.0
    assert retry_wait(httpx.Response(503, headers={"X-RateLimit-Reset": reset})) is None
    passed = str(int(time.time()) - 1)
    assert retry_wait(httpx.Response(429, headers={"X-RateLimit-Reset": passed})) is None
    assert retry_wait(httpx.Response(429)) is None
