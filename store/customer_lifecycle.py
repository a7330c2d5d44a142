"""Customer lifecycle writes shared by provisioning and deprovisioning: suspend, revoke.

Each function works inside the caller's transaction and is idempotent, so a retried request or a
retried activity converges on the same state. Erasure lives in :mod:`store.erasure`.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from store.models import Customer, utcnow
from store.models import Session as BrowserSession

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
