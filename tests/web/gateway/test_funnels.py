"""Funnel counts come from Temporal visibility and match the journeys created here."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from contracts.support import SupportRequest
from core.settings import Settings
from journeys.registration import SIGN_UP_TIMEOUT
from tests.support.journeys import JourneyRun, start_journey
from tests.support.mail import MailCatcher, code_in
from tests.support.store import unique_email
from tests.support.temporal import fast_forward
from tests.support.waiting import eventually
from web.gateway.funnels import Funnel, funnel
from web.gateway.support import act

PASSWORD = "violet-tractor-harbour"

pytestmark = pytest.mark.usefixtures("worker")


async def at_check_your_email(
    client: Client, settings: Settings, smtp: MailCatcher
) -> tuple[JourneyRun, str]:
    email = unique_email("funnel")
    run = await start_journey(client, settings)
    await run.submit(email=email, password=PASSWORD)
    return run, code_in(await smtp.wait_for(to=email))


async def test_funnel_counts_match_the_journeys_created(
    client: Client,
    settings: Settings,
    smtp_server: MailCatcher,
    temporal_env: WorkflowEnvironment,
) -> None:
    # Tests in one process run one after another, so only this test's journeys start after now;
    # a second's pause first keeps out journeys an earlier test started (and left) just before.
    await asyncio.sleep(1.1)
    since = datetime.now(UTC)
    await start_journey(client, settings)  # waits at sign-up
    expired = await start_journey(client, settings)
    await fast_forward(temporal_env, expired.handle, SIGN_UP_TIMEOUT + timedelta(minutes=1))
    assert (await expired.result()).kind == "expired"
    await at_check_your_email(client, settings, smtp_server)  # waits for the code
    cancelled, _ = await at_check_your_email(client, settings, smtp_server)
    await act(client, cancelled.id, SupportRequest(action="cancel", staff_id="staff-1"))
    completed, code = await at_check_your_email(client, settings, smtp_server)
    await completed.submit(code=code)
    await completed.submit(terms="on")
    assert (await completed.result()).kind == "signed_in"

    async def counted() -> Funnel:
        found = await funnel(client, "registration", since, datetime.now(UTC) + timedelta(hours=1))
        assert found.started == 5 and found.in_progress == 2, found
        assert dict(found.outcomes)["completed"] == 1, found
        return found

    found = await eventually(counted)
    assert found.reached == [("sign-up", 5), ("check-your-email", 3), ("accept-terms", 1)]
    assert found.outcomes == [("completed", 1), ("expired", 1), ("failed", 0), ("cancelled", 1)]
