"""Registration: email + password or a passkey, prove the email (code or link, any device), accept
the terms.

An email that already has an account walks through the very same screens and timing; only the
email differs ("you already have an account"), so the pages never reveal who is registered.

A first sign-in with an upstream OpenID provider continues here too (``start.upstream`` set by
``/login/idp/NAME/callback``): the provider stands in for the sign-up form, the email is proven
by a code only when the provider did not vouch for it, the terms are asked like for everyone,
and the customer is created with the upstream identity linked. Which branch runs is decided by
the start input alone, so histories recorded before this path existed replay unchanged.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from pydantic import field_validator
from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from contracts.consent import ConsentActivities, PurposeGrant, RecordConsents
    from contracts.emails import EmailPurpose
    from contracts.errors import ErrorCode
    from contracts.identity import (
        CreateCustomer,
        CreatedCustomer,
        CreateFederatedCustomer,
        IdentityActivities,
        StageRegistration,
        UpstreamIdentity,
    )
    from contracts.registration import Browser, CreateRegistered, RegistrationActivities
    from contracts.risk import Baseline, RiskActivities
    from journeys.consent_steps import (
        ConsentChoices,
        announce_registration,
        registration_grants,
    )
    from journeys.kit import (
        Action,
        Journey,
        JourneyStart,
        LinkPage,
        Outcome,
        Screen,
        Sealed,
        StepTimedOut,
        expired,
        failed,
        field,
        journey,
        normalize_email,
        signed_in,
    )
    from journeys.kit.cancel import JourneyCancelled
    from journeys.kit.choose_password import CHOOSE_AGAIN, EnterNewPassword, choose_password
    from journeys.kit.fields import email_field, new_password_field
    from journeys.kit.outcomes import cancelled
    from journeys.kit.passkey_steps import (
        OTHER,
        CreatePasskey,
        PasskeyDeclined,
        create_passkey,
    )
    from journeys.kit.prove_email import EnterEmailedCode, prove_email
    from journeys.outbox import emit
    from journeys.patches import (
        CONSENT_CATALOGUE,
        PASSKEY_PASSWORD_FALLBACK,
        REGISTRATION_AT_ONCE,
        RISK_COLD_START,
    )

TERMS = PurposeGrant(purpose="terms", version="2026-01", granted=True)
SIGN_UP_TIMEOUT = timedelta(hours=1)
TERMS_TIMEOUT = timedelta(hours=1)
RESEND_COOLDOWN = timedelta(seconds=30)
MAX_SENDS = 5
WITH_PASSKEY = "passkey"
WITH_PASSWORD = "password"


class RegistrationStart(JourneyStart):
    """:class:`JourneyStart` plus the upstream identity of a first federated sign-in, if any."""

    upstream: UpstreamIdentity | None = None


class SignUp(Screen):
    """The first screen: who you are and the password you want."""

    title = "Create your account"
    intro = (
        "Use your email address and a password of at least 8 characters, or create a passkey "
        "instead: your device's fingerprint, face or screen lock, no password to remember."
    )
    actions = (
        Action(name="submit", label="Create account"),
        Action(
            name=WITH_PASSKEY,
            label="Create a passkey instead",
            validate_fields=False,
            primary=False,
        ),
    )

    email: str = email_field()
    password: Sealed = new_password_field()


class PasskeySignUp(Screen):
    """Sign-up without a password: the passkey is created once the email is proven."""

    title = "Create your account with a passkey"
    intro = "First we check your email address; then your device creates your passkey."
    actions = (
        Action(name="submit", label="Continue"),
        Action(
            name=WITH_PASSWORD,
            label="Use a password instead",
            validate_fields=False,
            primary=False,
        ),
    )

    email: str = email_field()


class CreatePasskeyOrPassword(CreatePasskey):
    """Creating the passkey, with a way back to a password (no passkey on this device, or a
    browser that refuses one)."""

    actions: ClassVar[tuple[Action, ...]] = (
        Action(name="submit", label="Create passkey"),
        Action(name=OTHER, label="Use a password instead", validate_fields=False, primary=False),
    )

    @classmethod
    def screen_name(cls) -> str:
        """The kit's screen, one more button: the same name for templates, funnels and tests."""
        return CreatePasskey.screen_name()


class ChoosePassword(EnterNewPassword):
    """A password instead of the passkey, once the email is proven."""

    title = "Choose a password"
    intro = "Your email address is confirmed. Choose a password of at least 8 characters."
    actions = (Action(name="submit", label="Continue"),)


class CheckYourEmail(EnterEmailedCode):
    """Waits for the code to be typed here or the link to be opened on any device (the kit's
    wording, with ``resend``)."""


class AcceptTerms(Screen):
    """Required consents, recorded append-only once the customer exists."""

    title = "One last step"
    intro = "Please read and accept our terms to finish creating your account."
    actions = (Action(name="submit", label="Accept and continue"),)

    terms: bool = field(
        kind="consent",
        label=f"I accept the Terms of Service (version {TERMS.version}).",
        autocomplete=None,
    )

    @field_validator("terms")
    @classmethod
    def _must_accept(cls, value: bool) -> bool:
        if not value:
            raise ValueError("You must accept the Terms of Service to create an account.")
        return value


