"""DNS rebinding (issue 12's reproduction): a webhook host that resolved to a public
address when it was saved and resolves to 127.0.0.1 when a job finishes gets nothing.

Own database, own emulator and own API server (webhooks strict, vendor URLs private so
the emulator on loopback can be synced), so no other worker runs these jobs."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.dns import FakeDNS
from tests.support.egress import Egress
from tests.support.factories import new_tenant
from tests.support.receiver import Receiver
from tests.support.servers import ApiServer
from tests.support.stores import fresh_database
from ticketbridge.config import Settings
from ticketbridge.emulators.jira.server import EmulatorServer

EVENTS = ("job.completed", "sync.completed", "connection.health_changed")


@pytest.fixture(scope="module")
def strict(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with fresh_database(Path(tmp_path_factory.mktemp("rebind"))) as url:
        yield settings.model_copy(
            update={
                "database_url": url,
                "allow_private_vendor_urls": True,
                "allow_private_webhook_urls": False,
            }
        )


def _refused(client: httpx.Client) -> dict[str, float]:
    text = client.get("/metrics").text
    counts = {}
    for event in EVENTS:
        pattern = (
            r'ticketbridge_webhook_deliveries_total\{event="'
            + re.escape(event)
            + r'",outcome="refused"\} ([0-9.e+]+)'
        )
        match = re.search(pattern, text)
        counts[event] = float(match.group(1)) if match else 0.0
    return counts


def test_a_name_rebound_to_loopback_after_it_was_saved_receives_nothing(strict: Settings) -> None:
    dns = FakeDNS({"rebind.test": ["93.184.216.34"]})  # public-looking when saved
    receiver = Receiver().start()
    try:
        with (
            EmulatorServer(issues=5, users=2, projects=1) as jira,
            ApiServer(strict, resolver=dns) as api,
            httpx.Client(base_url=api.base_url, timeout=60) as client,
        ):
            tenant = new_tenant(client, strict, None)
            url = f"http://rebind.test:{receiver.port}/hook"
            saved = tenant.patch("/v1/provisioning/account", json={"webhook_url": url})
            assert saved.status_code == 200, saved.text
            receiver.secret = saved.json()["webhook_secret"]

            dns.set("rebind.test", "127.0.0.1")  # ... and now it points at us
            before = _refused(client)
            with Egress() as egress:
                body = {
                    "vendor": "JIRA",
                    "credentials": {
                        "base_url": jira.base_url,
                        "email": jira.config.email,
                        "api_token": jira.config.api_token,
                    },
                }
                created = tenant.post(
                    f"/v1/provisioning/organizations/{tenant.org_id}/connections", json=body
                )
                assert created.status_code == 200, created.text
                tenant.connection_id = created.json()["id"]
                job = tenant.get(f"{tenant.connection_path}/jobs").json()[0]
                assert tenant.wait_job(job["id"])["status"] == "SUCCESS"
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    after = _refused(client)
                    if all(after[e] > before[e] for e in EVENTS):
                        break
                    time.sleep(0.1)
    finally:
        receiver.stop()
    # Each event was refused at delivery (recorded), none reached the loopback receiver,
    # and nothing was looked up or connected to outside loopback.
    assert {e: after[e] - before[e] for e in EVENTS} == {e: 1.0 for e in EVENTS}
    assert receiver.calls == []
    assert egress.events == []
    assert dns.lookups.count("rebind.test") >= 1 + len(EVENTS)  # saved, then each delivery
