"""The recovery journey on the real dev server, SMTP catcher and SQLite.

Each test walks one branch of the recovery policy (docs/security.md): email alone for a customer
without a second factor, a second factor on top for one who has it, a recovery code and a new
passkey for a passkey-only customer, support for one without codes; plus expiry, rate limits,
token binding and the effects of a reset (sessions, throttle, email, audit).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts.support import SupportRequest
from core.security.hashing import email_lookup
from core.security.passwords import verify_password
from core.settings import Settings
from journeys.kit.prove_email import EXHAUSTED
from journeys.kit.search import CUSTOMER_ID, JOURNEY_STATUS, JOURNEY_STEP
from store import throttle
from store.factors import FactorStore
from store.models import AuditEvent, Credential, Verification
from store.passkey_models import Passkey
from store.throttle import Throttle
from tests.support.journeys import JourneyRun
from tests.support.login import code_now, enrol_totp
from tests.support.mail import MailCatcher, code_in, text_of, token_in
from tests.support.passkeys import SoftPasskey
from tests.support.recovery import (
    NEW_PASSWORD,
    PASSWORD,
    add_passkey,
    passkey_only_customer,
    start_recovery,
)
from tests.support.store import one, register_customer, rows, unique_email
from tests.support.temporal import fast_forward
from web.gateway.support import SupportActionFailed, act
from web.sessions import SessionStore
from workers.activities.login import account_key

STAFF = "5a1e6c1e-0000-4000-8000-000000000004"


def password_of(settings: Settings, customer_id: str) -> str:
    return one(settings, Credential, customer_id=customer_id, kind="password").secret_hash


async def activities_of(run: JourneyRun) -> list[str]:
    """The activities a journey ran so far, in order: scheduled ones and local ones (markers)."""
    history = await run.history()
    names = []
    for e in history.events:
        if e.HasField("activity_task_scheduled_event_attributes"):
            names.append(e.activity_task_scheduled_event_attributes.activity_type.name)
        elif e.marker_recorded_event_attributes.marker_name == "core_local_activity":
            marker = e.marker_recorded_event_attributes.details["data"].payloads[0].data
            names.append(json.loads(marker)["activity_type"])
    return names


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


async def test_reset_with_the_emailed_code(
    client: Client, settings: Settings, worker: Worker, smtp_server: MailCatcher
) -> None:
    email = unique_email("recover")
    customer_id = register_customer(settings, email, PASSWORD)
    sessions = SessionStore(settings)
    for n in range(2):
        sessions.issue_for_journey(
            customer_id=customer_id,
            journey_id=f"login-{n}-{customer_id}",
            nonce=f"nonce-{n}",
            amr=["pwd"],
            user_agent="test",
            ip="127.0.0.1",
        )
    gate, key = (
        Throttle(settings.database_url),
        account_key(email_lookup(settings.derive_key("email-lookup"), email)),
    )
    for _ in range(7):
        gate.admit(key, throttle.ACCOUNT)

    run = await start_recovery(client, settings)
    assert run.view.screen == "forgot-password"
    view = await run.submit(email=email.upper())
    assert view.screen == "check-your-email" and view.status == "waiting"
    message = await smtp_server.wait_for(to=email)
    assert message["Subject"] == "Reset your Threshold password"
    assert "15 minutes" in text_of(message)

    view = await run.submit(code=code_in(message))
    assert view.screen == "new-password"
    view = await run.submit(password="iloveyou")
    assert view.screen == "new-password" and view.fields[0].error
    await run.submit(password=NEW_PASSWORD)
    outcome = await run.result()

    assert outcome.kind == "redirect" and outcome.redirect_to == "/login"
    assert verify_password(password_of(settings, customer_id), NEW_PASSWORD)
    assert sessions.active_for(customer_id) == []
    assert gate.failures(key) == 0
    changed = await smtp_server.wait_for(to=email, count=2)
    assert changed["Subject"] == "Your Threshold password was changed"
    assert f"{settings.base_url}/recover" in text_of(changed)
    done = one(settings, AuditEvent, kind="recovery.completed", customer_id=customer_id)
    assert '"proof": "email"' in done.detail and '"sessions_revoked": 2' in done.detail
    attributes = (await run.handle.describe()).typed_search_attributes
    assert attributes.get(CUSTOMER_ID) == customer_id
    assert attributes.get(JOURNEY_STATUS) == "completed"


async def test_link_works_once_and_only_for_its_journey(
    client: Client, settings: Settings, worker: Worker, smtp_server: MailCatcher
) -> None:
    email = unique_email("recover-link")
    register_customer(settings, email, PASSWORD)
    first = await start_recovery(client, settings)
    await first.submit(email=email)
    first_token = token_in(await smtp_server.wait_for(to=email))
    second = await start_recovery(client, settings)
    await second.submit(email=email)
    second_token = token_in(await smtp_server.wait_for(to=email, count=2))

    foreign = await second.click_link(first_token)
    assert foreign.screen == "check-your-email" and foreign.errors == ["This link is not valid."]
    assert (await first.click_link(first_token)).screen == "new-password"
    reused = await second.click_link(first_token)
    assert reused.errors == ["This link is not valid."]
    assert (await second.click_link(second_token)).screen == "new-password"


async def test_unknown_email_walks_the_same_screens_and_expires_without_reminder(
    temporal_env: WorkflowEnvironment,
    client: Client,
    settings: Settings,
    worker: Worker,
    smtp_server: MailCatcher,
) -> None:
    known, unknown = unique_email("known"), unique_email("unknown")
    register_customer(settings, known, PASSWORD)
    runs = [await start_recovery(client, settings) for _ in range(2)]
    views = [
        await run.submit(email=email) for run, email in zip(runs, (known, unknown), strict=True)
    ]
    shapes = [v.model_dump(exclude={"intro", "context"}) for v in views]
    assert shapes[0] == shapes[1]
    assert views[1].intro == views[0].intro.replace(
        views[0].context["email"], views[1].context["email"]
    )
    notice = await smtp_server.wait_for(to=unknown)
    assert "There is no Threshold account with this address" in text_of(notice)
    assert "code is" not in text_of(notice)
    guessed = [await run.submit(code="123456") for run in runs]
    assert guessed[0].fields[0].error == guessed[1].fields[0].error
    work = [await activities_of(run) for run in runs]
    assert work[0] == work[1] == ["recovery.request", "verification.check_code"]

    for run in runs:
        assert not await fast_forward(temporal_env, run.handle, timedelta(minutes=16))
        outcome = await run.result()
        assert outcome.kind == "expired"
        assert outcome.reason == "No answer at step check-your-email."
        attributes = (await run.handle.describe()).typed_search_attributes
        assert attributes.get(JOURNEY_STATUS) == "expired"
        assert attributes.get(JOURNEY_STEP) == "check-your-email"
    assert len(smtp_server.messages_to(known)) == 1  # no reminder
    assert len(smtp_server.messages_to(unknown)) == 1
    assert len(rows(settings, Verification)) == 2  # the same rows for both: one each


async def test_code_attempts_exhausted_shows_in_details_and_link_still_works(
    client: Client, settings: Settings, worker: Worker, smtp_server: MailCatcher
) -> None:
    email = unique_email("exhaust")
    register_customer(settings, email, PASSWORD)
    run = await start_recovery(client, settings)
    await run.submit(email=email)
    message = await smtp_server.wait_for(to=email)
    code = code_in(message)
    for _ in range(5):
        view = await run.submit(code=wrong(code))
    assert "Too many wrong attempts" in (view.fields[0].error or "")
    view = await run.submit(code=code)  # the right code no longer works
    assert view.screen == "check-your-email"
    meta = await run.handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    assert EXHAUSTED in meta.current_details and "check-your-email" in meta.current_details
    assert (await run.click_link(token_in(message))).screen == "new-password"


async def test_totp_customer_cannot_reset_with_email_alone(
    client: Client, settings: Settings, worker: Worker, smtp_server: MailCatcher
) -> None:
    email = unique_email("recover-totp")
    customer_id = register_customer(settings, email, PASSWORD)
    app = enrol_totp(settings, customer_id)
    before = password_of(settings, customer_id)

    run = await start_recovery(client, settings)
    await run.submit(email=email)
    view = await run.submit(code=code_in(await smtp_server.wait_for(to=email)))
    assert view.screen == "enter-authenticator-code"
    for _ in range(5):
        view = await run.submit(code=wrong(code_now(app)))
    outcome = await run.result()
    assert outcome.kind == "failed"
    assert password_of(settings, customer_id) == before
    assert not rows(settings, AuditEvent, kind="recovery.completed")


async def test_totp_or_recovery_code_then_new_password(
    client: Client, settings: Settings, worker: Worker, smtp_server: MailCatcher
) -> None:
    email = unique_email("recover-choose")
    customer_id = register_customer(settings, email, PASSWORD)
    app = enrol_totp(settings, customer_id)
    codes = FactorStore(settings).new_recovery_codes(customer_id)

    run = await start_recovery(client, settings)
    await run.submit(email=email)
    view = await run.submit(code=code_in(await smtp_server.wait_for(to=email)))
    assert view.screen == "choose-proof" and view.context["factors"] == "totp recovery_code"
    assert (await run.submit(factor="recovery_code")).screen == "enter-recovery-code"
    assert (await run.submit("other")).screen == "choose-proof"
    await run.submit(factor="totp")
    assert (await run.submit(code=code_now(app))).screen == "new-password"
    await run.submit(password=NEW_PASSWORD)
    assert (await run.result()).kind == "redirect"
    assert FactorStore(settings).recovery_codes_left(customer_id) == len(codes)
    done = one(settings, AuditEvent, kind="recovery.completed", customer_id=customer_id)
    assert '"proof": "totp"' in done.detail


async def test_passkey_customer_proves_the_passkey(
    client: Client, settings: Settings, worker: Worker, smtp_server: MailCatcher
) -> None:
    email = unique_email("recover-passkey")
    customer_id = register_customer(settings, email, PASSWORD)
    authenticator = add_passkey(settings, customer_id, email)
    run = await start_recovery(client, settings)
    await run.submit(email=email)
    view = await run.submit(code=code_in(await smtp_server.wait_for(to=email)))
    assert view.screen == "use-passkey"
    options = next(f.options for f in view.fields if f.kind == "passkey")
    assert (await run.submit(passkey=authenticator.get(options))).screen == "new-password"
    await run.submit(password=NEW_PASSWORD)
    assert (await run.result()).kind == "redirect"
    assert verify_password(password_of(settings, customer_id), NEW_PASSWORD)


async def test_passkey_only_customer_needs_a_recovery_code_and_a_new_passkey(
    client: Client, settings: Settings, worker: Worker, smtp_server: MailCatcher
) -> None:
    customer_id, email = passkey_only_customer(settings)
    codes = FactorStore(settings).new_recovery_codes(customer_id)
    run = await start_recovery(client, settings)
    await run.submit(email=email)
    view = await run.submit(code=code_in(await smtp_server.wait_for(to=email)))
    assert view.screen == "enter-recovery-code"  # not the old passkey: it may be the lost one
    view = await run.submit(code=codes[0])
    assert view.screen == "create-passkey"
    options = next(f.options for f in view.fields if f.kind == "passkey")
    await run.submit(passkey=SoftPasskey(settings.base_url).create(options))
    assert (await run.result()).kind == "redirect"
    assert len(rows(settings, Passkey, customer_id=customer_id)) == 2
    assert not rows(settings, Credential, customer_id=customer_id, kind="password")
    changed = await smtp_server.wait_for(to=email, count=2)
    assert changed["Subject"] == "Your Threshold passkey was replaced"


async def test_passkey_only_customer_without_codes_is_sent_to_support(
    client: Client, settings: Settings, worker: Worker, smtp_server: MailCatcher
) -> None:
    _, email = passkey_only_customer(settings)
    run = await start_recovery(client, settings)
    await run.submit(email=email)
    view = await run.submit(code=code_in(await smtp_server.wait_for(to=email)))
    assert view.screen == "support-needed" and view.status == "failed"
    outcome = await run.result()
    assert outcome.kind == "failed" and "support" in outcome.reason


async def test_requests_are_limited_per_email_alike_for_known_and_unknown(
    client: Client, settings: Settings, worker: Worker, smtp_server: MailCatcher
) -> None:
    known, unknown = unique_email("limit-known"), unique_email("limit-unknown")
    register_customer(settings, known, PASSWORD)
    last = {}
    for email in (known, unknown):
        for n in range(4):
            run = await start_recovery(client, settings, ip=f"192.0.2.{n}")
            last[email] = await run.submit(email=email)
    assert last[known].screen == last[unknown].screen == "forgot-password"
    # The wait counts down from the third request, so only its number of seconds may differ.
    errors = {
        email: re.sub(r"\d+ s\b", "N s", v.fields[0].error or "") for email, v in last.items()
    }
    assert errors[known] == errors[unknown]
    assert errors[known].startswith("Too many reset requests")
    assert len(smtp_server.messages_to(known)) == len(smtp_server.messages_to(unknown)) == 3


async def test_requests_are_limited_per_ip(
    client: Client, settings: Settings, worker: Worker, smtp_server: MailCatcher
) -> None:
    for _ in range(20):
        run = await start_recovery(client, settings, ip="192.0.2.99")
        assert (await run.submit(email=unique_email("ip"))).screen == "check-your-email"
    run = await start_recovery(client, settings, ip="192.0.2.99")
    view = await run.submit(email=unique_email("ip"))
    assert view.screen == "forgot-password" and (view.fields[0].error or "").startswith(
        "Too many reset requests"
    )


async def test_support_can_cancel_a_stuck_recovery_but_not_extend_it(
    client: Client, settings: Settings, worker: Worker, smtp_server: MailCatcher
) -> None:
    email = unique_email("recover-support")
    register_customer(settings, email, PASSWORD)
    run = await start_recovery(client, settings)
    await run.submit(email=email)
    await smtp_server.wait_for(to=email)

    with pytest.raises(SupportActionFailed):
        await act(
            client, run.id, SupportRequest(action="extend", staff_id=STAFF, extend_minutes=60)
        )
    reply = await act(client, run.id, SupportRequest(action="cancel", staff_id=STAFF))

    assert reply.done and (await run.result()).kind == "cancelled"
    attributes = (await run.handle.describe()).typed_search_attributes
    assert attributes.get(JOURNEY_STATUS) == "cancelled"
    assert one(settings, AuditEvent, journey_id=run.id, kind="support.cancel")
