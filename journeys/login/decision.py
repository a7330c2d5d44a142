"""Everything a sign-in does once its first factor checked out, for any journey that signs in.

:func:`after_first_factor` is the one policy: the deletion gate, the risk score against the
customer's own history, ``deny`` / ``step_up`` (the kit's ``second_factor``, also forced by an
OpenID ``acr_values=aal2``), the login events, re-consent and the profiling interstitial, then the
session. A password sign-in and any other first factor (a passkey, an upstream provider, an
emailed code or link) go through the very same steps, so none of them is a way around step-up.
"""

from __future__ import annotations

from collections.abc import Sequence

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.factors import FactorActivities, FactorsOf, LoginCodeReason
    from contracts.journey import JourneyStart
    from contracts.risk import DeviceBinding, RiskActivities, RiskAssessment
    from contracts.sign_in import GatherSignIn, SignInActivities, needs_second_factor
    from journeys.consent_steps import ask_reconsent, reconsent
    from journeys.deletion_gate import deletion_gate, keep_or_leave
    from journeys.kit import Journey, Outcome, StepTimedOut, expired, failed, signed_in
    from journeys.kit.second_factor import second_factor, usable_factors
    from journeys.login.risk import record, signals_of, summary
    from journeys.login.screens import NoSecondFactor, SignInBlocked
    from journeys.oidc_acr import asks_aal2
    from journeys.outbox import emit
    from journeys.patches import (
        CONSENT_CATALOGUE,
        KNOWN_DEVICES,
        PROGRESSIVE_PROFILING,
        SIGN_IN_GATHER,
    )
    from journeys.profiling_steps import profile_interstitial, show_interstitial

#: RFC 8176 method names where one exists; ``rc`` (recovery code) and ``email`` are ours.
AMR = {"totp": "otp", "recovery_code": "rc", "email": "email"}
#: The method a passkey proves as a second factor (software or hardware key, RFC 8176).
PASSKEY_AMR = "swk"
#: Methods that, with the first factor, reach NIST AAL2 (an emailed code does not: 800-63B rev 4).
AAL2_METHODS = frozenset({"otp", "rc", "hwk", "swk"})


