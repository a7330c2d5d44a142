"""``threshold web`` and ``threshold worker`` as real processes, for tests that block.

Fuzzers (schemathesis, Hypothesis) make blocking HTTP calls from a synchronous test; an app
served from the test's own event loop would stall. Separate processes, configured only by
``THRESHOLD_*`` variables as in production, keep serving meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from core.settings import Settings
from tests.web.test_crash import process

STARTUP_SECONDS = 120


@contextmanager
def web_and_worker(config: Settings, port: int) -> Iterator[str]:
    """Run both processes on ``config`` until the block exits; yields the web app's URL once
    ``/healthz`` answers."""
    url = f"http://127.0.0.1:{port}"
    with (
        process("worker", settings=config),
        process("web", "--port", str(port), settings=config) as web,
    ):
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert web.poll() is None, "the web process died on start"
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the web process did not answer"
            time.sleep(0.2)
        yield url
