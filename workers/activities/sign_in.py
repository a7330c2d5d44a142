"""``sign_in.gather``: everything the sign-in decision needs, in one local activity.

The reads share one database session where the stores take one (the deletion gate and the
consents); the risk and factor stores open their own. What is certain when the activity runs is
recorded here, each write idempotent on its own key so a retried attempt adds nothing:

* a refusal (``deny``) is recorded as the failed step ``refused``;
* a sign-in that needs a second factor writes ``login.challenged``;
* one that needs none records the success (the customer's risk baseline), writes
  ``login.succeeded`` and, for a fresh sign-in with no re-consent due, counts the sign-in in the
  customer's profile workflow and returns the profiling question due now.

An account scheduled for deletion returns only the date: the journey asks first, then gathers
again with ``deletion_checked``.
"""

from __future__ import annotations

import asyncio

from contracts.consent import DueConsents
from contracts.events import EmitEvent
from contracts.factors import FactorsOf
from contracts.profiling import NextInterstitial
from contracts.risk import LoginRecord, LoginSignals
from contracts.sign_in import GatherSignIn, SignInActivities, SignInFacts, needs_second_factor
from core.settings import Settings
from store import consents
from store.deprovisioning_models import DeletionRequest
from workers.activities.base import ActivityGroup, implements_async
from workers.activities.consent import due_consents
from workers.activities.events import EventActivitiesImpl
from workers.activities.factors import FactorActivitiesImpl
from workers.activities.profiling import ProfilingActivitiesImpl
from workers.activities.risk import RiskActivitiesImpl


class SignInActivitiesImpl(ActivityGroup):
    """Composes the deletion gate, factors, risk, consent, events and profiling implementations."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.factors = FactorActivitiesImpl(settings)
        self.risk = RiskActivitiesImpl(settings)
        self.events = EventActivitiesImpl(settings)
        self.profiling = ProfilingActivitiesImpl(settings)

    @implements_async(SignInActivities.gather)
    async def gather(self, request: GatherSignIn) -> SignInFacts:
        """Read the decision's facts and record what they already settle (see the module)."""
        facts = await asyncio.to_thread(self._read_and_record, request)
        if facts.risk is None:
            return facts
        signals = request.signals
        customer_id = signals.customer_id
        if facts.risk.decision == "deny":
            return facts
        if needs_second_factor(facts.risk.decision, aal2=request.aal2, amr=request.amr):
            await self.events.emit(_event(signals, "login.challenged"))
            return facts
        await self.events.emit(_event(signals, "login.succeeded", {"amr": request.amr}))
        if request.reauthenticating or facts.consents.required or customer_id is None:
            return facts
        facts.interstitial = await self.profiling.next(
            NextInterstitial(customer_id=customer_id, journey_id=signals.journey_id)
        )
        return facts

    def _read_and_record(self, request: GatherSignIn) -> SignInFacts:
        """The database part: gate, consents, factors, the risk score and its record."""
        customer_id = request.signals.customer_id
        assert customer_id is not None, "a first factor proved who signs in"
        with self.db() as session:
            pending = (
                None if request.deletion_checked else session.get(DeletionRequest, customer_id)
            )
            if pending is not None:
                return SignInFacts(scheduled_for=pending.scheduled_for)
            due = (
                DueConsents()
                if request.reauthenticating
                else due_consents(consents.current(session, customer_id))
            )
        factors = self.factors.enrolled(FactorsOf(customer_id=customer_id)).factors
        # An emailed code is a fallback, not a factor the risk policy may count on.
        signals = request.signals.model_copy(
            update={"enrolled_factors": [kind for kind in factors if kind != "email"]}
        )
        risk = self.risk.assess(signals)
        if risk.decision == "deny":
            self.risk.record(LoginRecord(signals=signals, success=False, failed_step="refused"))
        elif not needs_second_factor(risk.decision, aal2=request.aal2, amr=request.amr):
            self.risk.record(LoginRecord(signals=signals, success=True))
        return SignInFacts(factors=factors, risk=risk, consents=due)


def _event(signals: LoginSignals, type: str, data: dict[str, list[str]] | None = None) -> EmitEvent:
    """The event the journey's ``emit`` would write: same id, so either path writes it once."""
    return EmitEvent(
        event_id=f"{signals.journey_id}:{type}",
        type=type,
        customer_id=signals.customer_id,
        data=data or {},
    )
