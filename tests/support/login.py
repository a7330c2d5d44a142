"""Helpers for sign-in tests: a worker whose risk policy is pinned, TOTP codes, factor setup.

The risk thresholds are real settings (``THRESHOLD_RISK_*``): pinning them makes the real risk
activity decide ``allow``, ``step_up`` or ``deny`` whatever the customer's history, so each test can
walk the branch it is about without a fake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, Literal

import pyotp
from temporalio.client import Client

from core.settings import Settings
from journeys.login import LoginStart
from store.factors import FactorStore
from store.models import utcnow
from tests.support.journeys import JourneyRun, start_journey
from tests.support.temporal import running_worker, target_of

Policy = Literal["allow", "step_up", "deny", "model"]
HUGE = 1e9
#: Thresholds per pinned decision (``model``: the deployment defaults, the real model decides).
THRESHOLDS: dict[Policy, dict[str, float]] = {
    # ``allow`` also turns off the new-device rule (it asks for a factor whatever the score).
    "allow": {
        "risk_step_up_threshold": HUGE,
        "risk_deny_threshold": HUGE,
        "risk_new_device_step_up": False,
    },
    "step_up": {"risk_step_up_threshold": -HUGE, "risk_deny_threshold": HUGE},
    "deny": {"risk_step_up_threshold": -HUGE, "risk_deny_threshold": -HUGE},
    "model": {},
}


def pinned(settings: Settings, policy: Policy, **overrides: Any) -> Settings:
    """``settings`` with the risk policy pinned to ``policy``."""
    return settings.model_copy(update={**THRESHOLDS[policy], **overrides})


@asynccontextmanager
async def login_worker(client: Client, settings: Settings) -> AsyncIterator[Settings]:
    """A worker for ``settings`` (already pinned) for the duration of the block."""
    settings = settings.model_copy(update={"temporal_address": target_of(client)})
    async with running_worker(client, settings):
        yield settings


async def start_login(
    client: Client,
    settings: Settings,
    *,
    ip: str = "203.0.113.7",
    user_agent: str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36",
    device: str = "device-1",
    **start: Any,
) -> JourneyRun:
    """Start a login journey from a given IP/browser/device."""
    return await start_journey(
        client,
        settings,
        "login",
        LoginStart(client_ip=ip, user_agent=user_agent, device=device, **start),
    )


def enrol_totp(settings: Settings, customer_id: str) -> pyotp.TOTP:
    """Set up an authenticator for the customer (confirmed with the previous step's code, so the
    current code is still unused); returns the app, to compute codes."""
    store = FactorStore(settings)
    seed = store.begin_totp(customer_id)
    app = pyotp.TOTP(seed)
    earlier = utcnow() - timedelta(seconds=30)
    assert store.confirm_totp(customer_id, app.at(earlier), at=earlier)
    return app


def code_now(app: pyotp.TOTP, at: datetime | None = None) -> str:
    """The app's code at ``at`` (default now)."""
    return app.at(at or utcnow())
