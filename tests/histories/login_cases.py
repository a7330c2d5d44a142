"""Recorded login journeys for the replay test: each branch of the risk decision and each factor.

Each case runs on its own worker whose risk policy is pinned through the real thresholds (see
:mod:`tests.support.login`), so the recorded history walks exactly the branch named. Recorded with
the others: ``python -m tests.histories.record login-password login-totp …`` (files
``tests/histories/login-<case>.json``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from core.settings import Settings
from journeys.login import LoginStart
from store.factors import FactorStore
from store.idps import Idps
from store.organizations import Organizations
from tests.support.journeys import JourneyRun, start_journey
from tests.support.login import Policy, code_now, enrol_totp, pinned
from tests.support.mail import code_in
from tests.support.store import register_customer
from tests.support.temporal import running_worker

if TYPE_CHECKING:
    from tests.histories.record import Recording

PASSWORD = "violet-tractor-harbour"
BROWSER = {
    "client_ip": "81.2.69.160",
    "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36",
    "device": "recorded-device",
}


@asynccontextmanager
async def pinned_worker(
    rec: Recording, policy: Policy, **overrides: Any
) -> AsyncIterator[Settings]:
    settings = pinned(rec.settings, policy, task_queue=f"record-login-{policy}", **overrides)
    async with running_worker(rec.env.client, settings):
        yield settings


async def start(rec: Recording, settings: Settings, case: str, **extra: Any) -> JourneyRun:
    return await start_journey(
        rec.env.client,
        settings,
        "login",
        LoginStart(**BROWSER, **extra),
        journey_id=f"login-recorded-{case}",
    )


async def password(rec: Recording) -> JourneyRun:
    email = "recorded-login-password@example.com"
    register_customer(rec.settings, email, PASSWORD)
    async with pinned_worker(rec, "allow") as settings:
        run = await start(rec, settings, "password")
        view = await run.submit(email=email, password="not-the-password")
        assert view.errors, view
        await run.submit(email=email, password=PASSWORD)
        assert (await run.result()).amr == ["pwd"]
    return run


async def totp(rec: Recording) -> JourneyRun:
    email = "recorded-login-totp@example.com"
    app = enrol_totp(rec.settings, register_customer(rec.settings, email, PASSWORD))
    async with pinned_worker(rec, "step_up") as settings:
        run = await start(rec, settings, "totp")
        assert (await run.submit(email=email, password=PASSWORD)).screen == "enter-totp"
        code = code_now(app)
        assert (await run.submit(code="000000" if code != "000000" else "111111")).fields
        await run.submit(code=code)
        assert (await run.result()).amr == ["pwd", "otp"]
    return run


async def recovery_code(rec: Recording) -> JourneyRun:
    email = "recorded-login-rc@example.com"
    customer_id = register_customer(rec.settings, email, PASSWORD)
    enrol_totp(rec.settings, customer_id)
    codes = FactorStore(rec.settings).new_recovery_codes(customer_id)
    async with pinned_worker(rec, "step_up") as settings:
        run = await start(rec, settings, "recovery-code")
        assert (await run.submit(email=email, password=PASSWORD)).screen == "choose-factor"
        await run.submit(factor="totp")
        assert (await run.submit("other")).screen == "choose-factor"
        await run.submit(factor="recovery_code")
        await run.submit(code=codes[0])
        assert (await run.result()).amr == ["pwd", "rc"]
    return run


async def email_code(rec: Recording) -> JourneyRun:
    email = "recorded-login-email@example.com"
    register_customer(rec.settings, email, PASSWORD)
    async with pinned_worker(rec, "step_up") as settings:
        run = await start(rec, settings, "email-code")
        assert (await run.submit(email=email, password=PASSWORD)).screen == "enter-email-code"
        assert (await run.submit("resend")).notice.startswith("Please wait")
        await run.submit(code=code_in(await rec.smtp.wait_for(to=email)))
        assert (await run.result()).amr == ["pwd", "email"]
    return run


async def federated_step_up(rec: Recording) -> JourneyRun:
    email = "recorded-login-federated@example.com"
    customer_id = register_customer(rec.settings, email, PASSWORD)
    async with pinned_worker(rec, "step_up") as settings:
        run = await start(rec, settings, "federated-step-up", federated_customer_id=customer_id)
        assert run.view.screen == "enter-email-code", run.view
        await run.submit(code=code_in(await rec.smtp.wait_for(to=email)))
        assert (await run.result()).amr == ["fed", "email"]
    return run


async def linking_email(rec: Recording) -> JourneyRun:
    email = "recorded-login-linking@example.com"
    customer_id = register_customer(rec.settings, email, PASSWORD)
    async with pinned_worker(rec, "allow") as settings:
        run = await start(
            rec,
            settings,
            "linking-email",
            linking_customer_id=customer_id,
            return_to="/login/idp/acme/link",
        )
        assert run.view.screen == "enter-email-code", run.view
        view = await run.submit(code="000000")
        assert view.fields[0].error, view
        await run.submit(code=code_in(await rec.smtp.wait_for(to=email)))
        assert (await run.result()).amr == ["email"]
    return run


async def deny(rec: Recording) -> JourneyRun:
    email = "recorded-login-deny@example.com"
    register_customer(rec.settings, email, PASSWORD)
    async with pinned_worker(rec, "deny", email_step_up=False) as settings:
        run = await start(rec, settings, "deny")
        await run.submit(email=email, password=PASSWORD)
        assert (await run.result()).kind == "failed"
    return run


async def reauth(rec: Recording) -> JourneyRun:
    customer_id = register_customer(rec.settings, "recorded-login-reauth@example.com", PASSWORD)
    async with pinned_worker(rec, "allow") as settings:
        run = await start(
            rec, settings, "reauth", reauth_customer_id=customer_id, return_to="/account/security"
        )
        await run.submit(password=PASSWORD)
        assert (await run.result()).redirect_to == "/account/security"
    return run


async def acr_aal2(rec: Recording) -> JourneyRun:
    """An OpenID client asked for ``acr_values=aal2``: risk allows, the journey still steps up."""
    email = "recorded-login-acr@example.com"
    app = enrol_totp(rec.settings, register_customer(rec.settings, email, PASSWORD))
    async with pinned_worker(rec, "allow") as settings:
        run = await start(rec, settings, "acr-aal2", acr_values="aal2")
        assert (await run.submit(email=email, password=PASSWORD)).screen == "enter-totp"
        await run.submit(code=code_now(app))
        result = await run.result()
        assert result.amr == ["pwd", "otp"] and result.acr == "aal2", result
    return run


async def home_realm(rec: Recording) -> JourneyRun:
    """A personal email alone is asked for its password; a work email alone goes to its provider."""
    Idps(rec.settings).add(
        "recorded-acme", issuer="https://idp.acme.example", client_id="c", client_secret="s"
    )
    Organizations(rec.settings).add(
        "Recorded Acme", idp_name="recorded-acme", domains=["recorded-acme.example"]
    )
    async with pinned_worker(rec, "allow") as settings:
        run = await start(rec, settings, "home-realm", return_to="/account/security")
        view = await run.submit(email="recorded-login-hrd@example.com")
        assert view.fields[1].error == "Enter your password.", view
        await run.submit(email="ann@recorded-acme.example")
        result = await run.result()
        assert result.kind == "redirect", result
        assert result.redirect_to.startswith("/login/idp/recorded-acme?login_hint=ann%40")
    return run


async def local_activities(rec: Recording) -> JourneyRun:
    """A password sign-in after local activities: reads and writes run inside workflow tasks."""
    email = "recorded-login-local@example.com"
    register_customer(rec.settings, email, PASSWORD)
    async with pinned_worker(rec, "allow") as settings:
        run = await start(rec, settings, "local-activities")
        await run.submit(email=email, password=PASSWORD)
        assert (await run.result()).amr == ["pwd"]
    return run


async def known_device(rec: Recording) -> JourneyRun:
    """A step-up by TOTP that makes the browser a known device (risk.bind_device)."""
    email = "recorded-login-known-device@example.com"
    app = enrol_totp(rec.settings, register_customer(rec.settings, email, PASSWORD))
    async with pinned_worker(rec, "step_up") as settings:
        run = await start(rec, settings, "known-device")
        assert (await run.submit(email=email, password=PASSWORD)).screen == "enter-totp"
        await run.submit(code=code_now(app))
        assert (await run.result()).amr == ["pwd", "otp"]
    return run


async def gathered(rec: Recording) -> JourneyRun:
    """A password sign-in whose decision's facts come from one activity (sign_in.gather)."""
    email = "recorded-login-gathered@example.com"
    register_customer(rec.settings, email, PASSWORD)
    async with pinned_worker(rec, "allow") as settings:
        run = await start(rec, settings, "gathered")
        await run.submit(email=email, password=PASSWORD)
        assert (await run.result()).amr == ["pwd"]
    return run


