"""Browser fixtures: headless Chromium (Debian's, never downloaded) and the app on a real port.

* ``browser`` – one Chromium for the session; missing Chromium skips, or fails with
  ``THRESHOLD_REQUIRE_ALL=1``.
* ``settings`` – as in ``tests/conftest.py``, but ``base_url`` is the real server's address, so the
  emailed links point at it.
* ``web_server`` – ``create_app(settings, client=client)`` served by uvicorn on that address.
* ``screenshots`` – where a test may leave screenshots for a person to look at
  (``THRESHOLD_SCREENSHOTS``, else the test's ``tmp_path``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright
from temporalio.client import Client

from core.settings import Settings
from tests.conftest import MakeSettings
from tests.support.net import free_port
from tests.support.prereqs import require
from tests.support.temporal import target_of
from tests.support.webserver import serving
from web.app import STATIC, create_app

CHROMIUM = os.environ.get("THRESHOLD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VENDOR_FILES = ("htmx.min.js", "htmx-ext-sse.js", "htmx-ext-response-targets.js")


@pytest_asyncio.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium for the whole session (``apt-get install chromium``)."""
    require(Path(CHROMIUM).is_file(), f"Chromium is not installed at {CHROMIUM}")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def web_port() -> int:
    """The loopback port ``web_server`` will listen on."""
    return free_port()


@pytest.fixture
def settings(
    make_settings: MakeSettings, sqlite_url: str, client: Client, web_port: int
) -> Settings:
    """Journey-test settings whose ``base_url`` is the real server (emailed links work)."""
    return make_settings(
        sqlite_url,
        temporal_address=target_of(client),
        base_url=f"http://127.0.0.1:{web_port}",
    )


@pytest_asyncio.fixture
async def web_server(settings: Settings, client: Client, web_port: int) -> AsyncIterator[str]:
    """The web app on ``settings.base_url``, sharing the session's Temporal client."""
    missing = [name for name in VENDOR_FILES if not (STATIC / "vendor" / name).is_file()]
    if missing:
        pytest.fail(f"htmx assets missing in web/static/vendor ({', '.join(missing)}): make vendor")
    async with serving(create_app(settings, client=client), port=web_port) as base_url:
        yield base_url


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """A directory for screenshots worth a human look; not part of the assertions."""
    configured = os.environ.get("THRESHOLD_SCREENSHOTS")
    directory = Path(configured) if configured else tmp_path / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
