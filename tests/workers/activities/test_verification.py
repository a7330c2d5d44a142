"""Verification activities on SQLite and PostgreSQL with a real SMTP server.

Codes and links are sent once per ``verification_id`` (retries resend the same code), only keyed
hashes are stored, attempts are limited and expiry is enforced.
"""

from __future__ import annotations

import json
import smtplib
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from temporalio.exceptions import ApplicationError

from contracts.emails import EmailPurpose
from contracts.errors import ErrorCode
from contracts.verification import CheckCode, CheckLink, CheckResult, SendCode, SentCode
from core.security.sealing import Sealer
from core.settings import Settings
from journeys.kit import Sealed
from store.models import AuditEvent, Verification, utcnow
from tests.conftest import MakeSettings
from tests.support.mail import MailCatcher, code_in, link_in, text_of, token_in
from tests.support.net import free_port
from tests.support.store import new_journey_id, one, rows, unique_email, update
from workers.activities.messaging import Mailer
from workers.activities.verification import VerificationActivitiesImpl


class Flow:
    """One journey's verification, driven through the activities like the workflow does."""

    def __init__(
        self,
        settings: Settings,
        template: str = "verify_email",
        purpose: EmailPurpose = EmailPurpose.CODE_AND_LINK,
    ) -> None:
        self.settings = settings
        self.activities = VerificationActivitiesImpl(settings)
        self.sealer = Sealer(settings.derive_key("sealing"))
        self.journey_id = new_journey_id()
        self.email = unique_email("verify")
        self.template = template
        self.purpose = purpose

    def request(self, verification_id: str = "v-1") -> SendCode:
        return SendCode(
            verification_id=f"{self.journey_id}:{verification_id}",
            journey_id=self.journey_id,
            journey="registration",
            email=self.email,
            template=self.template,
            purpose=self.purpose,
        )

    def send(self, verification_id: str = "v-1") -> SentCode:
        return self.activities.send_code(self.request(verification_id))

    def seal(self, value: str, field: str, journey_id: str | None = None) -> Sealed:
        return self.sealer.seal(value, journey_id=journey_id or self.journey_id, field=field)

    def check_code(self, code: str, *, sealed_for: str | None = None) -> CheckResult:
        """Check ``code`` as the workflow would (sealed by the web layer for this journey)."""
        sealed = self.seal(code, "code", sealed_for)
        return self.activities.check_code(CheckCode(journey_id=self.journey_id, code=sealed))

    def check_link(self, token: str, *, journey_id: str | None = None) -> CheckResult:
        """Check a clicked link's token on behalf of ``journey_id`` (default: this journey)."""
        target = journey_id or self.journey_id
        return self.activities.check_link(
            CheckLink(journey_id=target, token=self.seal(token, "token", target))
        )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# ----- sending -----------------------------------------------------------------------------


async def test_send_twice_with_one_verification_id_mails_once(
    db_settings: Settings, smtp_server: MailCatcher
) -> None:
    flow = Flow(db_settings)

    first = flow.send()
    message = await smtp_server.wait_for(to=flow.email)
    second = flow.send()

    assert first == second
    assert len(smtp_server.messages_to(flow.email)) == 1
    assert message["Subject"] == f"Your Threshold code: {code_in(message)}"
    assert link_in(message).startswith(
        f"{db_settings.base_url}/j/registration/{flow.journey_id}/link?token="
    )
    assert first.code_expires_at - utcnow() <= VerificationActivitiesImpl.CODE_LIFETIME
    assert first.link_expires_at - first.code_expires_at > timedelta(hours=23)
    assert (
        len(rows(db_settings, AuditEvent, kind="verification.sent", journey_id=flow.journey_id))
        == 1
    )


async def test_only_keyed_hashes_are_stored(
    db_settings: Settings, smtp_server: MailCatcher
) -> None:
    flow = Flow(db_settings)
    flow.send()
    message = await smtp_server.wait_for(to=flow.email)
    code, token = code_in(message), token_in(message)

    row = one(db_settings, Verification, journey_id=flow.journey_id)
    stored = json.dumps(row.model_dump(mode="json"))

    assert code not in stored and token not in stored
    assert row.undelivered is None
    assert row.sent_at is not None