async def after_first_factor(
    journey: Journey,
    *,
    start: JourneyStart,
    customer_id: str,
    email: str,
    email_lookup: str,
    amr: Sequence[str],
    reauthenticating: bool = False,
) -> Outcome:
    """Decide the sign-in of ``customer_id``, proven by ``amr``, and finish the journey.

    Args:
        start: the journey's start input (client IP, user agent, device, ``acr_values``,
            ``return_to``): what risk scores and where the session goes.
        customer_id: who the first factor proved.
        email: their address (a step-up by emailed code shows it masked).
        email_lookup: its keyed hash, so support finds the journey by email.
        amr: how the first factor proved them (RFC 8176: ``pwd``, ``fed``, ``email``, a
            passkey's ``swk``/``hwk`` with ``user``/``mfa``); a factor already used here is never
            asked again as the second one, and ``mfa`` needs no step-up.
        reauthenticating: a signed-in customer confirming it's them: no re-consent or profiling.

    Returns:
        The outcome :meth:`Journey.finish` returned (signed in, or why not).
    """
    journey_id = workflow.info().workflow_id
    first = list(amr)
    journey.identify(customer_id=customer_id, email_lookup=email_lookup)
    if workflow.patched(SIGN_IN_GATHER):
        return await _decide(
            journey,
            start=start,
            customer_id=customer_id,
            email=email,
            first=first,
            reauthenticating=reauthenticating,
        )
    kept = await deletion_gate(journey, journey_id, customer_id)
    if kept is not None:
        return await journey.finish(kept)
    enrolled = await journey.step(
        FactorActivities.enrolled,
        FactorsOf(customer_id=customer_id),
        why="Listing the customer's second factors",
    )
    # An emailed code is a fallback, not a factor the risk policy may count on.
    factors = [kind for kind in enrolled.factors if kind != "email"]
    signals = signals_of(start, customer_id, factors)
    risk = await journey.step(RiskActivities.assess, signals, why="Scoring the sign-in risk")
    why = summary(risk)
    methods = list(first)
    if risk.decision == "deny":
        await record(journey, signals, success=False, why=why, failed_step="refused")
        return await journey.finish(
            failed(journey_id, f"Sign-in blocked. {why}"), screen=SignInBlocked
        )
    if (risk.decision == "step_up" or asks_aal2(start)) and "mfa" not in methods:
        # A user-verifying passkey is already two factors (the device and its PIN/biometric).
        await emit(journey, "login.challenged", customer_id)
        # The factor that was the first one (an emailed code) does not count twice.
        others = [kind for kind in enrolled.factors if AMR.get(kind) not in first]
        try:
            kind = await second_factor(
                journey,
                customer_id=customer_id,
                factors=others,
                email=email,
                email_reason=code_reason(first),
                why=why,
            )
        except StepTimedOut as timeout:
            await record(journey, signals, success=False, why=why, failed_step="second_factor")
            return await journey.finish(expired(journey_id, f"No answer at step {timeout}."))
        if kind is None:
            await record(journey, signals, success=False, why=why, failed_step="second_factor")
            if not usable_factors(others):
                return await journey.finish(
                    failed(journey_id, f"No usable second factor. {why}"), screen=NoSecondFactor
                )
            return await journey.finish(
                failed(journey_id, "Too many wrong codes. Please start again.")
            )
        methods.append(AMR.get(kind, PASSKEY_AMR))
        if signals.device and workflow.patched(KNOWN_DEVICES):
            await journey.step(
                RiskActivities.bind_device,
                DeviceBinding(
                    journey_id=journey_id,
                    customer_id=customer_id,
                    device=signals.device,
                    user_agent=signals.user_agent,
                    at=signals.at,
                ),
                why="Remembering this browser: it passed a second factor",
            )
    await record(journey, signals, success=True, why=why)
    await emit(journey, "login.succeeded", customer_id, {"amr": methods})
    interrupted = await _interstitials(journey, customer_id, reauthenticating)
    if interrupted is not None:
        return await journey.finish(interrupted)
    # The reason stays in the finished journey's details: support sees why it was allowed.
    outcome = signed_in(
        journey_id,
        customer_id,
        amr=methods,
        acr="aal2" if "mfa" in methods or AAL2_METHODS & set(methods[len(first) :]) else "aal1",
        device=_device(risk),
        to=start.return_to,
    )
    return await journey.finish(outcome.model_copy(update={"reason": f"Signed in. {why}"}))


