"""A signed-in customer changes their password: the same NIST checks as registration, every
session signed out, and a notice to their address.

``password_change.change`` opens the sealed password, refuses it with the registration policy
(``WEAK_PASSWORD``, non-retryable, so the journey asks again), stores its argon2id hash and revokes
every session of the customer in one transaction; the journey then signs this browser in afresh,
so only the *other* sessions stay signed out. ``password_change.notify`` emails the notice once
per journey. Both are safe to retry.
"""

from __future__ import annotations

from sqlmodel import select

from contracts.emails import EmailPurpose
from contracts.password_change import (
    PasswordChangeActivities,
    PasswordChangeNotice,
    PasswordReplaced,
    ReplacePassword,
)
from core.security.passwords import hash_password
from core.settings import Settings
from store.credentials import set_password_hash
from store.customer_lifecycle import revoke_sessions
from store.models import AuditEvent, Customer
from workers.activities.base import ActivityGroup, implements
from workers.activities.messaging import Mailer
from workers.activities.passwords import open_password, refuse_weak

#: The notice's template (``templates/emails/password_change.jinja``).
NOTICE = "password_change"


class PasswordChangeActivitiesImpl(ActivityGroup):
    """Replace a signed-in customer's password and tell them."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.mailer = Mailer(settings.smtp_url, settings.mail_from)

    @implements(PasswordChangeActivities.change)
    def change(self, request: ReplacePassword) -> PasswordReplaced:
        """Check the new password, store its hash and sign out every session, in one unit."""
        password = open_password(
            self.sealer, request.password, journey_id=request.journey_id, retype="your new password"
        )
        with self.db() as session:
            customer = session.get(Customer, request.customer_id)
            assert customer is not None, "the journey passed a customer that does not exist"
            refuse_weak(password, email=customer.email)
            set_password_hash(session, request.customer_id, hash_password(password))
            revoked = revoke_sessions(session, request.customer_id)
        self.audit(
            f"{request.journey_id}:password_changed",
            "account.password_changed",
            customer_id=request.customer_id,
            journey_id=request.journey_id,
            sessions_revoked=revoked,
        )
        return PasswordReplaced(sessions_revoked=revoked)

    @implements(PasswordChangeActivities.notify)
    def notify(self, request: PasswordChangeNotice) -> None:
        """Email "your password was changed" to the customer's address, once per journey."""
        key = f"{request.journey_id}:password_change_notified"
        with self.db() as session:
            customer = session.get(Customer, request.customer_id)
            done = session.exec(select(AuditEvent).where(AuditEvent.key == key)).first()
        assert customer is not None, "the journey passed a customer that does not exist"
        if done is not None:
            return
        self.mailer.send(
            NOTICE,
            purpose=EmailPurpose.NOTICE,
            to=customer.email,
            secure_link=f"{self.settings.base_url}/recover",
            base_url=self.settings.base_url,
        )
        self.audit(key, "account.password_change_notified", customer_id=request.customer_id)
