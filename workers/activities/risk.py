"""Adaptive authentication: score a sign-in against the customer's habits, and learn from it.

The login journey calls :meth:`RiskActivities.assess` once the password (or passkey) checks out,
branches on the decision, shows the reasons in its current details, then calls
:meth:`RiskActivities.record` with the outcome (and with every failed step, which feeds
velocity). Registration calls :meth:`RiskActivities.cold_start` so the first sign-in from the
same browser is not a stranger; a passed second factor calls :meth:`RiskActivities.bind_device`.
The model is Freeman et al. (NDSS 2016); see ``docs/risk.md`` and :mod:`workers.risk`.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from temporalio import activity

from contracts.risk import (
    Baseline,
    DeviceBinding,
    ForgetDevice,
    KnownDevice,
    LoginRecord,
    LoginSignals,
    RiskActivities,
    RiskAssessment,
)
from contracts.risk_explain import metric_reasons, summary
from core.settings import Settings
from store.known_devices import KnownDevices
from workers.activities.base import ActivityGroup, implements
from workers.risk.features import extract, parse_software
from workers.risk.model import Evidence, FreemanModel
from workers.risk.policy import RiskPolicy, history_bucket
from workers.risk.store import Attempt, SqlRiskStore

NEW_DEVICE_RULE = "new device and new software for an account with a second factor"
FORGOTTEN = "forgotten device"


class RiskActivitiesImpl(ActivityGroup):
    """Scoring reads the store only; recording is idempotent per (journey, outcome, step)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.model = FreemanModel()
        self.policy = RiskPolicy.from_settings(settings)
        key = settings.derive_key("risk-features")
        self.store = SqlRiskStore(settings.database_url, key)
        self.devices = KnownDevices(settings.database_url, key)

    @implements(RiskActivities.assess)
    def assess(self, signals: LoginSignals) -> RiskAssessment:
        """Score the attempt, decide, and write the decision with its reasons to the audit log.

        The audit key includes ``at`` (the journey's ``workflow.now()``), so a retry writes one
        event while a second assessment later in the same journey writes its own.
        """
        attempt = self.attempt(signals)
        evidence = self.store.evidence(attempt)
        score = self.model.score(attempt.features, evidence)
        reasons = list(score.reasons)
        status = "unbound"
        if signals.customer_id is not None and signals.device:
            status = self.devices.status(signals.customer_id, signals.device)
        if status == "forgotten":
            reasons = [r for r in reasons if r != "unrecognised device"] + [FORGOTTEN]
        familiar = [f for f in score.familiar if status != "forgotten" or f != "recognised device"]
        new_device = status == "forgotten" or (
            status == "unbound" and evidence.customer.get(attempt.features.device[0].path, 0) == 0
        )
        rule = self.policy.new_device_and_software_rule(
            signals.enrolled_factors,
            new_device and evidence.history > 0 and _new_family(attempt, evidence),
        )
        decision = self.policy.decide(
            score.total,
            signals.enrolled_factors,
            evidence.history,
            new_device_and_software=rule,
        )
        threshold = self.policy.threshold(evidence.history)
        by_rule = rule and score.total <= threshold
        if by_rule:
            reasons.append(NEW_DEVICE_RULE)
        total = round(score.total, 3)
        assessment = RiskAssessment(
            score=total,
            decision=decision,
            reasons=reasons,
            country=attempt.features.country,
            browser=attempt.features.browser,
            os=attempt.features.os,
            device_type=attempt.features.device_type,
            familiar=familiar,
            summary=summary(
                decision,
                score=total,
                threshold=threshold,
                history=evidence.history,
                reasons=reasons,
                familiar=familiar,
                rule=by_rule,
            ),
            history=evidence.history,
            history_bucket=history_bucket(evidence.history),
            threshold=threshold,
        )
        self.audit(
            f"{signals.journey_id}:risk.assessed:{attempt.at.isoformat()}",
            "risk.assessed",
            customer_id=signals.customer_id,
            journey_id=signals.journey_id,
            score=assessment.score,
            decision=decision,
            reasons=assessment.reasons,
            familiar=assessment.familiar,
            summary=assessment.summary,
            history=assessment.history,
            history_bucket=assessment.history_bucket,
            threshold=threshold,
        )
        count_decision(assessment)
        return assessment

    @implements(RiskActivities.record)
    def record(self, record: LoginRecord) -> None:
        """Learn from a success once; keep each failed step once (a retry is a no-op)."""
        attempt = self.attempt(record.signals)
        if not record.success:
            attempt = dataclasses.replace(attempt, step=record.failed_step)
        self.store.record(attempt, success=record.success)

    @implements(RiskActivities.cold_start)
    def cold_start(self, baseline: Baseline) -> None:
        """Learn the registration's browser, network and software as the first sign-in.

        Idempotent per registration journey (the store keeps one success per journey).
        """
        signals = LoginSignals(
            journey_id=baseline.journey_id,
            customer_id=baseline.customer_id,
            client_ip=baseline.client_ip,
            user_agent=baseline.user_agent,
            device=baseline.device,
            at=baseline.at,
            client_hints=baseline.client_hints,
        )
        self.store.record(self.attempt(signals), success=True)

    @implements(RiskActivities.bind_device)
    def bind_device(self, binding: DeviceBinding) -> KnownDevice:
        """Make the device that just passed a second factor a known device of the customer."""
        software = parse_software(binding.user_agent)
        label = " on ".join(p for p in (software.browser, software.os) if p != "Other")
        bound = self.devices.bind(
            binding.customer_id, binding.device, label or "Unknown browser", _utc(binding.at)
        )
        return KnownDevice(
            id=bound.id, label=bound.label, bound_at=bound.bound_at, last_seen_at=bound.last_seen_at
        )

    @implements(RiskActivities.forget_device)
    def forget_device(self, forget: ForgetDevice) -> bool:
        """Revoke a known device ("forget this device"); ``False`` if it is not the customer's."""
        return self.devices.forget(forget.customer_id, forget.device_id, datetime.now(UTC))

    @staticmethod
    def attempt(signals: LoginSignals) -> Attempt:
        """The store's view of the signals (a naive time is read as UTC)."""
        at = _utc(signals.at)
        return Attempt(
            journey_id=signals.journey_id,
            customer_id=signals.customer_id,
            client_ip=signals.client_ip,
            features=extract(
                signals.client_ip,
                signals.user_agent,
                signals.device,
                client_hints=signals.client_hints,
                at=at,
            ),
            at=at,
        )


def count_decision(assessment: RiskAssessment) -> None:
    """``threshold_risk_decisions`` by decision, reason and history bucket (worker metrics).

    Served by the Temporal runtime's Prometheus endpoint (``THRESHOLD_METRICS_PORT``); one
    increment per reason label, so a decision with two reasons counts under both. Outside a
    worker (a direct call) there is no meter, and nothing is counted.
    """
    if not activity.in_activity():
        return
    counter = activity.metric_meter().create_counter(
        "threshold_risk_decisions", "Risk decisions by decision, reason and history bucket"
    )
    for reason in metric_reasons(assessment.reasons):
        counter.add(
            1,
            {
                "decision": assessment.decision,
                "reason": reason,
                "history_bucket": assessment.history_bucket,
            },
        )


def _new_family(attempt: Attempt, evidence: Evidence) -> bool:
    """Whether the OS or browser family is one the customer never used (with family history)."""
    parent = ""
    for level in attempt.features.families:
        counted = evidence.parent_count(parent, level.name)
        if counted > 0 and evidence.customer.get(level.path, 0) == 0:
            return True
        parent = level.path
    return False


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
