"""The first factor of a sign-in: password or passkey, an upstream provider, or an emailed code.

Each function returns the :class:`FirstFactor` it proved or the :class:`Outcome` that ends the
journey before any decision (a refusal, too many attempts, a redirect to an organization's
provider). Which one runs is decided by the start input alone, so logins recorded before a path
existed replay unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.factors import LoginCodeReason
    from contracts.login import CheckPassword, HomeRealmOf, KnownCustomer, LoginActivities
    from journeys.kit import Journey, Outcome, Sealed, failed, redirect
    from journeys.kit.passkey_steps import begin_passkey_sign_in, finish_passkey_sign_in
    from journeys.kit.reauthenticate import WITH_PASSKEY
    from journeys.kit.second_factor import email_code
    from journeys.login.risk import record, signals_of
    from journeys.login.screens import ConfirmPassword, SignIn
    from journeys.login.start import LoginStart
    from journeys.patches import HOME_REALM_DISCOVERY

ANSWER_TIMEOUT = timedelta(minutes=30)
MAX_PASSWORD_TRIES = 10
#: A login returning here is the local proof of control before linking an upstream identity.
LINKING_PREFIX = "/login/idp/"
ENTER_PASSWORD = "Enter your password."
TOO_MANY = "Too many attempts. Please start again."


@dataclass(frozen=True)
class FirstFactor:
    """Who the first step proved, and how (RFC 8176 ``amr``: ``pwd``, ``fed``, ``email``, …)."""

    customer_id: str
    email: str
    email_lookup: str
    amr: list[str]


@dataclass(frozen=True)
class _EmailOnly:
    """The sign-in screen was posted without a password, and no organization owns the email."""

    email: str


async def federated(journey: Journey, customer_id: str) -> FirstFactor | Outcome:
    """The provider is the first factor (``amr`` ``fed``); the rest of the login follows."""
    return await _known(journey, customer_id, "Signed in by an upstream provider", ["fed"])


async def emailed_code(journey: Journey, customer_id: str) -> FirstFactor | Outcome:
    """A code emailed to the customer is the first factor (``amr`` ``email``): how a customer
    without a password or passkey proves control before an upstream identity is linked."""
    why = "Proving control of the account before linking an upstream sign-in"
    known = await _known(journey, customer_id, why, ["email"])
    if isinstance(known, Outcome):
        return known
    proved = await email_code(
        journey,
        customer_id=customer_id,
        email=known.email,
        reason=LoginCodeReason.LINK_PROVIDER,
        why=why,
    )
    if proved != "email":
        return failed(_journey_id(), "The emailed code was not confirmed. Please start again.")
    return known


async def password(journey: Journey, start: LoginStart) -> FirstFactor | Outcome:
    """Ask until the password (or a passkey) checks out; an :class:`Outcome` after too many tries
    in this journey, or when home-realm discovery sends the browser to an upstream provider."""
    journey_id = _journey_id()
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_errors: list[str] = []
    for _ in range(MAX_PASSWORD_TRIES):
        request = await _ask(journey, start, values, errors, form_errors)
        errors, form_errors = {}, []
        if isinstance(request, Outcome):
            return request
        if isinstance(request, _EmailOnly):
            # Not a wrong password: nothing was checked, so neither throttle nor risk counts it.
            values, errors = {"email": request.email}, {"password": ENTER_PASSWORD}
            continue
        if isinstance(request, tuple):
            proved = await finish_passkey_sign_in(
                journey, journey_id=journey_id, ceremony_id=request[0], answer=request[1]
            )
            if isinstance(proved, str):
                form_errors = [proved]
                continue
            return FirstFactor(proved.customer_id, proved.email, proved.email_lookup, proved.amr)
        checked = await journey.step(
            LoginActivities.check_password, request, why="Checking the password"
        )
        if checked.email_lookup:
            journey.identify(email_lookup=checked.email_lookup)
        if checked.ok:
            return FirstFactor(checked.customer_id, checked.email, checked.email_lookup, ["pwd"])
        if not checked.retry_after_seconds:
            signals = signals_of(start, checked.customer_id or None, [])
            await record(journey, signals, success=False, why="Wrong password")
        values = {"email": request.email}
        form_errors = [checked.message]
    return failed(journey_id, TOO_MANY)


def _journey_id() -> str:
    return workflow.info().workflow_id


async def _known(
    journey: Journey, customer_id: str, why: str, amr: list[str]
) -> FirstFactor | Outcome:
    checked = await journey.step(
        LoginActivities.known_customer, KnownCustomer(customer_id=customer_id), why=why
    )
    if not checked.ok:
        return failed(_journey_id(), checked.message)
    return FirstFactor(checked.customer_id, checked.email, checked.email_lookup, amr)


async def _ask(
    journey: Journey,
    start: LoginStart,
    values: dict[str, str],
    errors: dict[str, str],
    form_errors: list[str],
) -> CheckPassword | tuple[str, str] | Outcome | _EmailOnly:
    """The password to check, ``(ceremony_id, answer)`` when a passkey was used, the redirect
    to an organization's provider, or :class:`_EmailOnly` when the password is missing."""
    journey_id = _journey_id()
    attempt_id = str(workflow.uuid4())
    ceremony_id, options = await begin_passkey_sign_in(
        journey, journey_id=journey_id, customer_id=start.reauth_customer_id or None
    )
    if start.reauth_customer_id:
        confirm = await journey.ask(
            ConfirmPassword,
            values={"passkey": options},
            form_errors=form_errors,
            timeout=ANSWER_TIMEOUT,
        )
        if confirm.action == WITH_PASSKEY:
            return ceremony_id, getattr(confirm, "passkey", None) or ""
        return _check(start, attempt_id, confirm.password, customer_id=start.reauth_customer_id)
    answer = await journey.ask(
        SignIn,
        values={**values, "passkey": options},
        errors=errors,
        form_errors=form_errors,
        timeout=ANSWER_TIMEOUT,
    )
    if answer.action == WITH_PASSKEY:
        return ceremony_id, getattr(answer, "passkey", None) or ""
    linking = start.return_to.startswith(LINKING_PREFIX)
    if not linking and workflow.patched(HOME_REALM_DISCOVERY):
        routed = await _home_realm(journey, start, answer.email)
        if routed is not None:
            return routed
    if answer.password is None:
        return _EmailOnly(answer.email)
    return _check(start, attempt_id, answer.password, email=answer.email)


