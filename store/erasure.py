"""Erasing one customer from every table, as the inventory in :mod:`store.personal_data` declares.

Each table says how its rows of the customer are found and whether they are deleted or kept with
columns blanked; tables are visited children first so foreign keys never object. The customer row
stays with an address that can never receive mail, so kept rows still point at an id; the
tombstone is written by the caller.
"""

from __future__ import annotations

from sqlalchemy import Table, and_, delete, or_, select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, SQLModel, col

from store.customer_lifecycle import ERASED_STATUS
from store.models import Customer
from store.personal_data import TABLES, Rows
from store.scim_models import ScimIndex


def _matches(table: Table, rows: Rows, customer: Customer) -> ColumnElement[bool]:
    found = table.c[rows.column] == rows.value(customer.id, customer.email, customer.email_lookup)
    if rows.only is None:
        return found
    column, values = rows.only
    return and_(found, table.c[column].in_(values))


def erase_customer(db: Session, customer_id: str) -> None:
    """Delete or blank everything personal about ``customer_id`` inside ``db``'s transaction."""
    customer = db.get(Customer, customer_id)
    if customer is None:
        return
    _forget_memberships(db, customer_id)
    for table in reversed(SQLModel.metadata.sorted_tables):
        place = TABLES[table.name]
        if place.handling == "none" or table.name == Customer.__tablename__:
            continue
        if place.rows:
            condition = or_(*(_matches(table, rows, customer) for rows in place.rows))
            db.execute(delete(table).where(condition))
        if place.blank:
            db.execute(
                update(table).where(table.c["customer_id"] == customer_id).values(**place.blank)
            )
    customer.email = f"erased-{customer_id}@erased.invalid"
    customer.email_lookup = ""
    customer.status = ERASED_STATUS
    db.add(customer)


def _forget_memberships(db: Session, customer_id: str) -> None:
    """Drop the customer's entry from the index of every group they belonged to.

    A group's index holds one entry per member (``members.value`` = the customer id,
    ``members.display`` = their name); its rows name the group, not the customer, so they are
    found through the entry whose value is the customer id (declared in the inventory).
    """
    entries = db.execute(
        select(col(ScimIndex.resource_id), col(ScimIndex.entry)).where(
            col(ScimIndex.attr).endswith(":members.value"), col(ScimIndex.text) == customer_id
        )
    ).all()
    for group_id, entry in entries:
        db.execute(
            delete(ScimIndex).where(
                col(ScimIndex.resource_id) == group_id,
                col(ScimIndex.entry) == entry,
                col(ScimIndex.attr).contains(":members."),
            )
        )
