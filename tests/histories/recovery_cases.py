"""Recorded recovery journeys for the replay test: each branch of the recovery policy.

Recorded with the others: ``python -m tests.histories.record recovery-code recovery-totp …``
(files ``tests/histories/recovery-<case>.json``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from journeys.kit import JourneyStart
from store.factors import FactorStore
from tests.support.journeys import JourneyRun, start_journey
from tests.support.login import code_now, enrol_totp
from tests.support.mail import code_in, token_in
from tests.support.passkeys import SoftPasskey
from tests.support.recovery import NEW_PASSWORD, PASSWORD, passkey_only_customer
from tests.support.store import register_customer
from tests.support.temporal import fast_forward

if TYPE_CHECKING:
    from tests.histories.record import Recording


async def start(rec: Recording, case: str) -> JourneyRun:
    return await start_journey(
        rec.env.client,
        rec.settings,
        "recovery",
        JourneyStart(client_ip="81.2.69.160"),
        journey_id=f"recovery-recorded-{case}",
    )


async def with_code(rec: Recording) -> JourneyRun:
    """No second factor: the emailed code, a weak password refused, then a good one."""
    email = "recorded-recovery-code@example.com"
    register_customer(rec.settings, email, PASSWORD)
    run = await start(rec, "code")
    await run.submit(email=email)
    view = await run.submit(code=code_in(await rec.smtp.wait_for(to=email)))
    assert view.screen == "new-password", view
    assert (await run.submit(password="iloveyou")).fields[0].error
    await run.submit(password=NEW_PASSWORD)
    assert (await run.result()).kind == "redirect"
    return run


async def with_link_and_totp(rec: Recording) -> JourneyRun:
    """TOTP enrolled: the link from another device, a wrong TOTP code, then the right one."""
    email = "recorded-recovery-totp@example.com"
    customer_id = register_customer(rec.settings, email, PASSWORD)
    app = enrol_totp(rec.settings, customer_id)
    run = await start(rec, "totp")
    await run.submit(email=email)
    view = await run.click_link(token_in(await rec.smtp.wait_for(to=email)))
    assert view.screen == "enter-authenticator-code", view
    code = code_now(app)
    await run.submit(code=f"{(int(code) + 1) % 10**6:06d}")
    assert (await run.submit(code=code)).screen == "new-password"
    await run.submit(password=NEW_PASSWORD)
    assert (await run.result()).kind == "redirect"
    return run


async def passkey_only(rec: Recording) -> JourneyRun:
    """Passkey-only: a recovery code, then a new passkey."""
    customer_id, email = passkey_only_customer(rec.settings)
    codes = FactorStore(rec.settings).new_recovery_codes(customer_id)
    run = await start(rec, "passkey-only")
    await run.submit(email=email)
    await run.submit(code=code_in(await rec.smtp.wait_for(to=email)))
    view = await run.submit(code=codes[0])
    assert view.screen == "create-passkey", view
    options = next(f.options for f in view.fields if f.kind == "passkey")
    await run.submit(passkey=SoftPasskey(rec.settings.base_url).create(options))
    assert (await run.result()).kind == "redirect"
    return run


async def unknown_expired(rec: Recording) -> JourneyRun:
    """An address without an account: a wrong code, then the 15 minutes run out."""
    run = await start(rec, "unknown-expired")
    await run.submit(email="recorded-recovery-nobody@example.com")
    await rec.smtp.wait_for(to="recorded-recovery-nobody@example.com")
    await run.submit(code="123456")
    await fast_forward(rec.env, run.handle, timedelta(minutes=16))
    assert (await run.result()).kind == "expired"
    return run


RECOVERY_CASES: dict[str, Callable[[Recording], Awaitable[JourneyRun]]] = {
    "recovery-code": with_code,
    "recovery-totp": with_link_and_totp,
    "recovery-passkey-only": passkey_only,
    "recovery-unknown-expired": unknown_expired,
}
