"""Erasing one customer from every table, found from the schema rather than from a list.

Any table with a ``customer_id`` (or ``expected_customer_id``) column loses that customer's rows, so
a table added by a later feature is erased without anyone remembering to come back here. Kept, by
design: consent history (the legally required proof that consent was given; it holds no personal
data), the outbox (event ids and types, no personal data), audit rows (their free-text detail is
blanked) and the tombstone. The customer row stays with an address that can never receive mail, so
kept rows still point at an id.
"""

from __future__ import annotations

from sqlalchemy import Table, delete, update
from sqlmodel import Session, SQLModel, col

from store.customer_lifecycle import ERASED_STATUS
from store.models import AuditEvent, Customer, PendingRegistration
from store.scim_models import ScimIndex, ScimMember

KEPT_TABLES = frozenset(
    {"customers", "consent_records", "outbox_events", "erasure_tombstones", "audit_events"}
)
CUSTOMER_COLUMNS = ("customer_id", "expected_customer_id")


def customer_tables() -> list[tuple[Table, str]]:
    """Every (table, column) naming a customer, children first so foreign keys never object."""
    found = []
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table.name in KEPT_TABLES:
            continue
        for column in CUSTOMER_COLUMNS:
            if column in table.c:
                found.append((table, column))
    return found


def erase_customer(db: Session, customer_id: str) -> None:
    """Delete or blank everything personal about ``customer_id`` inside ``db``'s transaction."""
    customer = db.get(Customer, customer_id)
    if customer is None:
        return
    db.execute(delete(ScimMember).where(col(ScimMember.member_id) == customer_id))
    db.execute(delete(ScimIndex).where(col(ScimIndex.resource_id) == customer_id))
    for table, column in customer_tables():
        db.execute(delete(table).where(table.c[column] == customer_id))
    db.execute(delete(PendingRegistration).where(col(PendingRegistration.email) == customer.email))
    db.execute(
        update(AuditEvent).where(col(AuditEvent.customer_id) == customer_id).values(detail="{}")
    )
    customer.email = f"erased-{customer_id}@erased.invalid"
    customer.email_lookup = ""
    customer.status = ERASED_STATUS
    db.add(customer)
