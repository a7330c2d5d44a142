"""The login journey on the real dev server, SMTP catcher and SQLite, with the real risk activity.

The risk policy is pinned through its real thresholds (see :mod:`tests.support.login`) so each test
walks the branch it is about; ``test_new_country_and_browser_is_challenged`` lets the model decide.
"""

from __future__ import annotations

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client

from core.security.hashing import email_lookup
from core.settings import Settings
from journeys.kit.search import CUSTOMER_ID, EMAIL_LOOKUP
from store.factors import FactorStore
from store.known_devices import KnownDevices
from store.models import AuditEvent
from tests.conftest import MakeSettings
from tests.support.login import Policy, code_now, enrol_totp, login_worker, pinned, start_login
from tests.support.mail import MailCatcher, code_in, text_of
from tests.support.store import one, register_customer, unique_email

PASSWORD = "violet-tractor-harbour"


@pytest.fixture
def base(make_settings: MakeSettings, sqlite_url: str) -> Settings:
    return make_settings(sqlite_url)


async def test_password_login_allowed(client: Client, base: Settings) -> None:
    email = unique_email("login")
    customer_id = register_customer(base, email, PASSWORD)
    async with login_worker(client, pinned(base, "allow")) as settings:
        run = await start_login(client, settings)
        assert run.view.screen == "sign-in"
        await run.submit(email=email.upper(), password=PASSWORD)
        outcome = await run.result()

        assert outcome.kind == "signed_in" and outcome.customer_id == customer_id
        assert outcome.amr == ["pwd"] and outcome.acr == "aal1"
        assert outcome.device["browser"].startswith("Chrome")
        described = await run.handle.describe()
        attrs = described.typed_search_attributes
        assert attrs.get(CUSTOMER_ID) == customer_id
        assert attrs.get(EMAIL_LOOKUP) == email_lookup(settings.derive_key("email-lookup"), email)


async def test_wrong_password_then_right(client: Client, base: Settings) -> None:
    email = unique_email("login")
    register_customer(base, email, PASSWORD)
    async with login_worker(client, pinned(base, "allow")) as settings:
        run = await start_login(client, settings)
        view = await run.submit(email=email, password="not-the-password")
        assert view.screen == "sign-in" and view.errors == ["Email or password is not right."]
        assert view.fields[0].value == email
        await run.submit(email=email, password=PASSWORD)
        assert (await run.result()).kind == "signed_in"


async def test_totp_step_up_and_replayed_code_refused(client: Client, base: Settings) -> None:
    email = unique_email("totp")
    customer_id = register_customer(base, email, PASSWORD)
    app = enrol_totp(base, customer_id)
    async with login_worker(client, pinned(base, "step_up")) as settings:
        first = await start_login(client, settings)
        view = await first.submit(email=email, password=PASSWORD)
        assert view.screen == "enter-totp"
        wrong = "000000" if code_now(app) != "000000" else "111111"
        view = await first.submit(code=wrong)
        assert view.screen == "enter-totp" and view.fields[0].error == "That code is not right."
        code = code_now(app)
        await first.submit(code=code)
        outcome = await first.result()
        assert outcome.amr == ["pwd", "otp"] and outcome.acr == "aal2"

        second = await start_login(client, settings)
        await second.submit(email=email, password=PASSWORD)
        view = await second.submit(code=code)  # the same code again (CVE-2024-7318)
        assert view.screen == "enter-totp"
        assert view.fields[0].error == "That code was already used. Wait for the next one."


async def test_recovery_code_works_once(client: Client, base: Settings) -> None:
    email = unique_email("rc")
    customer_id = register_customer(base, email, PASSWORD)
    codes = FactorStore(base).new_recovery_codes(customer_id)
    assert len(codes) == 10 and len(set(codes)) == 10
    async with login_worker(client, pinned(base, "step_up", email_step_up=False)) as settings:
        run = await start_login(client, settings)
        view = await run.submit(email=email, password=PASSWORD)
        assert view.screen == "enter-recovery-code"
        await run.submit(code=codes[3].upper().replace("-", " "))
        assert (await run.result()).amr == ["pwd", "rc"]

        again = await start_login(client, settings)
        await again.submit(email=email, password=PASSWORD)
        view = await again.submit(code=codes[3])
        assert view.fields[0].error == "That recovery code is not right, or was already used."
        assert FactorStore(base).recovery_codes_left(customer_id) == 9


async def test_email_code_step_up(client: Client, base: Settings, smtp_server: MailCatcher) -> None:
    email = unique_email("mailcode")
    register_customer(base, email, PASSWORD)
    async with login_worker(client, pinned(base, "step_up")) as settings:
        run = await start_login(client, settings)
        view = await run.submit(email=email, password=PASSWORD)
        assert view.screen == "enter-email-code"
        assert email not in view.intro and "@example.com" in view.intro  # masked
        message = await smtp_server.wait_for(to=email)
        assert "sign-in code" in str(message["Subject"])
        assert "someone knows your password" in text_of(message)  # the password was right
        await run.submit(code=code_in(message))
        outcome = await run.result()
        assert outcome.amr == ["pwd", "email"] and outcome.acr == "aal1"


