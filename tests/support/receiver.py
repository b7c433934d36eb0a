"""A webhook receiver on loopback that verifies deliveries with ``standardwebhooks``."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


@dataclass
class Delivery:
    status: int
    headers: dict[str, str]
    body: bytes
    verified: Any  # the payload ``Webhook.verify`` returned, or its error message

    @property
    def type(self) -> str | None:
        return self.verified.get("type") if isinstance(self.verified, dict) else None


class Receiver:
    """Answers 500 to the first ``fail_first`` deliveries, then 204 to a delivery that
    ``standardwebhooks.Webhook(secret).verify`` accepts and 400 to one it rejects."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.secret: str | None = None
        self.calls: list[Delivery] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = dict(self.headers.items())
                try:
                    verified: Any = Webhook(receiver.secret or "").verify(body, headers)
                    status = 204
                except (WebhookVerificationError, ValueError, Exception) as exc:
                    verified, status = str(exc), 400
                with receiver.lock:
                    if len(receiver.calls) < receiver.fail_first:
                        status = 500
                    receiver.calls.append(Delivery(status, headers, body, verified))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/tb"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, match: Callable[[Delivery], bool], what: str) -> Delivery:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with self.lock:
                for call in self.calls:
                    if match(call):
                        return call
            time.sleep(0.05)
        raise AssertionError(f"no delivery {what}; got {self.summary()}")

    def summary(self) -> list[tuple[int, Any]]:
        with self.lock:
            return [(c.status, c.type or c.verified) for c in self.calls]

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                json.loads(c.body) for c in self.calls if c.status == 204 and c.type == event_type
            ]
