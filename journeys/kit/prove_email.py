"""The ``prove_email`` step: the customer proves they read a mailbox, by code or by link.

One loop for every journey that emails a 6-digit code and a link: the screen waits for the code
typed here or the link opened on any device (``EmailLinkClicked``, delivered by the generic link
route), resends on request after a cooldown and up to a limit, counts wrong codes through the
verification activities (a code stops working after five), and expires with the link
(``StepTimedOut``). Journeys keep their own screen (its texts, whether it offers ``resend``) by
subclassing :class:`EnterEmailedCode`.

Commands it issues, in order: ``verification.send_code`` (unless the journey's own activity
already sent the email, ``expires_at=``), then per answer ``verification.check_link`` or
``verification.check_code``, and one more ``send_code`` per admitted resend. Registration and
recovery issued exactly these before the step existed, so their histories replay unchanged.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.emails import EmailPurpose
    from contracts.sealed import Sealed
    from contracts.verification import (
        CheckCode,
        CheckLink,
        CheckResult,
        SendCode,
        VerificationActivities,
    )
    from journeys.kit.events import EmailLinkClicked
    from journeys.kit.fields import code_field
    from journeys.kit.journey import Journey
    from journeys.kit.screens import Action, Screen

RESEND_COOLDOWN = timedelta(seconds=30)
MAX_SENDS = 5
RESEND = "resend"
WAITING = "Waiting for the code or the link from the email"
EXHAUSTED = "Code attempts exhausted: only the emailed link can still prove the email"
TOO_MANY_SENDS = "Too many codes were requested. Please start again."
TOO_MANY_WRONG = "Too many wrong codes. Please start again."


class EnterEmailedCode(Screen):
    """Base of a "check your email" screen: subclass it to word it for your journey.

    Offer the :data:`RESEND` action (``validate_fields=False``) to let the customer ask again.
    """

    title = "Check your email"
    intro = (
        "We sent a 6-digit code and a link to {email}. Enter the code below, or open the link "
        "on any device; this page moves on by itself."
    )
    actions: ClassVar[tuple[Action, ...]] = (
        Action(name="submit", label="Verify"),
        Action(name=RESEND, label="Send a new code", validate_fields=False, primary=False),
    )

    code: Sealed = code_field()


async def prove_email(
    journey: Journey,
    *,
    email: str,
    screen: type[EnterEmailedCode] = EnterEmailedCode,
    template: str = "verify_email",
    purpose: EmailPurpose = EmailPurpose.CODE_AND_LINK,
    lifetime: timedelta | None = None,
    expires_at: datetime | None = None,
    max_sends: int = MAX_SENDS,
    cooldown: timedelta = RESEND_COOLDOWN,
    client_ip: str = "",
) -> str | None:
    """Wait until the emailed code or link checks out: ``None``, or why the journey must fail.

    Args:
        email: the address to prove (normalised); shown masked on the screen.
        screen: the journey's wording of the waiting screen.
        template: the email sent (``templates/emails/<template>.jinja``).
        purpose: the one the template declares: ``code_and_link``, or ``decoy`` for an address
            whose owner must not get a working code (``already_registered``), so taken and free
            addresses walk the same screens.
        lifetime: how long code and link work (``None``: the verification defaults, 10 minutes
            for the code and 24 hours for the link).
        expires_at: the journey's own activity already sent the email, working until then; the
            step sends nothing and offers no resend.
        max_sends: emails at most, resends included; once all are spent and the code is
            exhausted, the journey fails.
        cooldown: the least time between two sends.
        client_ip: the client that asked, limited too (the address always is).

    Raises:
        StepTimedOut: the link expired unanswered.
    """
    journey_id = workflow.info().workflow_id
    sends, sent_at = 0, workflow.now()

    refused = ""  # why the last send sent nothing (too many emails to the address), if it did

    async def send() -> datetime:
        nonlocal sends, sent_at, refused
        sends, sent_at = sends + 1, workflow.now()
        sent = await journey.step(
            VerificationActivities.send_code,
            SendCode(
                verification_id=str(workflow.uuid4()),
                journey_id=journey_id,
                journey=journey.journey_name,
                email=email,
                template=template,
                purpose=purpose,
                lifetime_minutes=int(lifetime.total_seconds() // 60) if lifetime else 0,
                client_ip=client_ip,
            ),
            why="Emailing the verification code",
        )
        refused = too_many_emails(sent.retry_after_seconds) if sent.retry_after_seconds else ""
        return sent.link_expires_at

    deadline = expires_at if expires_at is not None else await send()
    context = {"email": mask_email(email)}
    errors: dict[str, str] = {}
    form_errors: list[str] = [refused] if refused else []
    notice = ""
    why = WAITING
    while True:
        answer = await journey.wait_for(
            EmailLinkClicked,
            screen=screen,
            timeout=max(deadline - workflow.now(), timedelta(seconds=1)),
            context=context,
            errors=errors,
            form_errors=form_errors,
            notice=notice,
            why=why,
        )
        errors, form_errors, notice = {}, [], ""
        if isinstance(answer, EnterEmailedCode) and answer.action == RESEND:
            if expires_at is not None:
                continue  # a screen without the action never gets here; nothing to resend
            if sends >= max_sends:
                return TOO_MANY_SENDS
            wait = (sent_at + cooldown) - workflow.now()
            if wait > timedelta(0):
                notice = f"Please wait {int(wait.total_seconds()) + 1} s before asking again."
                continue
            deadline = await send()
            form_errors, notice = ([refused], "") if refused else ([], "We sent you a new code.")
            continue
        result = await _check(journey, journey_id, answer)
        if result.ok:
            return None
        if result.reason == "exhausted":
            if expires_at is None and sends >= max_sends:
                return TOO_MANY_WRONG
            why = EXHAUSTED
        if isinstance(answer, EmailLinkClicked):
            form_errors = [result.message]
        else:
            errors = {"code": result.message}


async def _check(
    journey: Journey, journey_id: str, answer: EnterEmailedCode | EmailLinkClicked
) -> CheckResult:
    if isinstance(answer, EmailLinkClicked):
        return await journey.step(
            VerificationActivities.check_link,
            CheckLink(journey_id=journey_id, token=answer.token),
            why="Checking the email link",
        )
    return await journey.step(
        VerificationActivities.check_code,
        CheckCode(journey_id=journey_id, code=answer.code),
        why="Checking the emailed code",
    )


def too_many_emails(retry_after_seconds: int) -> str:
    """Nothing was sent: the same words for every address, so they reveal no account."""
    minutes = max((retry_after_seconds + 59) // 60, 1)
    unit = "minute" if minutes == 1 else "minutes"
    return (
        "We did not send another email: this address received too many recently. "
        f"Ask for a new code in {minutes} {unit}."
    )


def mask_email(email: str) -> str:
    """``a•••••@example.com``: enough for the customer to recognise, little for a shoulder."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}{'•' * min(max(len(local) - 1, 1), 6)}@{domain}"
