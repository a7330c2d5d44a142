"""The deprovisioning activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/deprovisioning.py`` implements them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from contracts.activity import ActivityRef
from contracts.journey import Event

#: The outbox event connected systems answer with an acknowledgement of erasure.
ERASURE_REQUESTED = "customer.erasure_requested"
#: The signal a connected system's signed acknowledgement becomes.
ACKNOWLEDGE_SIGNAL = "acknowledge_erasure"


class BeginDeletion(BaseModel):
    """Schedule ``customer_id``'s deletion for ``scheduled_for`` (now when there is no grace)."""

    journey_id: str
    customer_id: str
    scheduled_for: datetime
    immediate: bool
    requested_by: str = "customer"


class DeletionBegun(BaseModel):
    """What the journey needs to go on; ``found`` is False for an unknown or erased customer."""

    found: bool
    email_lookup: str = ""


class DeletionNotice(BaseModel):
    """One of the deprovisioning emails."""

    journey_id: str
    customer_id: str
    kind: Literal["deletion_scheduled", "deletion_reminder"]
    scheduled_for: datetime
    #: Who asked (``customer``, ``admin:…``, ``support:…``): the email says whether the customer
    #: decided it; the default reads notices recorded before it was named.
    requested_by: str = "customer"


class CustomerRef(BaseModel):
    """Which customer (and journey) an activity is about."""

    journey_id: str
    customer_id: str


class EraseCustomer(BaseModel):
    """Erase now; which systems did (and did not) acknowledge goes into the tombstone."""

    journey_id: str
    customer_id: str
    requested_at: datetime
    acknowledged: list[str]
    unacknowledged: list[str]


class DeprovisioningActivities:
    """Typed references to the deprovisioning activities, for ``Journey.step``."""

    begin = ActivityRef("deprovisioning.begin", BeginDeletion, DeletionBegun, local=True)
    notify = ActivityRef("deprovisioning.notify", DeletionNotice, type(None))
    restore = ActivityRef("deprovisioning.restore", CustomerRef, type(None), local=True)
    erasure_subscribers = ActivityRef(
        "deprovisioning.erasure_subscribers", CustomerRef, list[str], local=True
    )
    erase = ActivityRef("deprovisioning.erase", EraseCustomer, bool)


class DeletionDecision(Event):
    """A decision during the grace period (customer or admin): keep the account, or erase now."""

    keep: bool


def deprovisioning_id(customer_id: str) -> str:
    """One deprovisioning per customer at a time."""
    return f"deprovisioning-{customer_id}"
