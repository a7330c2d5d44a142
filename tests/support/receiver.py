"""A loopback webhook receiver: verifies Standard Webhooks signatures and deduplicates by id.

It answers 500 to the first ``fail_first`` requests (a flaky connected system), refuses any request
whose signature does not verify with its secret (401), and keeps every verified delivery, so a test
can check that each event arrived (at least once) and that, deduplicated by ``webhook-id``, each
arrived exactly once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Receiver:
    """What the receiver saw; ``secret`` is set once the subscription exists."""

    url: str
    fail_first: int = 0
    secret: str = ""
    requests: int = 0
    rejected: int = 0
    deliveries: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def unique(self) -> dict[str, dict[str, Any]]:
        """Verified deliveries deduplicated by ``webhook-id`` (what a real receiver keeps)."""
        with self.lock:
            return dict(self.deliveries)

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        """The status to answer with."""
        with self.lock:
            self.requests += 1
            if self.requests <= self.fail_first:
                return 500
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError:
                self.rejected += 1
                return 401
            self.deliveries.append((headers["webhook-id"], payload))
            return 204


@contextmanager
def running_receiver(fail_first: int = 0) -> Iterator[Receiver]:
    """Serve a :class:`Receiver` on a free loopback port until the block exits."""
    state: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            status = state[0].handle(body, {k.lower(): v for k, v in self.headers.items()})
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.append(
        Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook", fail_first=fail_first)
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state[0]
    finally:
        server.shutdown()
        server.server_close()