async def test_a_retry_after_an_smtp_failure_sends_the_same_code(
    make_settings: MakeSettings, db_url: str, smtp_server: MailCatcher
) -> None:
    down = make_settings(db_url, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    flow = Flow(down)
    with pytest.raises((OSError, smtplib.SMTPException)):
        flow.send()
    row = one(down, Verification, journey_id=flow.journey_id)
    assert row.sent_at is None and row.undelivered is not None

    up = make_settings(db_url, task_queue=down.task_queue)
    retried = Flow(up)
    retried.journey_id, retried.email = flow.journey_id, flow.email
    retried.send()
    message = await smtp_server.wait_for(to=flow.email)

    assert retried.check_code(code_in(message)).ok
    row = one(up, Verification, journey_id=flow.journey_id)
    assert row.undelivered is None and row.sent_at is not None


async def test_already_registered_mail_carries_no_code_and_its_code_never_works(
    make_settings: MakeSettings, db_url: str, smtp_server: MailCatcher
) -> None:
    # Keep the send failing once, so the sealed code is still in the row and the test can read it.
    down = make_settings(db_url, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    flow = Flow(down, template="already_registered", purpose=EmailPurpose.DECOY)
    with pytest.raises((OSError, smtplib.SMTPException)):
        flow.send()
    row = one(down, Verification, journey_id=flow.journey_id)
    assert row.purpose == "decoy" and row.undelivered is not None
    secret = json.loads(
        flow.sealer.open(
            Sealed.model_validate_json(row.undelivered),
            journey_id=flow.journey_id,
            field=f"undelivered:{row.id}",
        )
    )

    up = Flow(make_settings(db_url), template="already_registered", purpose=EmailPurpose.DECOY)
    up.journey_id, up.email = flow.journey_id, flow.email
    up.send()
    message = await smtp_server.wait_for(to=flow.email)

    assert message["Subject"] == "You already have a Threshold account"
    assert secret["code"] not in text_of(message)
    assert "token=" not in text_of(message)
    assert not up.check_code(secret["code"]).ok
    assert not up.check_link(secret["token"]).ok


@pytest.mark.parametrize(
    ("template", "purpose", "error"),
    [
        # A template nobody wrote: once silently a decoy whose code never matched.
        ("change_email_code", EmailPurpose.CODE_AND_LINK, ErrorCode.UNKNOWN_EMAIL),
        # A real code email sent as a decoy, and a decoy sent as if it carried a code.
        ("verify_email", EmailPurpose.DECOY, ErrorCode.EMAIL_PURPOSE),
        ("already_registered", EmailPurpose.CODE_AND_LINK, ErrorCode.EMAIL_PURPOSE),
        # A notice is not a verification, even when named with its own purpose.
        ("password_changed", EmailPurpose.NOTICE, ErrorCode.EMAIL_PURPOSE),
    ],
)
async def test_a_send_the_templates_do_not_declare_fails_for_good_and_stores_nothing(
    db_settings: Settings,
    smtp_server: MailCatcher,
    caplog: pytest.LogCaptureFixture,
    template: str,
    purpose: EmailPurpose,
    error: ErrorCode,
) -> None:
    flow = Flow(db_settings, template=template, purpose=purpose)

    with pytest.raises(ApplicationError) as refused:
        flow.send()

    assert refused.value.type == error and refused.value.non_retryable
    assert template in str(refused.value)
    assert any(error in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert rows(db_settings, Verification, journey_id=flow.journey_id) == []
    assert smtp_server.messages_to(flow.email) == []


async def test_a_link_email_proves_the_address_by_its_link_and_never_by_a_code(
    make_settings: MakeSettings, db_url: str, smtp_server: MailCatcher, tmp_path: Path
) -> None:
    (tmp_path / "undo.jinja").write_text(
        "{% block purpose %}link{% endblock %}{% block subject %}Undo{% endblock %}"
        "{% block text %}Hello, open {{ link }} within {{ minutes }} minutes.{% endblock %}"
        '{% block html %}<a href="{{ link }}">Undo</a>{% endblock %}'
    )
    (tmp_path / "_html.jinja").write_text("<html><body>{{ body }}</body></html>")

    def link_flow(settings: Settings) -> Flow:
        flow = Flow(settings, template="undo", purpose=EmailPurpose.LINK)
        flow.activities.mailer = Mailer(settings.smtp_url, "x@threshold.test", tmp_path)
        return flow

    # The first send fails, so the sealed code is still in the row and the test can read it.
    down = link_flow(make_settings(db_url, smtp_url=f"smtp://127.0.0.1:{free_port()}"))
    with pytest.raises((OSError, smtplib.SMTPException)):
        down.send()
    row = one(down.settings, Verification, journey_id=down.journey_id)
    assert row.purpose == "link" and row.undelivered is not None
    code = json.loads(
        down.sealer.open(
            Sealed.model_validate_json(row.undelivered),
            journey_id=down.journey_id,
            field=f"undelivered:{row.id}",
        )
    )["code"]
    up = link_flow(make_settings(db_url))
    up.journey_id, up.email = down.journey_id, down.email
    up.send()
    message = await smtp_server.wait_for(to=up.email)

    assert code not in text_of(message)
    assert not up.check_code(code).ok
    assert up.check_link(token_in(message)).ok


def test_a_send_recorded_without_a_purpose_reads_as_registrations_own() -> None:
    recorded = {
        "verification_id": "r-1:v-1",
        "journey_id": "r-1",
        "journey": "registration",
        "email": "ann@example.com",
    }

    fresh = SendCode.model_validate({**recorded, "template": "verify_email"})
    taken = SendCode.model_validate({**recorded, "template": "already_registered"})

    assert fresh.purpose is EmailPurpose.CODE_AND_LINK
    assert taken.purpose is EmailPurpose.DECOY
    with pytest.raises(ValidationError):
        SendCode.model_validate({**recorded, "template": "login_code"})


@pytest.mark.parametrize(
    ("stored", "code_works", "link_works"),
    [("verify_email", True, True), ("recovery", True, True), ("login_code", True, False)],
)
async def test_rows_stored_before_purposes_still_prove_what_they_did(
    db_settings: Settings,
    smtp_server: MailCatcher,
    stored: str,
    code_works: bool,
    link_works: bool,
) -> None:
    flow, linked = Flow(db_settings), Flow(db_settings)
    for each in (flow, linked):
        each.send()
        update(
            db_settings, one(db_settings, Verification, journey_id=each.journey_id), purpose=stored
        )
    code = code_in(await smtp_server.wait_for(to=flow.email))
    token = token_in(await smtp_server.wait_for(to=linked.email))

    assert flow.check_code(code).ok is code_works
    assert linked.check_link(token).ok is link_works


# ----- checking codes ----------------------------------------------------------------------


async def test_right_code_verifies_once(db_settings: Settings, smtp_server: MailCatcher) -> None:
    flow = Flow(db_settings)
    flow.send()
    code = code_in(await smtp_server.wait_for(to=flow.email))

    first = flow.check_code(code)
    again = flow.check_code(code)

    assert first.ok
    assert not again.ok and again.reason == "wrong"
    assert one(db_settings, Verification, journey_id=flow.journey_id).consumed_at is not None


async def test_a_retried_check_answers_like_its_first_attempt(
    db_settings: Settings, smtp_server: MailCatcher
) -> None:
    """A local activity runs again when its workflow task is retried: same post, same answer."""
    flow = Flow(db_settings)
    flow.send()
    message = await smtp_server.wait_for(to=flow.email)
    wrong_post = CheckCode(
        journey_id=flow.journey_id, code=flow.seal(wrong(code_in(message)), "code")
    )
    right_post = CheckCode(journey_id=flow.journey_id, code=flow.seal(code_in(message), "code"))

    wrong_answers = [flow.activities.check_code(wrong_post) for _ in range(2)]
    right_answers = [flow.activities.check_code(right_post) for _ in range(2)]

    assert [a.attempts_left for a in wrong_answers] == [4, 4]
    assert [a.ok for a in right_answers] == [True, True]
    assert one(db_settings, Verification, journey_id=flow.journey_id).attempts == 2
    assert not flow.check_code(code_in(message)).ok  # a new post of the spent code


async def test_a_retried_link_check_answers_like_its_first_attempt(
    db_settings: Settings, smtp_server: MailCatcher
) -> None:
    flow = Flow(db_settings)
    flow.send()
    token = token_in(await smtp_server.wait_for(to=flow.email))
    click = CheckLink(journey_id=flow.journey_id, token=flow.seal(token, "token"))

    answers = [flow.activities.check_link(click) for _ in range(2)]

    assert [a.ok for a in answers] == [True, True]
    assert flow.check_link(token).message == "This link was already used."  # a second click


async def test_attempts_are_counted_and_five_wrong_codes_exhaust_it(
    db_settings: Settings, smtp_server: MailCatcher
) -> None:
    flow = Flow(db_settings)
    flow.send()
    code = code_in(await smtp_server.wait_for(to=flow.email))

    results = [flow.check_code(wrong(code)) for _ in range(VerificationActivitiesImpl.MAX_ATTEMPTS)]
    after = flow.check_code(code)

    assert [r.attempts_left for r in results[:-1]] == [4, 3, 2, 1]
    assert results[0].message == "That code is not right. 4 attempts left."
    assert results[3].message == "That code is not right. 1 attempt left."
    assert results[-1].reason == "exhausted"
    assert not after.ok and after.reason == "exhausted"  # even the right code, now
    assert one(db_settings, Verification, journey_id=flow.journey_id).attempts == 5


async def test_a_new_code_replaces_the_previous_one(
    db_settings: Settings, smtp_server: MailCatcher
) -> None:
    flow = Flow(db_settings)
    flow.send("v-1")
    old = code_in(await smtp_server.wait_for(to=flow.email))
    flow.send("v-2")
    new = code_in(await smtp_server.wait_for(to=flow.email, count=2))

    if old != new:  # one in a million they coincide; then the first check is not meaningful
        assert not flow.check_code(old).ok
    assert flow.check_code(new).ok


async def test_expired_code_is_refused(db_settings: Settings, smtp_server: MailCatcher) -> None:
    flow = Flow(db_settings)
    flow.send()
    code = code_in(await smtp_server.wait_for(to=flow.email))
    row = one(db_settings, Verification, journey_id=flow.journey_id)
    update(db_settings, row, code_expires_at=utcnow() - timedelta(seconds=1))

    result = flow.check_code(code)

    assert not result.ok and result.reason == "expired"
    assert one(db_settings, Verification, journey_id=flow.journey_id).attempts == 0


async def test_code_sealed_for_another_journey_is_unreadable(
    db_settings: Settings, smtp_server: MailCatcher
) -> None:
    flow = Flow(db_settings)
    flow.send()
    code = code_in(await smtp_server.wait_for(to=flow.email))

    result = flow.check_code(code, sealed_for=new_journey_id())

    assert not result.ok and result.reason == "unreadable"
    assert one(db_settings, Verification, journey_id=flow.journey_id).attempts == 0


def test_no_verification_at_all_is_simply_wrong(db_settings: Settings) -> None:
    flow = Flow(db_settings)

    result = flow.check_code("123456")

    assert not result.ok and result.reason == "wrong"


# ----- checking links ----------------------------------------------------------------------


async def test_link_is_single_use(db_settings: Settings, smtp_server: MailCatcher) -> None:
    flow = Flow(db_settings)
    flow.send()
    token = token_in(await smtp_server.wait_for(to=flow.email))

    first = flow.check_link(token)
    second = flow.check_link(token)

    assert first.ok
    assert not second.ok and second.message == "This link was already used."


async def test_link_of_another_journey_is_not_valid_here(
    db_settings: Settings, smtp_server: MailCatcher
) -> None:
    flow = Flow(db_settings)
    flow.send()
    token = token_in(await smtp_server.wait_for(to=flow.email))
    other = new_journey_id()

    result = flow.check_link(token, journey_id=other)

    assert not result.ok and result.message == "This link is not valid."
    assert one(db_settings, Verification, journey_id=flow.journey_id).consumed_at is None


async def test_expired_link_is_refused(db_settings: Settings, smtp_server: MailCatcher) -> None:
    flow = Flow(db_settings)
    flow.send()
    token = token_in(await smtp_server.wait_for(to=flow.email))
    row = one(db_settings, Verification, journey_id=flow.journey_id)
    update(db_settings, row, link_expires_at=utcnow() - timedelta(seconds=1))

    result = flow.check_link(token)

    assert not result.ok and result.reason == "expired"


async def test_used_code_also_uses_up_the_link(
    db_settings: Settings, smtp_server: MailCatcher
) -> None:
    flow = Flow(db_settings)
    flow.send()
    message = await smtp_server.wait_for(to=flow.email)
    assert flow.check_code(code_in(message)).ok

    result = flow.check_link(token_in(message))

    assert not result.ok