async def gathered_step_up(rec: Recording) -> JourneyRun:
    """sign_in.gather says step up; the TOTP, the device, the record and event follow it."""
    email = "recorded-login-gathered-step-up@example.com"
    app = enrol_totp(rec.settings, register_customer(rec.settings, email, PASSWORD))
    async with pinned_worker(rec, "step_up") as settings:
        run = await start(rec, settings, "gathered-step-up")
        assert (await run.submit(email=email, password=PASSWORD)).screen == "enter-totp"
        await run.submit(code=code_now(app))
        assert (await run.result()).amr == ["pwd", "otp"]
    return run


async def gathered_deny(rec: Recording) -> JourneyRun:
    """sign_in.gather refuses (and records the refusal); the journey shows why."""
    email = "recorded-login-gathered-deny@example.com"
    register_customer(rec.settings, email, PASSWORD)
    async with pinned_worker(rec, "deny", email_step_up=False) as settings:
        run = await start(rec, settings, "gathered-deny")
        await run.submit(email=email, password=PASSWORD)
        assert (await run.result()).kind == "failed"
    return run


LOGIN_CASES: dict[str, Callable[[Recording], Awaitable[JourneyRun]]] = {
    "login-password": password,
    "login-totp": totp,
    "login-recovery-code": recovery_code,
    "login-email-code": email_code,
    "login-deny": deny,
    "login-reauth": reauth,
    "login-acr-aal2": acr_aal2,
    "login-home-realm": home_realm,
    "login-federated-step-up": federated_step_up,
    "login-linking-email": linking_email,
    "login-local-activities": local_activities,
    "login-known-device": known_device,
    "login-gathered": gathered,
    "login-gathered-step-up": gathered_step_up,
    "login-gathered-deny": gathered_deny,
}
