"""Reading and appending consent history; there is deliberately no update or delete here.

A customer's current state of a purpose is their newest record for it. The history is append-only
in code (this module only inserts) and in the database (migration ``1100_consent`` rejects any
UPDATE of ``consent_records``). Erasing a deleted customer's rows is the deprovisioning path's job
(see ``docs/consent.md``), never this module's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.db import session_for
from store.models import ConsentRecord


@dataclass(frozen=True)
class Grant:
    """One decision to append: purpose at version, granted (True) or withdrawn/refused (False)."""

    purpose: str
    version: str
    granted: bool


def row(*, customer_id: str, journey_id: str, channel: str, grant: Grant) -> ConsentRecord:
    """One consent record, for a caller that writes it inside its own transaction."""
    return ConsentRecord(
        customer_id=customer_id,
        purpose=grant.purpose,
        version=grant.version,
        granted=grant.granted,
        channel=channel,
        journey_id=journey_id,
    )


def append(
    database_url: str, *, customer_id: str, journey_id: str, channel: str, grants: list[Grant]
) -> list[Grant]:
    """Insert one row per grant; returns those written now (a retry of the journey adds none).

    Each row is its own transaction so a retry that finds some rows already written (unique per
    journey, purpose and version) still writes the rest.
    """
    written = []
    for grant in grants:
        try:
            with session_for(database_url) as session:
                session.add(
                    row(
                        customer_id=customer_id, journey_id=journey_id, channel=channel, grant=grant
                    )
                )
            written.append(grant)
        except IntegrityError:
            continue
    return written


def history(session: Session, customer_id: str) -> list[ConsentRecord]:
    """Every record of the customer, oldest first."""
    statement = (
        select(ConsentRecord)
        .where(ConsentRecord.customer_id == customer_id)
        .order_by(col(ConsentRecord.at), col(ConsentRecord.id))
    )
    return list(session.exec(statement))


def current(session: Session, customer_id: str) -> dict[str, ConsentRecord]:
    """The newest record per purpose: the customer's consent state now."""
    state: dict[str, ConsentRecord] = {}
    for record in history(session, customer_id):
        state[record.purpose] = record
    return state
