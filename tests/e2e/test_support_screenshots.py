"""Screenshots for people: the funnel page and the Temporal UI listing journeys by ``JourneyName``.

A dev server *with its Web UI* is started for this test (the session one runs headless), the app
is served on a real port, three registrations are created, and a staff member signs in with a
TOTP code in Chromium. The PNGs land in ``test-results/`` (git-ignored) for a human look; the test
asserts what they must show.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from playwright.async_api import Browser, Page, expect
from temporalio.testing import WorkflowEnvironment

from contracts.support import SupportRequest
from journeys.kit.search import ALL_KEYS
from tests.conftest import MakeSettings
from tests.support.journeys import start_journey
from tests.support.mail import MailCatcher
from tests.support.net import free_port
from tests.support.prereqs import require
from tests.support.settings import data_converter
from tests.support.staff import add_staff
from tests.support.temporal import running_worker, target_of, temporal_binary
from tests.support.webserver import serving
from web.app import create_app
from web.gateway.support import act

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"
TIMEOUT_MS = 20_000


@pytest_asyncio.fixture
async def ui_env() -> AsyncIterator[tuple[WorkflowEnvironment, str]]:
    """A dev server with the Temporal Web UI on a free port; yields it and the UI's origin."""
    binary = temporal_binary()
    require(binary is not None, "the `temporal` binary is not installed")
    assert binary is not None
    ui_port = free_port()
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=binary,
        search_attributes=ALL_KEYS,
        data_converter=data_converter(),
        ui=True,
        ui_port=ui_port,
        dev_server_extra_args=["--ui-disable-news-fetch"],
        dev_server_log_level="error",
    )
    try:
        yield env, f"http://127.0.0.1:{ui_port}"
    finally:
        await env.shutdown()


async def test_funnel_page_and_temporal_ui_screenshots(
    browser: Browser,
    ui_env: tuple[WorkflowEnvironment, str],
    make_settings: MakeSettings,
    sqlite_url: str,
    smtp_server: MailCatcher,
) -> None:
    env, ui = ui_env
    web_port = free_port()
    settings = make_settings(
        sqlite_url,
        temporal_address=target_of(env.client),
        base_url=f"http://127.0.0.1:{web_port}",
        temporal_ui_url=ui,
    )
    staff = add_staff(settings, f"staff-{uuid.uuid4().hex[:8]}@example.com")
    ARTIFACTS.mkdir(exist_ok=True)

    async with (
        running_worker(env.client, settings),
        serving(create_app(settings, client=env.client), port=web_port) as base,
    ):
        await start_journey(env.client, settings)  # stays at sign-up
        for index in range(2):
            email = f"shot-{index}-{uuid.uuid4().hex[:6]}@example.com"
            run = await start_journey(env.client, settings)
            await run.submit(email=email, password="violet-tractor-harbour")
            await smtp_server.wait_for(to=email)
        await act(env.client, run.id, SupportRequest(action="cancel", staff_id=staff.id))

        context = await browser.new_context(viewport={"width": 1100, "height": 900})
        page = await context.new_page()
        await page.goto(f"{base}/support/login")
        await page.fill("#email", staff.created.email)
        await page.fill("#password", staff.created.password)
        await page.fill("#code", staff.code())
        await page.click("button[type=submit]")
        await expect(page.get_by_text("Find a customer's journeys")).to_be_visible()

        await _funnel_until_counted(page, base)
        await page.screenshot(path=ARTIFACTS / "support-funnels.png", full_page=True)

        await page.goto(f"{ui}/namespaces/default/workflows?query=JourneyName%3D%22registration%22")
        await expect(page.get_by_text(run.id).first).to_be_visible(timeout=TIMEOUT_MS)
        await page.screenshot(path=ARTIFACTS / "temporal-ui-journeys.png", full_page=True)
        await context.close()

    assert (ARTIFACTS / "support-funnels.png").stat().st_size > 10_000
    assert (ARTIFACTS / "temporal-ui-journeys.png").stat().st_size > 10_000


async def _funnel_until_counted(page: Page, base: str) -> None:
    """Reload the funnel page until visibility has indexed all three journeys."""
    started = page.locator('figure[data-journey="registration"] rect[data-label="started"]')
    cancelled = page.locator('figure[data-journey="registration"] rect[data-label="cancelled"]')
    for _ in range(100):
        await page.goto(f"{base}/support/funnels?days=1")
        if (
            await started.get_attribute("data-value") == "3"
            and await cancelled.get_attribute("data-value") == "1"
        ):
            return
        await page.wait_for_timeout(200)
    raise AssertionError("the funnel never showed the three journeys")
