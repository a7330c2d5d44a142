"""A signed-in customer moves their account to another email address, and can take it back.

``email_change.stage`` reads, with the same queries whatever the answer, whether the address is the
customer's own or another account's; the journey uses that only to choose which email goes out.
``email_change.switch`` moves the account once the new address is proven (``EMAIL_TAKEN`` if an
account took it meanwhile); ``email_change.undo`` is the compensating step of the undo link sent
to the old address: it restores the old address and signs out every session. All are safe to
retry: each compares the account with what it is asked to make it.
"""

from __future__ import annotations

from sqlmodel import select
from temporalio.exceptions import ApplicationError

from contracts.email_change import (
    EmailChangeActivities,
    EmailChangeStaged,
    EmailChangeUndone,
    StageEmailChange,
    SwitchEmail,
    UndoEmailChange,
)
from contracts.errors import ErrorCode
from store.customer_lifecycle import revoke_sessions
from store.models import Customer, utcnow
from workers.activities.base import ActivityGroup, implements


class EmailChangeActivitiesImpl(ActivityGroup):
    """Stage, apply and undo a change of a customer's email address."""

    @implements(EmailChangeActivities.stage)
    def stage(self, request: StageEmailChange) -> EmailChangeStaged:
        """Whether ``new_email`` is already this customer's, or another account's."""
        with self.db() as session:
            customer = session.get(Customer, request.customer_id)
            holder = session.exec(
                select(Customer).where(Customer.email == request.new_email)
            ).first()
        assert customer is not None, "the journey passed a customer that does not exist"
        return EmailChangeStaged(
            own=holder is not None and holder.id == customer.id,
            taken=holder is not None and holder.id != customer.id,
            email_lookup=self.email_lookup(request.new_email),
            current_email=customer.email,
        )

    @implements(EmailChangeActivities.switch)
    def switch(self, request: SwitchEmail) -> None:
        """Give the account its proven new address."""
        with self.db() as session:
            holder = session.exec(
                select(Customer).where(Customer.email == request.new_email)
            ).first()
            if holder is not None and holder.id != request.customer_id:
                raise ApplicationError(
                    "This address belongs to another account now.",
                    type=ErrorCode.EMAIL_TAKEN,
                    non_retryable=True,
                )
            customer = session.get(Customer, request.customer_id)
            assert customer is not None, "the journey passed a customer that does not exist"
            customer.email = request.new_email
            customer.email_lookup = self.email_lookup(request.new_email)
            customer.verified_at = utcnow()
            session.add(customer)
        self.audit(
            f"{request.journey_id}:email_changed",
            "account.email_changed",
            customer_id=request.customer_id,
            journey_id=request.journey_id,
        )

    @implements(EmailChangeActivities.undo)
    def undo(self, request: UndoEmailChange) -> EmailChangeUndone:
        """Restore the old address (unless the account moved on since) and sign out everywhere."""
        with self.db() as session:
            customer = session.get(Customer, request.customer_id)
            assert customer is not None, "the journey passed a customer that does not exist"
            holder = session.exec(
                select(Customer).where(Customer.email == request.old_email)
            ).first()
            free = holder is None or holder.id == customer.id
            restored = customer.email == request.old_email or (
                customer.email == request.new_email and free
            )
            if restored and customer.email != request.old_email:
                customer.email = request.old_email
                customer.email_lookup = self.email_lookup(request.old_email)
                session.add(customer)
            revoked = revoke_sessions(session, request.customer_id)
        self.audit(
            f"{request.journey_id}:email_change_undone",
            "account.email_change_undone",
            customer_id=request.customer_id,
            journey_id=request.journey_id,
            restored=restored,
        )
        return EmailChangeUndone(restored=restored, sessions_revoked=revoked)
