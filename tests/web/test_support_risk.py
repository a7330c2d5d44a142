"""The support customer view lists the customer's last 20 risk decisions in plain words.

Decisions are made by the real risk activity: other people's failed sign-ins from the customer's
IP address appear as a reason of an allowed sign-in, and the page says whose failures they were
and why they were not enough, instead of "allow … 16 failed sign-ins".
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from temporalio.worker import Worker

from contracts.risk import LoginRecord, LoginSignals
from core.settings import Settings
from store.models import utcnow
from tests.support.browser import Browser
from tests.support.login import pinned
from tests.support.staff import StaffLogin, add_staff, sign_in
from tests.support.store import register_customer, unique_email
from workers.activities.risk import RiskActivitiesImpl

IP = "81.2.69.160"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36"


@pytest.fixture
def member(settings: Settings) -> StaffLogin:
    return add_staff(settings, f"staff-{uuid.uuid4().hex[:8]}@example.com")


def signals(customer_id: str, minutes_ago: int) -> LoginSignals:
    return LoginSignals(
        journey_id=f"login-{uuid.uuid4()}",
        customer_id=customer_id,
        client_ip=IP,
        user_agent=CHROME,
        device="device-support",
        at=utcnow() - timedelta(minutes=minutes_ago),
    )


async def test_last_twenty_decisions_in_plain_words(
    settings: Settings, browser: Browser, member: StaffLogin, worker: Worker
) -> None:
    risk = RiskActivitiesImpl(pinned(settings, "allow"))
    email = unique_email("risky")
    customer_id = register_customer(settings, email)
    for other in range(16):
        failed = signals(f"other-{other}-{uuid.uuid4()}", minutes_ago=5)
        risk.record(LoginRecord(signals=failed, success=False, failed_step="password"))
    for minutes_ago in range(22, 0, -1):
        decided = risk.assess(signals(customer_id, minutes_ago))
        assert decided.decision == "allow"
    assert any("other accounts" in r for r in decided.reasons), decided.reasons

    await sign_in(browser, member)
    page = await browser.get("/support")
    found = await browser.post("/support/find", {"csrf_token": page.csrf, "email": email})
    assert found.status == 200
    assert "Last 20 risk decisions" in found.html
    assert found.html.count('class="decision decision-allow"') == 20
    assert "Allowed without a second step" in found.html
    assert "Not this customer&#39;s failures: 16 other accounts failed to sign in" in found.html
    assert "here they were not enough for a second step" in found.html

    nobody = await browser.post(
        "/support/find", {"csrf_token": page.csrf, "email": unique_email("nobody")}
    )
    assert nobody.status == 200 and "risk decision" not in nobody.html
