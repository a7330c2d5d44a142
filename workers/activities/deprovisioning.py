"""Deprovisioning: schedule a deletion, restore on cancel, and erase for good at the end.

Every method is idempotent and keyed by the customer (one deletion at a time, one journey id
``deprovisioning-<customer_id>``): a retried ``begin`` keeps the status recorded by the first
attempt, a retried ``erase`` finds the tombstone and stops. Emails are sent at most once per journey
and kind unless the mail server failed (an audit row marks each one sent).
"""

from __future__ import annotations

import json

from sqlmodel import select
from temporalio.exceptions import ApplicationError

from contracts.deprovisioning import (
    ERASURE_REQUESTED,
    BeginDeletion,
    CustomerRef,
    DeletionBegun,
    DeletionNotice,
    DeprovisioningActivities,
    EraseCustomer,
)
from contracts.emails import EmailPurpose
from core.security.hashing import keyed_hash
from core.security.links import cancel_token, cancel_token_hash
from core.settings import Settings
from store.customer_lifecycle import ERASED_STATUS, revoke_sessions
from store.deprovisioning_models import DeletionRequest, ErasureTombstone
from store.erasure import erase_customer
from store.events_models import WebhookSubscription
from store.models import AuditEvent, Customer, utcnow
from workers.activities.base import ActivityGroup, implements
from workers.activities.messaging import Mailer

PENDING_DELETION = "pending_deletion"
SUSPENDED = "suspended"


class DeprovisioningActivitiesImpl(ActivityGroup):
    """Side effects of the deprovisioning journey."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.mailer = Mailer(settings.smtp_url, settings.mail_from)
        self.tombstone_key = settings.derive_key("erasure-tombstone")

    @implements(DeprovisioningActivities.begin)
    def begin(self, request: BeginDeletion) -> DeletionBegun:
        """Remember the current status, mark the account and sign it out everywhere."""
        with self.db() as session:
            customer = session.get(Customer, request.customer_id)
            if customer is None or customer.status == ERASED_STATUS:
                return DeletionBegun(found=False)
            row = session.get(DeletionRequest, request.customer_id)
            if row is None:
                previous = customer.status
                if previous == PENDING_DELETION:  # a deletion already scheduled, now expedited
                    previous = "active"
                row = DeletionRequest(
                    customer_id=customer.id,
                    journey_id=request.journey_id,
                    previous_status=previous,
                    scheduled_for=request.scheduled_for,
                    cancel_token_hash=cancel_token_hash(
                        self.settings, cancel_token(self.settings, request.journey_id)
                    ),
                    requested_by=request.requested_by,
                )
                session.add(row)
            customer.status = SUSPENDED if request.immediate else PENDING_DELETION
            session.add(customer)
            revoke_sessions(session, customer.id)
            return DeletionBegun(found=True, email_lookup=customer.email_lookup)

    @implements(DeprovisioningActivities.notify)
    def notify(self, notice: DeletionNotice) -> None:
        """Email the scheduled-deletion notice or the reminder, both with the cancel link."""
        key = f"{notice.journey_id}:mail:{notice.kind}"
        with self.db() as session:
            if session.exec(select(AuditEvent).where(AuditEvent.key == key)).first():
                return
            customer = session.get(Customer, notice.customer_id)
            if customer is None:
                return
            email = customer.email
        token = cancel_token(self.settings, notice.journey_id)
        link = f"{self.settings.base_url}/account/delete/cancel?token={token}"
        # The time too: a grace period may be shorter than a day (THRESHOLD_DELETION_GRACE_PERIOD).
        date = notice.scheduled_for.strftime("%d %B %Y, %H:%M UTC")
        # Only the first notice says who decided; the reminder reads the same for everyone.
        reason = {}
        if notice.kind == "deletion_scheduled":
            reason = {"reason": "customer" if notice.requested_by == "customer" else "operator"}
        self.mailer.send(
            notice.kind, purpose=EmailPurpose.LINK, to=email, link=link, date=date, **reason
        )
        self.audit(key, notice.kind, customer_id=notice.customer_id, journey_id=notice.journey_id)

    @implements(DeprovisioningActivities.restore)
    def restore(self, ref: CustomerRef) -> None:
        """Cancel: give the account back the status it had; nothing else was touched."""
        with self.db() as session:
            row = session.get(DeletionRequest, ref.customer_id)
            customer = session.get(Customer, ref.customer_id)
            if row is None or customer is None:
                return
            customer.status = row.previous_status
            session.add(customer)
            session.delete(row)
        self.audit(
            f"{ref.journey_id}:restored",
            "deletion.cancelled",
            customer_id=ref.customer_id,
            journey_id=ref.journey_id,
        )

    @implements(DeprovisioningActivities.erasure_subscribers)
    def erasure_subscribers(self, ref: CustomerRef) -> list[str]:
        """The connected systems that must acknowledge this erasure (subscribed right now)."""
        with self.db() as session:
            rows = session.exec(
                select(WebhookSubscription).where(WebhookSubscription.removed_at.is_(None))  # type: ignore[union-attr]
            ).all()
            return sorted(r.id for r in rows if r.wants(ERASURE_REQUESTED))

    @implements(DeprovisioningActivities.erase)
    def erase(self, request: EraseCustomer) -> bool:
        """Delete the personal data, keep the tombstone, email the confirmation (once)."""
        with self.db() as session:
            if session.get(ErasureTombstone, request.customer_id) is not None:
                return False
            customer = session.get(Customer, request.customer_id)
            if customer is None:
                raise ApplicationError(
                    "no such customer", type="NoSuchCustomer", non_retryable=True
                )
            email = customer.email
        # Sent before the address is gone; a retry after a failed erase may send it twice.
        self.mailer.send("deletion_done", purpose=EmailPurpose.NOTICE, to=email)
        with self.db() as session:
            session.add(
                ErasureTombstone(
                    customer_id=request.customer_id,
                    email_hash=keyed_hash(self.tombstone_key, "email", email),
                    requested_at=request.requested_at,
                    erased_at=utcnow(),
                    acknowledged=json.dumps(request.acknowledged),
                    unacknowledged=json.dumps(request.unacknowledged),
                )
            )
            erase_customer(session, request.customer_id)
        return True
