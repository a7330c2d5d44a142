"""The registration journey on a real Temporal dev server, driven only through the client.

Each test runs its own worker on its own task queue (the ``worker`` fixture) against a fresh SQLite
database and the session's SMTP catcher; codes and links are read from the delivered mail.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from core.security.hashing import email_lookup
from core.settings import Settings
from journeys.kit import ErrorCode, ScreenView
from journeys.kit.search import (
    ALL_KEYS,
    CUSTOMER_ID,
    EMAIL_LOOKUP,
    JOURNEY_NAME,
    JOURNEY_STATUS,
    JOURNEY_STEP,
)
from journeys.registration import MAX_SENDS, RESEND_COOLDOWN, TERMS
from store.mail_limits import PER_ADDRESS
from store.models import ConsentRecord, Credential, Customer, PendingRegistration
from store.risk_models import RiskLoginEvent
from tests.support.journeys import JourneyRun, start_journey
from tests.support.mail import MailCatcher, code_in, text_of, token_in
from tests.support.store import one, register_customer, rows, unique_email
from tests.support.temporal import fast_forward
from tests.support.waiting import eventually, rejected

PASSWORD = "violet-tractor-harbour"

pytestmark = pytest.mark.usefixtures("worker")


async def signed_up(
    client: Client, settings: Settings, email: str, password: str = PASSWORD
) -> JourneyRun:
    """A journey that has accepted the sign-up form and waits at check-your-email."""
    run = await start_journey(client, settings)
    view = await run.submit(email=email, password=password)
    assert view.screen == "check-your-email", view
    return run


async def search_attributes(run: JourneyRun) -> dict[str, Any]:
    described = await run.handle.describe()
    attributes = described.typed_search_attributes
    return {key.name: attributes.get(key) for key in ALL_KEYS if attributes.get(key) is not None}


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# ----- the paths a customer walks ----------------------------------------------------------


async def test_happy_path_with_the_emailed_code(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    email = unique_email("happy")
    run = await start_journey(client, settings)
    assert (run.view.screen, run.view.seq, run.view.status) == ("sign-up", 1, "active")

    waiting = await run.submit(email=email, password=PASSWORD)
    assert waiting.screen == "check-your-email"
    assert (waiting.status, waiting.live) == ("waiting", True)
    assert email not in waiting.model_dump_json()  # the page shows a masked address
    assert "@example.com" in waiting.intro

    message = await smtp_server.wait_for(to=email)
    terms = await run.submit(code=code_in(message))
    assert terms.screen == "accept-terms"

    done = await run.submit(terms="on")
    outcome = await run.result()

    assert outcome.kind == "signed_in"
    assert outcome.amr == ["pwd", "email"]
    assert outcome.redirect_to == "/account"
    assert done.status == "done" and done.outcome == outcome.model_dump()
    customer = one(settings, Customer, email=email)
    assert customer.id == outcome.customer_id
    assert one(settings, Credential, customer_id=customer.id).secret_hash.startswith("$argon2id$")
    consent = one(settings, ConsentRecord, customer_id=customer.id)
    assert (consent.purpose, consent.version, consent.granted) == (
        TERMS.purpose,
        TERMS.version,
        True,
    )
    assert rows(settings, PendingRegistration, journey_id=run.id) == []
    # Cold start: this browser is the customer's first sign-in, so the next one is no stranger.
    [baseline] = rows(settings, RiskLoginEvent, journey_id=run.id)
    assert baseline.customer_id == customer.id and baseline.success


async def test_happy_path_with_the_emailed_link_on_another_device(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    email = unique_email("link")
    run = await signed_up(client, settings, email)
    token = token_in(await smtp_server.wait_for(to=email))

    # The link is opened elsewhere: the web layer seals the token and delivers the event.
    after_click = await run.click_link(token)

    assert after_click.screen == "accept-terms"
    current = await run.current()  # what the waiting page picks up by polling or SSE
    assert current is not None and current.screen == "accept-terms"
    await run.submit(terms="on")
    outcome = await run.result()
    assert outcome.kind == "signed_in"
    assert one(settings, Customer, email=email).id == outcome.customer_id


async def test_existing_email_gets_the_already_registered_mail_and_cannot_verify(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    email = unique_email("existing")
    customer_id = register_customer(settings, email)
    fresh = await signed_up(client, settings, unique_email("fresh"))

    run = await signed_up(client, settings, email, "a-different-passphrase")
    message = await smtp_server.wait_for(to=email)

    assert message["Subject"] == "You already have a Threshold account"
    assert "code is" not in text_of(message) and "token=" not in text_of(message)
    # The page is indistinguishable from a new customer's (apart from the masked address).
    shown = run.view.model_copy(update={"intro": "", "context": {}})
    expected = fresh.view.model_copy(update={"intro": "", "context": {}})
    assert shown == expected
    for guess in ("000000", "123456"):
        view = await run.submit(code=guess)
        assert view.screen == "check-your-email"
        assert view.fields[0].error is not None
    assert rows(settings, Customer, email=email)[0].id == customer_id
    assert len(rows(settings, Credential, customer_id=customer_id)) == 1


async def test_weak_password_returns_to_sign_up_keeping_the_email(
    client: Client, settings: Settings
) -> None:
    email = unique_email("weak")
    run = await start_journey(client, settings)

    view = await run.submit(email=email, password="iloveyou")

    assert view.screen == "sign-up" and view.seq > 1
    fields = {f.name: f for f in view.fields}
    assert fields["email"].value == email
    assert fields["password"].value == ""
    assert fields["password"].error == (
        "This password is too common; choose one that is harder to guess."
    )
    assert (await run.submit(email=email, password=PASSWORD)).screen == "check-your-email"


async def test_wrong_code_six_times_exhausts_it_and_the_right_code_then_fails(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    email = unique_email("wrong")
    run = await signed_up(client, settings, email)
    code = code_in(await smtp_server.wait_for(to=email))

    errors = []
    for _ in range(6):
        view = await run.submit(code=wrong(code))
        assert view.screen == "check-your-email"
        errors.append(view.fields[0].error)
    view = await run.submit(code=code)

    assert errors[0] == "That code is not right. 4 attempts left."
    assert errors[3] == "That code is not right. 1 attempt left."
    exhausted = "Too many wrong attempts: this code no longer works. Send a new code."
    assert errors[4:] == [exhausted, exhausted]
    assert view.screen == "check-your-email" and view.fields[0].error == exhausted
    assert rows(settings, Customer, email=email) == []


async def test_resend_waits_for_the_cooldown_then_sends_a_new_code(
    temporal_env: WorkflowEnvironment,
    client: Client,
    settings: Settings,
    smtp_server: MailCatcher,
) -> None:
    email = unique_email("resend")
    run = await signed_up(client, settings, email)
    first = code_in(await smtp_server.wait_for(to=email))

    too_soon = await run.submit("resend")
    assert too_soon.screen == "check-your-email"
    assert too_soon.notice.startswith("Please wait ")
    assert len(smtp_server.messages_to(email)) == 1

    await fast_forward(temporal_env, run.handle, RESEND_COOLDOWN + timedelta(seconds=1))
    resent = await run.submit("resend")
    second = code_in(await smtp_server.wait_for(to=email, count=2))

    assert resent.notice == "We sent you a new code."
    if first != second:
        assert (await run.submit(code=first)).screen == "check-your-email"
    assert (await run.submit(code=second)).screen == "accept-terms"


async def test_too_many_resends_end_the_journey(
    temporal_env: WorkflowEnvironment,
    client: Client,
    settings: Settings,
    smtp_server: MailCatcher,
) -> None:
    email = unique_email("resends")
    run = await signed_up(client, settings, email)

    for sent in range(2, MAX_SENDS + 1):
        await fast_forward(temporal_env, run.handle, RESEND_COOLDOWN + timedelta(seconds=1))
        view = await run.submit("resend")
        if sent <= PER_ADDRESS.free_failures:
            assert view.notice == "We sent you a new code."
            await smtp_server.wait_for(to=email, count=sent)
        else:  # the address's own limit, shared by every journey, refuses before the journey's
            assert view.errors[0].startswith("We did not send another email"), view
    final = await run.submit("resend")
    outcome = await run.result()

    assert outcome.kind == "failed"
    assert final.status == "failed"
    assert outcome.reason == "Too many codes were requested. Please start again."
    assert len(smtp_server.messages_to(email)) == PER_ADDRESS.free_failures


# ----- what the validators keep out of history ---------------------------------------------


async def test_replayed_submission_is_stale_and_adds_nothing_to_history(
    client: Client, settings: Settings
) -> None:
    run = await start_journey(client, settings)
    signup = run.submission(email=unique_email("stale"), password=PASSWORD)
    await run.send(signup)
    length = await run.history_length()

    replayed = await rejected(run.handle.execute_update("submit", signup, result_type=ScreenView))
    wrong_screen = await rejected(
        run.handle.execute_update(
            "submit",
            signup.model_copy(update={"seq": run.view.seq}),  # right seq, wrong screen
            result_type=ScreenView,
        )
    )

    assert replayed.type == wrong_screen.type == ErrorCode.STALE_SUBMISSION
    assert replayed.non_retryable
    assert await run.history_length() == length


async def test_malformed_form_is_invalid_with_field_details_and_adds_nothing(
    client: Client, settings: Settings
) -> None:
    run = await start_journey(client, settings)
    length = await run.history_length()

    error = await rejected(run.send(run.submission(email="not-an-email")))

    assert error.type == ErrorCode.INVALID_SUBMISSION
    [details] = error.details
    assert set(details["fields"]) == {"email", "password"}
    assert details["fields"]["password"] == "Password is required."
    assert details["fields"]["email"].startswith("Enter a valid email address")
    assert details["form"] == []
    assert await run.history_length() == length
    # The same screen instance still accepts a good submission afterwards.
    view = await run.submit(email=unique_email("fixed"), password=PASSWORD)
    assert view.screen == "check-your-email"


async def test_unknown_field_and_unsealed_secret_are_invalid(
    client: Client, settings: Settings
) -> None:
    run = await start_journey(client, settings)
    email = unique_email("unsealed")

    unknown = await rejected(run.send(run.submission(email=email, password=PASSWORD, admin="1")))
    plaintext = run.submission(email=email)
    plaintext.values["password"] = PASSWORD  # what a buggy web layer would send
    unsealed = await rejected(run.send(plaintext))

    assert unknown.type == ErrorCode.INVALID_SUBMISSION
    assert unknown.details[0]["form"] == ["Unexpected field 'admin'."]
    assert unsealed.type == ErrorCode.INVALID_SUBMISSION
    assert set(unsealed.details[0]["fields"]) == {"password"}
    history = (await run.history()).to_json()
    assert PASSWORD not in history


async def test_events_are_refused_unless_the_journey_waits_for_them(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    email = unique_email("events")
    run = await start_journey(client, settings)

    early = await rejected(run.deliver("EmailLinkClicked", token=run.seal("x", field="token")))
    await run.submit(email=email, password=PASSWORD)
    unknown = await rejected(run.deliver("PurchaseMade", amount=1))

    assert early.type == unknown.type == ErrorCode.UNKNOWN_EVENT


# ----- what support staff see --------------------------------------------------------------


async def test_search_attributes_follow_the_journey_and_hold_no_email(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    email = unique_email("search")
    run = await start_journey(client, settings)
    lookup = email_lookup(settings.derive_key("email-lookup"), email)

    await run.submit(email=email, password=PASSWORD)
    waiting = await search_attributes(run)
    await run.submit(code=code_in(await smtp_server.wait_for(to=email)))
    await run.submit(terms="on")
    outcome = await run.result()
    done = await search_attributes(run)

    assert waiting == {
        "JourneyName": "registration",
        "JourneyStep": "check-your-email",
        "JourneyStatus": "waiting",
        "EmailLookup": lookup,
    }
    assert done[JOURNEY_STATUS.name] == "completed"
    assert done[CUSTOMER_ID.name] == outcome.customer_id
    assert done[EMAIL_LOOKUP.name] == lookup
    local_part = email.split("@")[0]
    for value in [*waiting.values(), *done.values()]:
        assert local_part not in str(value) and "@" not in str(value)

    # Support can find the journey by the email's lookup hash (visibility is eventually consistent).
    async def found() -> list[str]:
        query = f"{EMAIL_LOOKUP.name} = '{lookup}' AND {JOURNEY_NAME.name} = 'registration'"
        ids = [w.id async for w in client.list_workflows(query)]
        assert ids == [run.id]
        return ids

    await eventually(found)


# ----- time --------------------------------------------------------------------------------


async def test_journey_left_at_check_your_email_expires_after_24_hours(
    temporal_env: WorkflowEnvironment, client: Client, settings: Settings
) -> None:
    run = await signed_up(client, settings, unique_email("expire"))

    finished_first = not await fast_forward(temporal_env, run.handle, timedelta(hours=25))
    outcome = await run.result()

    assert finished_first  # the journey ended inside the skipped day
    assert outcome.kind == "expired"
    assert outcome.reason == "No answer at step check-your-email."
    attributes = await search_attributes(run)
    assert attributes[JOURNEY_STATUS.name] == "expired"
    assert attributes[JOURNEY_STEP.name] == "check-your-email"
    assert (await run.handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    elapsed = (
        await temporal_env.get_current_time(run.handle) - (await run.handle.describe()).start_time
    )
    assert timedelta(hours=24) <= elapsed < timedelta(hours=25)


async def test_journey_does_not_expire_before_24_hours(
    temporal_env: WorkflowEnvironment, client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    email = unique_email("not-yet")
    run = await signed_up(client, settings, email)

    reached = await fast_forward(temporal_env, run.handle, timedelta(hours=23))

    assert reached  # the skip completed with the journey still running
    assert (await run.handle.describe()).status == WorkflowExecutionStatus.RUNNING
    # The code itself has a 10-minute life; the link still works after 23 hours.
    token = token_in(await smtp_server.wait_for(to=email))
    assert (await run.click_link(token)).screen == "accept-terms"


async def test_abandoned_sign_up_expires_after_an_hour(
    temporal_env: WorkflowEnvironment, client: Client, settings: Settings
) -> None:
    run = await start_journey(client, settings)

    await fast_forward(temporal_env, run.handle, timedelta(hours=1, minutes=1))
    outcome = await run.result()

    assert outcome.kind == "expired"
    assert outcome.reason == "No answer at step sign-up."
    view = await run.current()
    assert view is not None and view.status == "expired"
