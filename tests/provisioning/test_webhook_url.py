"""Webhook URLs must not point into our own network (SSRF), unless private URLs are allowed."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.factories import create_account
from tests.support.servers import ApiServer
from ticketbridge.errors import Unprocessable
from ticketbridge.provisioning.service import check_public_url

pytestmark = pytest.mark.store_independent


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_targets_are_refused(url: str) -> None:
    with pytest.raises(Unprocessable) as err:
        asyncio.run(check_public_url(url, "webhook_url"))
    assert err.value.extra["field"] == "webhook_url"


def test_a_public_address_is_accepted() -> None:
    asyncio.run(check_public_url("https://93.184.216.34/hooks/tb", "webhook_url"))


def test_the_api_refuses_a_private_webhook_when_private_urls_are_off(http, settings) -> None:
    strict = settings.model_copy(
        update={"allow_private_vendor_urls": False, "run_embedded_worker": False}
    )
    with ApiServer(strict) as api:
        key = create_account(strict)
        r = httpx.patch(
            f"{api.base_url}/v1/provisioning/account",
            json={"webhook_url": "http://127.0.0.1:8080/hook"},
            headers={"X-API-KEY": key},
        )
    assert r.status_code == 422 and "public address" in r.json()["detail"]
