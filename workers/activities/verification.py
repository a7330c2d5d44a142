"""Email verification: one-time codes and links, sent once, checked with attempt limits.

Codes are 6 digits from the OS CSPRNG, links carry 256-bit tokens; the database keeps only keyed
hashes of both. The workflow never sees either: codes typed by the customer and tokens from clicked
links arrive sealed, and are opened here.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from contracts.emails import EmailPurpose
from contracts.errors import ErrorCode
from contracts.verification import (
    CheckCode,
    CheckLink,
    CheckResult,
    SendCode,
    SentCode,
    VerificationActivities,
)
from core.security.hashing import keyed_hash, matches
from core.security.sealing import SealError
from core.settings import Settings
from store.mail_limits import MailLimiter
from store.models import Verification, utcnow
from store.throttle import rows_changed
from workers.activities.attempts import answer_once
from workers.activities.base import ActivityGroup, implements
from workers.activities.messaging import Mailer, refused
from workers.activities.undelivered import mark_delivered, open_undelivered, seal_undelivered

#: What these activities send: emails that carry a code or a link (or both), or stand in for one
#: (a decoy). A ``link`` email proves the address by its link alone (an undo link, a magic link).
SENDS = frozenset(
    {EmailPurpose.CODE, EmailPurpose.CODE_AND_LINK, EmailPurpose.LINK, EmailPurpose.DECOY}
)
#: Stored purposes whose code proves the address (a decoy's never does); ``verify_email``,
#: ``login_code`` and ``recovery`` are how rows stored before emails declared purposes say it.
CODE_PROOFS = frozenset(
    {EmailPurpose.CODE, EmailPurpose.CODE_AND_LINK, "verify_email", "login_code", "recovery"}
)
#: Stored purposes whose emailed link proves the address (a sign-in code's email has no link).
LINK_PROOFS = frozenset({EmailPurpose.CODE_AND_LINK, EmailPurpose.LINK, "verify_email", "recovery"})
#: Stored purposes of a verification that proves the address once consumed (never a decoy's).
PROOFS = CODE_PROOFS | LINK_PROOFS


class VerificationActivitiesImpl(ActivityGroup):
    """Issue and check email verifications."""

    CODE_LIFETIME = timedelta(minutes=10)
    LINK_LIFETIME = timedelta(hours=24)
    MAX_ATTEMPTS = 5
    MAX_RACES = 100

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.mailer = Mailer(settings.smtp_url, settings.mail_from)

    @implements(VerificationActivities.send_code)
    def send_code(self, request: SendCode) -> SentCode:
        """Admit the email (the limits every journey shares), then :meth:`deliver` it.

        Admission is answered once per ``verification_id``, so a retry neither counts twice nor
        turns a refusal into a send.
        """
        self._refuse_unsendable(request)
        admitted = answer_once(
            self, f"{request.verification_id}:mail", SentCode, lambda: self._admit(request)
        )
        if admitted.retry_after_seconds:
            return admitted
        return self.deliver(request)

    def deliver(self, request: SendCode) -> SentCode:
        """Create the code and link (once) and email them (until the mail server accepts).

        Only for a caller that already admitted this email with :class:`MailLimiter`.
        """
        self._refuse_unsendable(request)
        with self.db() as session:
            row = session.get(Verification, request.verification_id)
            if row is None:
                code, token = f"{secrets.randbelow(10**6):06d}", secrets.token_urlsafe(32)
                row = self._new_row(request, code, token)
                session.add(row)
            elif row.sent_at is None:
                code, token = self._undelivered(row, request)
            result = SentCode(
                verification_id=row.id,
                code_expires_at=row.code_expires_at,
                link_expires_at=row.link_expires_at,
            )
            if row.sent_at is not None:
                return result
        link = (
            f"{self.settings.base_url}/j/{request.journey}/{request.journey_id}/link?token={token}"
        )
        carried = {"code": code, "link": link}
        self.mailer.send(
            request.template,
            purpose=request.purpose,
            to=request.email,
            **{name: carried[name] for name in request.purpose.carries},
            minutes=request.lifetime_minutes or int(self.CODE_LIFETIME.total_seconds() // 60),
            base_url=self.settings.base_url,
            **({"reason": request.reason} if request.reason else {}),
        )
        with self.db() as session:
            mark_delivered(session, Verification, request.verification_id)
        self.audit(
            f"{request.verification_id}:sent",
            "verification.sent",
            journey_id=request.journey_id,
            template=request.template,
        )
        return result

    @implements(VerificationActivities.check_code)
    def check_code(self, request: CheckCode) -> CheckResult:
        """Compare a typed code with the journey's newest verification, counting attempts.

        A retried check (the same sealed post) gets the first attempt's answer: run again, it
        would find the code spent and call it wrong. So it is safe as a local activity.
        """
        return answer_once(
            self,
            _attempt_id(request.journey_id, "code", request.code.box),
            CheckResult,
            lambda: self._check_code(request),
        )

    def _check_code(self, request: CheckCode) -> CheckResult:
        try:
            code = self.sealer.open(request.code, journey_id=request.journey_id, field="code")
        except SealError:
            return CheckResult(
                ok=False, reason="unreadable", message="Please enter the code again."
            )
        for _ in range(self.MAX_RACES):
            with self.db() as session:
                row = session.exec(
                    select(Verification)
                    .where(Verification.journey_id == request.journey_id)
                    .order_by(Verification.created_at.desc())  # type: ignore[attr-defined]
                ).first()
                if row is None or row.consumed_at is not None:
                    return CheckResult(ok=False, reason="wrong", message="That code is not right.")
                if row.attempts >= row.max_attempts:
                    return _exhausted()
                if utcnow() > row.code_expires_at:
                    return CheckResult(
                        ok=False,
                        reason="expired",
                        message="This code has expired. Send a new code.",
                    )
                # Compare-and-set: parallel checks each take their own attempt number.
                seen, limit = row.attempts, row.max_attempts
                claimed = session.execute(
                    update(Verification)
                    .where(
                        col(Verification.id) == row.id,
                        col(Verification.attempts) == seen,
                        col(Verification.consumed_at).is_(None),
                    )
                    .values(attempts=seen + 1)
                )
                if rows_changed(claimed) != 1:
                    continue
                left = limit - seen - 1
                valid = row.purpose in CODE_PROOFS and matches(
                    row.code_hash, self.verification_key, row.id, "code", code
                )
                if valid:
                    spent = session.execute(
                        update(Verification)
                        .where(
                            col(Verification.id) == row.id, col(Verification.consumed_at).is_(None)
                        )
                        .values(consumed_at=utcnow())
                    )
                    valid = rows_changed(spent) == 1
            break
        else:
            raise RuntimeError("verification attempts are too contended")
        if valid:
            self.audit(f"{row.id}:verified", "email.verified", journey_id=request.journey_id)
            return CheckResult(ok=True)
        if left == 0:
            return _exhausted()
        plural = "attempt" if left == 1 else "attempts"
        return CheckResult(
            ok=False,
            reason="wrong",
            message=f"That code is not right. {left} {plural} left.",
            attempts_left=left,
        )

    @implements(VerificationActivities.check_link)
    def check_link(self, request: CheckLink) -> CheckResult:
        """Accept a clicked link of this journey while it is unexpired and unused.

        A retried check of one click gets the first attempt's answer, like :meth:`check_code`.
        """
        return answer_once(
            self,
            _attempt_id(request.journey_id, "link", request.token.box),
            CheckResult,
            lambda: self._check_link(request),
        )

    def _check_link(self, request: CheckLink) -> CheckResult:
        try:
            token = self.sealer.open(request.token, journey_id=request.journey_id, field="token")
        except SealError:
            return CheckResult(ok=False, reason="unreadable", message="Please open the link again.")
        token_hash = keyed_hash(self.verification_key, "token", token)
        with self.db() as session:
            row = session.exec(
                select(Verification).where(Verification.token_hash == token_hash)
            ).first()
            if (
                row is None
                or row.journey_id != request.journey_id
                or row.purpose not in LINK_PROOFS
            ):
                return CheckResult(ok=False, reason="wrong", message="This link is not valid.")
            if row.consumed_at is not None:
                return CheckResult(ok=False, reason="wrong", message="This link was already used.")
            if utcnow() > row.link_expires_at:
                return CheckResult(ok=False, reason="expired", message="This link has expired.")
            row.consumed_at = utcnow()
            session.add(row)
            verification_id = row.id
        self.audit(f"{verification_id}:verified", "email.verified", journey_id=request.journey_id)
        return CheckResult(ok=True)

    def _admit(self, request: SendCode) -> SentCode:
        """Nothing sent when refused: expiries far enough out for the journey to keep waiting."""
        limiter = MailLimiter(self.settings.database_url)
        admission = limiter.admit(self.email_lookup(request.email), request.client_ip)
        now = utcnow()
        return SentCode(
            verification_id=request.verification_id,
            code_expires_at=now + self.CODE_LIFETIME,
            link_expires_at=now + self.LINK_LIFETIME,
            retry_after_seconds=0
            if admission.allowed
            else max(int(admission.retry_after.total_seconds() + 0.999), 1),
        )

    def _refuse_unsendable(self, request: SendCode) -> None:
        """Before anything is stored: the template must declare this purpose, one we send."""
        self.mailer.check(request.template, request.purpose)
        if request.purpose not in SENDS:
            raise refused(
                ErrorCode.EMAIL_PURPOSE,
                f"{request.template!r} is a {request.purpose.value} email, not a verification",
            )

    def _new_row(self, request: SendCode, code: str, token: str) -> Verification:
        now = utcnow()
        lifetime = timedelta(minutes=request.lifetime_minutes)
        return Verification(
            id=request.verification_id,
            journey_id=request.journey_id,
            purpose=request.purpose.value,
            code_hash=keyed_hash(self.verification_key, request.verification_id, "code", code),
            token_hash=keyed_hash(self.verification_key, "token", token),
            undelivered=seal_undelivered(
                self.sealer,
                {"code": code, "token": token},
                journey_id=request.journey_id,
                row_id=request.verification_id,
            ),
            code_expires_at=now + (lifetime or self.CODE_LIFETIME),
            link_expires_at=now + (lifetime or self.LINK_LIFETIME),
            max_attempts=self.MAX_ATTEMPTS,
            created_at=now,
        )

    def _undelivered(self, row: Verification, request: SendCode) -> tuple[str, str]:
        """The code and token of a row whose first send failed; fresh ones if the seal expired."""
        kept = open_undelivered(
            self.sealer, row, journey_id=request.journey_id, names=("code", "token")
        )
        if kept is not None:
            return kept["code"], kept["token"]
        code, token = f"{secrets.randbelow(10**6):06d}", secrets.token_urlsafe(32)
        fresh = self._new_row(request, code, token)
        row.code_hash, row.token_hash, row.undelivered = (
            fresh.code_hash,
            fresh.token_hash,
            fresh.undelivered,
        )
        return code, token


def _exhausted() -> CheckResult:
    return CheckResult(
        ok=False,
        reason="exhausted",
        message="Too many wrong attempts: this code no longer works. Send a new code.",
    )


def _attempt_id(journey_id: str, kind: str, box: str) -> str:
    """One check's key: the web seals every post anew, so a sealed box names one post."""
    digest = hashlib.sha256(f"{journey_id}\n{box}".encode()).hexdigest()
    return f"verification.check_{kind}:{digest}"
