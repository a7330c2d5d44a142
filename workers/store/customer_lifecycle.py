"""Customer lifecycle writes shared by provisioning and deprovisioning: suspend, revoke, erase.

Each function works inside the caller's transaction and is idempotent, so a retried request (or
a retried activity, once deprovisioning runs as a journey) converges on the same state.
"""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlmodel import Session, col

from workers.store.invitation_models import Invitation
from workers.store.models import Credential, Customer, PendingRegistration, utcnow
from workers.store.models import Session as BrowserSession

ERASED_STATUS = "erased"


def revoke_sessions(db: Session, customer_id: str) -> int:
    """Sign the customer out everywhere now; returns how many live sessions were revoked."""
    result = db.execute(
        update(BrowserSession)
        .where(
            col(BrowserSession.customer_id) == customer_id,
            col(BrowserSession.revoked_at).is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def suspend(db: Session, customer_id: str) -> None:
    """Refuse every sign-in from now on (sessions included); the data stays."""
    customer = db.get(Customer, customer_id)
    if customer is not None and customer.status not in {"suspended", ERASED_STATUS}:
        customer.status = "suspended"
        db.add(customer)
    revoke_sessions(db, customer_id)


def erase_personal_data(db: Session, customer_id: str) -> None:
    """Remove what identifies the customer; keep an anonymous row for consent and audit history.

    Deleted: sessions (IP, user agent), credentials, invitations, pending registrations of the
    address. The customer row keeps its id and gets an address that can never receive mail.
    """
    customer = db.get(Customer, customer_id)
    if customer is None or customer.status == ERASED_STATUS:
        return
    db.execute(delete(BrowserSession).where(col(BrowserSession.customer_id) == customer_id))
    db.execute(delete(Credential).where(col(Credential.customer_id) == customer_id))
    db.execute(delete(Invitation).where(col(Invitation.customer_id) == customer_id))
    db.execute(delete(PendingRegistration).where(col(PendingRegistration.email) == customer.email))
    customer.email = f"erased-{customer_id}@erased.invalid"
    customer.email_lookup = ""
    customer.status = ERASED_STATUS
    db.add(customer)
