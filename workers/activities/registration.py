"""``registration.create``: a new customer, its consents and its outbox events in one transaction.

Keyed by the journey id like ``identity.create_customer`` (``created_by_journey`` is unique): a
retried attempt finds the customer its first attempt committed, with everything written beside it,
and writes nothing. The risk baseline (its own store, idempotent per journey) and the events'
webhook deliveries (``events.emit`` on an event already written starts only the deliveries not yet
started) follow the transaction, so a retry completes whatever a crash cut short.
"""

from __future__ import annotations

import asyncio

from contracts.events import EmitEvent
from contracts.identity import CreatedCustomer
from contracts.registration import CreateRegistered, RegistrationActivities
from contracts.risk import Baseline
from core.settings import Settings
from store import audit, consents
from store.models import AuditEvent
from workers.activities.base import ActivityGroup, implements_async
from workers.activities.events import EventActivitiesImpl, outbox_row
from workers.activities.identity import add_first_credential, created_or_new, link_upstream
from workers.activities.risk import RiskActivitiesImpl

CHANNEL = "registration"


class RegistrationActivitiesImpl(ActivityGroup):
    """Creates registered customers; the risk and events implementations do the rest."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.risk = RiskActivitiesImpl(settings)
        self.events = EventActivitiesImpl(settings)

    @implements_async(RegistrationActivities.create)
    async def create(self, request: CreateRegistered) -> CreatedCustomer:
        """Create (or find) the customer, then the baseline and the deliveries (see the module)."""
        customer_id = await asyncio.to_thread(self._create, request)
        baseline = Baseline(
            journey_id=request.journey_id, customer_id=customer_id, **request.browser.model_dump()
        )
        await asyncio.to_thread(self.risk.cold_start, baseline)
        for event in _events(request, customer_id):
            await self.events.emit(event)
        return CreatedCustomer(customer_id=customer_id)

    def _create(self, request: CreateRegistered) -> str:
        """The one transaction: customer, credential or link, consents, audit, outbox."""
        journey_id = request.journey_id
        upstream = request.upstream
        with self.db() as session:
            customer, staged = created_or_new(session, journey_id)
            if staged is None:
                return customer.id
            if upstream is not None:
                link_upstream(session, customer.id, upstream)
            else:
                add_first_credential(session, staged, customer.id)
            session.delete(staged)
            for grant in request.grants:
                choice = consents.Grant(grant.purpose, grant.version, grant.granted)
                session.add(
                    consents.row(
                        customer_id=customer.id,
                        journey_id=journey_id,
                        channel=CHANNEL,
                        grant=choice,
                    )
                )
            session.add_all(_audit(request, customer.id))
            # A new customer's first events: numbered 1, 2, 3 (OutboxEvent.customer_seq).
            for seq, event in enumerate(_events(request, customer.id), start=1):
                session.add(outbox_row(event, seq))
            return customer.id


def _audit(request: CreateRegistered, customer_id: str) -> list[AuditEvent]:
    """The audit rows ``identity.create_customer`` and ``consent.record`` write, same keys."""
    journey_id = request.journey_id
    purposes = [g.purpose for g in request.grants if g.granted]
    return [
        audit.row(
            "customer.created",
            key=f"{journey_id}:created",
            customer_id=customer_id,
            journey_id=journey_id,
        ),
        audit.row(
            "consent.changed",
            key=f"{journey_id}:consents",
            customer_id=customer_id,
            journey_id=journey_id,
            purposes=purposes,
        ),
    ]


def _events(request: CreateRegistered, customer_id: str) -> list[EmitEvent]:
    """The events the journey's separate ``emit`` steps wrote, with the same ids."""
    journey_id = request.journey_id
    consents = {
        "channel": CHANNEL,
        "purposes": [grant.model_dump() for grant in request.grants],
    }
    return [
        EmitEvent(event_id=f"{journey_id}:{type}", type=type, customer_id=customer_id, data=data)
        for type, data in (
            ("customer.created", {}),
            ("customer.verified", {}),
            ("consent.changed", consents),
        )
    ]
