"""The risk side of a sign-in: the signals an attempt is scored on, and recording its result.

Every attempt that checked a secret is recorded (success or failure), so the customer's learned
baseline and the "new device" reasons see exactly what the journey saw.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.journey import JourneyStart
    from contracts.risk import (
        FailedStep,
        LoginRecord,
        LoginSignals,
        RiskActivities,
        RiskAssessment,
    )
    from journeys.kit import Journey


def signals_of(start: JourneyStart, customer_id: str | None, factors: list[str]) -> LoginSignals:
    """This attempt as the risk activities see it (``customer_id`` ``None``: nobody matched)."""
    return LoginSignals(
        journey_id=workflow.info().workflow_id,
        customer_id=customer_id,
        client_ip=start.client_ip,
        user_agent=start.user_agent,
        device=start.device,
        at=workflow.now(),
        enrolled_factors=factors,
        client_hints=start.client_hints,
    )


async def record(
    journey: Journey,
    signals: LoginSignals,
    *,
    success: bool,
    why: str,
    failed_step: FailedStep = "password",
) -> None:
    """Add the attempt to the customer's history; a failure says which step failed (velocity)."""
    await journey.step(
        RiskActivities.record,
        LoginRecord(signals=signals, success=success, failed_step=failed_step),
        why=f"Recording the sign-in {'success' if success else 'failure'}. {why}",
    )


def summary(risk: RiskAssessment) -> str:
    """One line for support: the decision, its score and the reasons behind it."""
    reasons = "; ".join(risk.reasons) or "nothing unusual"
    return f"Risk decision: {risk.decision} (score {risk.score:.1f}) — {reasons}."
