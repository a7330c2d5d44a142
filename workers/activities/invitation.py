"""Invitations of provisioned customers: the emailed single-use link and the first password.

The link carries a 256-bit token; only its keyed hash is stored, it expires after
:attr:`InvitationActivities.LINK_LIFETIME` and works once. The workflow never sees the token or
the password: both arrive sealed by the web layer and are opened here.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import select
from temporalio.exceptions import ApplicationError

from contracts.emails import EmailPurpose
from contracts.invitation import (
    ACCOUNT_UNAVAILABLE,
    CheckInvitationLink,
    ChoosePassword,
    InvitationActivities,
    SendInvitation,
    SentInvitation,
)
from contracts.verification import CheckResult
from core.security.hashing import keyed_hash
from core.security.passwords import hash_password
from core.security.sealing import SealError
from core.settings import Settings
from store.credentials import set_password_hash
from store.invitation_models import Invitation
from store.models import Customer, utcnow
from workers.activities.base import ActivityGroup, implements
from workers.activities.messaging import Mailer
from workers.activities.passwords import open_password, refuse_weak
from workers.activities.undelivered import mark_delivered, open_undelivered, seal_undelivered


class InvitationActivitiesImpl(ActivityGroup):
    """Send invitations, check their links, set the first password."""

    LINK_LIFETIME = timedelta(days=7)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.mailer = Mailer(settings.smtp_url, settings.mail_from)

    @implements(InvitationActivities.send)
    def send(self, request: SendInvitation) -> SentInvitation:
        """Create the link (once) and email it (until the mail server accepts it)."""
        with self.db() as session:
            customer = session.get(Customer, request.customer_id)
            _require_active(customer)
            assert customer is not None
            row = session.get(Invitation, request.invitation_id)
            token = ""
            if row is None:
                token = secrets.token_urlsafe(32)
                row = self._new_row(request, token)
                session.add(row)
            elif row.sent_at is None:
                token = self._undelivered(row, request)
            result = SentInvitation(expires_at=row.expires_at, email_lookup=customer.email_lookup)
            email = customer.email
            if row.sent_at is not None:
                return result
        link = f"{self.settings.base_url}/invite/{request.journey_id}?token={token}"
        days = int(self.LINK_LIFETIME.total_seconds() // 86400)
        self.mailer.send("invitation", purpose=EmailPurpose.LINK, to=email, link=link, days=days)
        with self.db() as session:
            mark_delivered(session, Invitation, request.invitation_id)
        self.audit(
            f"{request.invitation_id}:sent",
            "invitation.sent",
            customer_id=request.customer_id,
            journey_id=request.journey_id,
        )
        return result

    @implements(InvitationActivities.check_link)
    def check_link(self, request: CheckInvitationLink) -> CheckResult:
        """Accept an unexpired, unused link of this journey (and consume it)."""
        try:
            token = self.sealer.open(request.token, journey_id=request.journey_id, field="token")
        except SealError:
            return CheckResult(ok=False, reason="unreadable", message="Please open the link again.")
        token_hash = keyed_hash(self.verification_key, "invitation", token)
        with self.db() as session:
            row = session.exec(
                select(Invitation).where(Invitation.token_hash == token_hash)
            ).first()
            if row is None or row.journey_id != request.journey_id:
                return CheckResult(ok=False, reason="wrong", message="This link is not valid.")
            if row.consumed_at is not None:
                return CheckResult(ok=False, reason="wrong", message="This link was already used.")
            if utcnow() > row.expires_at:
                return CheckResult(ok=False, reason="expired", message="This link has expired.")
            row.consumed_at = utcnow()
            session.add(row)
            invitation_id, customer_id = row.id, row.customer_id
        self.audit(
            f"{invitation_id}:opened",
            "invitation.opened",
            customer_id=customer_id,
            journey_id=request.journey_id,
        )
        return CheckResult(ok=True)

    @implements(InvitationActivities.set_password)
    def set_password(self, request: ChoosePassword) -> None:
        """Hash the chosen password (argon2id) into the customer's password credential."""
        password = open_password(
            self.sealer, request.password, journey_id=request.journey_id, retype="your password"
        )
        with self.db() as session:
            customer = session.get(Customer, request.customer_id)
            _require_active(customer)
            assert customer is not None
            email = customer.email
        refuse_weak(password, email=email)
        secret_hash = hash_password(password)
        with self.db() as session:
            set_password_hash(session, request.customer_id, secret_hash)
            customer = session.get(Customer, request.customer_id)
            assert customer is not None
            customer.verified_at = customer.verified_at or utcnow()
            session.add(customer)
        self.audit(
            f"{request.journey_id}:password",
            "invitation.password_set",
            customer_id=request.customer_id,
            journey_id=request.journey_id,
        )

    def _new_row(self, request: SendInvitation, token: str) -> Invitation:
        now = utcnow()
        return Invitation(
            id=request.invitation_id,
            journey_id=request.journey_id,
            customer_id=request.customer_id,
            token_hash=keyed_hash(self.verification_key, "invitation", token),
            undelivered=seal_undelivered(
                self.sealer,
                {"token": token},
                journey_id=request.journey_id,
                row_id=request.invitation_id,
            ),
            expires_at=now + self.LINK_LIFETIME,
            created_at=now,
        )

    def _undelivered(self, row: Invitation, request: SendInvitation) -> str:
        """The token of a row whose first send failed; a fresh one if its seal expired."""
        kept = open_undelivered(self.sealer, row, journey_id=request.journey_id, names=("token",))
        if kept is not None:
            return kept["token"]
        token = secrets.token_urlsafe(32)
        fresh = self._new_row(request, token)
        row.token_hash, row.undelivered = fresh.token_hash, fresh.undelivered
        return token


def _require_active(customer: Customer | None) -> None:
    if customer is None or customer.status != "active":
        raise ApplicationError(
            "This account is suspended.", type=ACCOUNT_UNAVAILABLE, non_retryable=True
        )