@journey("registration", public=True)
class Registration(Journey):
    """The registration journey (see the module docstring)."""

    support_actions = frozenset({"resend", "extend", "cancel"})
    funnel_steps = ("sign-up", "check-your-email", "accept-terms")
    link_page = LinkPage(
        title="Confirm your email",
        intro=(
            "Press the button to confirm this email address. The page where you started moves "
            "on by itself."
        ),
        button="Confirm my email",
        done_title="Email confirmed",
        done=(
            "Thank you. Go back to the device where you started: that page has already moved on "
            "to the next step. You can close this window."
        ),
        gone=(
            "It was already used, or the journey it belongs to has ended. If you still need an "
            "account, start again."
        ),
    )

    @workflow.run
    async def run(self, start: RegistrationStart) -> Outcome:
        """Sign up, verify the email, accept the terms, then sign the new customer in."""
        journey_id = workflow.info().workflow_id
        if start.upstream is not None:
            return await self._federated(journey_id, start, start.upstream)
        try:
            email, existing, passkey = await self._sign_up(journey_id)
            refused = await self._verify_email(email, existing, start.client_ip)
            if refused is not None:
                return await self.finish(failed(journey_id, refused))
            if passkey:
                made = await self._passkey_or_password(journey_id, email)
                if made is None:
                    return await self.finish(
                        failed(journey_id, "No passkey could be created. Please start again.")
                    )
                passkey = made
            accepted = await self.ask(ConsentChoices, timeout=TERMS_TIMEOUT)
        except StepTimedOut as timeout:
            return await self.finish(expired(journey_id, f"No answer at step {timeout}."))
        except JourneyCancelled:
            return await self.finish(cancelled(journey_id, "Cancelled by our support team."))
        try:
            created = await self._create(journey_id, accepted, start)
        except ActivityError as err:
            if _error_type(err) == ErrorCode.EMAIL_TAKEN:
                return await self.finish(
                    failed(journey_id, "An account with this email already exists. Sign in.")
                )
            raise
        return await self.finish(
            signed_in(
                journey_id,
                created.customer_id,
                amr=["swk" if passkey else "pwd", "email"],
                to=start.return_to,
            )
        )

    async def _federated(
        self, journey_id: str, start: RegistrationStart, upstream: UpstreamIdentity
    ) -> Outcome:
        """The provider proved who signed in; prove the email if it did not, then the terms."""
        email = normalize_email(upstream.email)
        amr = ["fed"]
        try:
            staged = await self.step(
                IdentityActivities.stage_registration,
                StageRegistration(journey_id=journey_id, email=email),
                why=f"Staging a sign-up with {upstream.idp_name}",
            )
            self.identify(email_lookup=staged.email_lookup)
            if not upstream.email_verified:
                refused = await self._verify_email(email, staged.existing, start.client_ip)
                if refused is not None:
                    return await self.finish(failed(journey_id, refused))
                amr.append("email")
            accepted = await self.ask(ConsentChoices, timeout=TERMS_TIMEOUT)
        except StepTimedOut as timeout:
            return await self.finish(expired(journey_id, f"No answer at step {timeout}."))
        except JourneyCancelled:
            return await self.finish(cancelled(journey_id, "Cancelled by our support team."))
        try:
            created = await self._create(journey_id, accepted, start, upstream)
        except ActivityError as err:
            if _error_type(err) == ErrorCode.EMAIL_TAKEN:
                return await self.finish(
                    failed(
                        journey_id,
                        "An account with this email already exists. Sign in to it first, "
                        f"then sign in with {upstream.idp_name} again to link it.",
                    )
                )
            if _error_type(err) == ErrorCode.IDENTITY_TAKEN:
                return await self.finish(
                    failed(journey_id, f"This {upstream.idp_name} account is already linked.")
                )
            raise
        return await self.finish(
            signed_in(journey_id, created.customer_id, amr=amr, acr="aal1", to=start.return_to)
        )

    async def _create(
        self,
        journey_id: str,
        accepted: Screen,
        start: JourneyStart,
        upstream: UpstreamIdentity | None = None,
    ) -> CreatedCustomer:
        """Create the customer (linked to ``upstream``, if any) with its consents and events.

        One activity writes them in one transaction; runs recorded before it create the customer,
        then emit, record and announce in steps of their own (:meth:`_welcome`).
        """
        if workflow.patched(REGISTRATION_AT_ONCE):
            created = await self.step(
                RegistrationActivities.create,
                CreateRegistered(
                    journey_id=journey_id,
                    grants=registration_grants(accepted),
                    browser=Browser(
                        client_ip=start.client_ip,
                        user_agent=start.user_agent,
                        device=start.device,
                        at=workflow.now(),
                        client_hints=start.client_hints,
                    ),
                    upstream=upstream,
                ),
                why="Creating the customer with their consents",
            )
            self.identify(customer_id=created.customer_id)
            return created
        if upstream is None:
            created = await self.step(
                IdentityActivities.create_customer,
                CreateCustomer(journey_id=journey_id),
                why="Creating the customer",
            )
        else:
            created = await self.step(
                IdentityActivities.create_federated_customer,
                CreateFederatedCustomer(journey_id=journey_id, upstream=upstream),
                why=f"Creating the customer, linked to {upstream.idp_name}",
            )
        await self._welcome(journey_id, created, accepted, start)
        return created

    async def _welcome(
        self, journey_id: str, created: CreatedCustomer, accepted: Screen, start: JourneyStart
    ) -> None:
        """Announce the new customer, record the consents given on the terms screen, and record
        this browser as the customer's first sign-in, so the next one is no stranger."""
        self.identify(customer_id=created.customer_id)
        await emit(self, "customer.created", created.customer_id)
        await emit(self, "customer.verified", created.customer_id)
        await self.step(
            ConsentActivities.record,
            RecordConsents(
                customer_id=created.customer_id,
                journey_id=journey_id,
                channel="registration",
                grants=(
                    registration_grants(accepted)
                    if workflow.patched(CONSENT_CATALOGUE)
                    else [TERMS]
                ),
            ),
            why="Recording consent to the terms",
        )
        await announce_registration(self, created.customer_id, accepted)
        if workflow.patched(RISK_COLD_START):
            await self.step(
                RiskActivities.cold_start,
                Baseline(
                    journey_id=journey_id,
                    customer_id=created.customer_id,
                    client_ip=start.client_ip,
                    user_agent=start.user_agent,
                    device=start.device,
                    at=workflow.now(),
                    client_hints=start.client_hints,
                ),
                why="Recording this browser as the customer's first sign-in",
            )

    async def _sign_up(self, journey_id: str) -> tuple[str, bool, bool]:
        """Email and password, or email alone for a passkey: ``(email, existing, passkey)``."""
        errors: dict[str, str] = {}
        values: dict[str, str] = {}
        while True:
            signup = await self.ask(SignUp, values=values, errors=errors, timeout=SIGN_UP_TIMEOUT)
            password: Sealed | None = None
            if signup.action == WITH_PASSKEY:
                # Reachable only through the new action: runs recorded before passkeys existed
                # never get here, so they replay unchanged without a ``workflow.patched`` marker.
                chosen = await self.ask(
                    PasskeySignUp, values=_typed_email(signup), timeout=SIGN_UP_TIMEOUT
                )
                if chosen.action == WITH_PASSWORD:
                    values, errors = _typed_email(chosen), {}
                    continue
                email = chosen.email
            else:
                email, password = signup.email, signup.password
            try:
                staged = await self.step(
                    IdentityActivities.stage_registration,
                    StageRegistration(journey_id=journey_id, email=email, password=password),
                    why="Hashing the password" if password else "Staging a passkey sign-up",
                )
            except ActivityError as err:
                if _error_type(err) in CHOOSE_AGAIN:
                    values, errors = {"email": email}, {"password": _message(err)}
                    continue
                raise
            self.identify(email_lookup=staged.email_lookup)
            return email, staged.existing, password is None

    async def _passkey_or_password(self, journey_id: str, email: str) -> bool | None:
        """``True`` once the passkey exists, ``False`` once a password replaced it, ``None`` if
        neither happened (runs recorded before the fallback offer only the passkey)."""
        offer = workflow.patched(PASSKEY_PASSWORD_FALLBACK)
        screen = CreatePasskeyOrPassword if offer else CreatePasskey
        try:
            made = await create_passkey(self, journey_id=journey_id, user_name=email, screen=screen)
        except PasskeyDeclined:
            await choose_password(
                self,
                ChoosePassword,
                lambda password: self.step(
                    IdentityActivities.stage_registration,
                    StageRegistration(
                        journey_id=journey_id,
                        email=email,
                        password=password,
                        instead_of_passkey=True,
                    ),
                    why="Hashing the password",
                ),
                timeout=SIGN_UP_TIMEOUT,
            )
            return False
        return True if made else None

    async def _verify_email(self, email: str, existing: bool, client_ip: str) -> str | None:
        """``None`` once the email is proven, or why the journey fails. An address that already
        has an account gets a message without a working code, on the very same screens."""
        return await prove_email(
            self,
            email=email,
            screen=CheckYourEmail,
            template="already_registered" if existing else "verify_email",
            purpose=EmailPurpose.DECOY if existing else EmailPurpose.CODE_AND_LINK,
            max_sends=MAX_SENDS,
            cooldown=RESEND_COOLDOWN,
            client_ip=client_ip,
        )


def _typed_email(screen: Screen) -> dict[str, str]:
    """The email typed on a screen left without validation, to fill in on the next one."""
    typed = getattr(screen, "email", "")
    return {"email": typed[:254]} if isinstance(typed, str) and typed else {}


def _error_type(err: ActivityError) -> str | None:
    cause = err.cause
    return cause.type if isinstance(cause, ApplicationError) else None


def _message(err: ActivityError) -> str:
    cause = err.cause
    return cause.message if isinstance(cause, ApplicationError) else "Please try again."
