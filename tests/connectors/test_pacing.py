"""The per-connection pacer of the retry layer: unpaced until a 429, then spaced calls."""

from __future__ import annotations

import httpx
import pytest

from ticketbridge.connectors.limits import Pacer, pacer_for

pytestmark = pytest.mark.store_independent

OK = httpx.Response(200)


async def test_calls_go_unpaced_until_the_vendor_says_429() -> None:
    pacer = Pacer()
    for _ in range(20):
        pacer.on_accepted(OK)
        await pacer.wait()
    assert pacer.rate is None


async def test_a_429_paces_calls_below_what_the_vendor_accepted() -> None:
    pacer = Pacer()
    sent = await pacer.wait()
    for _ in range(10):
        pacer.on_accepted(OK)
    accepted = pacer.accepted_rate(sent + 0.001)
    pacer.on_limited(sent, retry_after=1.0)
    assert pacer.rate is not None
    assert pacer.MIN_RATE <= pacer.rate <= Pacer.DECREASE * accepted + 1e-9
    cut = pacer.rate
    pacer.on_limited(sent, retry_after=1.0)  # the same overshoot: no second cut
    assert pacer.rate == cut
    times = [await pacer.wait() for _ in range(4)]
    # The first call after an idle spell may go at once; from then on, 1/rate apart (±10%).
    assert times[3] - times[1] >= 2 * 0.9 / cut, (times, cut)


async def test_accepted_calls_raise_the_pace_and_connections_have_their_own() -> None:
    pacer = pacer_for("connection-a")
    assert pacer_for("connection-a") is pacer
    assert pacer_for("connection-b") is not pacer
    sent = await pacer.wait()
    pacer.on_accepted(OK)
    pacer.on_limited(sent, retry_after=0)
    cut = pacer.rate
    assert cut is not None
    pacer.on_accepted(OK)
    assert pacer.rate is not None and pacer.rate > cut
    near = httpx.Response(200, headers={"X-RateLimit-NearLimit": "true"})
    raised = pacer.rate
    pacer.on_accepted(near)  # the vendor says it is close: hold the pace
    assert pacer.rate == raised
    assert pacer_for("connection-b").rate is None