async def test_choose_between_several_factors(client: Client, base: Settings) -> None:
    email = unique_email("choose")
    customer_id = register_customer(base, email, PASSWORD)
    app = enrol_totp(base, customer_id)
    codes = FactorStore(base).new_recovery_codes(customer_id)
    async with login_worker(client, pinned(base, "step_up")) as settings:
        run = await start_login(client, settings)
        view = await run.submit(email=email, password=PASSWORD)
        assert view.screen == "choose-factor"
        assert view.context["factors"] == "totp recovery_code"  # no email: TOTP is enrolled
        view = await run.submit(factor="email")
        assert view.screen == "choose-factor" and view.fields[0].error
        view = await run.submit(factor="totp")
        assert view.screen == "enter-totp"
        view = await run.submit("other")
        assert view.screen == "choose-factor"
        await run.submit(factor="recovery_code")
        await run.submit(code=codes[0])
        assert (await run.result()).amr == ["pwd", "rc"]
        assert app.now()  # the authenticator stayed enrolled


async def test_deny_shows_what_to_do(client: Client, base: Settings) -> None:
    email = unique_email("deny")
    customer_id = register_customer(base, email, PASSWORD)
    async with login_worker(client, pinned(base, "deny", email_step_up=False)) as settings:
        run = await start_login(client, settings)
        view = await run.submit(email=email, password=PASSWORD)
        assert view.screen == "sign-in-blocked" and view.status == "failed"
        assert "reset your password" in view.intro
        outcome = await run.result()
        assert outcome.kind == "failed" and "Risk decision: deny" in outcome.reason
        described = await run.handle.describe()
        assert described.typed_search_attributes.get(CUSTOMER_ID) == customer_id


@pytest.mark.parametrize("policy", ["allow", "step_up"])
async def test_risk_reasons_in_current_details(
    client: Client, base: Settings, policy: Policy
) -> None:
    email = unique_email("details")
    customer_id = register_customer(base, email, PASSWORD)
    enrol_totp(base, customer_id)
    async with login_worker(client, pinned(base, policy)) as settings:
        run = await start_login(client, settings)
        await run.submit(email=email, password=PASSWORD)
        if policy == "allow":
            await run.result()
        meta = await run.handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        assert f"Risk decision: {policy} (score" in meta.current_details
        event = one(settings, AuditEvent, kind="risk.assessed", customer_id=customer_id)
        assert f'"decision": "{policy}"' in event.detail


async def test_reauth_confirms_the_same_customer(client: Client, base: Settings) -> None:
    email = unique_email("reauth")
    customer_id = register_customer(base, email, PASSWORD)
    other = register_customer(base, unique_email("other"), "another-fine-passphrase")
    async with login_worker(client, pinned(base, "allow")) as settings:
        run = await start_login(
            client, settings, reauth_customer_id=customer_id, return_to="/account/security"
        )
        assert run.view.screen == "confirm-password"
        view = await run.submit(password="another-fine-passphrase")  # the other one's password
        assert view.errors == ["Email or password is not right."]
        await run.submit(password=PASSWORD)
        outcome = await run.result()
        assert outcome.customer_id == customer_id != other
        assert outcome.redirect_to == "/account/security"


async def test_new_country_and_browser_is_challenged(
    client: Client, base: Settings, smtp_server: MailCatcher
) -> None:
    """The real model: a usual device is let through, a new country + browser is challenged."""
    email = unique_email("risk")
    register_customer(base, email, PASSWORD)
    home = {"ip": "81.2.69.160", "user_agent": CHROME_WINDOWS, "device": "home-laptop"}
    async with login_worker(client, pinned(base, "model")) as settings:
        for _ in range(4):  # build a history: the customer's usual laptop at home
            run = await start_login(client, settings, **home)
            view = await run.submit(email=email, password=PASSWORD)
            if view.screen == "enter-email-code":
                message = await smtp_server.wait_for(to=email, count=len_mail(smtp_server, email))
                await run.submit(code=code_in(message))
            assert (await run.result()).kind == "signed_in"

        abroad = await start_login(
            client, settings, ip="5.39.0.1", user_agent=FIREFOX_MAC, device="unknown"
        )
        view = await abroad.submit(email=email, password=PASSWORD)
        assert view.screen == "enter-email-code", view

        usual = await start_login(client, settings, **home)
        await usual.submit(email=email, password=PASSWORD)
        assert (await usual.result()).amr == ["pwd"]


def len_mail(smtp: MailCatcher, email: str) -> int:
    return max(len(smtp.messages_to(email)), 1)


CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:133.0) Gecko/20100101 Firefox/133.0"


async def test_a_browser_that_passed_a_second_factor_becomes_a_known_device(
    client: Client, base: Settings
) -> None:
    """Device binding (issue 19): the step-up's browser is remembered, keyed, for this customer."""
    email = unique_email("bind")
    customer_id = register_customer(base, email, PASSWORD)
    app = enrol_totp(base, customer_id)
    devices = KnownDevices(base.database_url, base.derive_key("risk-features"))
    assert devices.status(customer_id, "laptop-cookie") == "unbound"
    async with login_worker(client, pinned(base, "step_up")) as settings:
        run = await start_login(client, settings, device="laptop-cookie")
        await run.submit(email=email, password=PASSWORD)
        await run.submit(code=code_now(app))
        assert (await run.result()).amr == ["pwd", "otp"]

        failed = await start_login(client, settings, device="stranger-cookie")
        await failed.submit(email=email, password=PASSWORD)  # step-up asked, never answered
    assert devices.status(customer_id, "laptop-cookie") == "bound"
    assert devices.status(customer_id, "stranger-cookie") == "unbound"
