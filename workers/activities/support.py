"""The activity behind every staff action on a journey: audit it, then tell the customer.

The kit runs it (by name, ``support.record_action``) before the action takes effect, so the audit
row exists even if the worker dies right after. Both writes are keyed by the update id: a retried
activity neither duplicates the audit row nor emails the customer twice once delivery succeeded.
"""

from __future__ import annotations

from sqlmodel import select

from contracts.emails import EmailPurpose
from contracts.support import SupportActed, SupportActivities
from core.settings import Settings
from store.models import AuditEvent, Customer, PendingRegistration
from workers.activities.base import ActivityGroup, implements
from workers.activities.messaging import Mailer

#: How the email describes each action; a screen button not listed reads as "pressed <name>".
WHAT = {
    "resend": "sent you a new verification code",
    "extend": "gave you more time to finish",
    "cancel": "cancelled an unfinished request",
}


class SupportActivitiesImpl(ActivityGroup):
    """Audit and notify for staff actions."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.mailer = Mailer(settings.smtp_url, settings.mail_from)

    @implements(SupportActivities.record_action)
    def record_action(self, acted: SupportActed) -> None:
        """Write ``support.<action>`` to the audit trail and email the customer (once)."""
        email, customer_id = self._customer_of(acted)
        self.audit(
            f"support:{acted.request_id}",
            f"support.{acted.action}",
            customer_id=customer_id,
            journey_id=acted.journey_id,
            staff_id=acted.staff_id,
            reason=acted.reason,
        )
        notified_key = f"support:{acted.request_id}:notified"
        if not email or self._exists(notified_key):
            return
        self.mailer.send(
            "support_action",
            purpose=EmailPurpose.NOTICE,
            to=email,
            journey=acted.journey,
            what=WHAT.get(acted.action, f"pressed {acted.action!r} for you"),
        )
        self.audit(
            notified_key,
            "support.customer_notified",
            customer_id=customer_id,
            journey_id=acted.journey_id,
        )

    def _customer_of(self, acted: SupportActed) -> tuple[str, str | None]:
        """The email to notify and the customer id, from the customer or the pending sign-up."""
        with self.db() as session:
            if acted.customer_id:
                customer = session.get(Customer, acted.customer_id)
                if customer is not None:
                    return customer.email, customer.id
            pending = session.get(PendingRegistration, acted.journey_id)
            if pending is not None:
                return pending.email, None
        return "", None

    def _exists(self, key: str) -> bool:
        with self.db() as session:
            return session.exec(select(AuditEvent).where(AuditEvent.key == key)).first() is not None
