"""A real uvicorn server on loopback, run as a task on the test's own event loop.

Browser tests need real sockets (a browser cannot use ``httpx.ASGITransport``), but the app's
Temporal client must stay on the loop it connected on. Serving from a task on the pytest-asyncio
session loop satisfies both: no thread, no second loop, and the client is shared as is.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from typing import Any

import uvicorn

from tests.support.net import free_port

STARTUP_TIMEOUT_SECONDS = 10.0
#: Open server-sent-event streams would otherwise hold shutdown for minutes.
GRACEFUL_SHUTDOWN_SECONDS = 1


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signals to pytest, so Ctrl-C stops the run, not the server."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def serving(
    app: Any, *, host: str = "127.0.0.1", port: int | None = None
) -> AsyncIterator[str]:
    """Serve the ASGI ``app`` on ``host:port`` until the block exits; yields its base URL.

    Args:
        app: the ASGI application, e.g. ``create_app(settings, client=client)``.
        host: the loopback address to bind.
        port: a free port chosen beforehand (e.g. to put into ``Settings.base_url``), else one
            is picked here.
    """
    port = port or free_port(host)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="off",
        log_level="warning",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(), name=f"uvicorn-{port}")
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT_SECONDS):
            while not server.started:
                if task.done():
                    # uvicorn reports a failed bind with sys.exit(1); say what happened instead.
                    raise RuntimeError(f"uvicorn did not start on {host}:{port}: {task!r}")
                await asyncio.sleep(0.02)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        with suppress(SystemExit):  # a failed start, already reported above
            await task
