"""Staff act on live registrations through the kit's ``support`` update.

Each action must change the journey, name the staff member in the workflow history, land in the
audit trail and email the customer; refused actions must leave the history untouched.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from temporalio import workflow
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from contracts.support import SupportRequest
from core.codec import EncryptionCodec
from core.settings import Settings
from journeys.kit import JourneyStart, Outcome
from journeys.kit.prove_email import RESEND_COOLDOWN
from journeys.kit.search import JOURNEY_STATUS
from journeys.registration import SIGN_UP_TIMEOUT, TERMS_TIMEOUT
from ops.support.replay import replay
from store.models import AuditEvent
from tests.support.journeys import JourneyRun, start_journey
from tests.support.mail import MailCatcher, code_in, text_of
from tests.support.store import one, rows, unique_email
from tests.support.temporal import fast_forward
from tests.web.test_secrets import payloads_in
from web.gateway.support import SupportActionFailed, act

PASSWORD = "violet-tractor-harbour"
STAFF = "5a1e6c1e-0000-4000-8000-00000000staf"[:36]

pytestmark = pytest.mark.usefixtures("worker")


async def signed_up(
    client: Client, settings: Settings, smtp: MailCatcher
) -> tuple[JourneyRun, str]:
    email = unique_email("support")
    run = await start_journey(client, settings)
    await run.submit(email=email, password=PASSWORD)
    await smtp.wait_for(to=email)
    return run, email


async def decoded_history(run: JourneyRun, settings: Settings) -> str:
    codec = EncryptionCodec(settings.codec_keyring)
    texts = []
    for event in (await run.history()).events:
        for payload in payloads_in(event):
            [plain] = await codec.decode([payload])
            texts.append(plain.data.decode(errors="replace"))
    return "\n".join(texts)


def audited(settings: Settings, run: JourneyRun, kind: str) -> dict[str, str]:
    row = one(settings, AuditEvent, journey_id=run.id, kind=kind)
    detail: dict[str, str] = json.loads(row.detail)
    return detail


async def test_resend_sends_a_new_code_and_tells_the_customer(
    client: Client,
    settings: Settings,
    smtp_server: MailCatcher,
    temporal_env: WorkflowEnvironment,
) -> None:
    run, email = await signed_up(client, settings, smtp_server)
    await fast_forward(temporal_env, run.handle, RESEND_COOLDOWN + timedelta(seconds=1))

    reply = await act(client, run.id, SupportRequest(action="resend", staff_id=STAFF, reason="T-1"))

    assert reply.done and reply.message == "We sent you a new code."
    second = await smtp_server.wait_for(to=email, count=3)  # code, notice, code (any order)
    subjects = [m["Subject"] for m in smtp_server.messages_to(email)]
    assert subjects.count("Our support team helped with your registration") == 1
    notice = next(
        m for m in smtp_server.messages_to(email) if m["Subject"].startswith("Our support")
    )
    assert "sent you a new verification code" in text_of(notice)
    codes = [m for m in smtp_server.messages_to(email) if m["Subject"].startswith("Your")]
    assert len(codes) == 2 and second is not None
    current = await run.current()
    assert current is not None and current.notice == "We sent you a new code."
    run.view = current  # the customer's page moved on by itself
    view = await run.submit(code=code_in(codes[-1]))
    assert view.screen == "accept-terms"
    assert audited(settings, run, "support.resend") == {"staff_id": STAFF, "reason": "T-1"}
    assert STAFF in await decoded_history(run, settings)  # the update input names who asked


async def test_extend_moves_the_deadline_of_the_current_step(
    client: Client,
    settings: Settings,
    smtp_server: MailCatcher,
    temporal_env: WorkflowEnvironment,
) -> None:
    run = await start_journey(client, settings)  # at sign-up: one hour to answer

    reply = await act(
        client, run.id, SupportRequest(action="extend", staff_id=STAFF, extend_minutes=120)
    )

    assert reply.done and reply.message.startswith("The deadline is now")
    assert await fast_forward(temporal_env, run.handle, SIGN_UP_TIMEOUT + timedelta(minutes=30))
    assert (await run.current()) is not None and run.view.screen == "sign-up"
    description = await run.handle.describe()
    assert description.status == WorkflowExecutionStatus.RUNNING
    assert audited(settings, run, "support.extend")["staff_id"] == STAFF
    await fast_forward(temporal_env, run.handle, timedelta(minutes=91))
    assert (await run.result()).kind == "expired"


async def test_cancel_ends_the_journey_and_emails_the_customer(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    run, email = await signed_up(client, settings, smtp_server)

    reply = await act(client, run.id, SupportRequest(action="cancel", staff_id=STAFF))

    assert reply.done
    outcome: Outcome = await run.result()
    assert outcome.kind == "cancelled"
    description = await run.handle.describe()
    assert description.typed_search_attributes.get(JOURNEY_STATUS) == "cancelled"
    notice = await smtp_server.wait_for(to=email, count=2)
    assert "cancelled an unfinished request" in text_of(notice)
    assert audited(settings, run, "support.cancel")["staff_id"] == STAFF
    with pytest.raises(SupportActionFailed):
        await act(client, run.id, SupportRequest(action="cancel", staff_id=STAFF))


async def test_refused_actions_leave_no_trace_in_history(
    client: Client, settings: Settings
) -> None:
    run = await start_journey(client, settings)
    before = await run.history_length()
    refusals = {
        "delete": "does not support 'delete'",
        "resend": "no 'resend' action",  # sign-up has no resend button
    }
    for action, reason in refusals.items():
        with pytest.raises(SupportActionFailed, match=reason):
            await act(client, run.id, SupportRequest(action=action, staff_id=STAFF))
    with pytest.raises(SupportActionFailed, match="Extend by 1 to"):
        await act(client, run.id, SupportRequest(action="extend", staff_id=STAFF))
    with pytest.raises(SupportActionFailed, match="No running journey"):
        await act(client, "registration-nope", SupportRequest(action="cancel", staff_id=STAFF))

    assert await run.history_length() == before
    assert rows(settings, AuditEvent, journey_id=run.id) == []


@workflow.defn(name="registration", sandboxed=False)
class ChangedRegistration:
    """A "new version" of registration that forgot the first screen's timer."""

    @workflow.run
    async def run(self, start: JourneyStart) -> None:
        await workflow.execute_activity(
            "identity.stage_registration", start, start_to_close_timeout=TERMS_TIMEOUT
        )


async def test_replay_reports_nondeterminism_of_a_live_journey(
    client: Client, settings: Settings, smtp_server: MailCatcher
) -> None:
    run, _ = await signed_up(client, settings, smtp_server)

    clean = await replay(client, run.id)
    broken = await replay(client, run.id, workflows=[ChangedRegistration])

    assert clean.ok and clean.events > 5 and "replays cleanly" in clean.describe()
    assert not broken.ok and broken.nondeterministic
    assert "NONDETERMINISM" in broken.describe()
