"""Adaptive authentication: score a sign-in against the customer's habits, and learn from it.

The login journey calls :meth:`RiskActivities.assess` once the password (or passkey) checks out,
branches on the decision, shows the reasons in its current details, then calls
:meth:`RiskActivities.record` with the outcome. The model is Freeman et al. (NDSS 2016); see
``docs/risk.md`` and :mod:`workers.risk`.
"""

from __future__ import annotations

from datetime import UTC

from contracts.risk import LoginRecord, LoginSignals, RiskActivities, RiskAssessment
from core.settings import Settings
from workers.activities.base import ActivityGroup, implements
from workers.risk.features import extract
from workers.risk.model import FreemanModel
from workers.risk.policy import RiskPolicy
from workers.risk.store import Attempt, SqlRiskStore


class RiskActivitiesImpl(ActivityGroup):
    """Scoring reads the store only; recording is idempotent per (journey, outcome)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.model = FreemanModel()
        self.policy = RiskPolicy.from_settings(settings)
        self.store = SqlRiskStore(settings.database_url, settings.derive_key("risk-features"))

    @implements(RiskActivities.assess)
    def assess(self, signals: LoginSignals) -> RiskAssessment:
        """Score the attempt, decide, and write the decision with its reasons to the audit log.

        The audit key includes ``at`` (the journey's ``workflow.now()``), so a retry writes one
        event while a second assessment later in the same journey writes its own.
        """
        attempt = self.attempt(signals)
        score = self.model.score(attempt.features, self.store.evidence(attempt))
        decision = self.policy.decide(score.total, signals.enrolled_factors)
        assessment = RiskAssessment(
            score=round(score.total, 3),
            decision=decision,
            reasons=list(score.reasons),
            country=attempt.features.country,
            browser=attempt.features.browser,
            os=attempt.features.os,
            device_type=attempt.features.device_type,
        )
        self.audit(
            f"{signals.journey_id}:risk.assessed:{attempt.at.isoformat()}",
            "risk.assessed",
            customer_id=signals.customer_id,
            journey_id=signals.journey_id,
            score=assessment.score,
            decision=decision,
            reasons=assessment.reasons,
        )
        return assessment

    @implements(RiskActivities.record)
    def record(self, record: LoginRecord) -> None:
        """Learn from the outcome once; a retry or a repeat for the same outcome is a no-op."""
        self.store.record(self.attempt(record.signals), success=record.success)

    @staticmethod
    def attempt(signals: LoginSignals) -> Attempt:
        """The store's view of the signals (a naive time is read as UTC)."""
        at = signals.at if signals.at.tzinfo is not None else signals.at.replace(tzinfo=UTC)
        return Attempt(
            journey_id=signals.journey_id,
            customer_id=signals.customer_id,
            client_ip=signals.client_ip,
            features=extract(signals.client_ip, signals.user_agent, signals.device),
            at=at,
        )