async def _decide(
    journey: Journey,
    *,
    start: JourneyStart,
    customer_id: str,
    email: str,
    first: list[str],
    reauthenticating: bool,
) -> Outcome:
    """:func:`after_first_factor` with its facts gathered by one activity (``sign_in.gather``).

    The activity already recorded a refusal, or a success that needs no second factor, with its
    event, and asked the profiling question due; what is left here is what the customer sees.
    """
    journey_id = workflow.info().workflow_id
    aal2 = asks_aal2(start)
    gather = GatherSignIn(
        signals=signals_of(start, customer_id, []),
        amr=first,
        aal2=aal2,
        reauthenticating=reauthenticating,
    )
    why_gather = "Reading the sign-in's facts: deletion, factors, risk, consents, profiling"
    facts = await journey.step(SignInActivities.gather, gather, why=why_gather)
    if facts.scheduled_for is not None:
        kept = await keep_or_leave(journey, journey_id, customer_id, facts.scheduled_for)
        if kept is not None:
            return await journey.finish(kept)
        gather = gather.model_copy(
            update={"signals": signals_of(start, customer_id, []), "deletion_checked": True}
        )
        facts = await journey.step(SignInActivities.gather, gather, why=why_gather)
    assert facts.risk is not None, "gathered past the deletion gate"
    risk = facts.risk
    why = summary(risk)
    if risk.decision == "deny":
        return await journey.finish(
            failed(journey_id, f"Sign-in blocked. {why}"), screen=SignInBlocked
        )
    methods = list(first)
    if needs_second_factor(risk.decision, aal2=aal2, amr=first):
        signals = gather.signals.model_copy(
            update={"enrolled_factors": [kind for kind in facts.factors if kind != "email"]}
        )
        # The factor that was the first one (an emailed code) does not count twice.
        others = [kind for kind in facts.factors if AMR.get(kind) not in first]
        try:
            kind = await second_factor(
                journey,
                customer_id=customer_id,
                factors=others,
                email=email,
                email_reason=code_reason(first),
                why=why,
            )
        except StepTimedOut as timeout:
            await record(journey, signals, success=False, why=why, failed_step="second_factor")
            return await journey.finish(expired(journey_id, f"No answer at step {timeout}."))
        if kind is None:
            await record(journey, signals, success=False, why=why, failed_step="second_factor")
            if not usable_factors(others):
                return await journey.finish(
                    failed(journey_id, f"No usable second factor. {why}"), screen=NoSecondFactor
                )
            return await journey.finish(
                failed(journey_id, "Too many wrong codes. Please start again.")
            )
        methods.append(AMR.get(kind, PASSKEY_AMR))
        if signals.device:
            await journey.step(
                RiskActivities.bind_device,
                DeviceBinding(
                    journey_id=journey_id,
                    customer_id=customer_id,
                    device=signals.device,
                    user_agent=signals.user_agent,
                    at=signals.at,
                ),
                why="Remembering this browser: it passed a second factor",
            )
        await record(journey, signals, success=True, why=why)
        await emit(journey, "login.succeeded", customer_id, {"amr": methods})
    if not reauthenticating:
        interrupted = await ask_reconsent(
            journey, facts.consents, journey_id=journey_id, customer_id=customer_id
        )
        if interrupted is None:
            interrupted = await (
                profile_interstitial(journey, journey_id=journey_id, customer_id=customer_id)
                if facts.interstitial is None
                else show_interstitial(
                    journey, facts.interstitial, journey_id=journey_id, customer_id=customer_id
                )
            )
        if interrupted is not None:
            return await journey.finish(interrupted)
    outcome = signed_in(
        journey_id,
        customer_id,
        amr=methods,
        acr="aal2" if "mfa" in methods or AAL2_METHODS & set(methods[len(first) :]) else "aal1",
        device=_device(risk),
        to=start.return_to,
    )
    return await journey.finish(outcome.model_copy(update={"reason": f"Signed in. {why}"}))


def code_reason(first: Sequence[str]) -> LoginCodeReason:
    """What an emailed step-up code may tell the customer the sender proved (RFC 8176 ``amr``)."""
    if "pwd" in first:
        return LoginCodeReason.AFTER_PASSWORD
    if "fed" in first:
        return LoginCodeReason.AFTER_PROVIDER
    return LoginCodeReason.SIGN_IN


async def _interstitials(
    journey: Journey, customer_id: str, reauthenticating: bool
) -> Outcome | None:
    """Re-consent, then one profiling question: what a fresh sign-in may ask before the session."""
    if reauthenticating:
        return None
    journey_id = workflow.info().workflow_id
    if workflow.patched(CONSENT_CATALOGUE):
        interrupted = await reconsent(journey, journey_id=journey_id, customer_id=customer_id)
        if interrupted is not None:
            return interrupted
    if workflow.patched(PROGRESSIVE_PROFILING):
        return await profile_interstitial(journey, journey_id=journey_id, customer_id=customer_id)
    return None


def _device(risk: RiskAssessment) -> dict[str, str]:
    """What the session list shows about this browser."""
    return {
        "country": risk.country,
        "browser": risk.browser,
        "os": risk.os,
        "device_type": risk.device_type,
    }