def _check(
    start: LoginStart, attempt_id: str, password: Sealed, *, email: str = "", customer_id: str = ""
) -> CheckPassword:
    """One password attempt, for an email (sign-in) or a customer (re-authentication)."""
    return CheckPassword(
        attempt_id=attempt_id,
        journey_id=_journey_id(),
        password=password,
        client_ip=start.client_ip,
        email=email,
        customer_id=customer_id,
        device=start.device,
    )


async def _home_realm(journey: Journey, start: LoginStart, email: str) -> Outcome | None:
    """The redirect to the provider of the organization owning ``email``'s domain, if any.

    Decided by the domain alone (never by whether an account exists); a password typed with
    the email stays sealed and unused.
    """
    realm = await journey.step(
        LoginActivities.home_realm,
        HomeRealmOf(email=email),
        why="Looking for an organization that owns the email's domain",
    )
    journey.identify(email_lookup=realm.email_lookup)
    if not realm.idp_name:
        return None
    query = urlencode({"login_hint": email, "return_to": start.return_to})
    outcome = redirect(_journey_id(), to=f"/login/idp/{realm.idp_name}?{query}")
    reason = f"Sent to the organization's provider {realm.idp_name} (home-realm discovery)."
    return outcome.model_copy(update={"reason": reason})
