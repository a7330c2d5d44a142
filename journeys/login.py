"""Login: email + password, then a second factor only when the sign-in looks risky.

Every password attempt is throttled per account and per IP, and unknown email, wrong password and
locked account look exactly alike to the customer. Once the password checks out, the ``risk``
activity scores the sign-in against the customer's own history: ``allow`` signs in, ``step_up``
asks for one of the customer's factors (:data:`Login.FACTOR_STEPS` dispatches on the kind), and
``deny`` shows what to do next. The risk reasons are written to the journey's current details, so
support sees in the Temporal UI *why* a sign-in was challenged.

With ``reauth_customer_id`` set (``/account/reauth``), the same journey re-authenticates a signed-in
customer before a sensitive change: password only, the same risk policy, then back to the page.

Home-realm discovery (B2B): an email whose domain an organization owns (``threshold orgs``) is sent
to that organization's upstream provider with the email as ``login_hint``, whether or not an
account exists, and a password typed with it is ignored. Re-authentication and the local sign-in
that proves control before linking an upstream identity (``return_to`` under ``/login/idp/``)
never leave for a provider.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from pydantic import field_validator
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.activity import ActivityRef
    from contracts.factors import (
        CheckFactor,
        FactorActivities,
        FactorChecked,
        FactorsOf,
        SendLoginCode,
    )
    from contracts.login import (
        CheckPassword,
        HomeRealmOf,
        KnownCustomer,
        LoginActivities,
        PasswordChecked,
    )
    from contracts.risk import LoginRecord, LoginSignals, RiskActivities, RiskAssessment
    from journeys.consent_steps import PATCH as CONSENT_PATCH
    from journeys.consent_steps import reconsent
    from journeys.deletion_gate import deletion_gate
    from journeys.kit import (
        Action,
        Choice,
        Journey,
        JourneyStart,
        Outcome,
        Screen,
        Sealed,
        StepTimedOut,
        expired,
        failed,
        field,
        journey,
        normalize_email,
        redirect,
        signed_in,
    )
    from journeys.kit.passkey_steps import (
        begin_passkey_sign_in,
        finish_passkey_sign_in,
        passkey_field,
        prove_passkey,
    )
    from journeys.oidc_acr import asks_aal2
    from journeys.outbox import emit
    from journeys.profiling_steps import PATCH as PROFILING_PATCH
    from journeys.profiling_steps import profile_interstitial

ANSWER_TIMEOUT = timedelta(minutes=30)
CODE_TIMEOUT = timedelta(minutes=10)
MAX_PASSWORD_TRIES = 10
MAX_CODE_TRIES = 5
MAX_EMAIL_SENDS = 3
RESEND_COOLDOWN = timedelta(seconds=30)

#: RFC 8176 method names where one exists; ``rc`` (recovery code) and ``email`` are ours.
AMR = {"totp": "otp", "recovery_code": "rc", "email": "email"}
#: Methods that, with the password, reach NIST AAL2 (an emailed code does not: 800-63B rev 4).
AAL2_METHODS = frozenset({"otp", "rc", "hwk", "swk"})
FACTOR_LABELS = {
    "totp": "Authenticator app",
    "passkey": "Passkey",
    "recovery_code": "Recovery code",
    "email": "A code sent to your email",
}
OTHER = "other"  # the action that goes back to the choice of factor
WITH_PASSKEY = "passkey"  # the action that signs in with the passkey field's answer
PASSKEY_HELP = "Or use a passkey: pick it from the email suggestions, or press the passkey button."
#: ``workflow.patched`` id of home-realm discovery (logins started before it replay without).
HOME_REALM_PATCH = "home-realm-discovery"
#: A login returning here is the local proof of control before linking an upstream identity.
LINKING_PREFIX = "/login/idp/"
ENTER_PASSWORD = "Enter your password."


class LoginStart(JourneyStart):
    """:class:`JourneyStart` plus the signed-in customer when this is a re-authentication, or the
    linked customer when an upstream provider already proved the sign-in (``/login/idp/NAME``).
    """

    reauth_customer_id: str = ""
    #: Set only by the web after verifying the provider's ID token for a linked identity.
    federated_customer_id: str = ""
    #: Set only by the web for the owner of an email an upstream identity waits to be linked to:
    #: a code emailed to that customer is the first factor (proof of control, docs/oidc.md).
    linking_customer_id: str = ""


class SignIn(Screen):
    """Email and password."""

    title = "Sign in"
    intro = (
        "Welcome back. Sign in with your email and password, or with a passkey. "
        "With a work account, enter your email alone and continue: we take you to your "
        "organization's sign-in."
    )
    actions = (
        Action(name="submit", label="Sign in"),
        Action(
            name=WITH_PASSKEY, label="Sign in with a passkey", validate_fields=False, primary=False
        ),
    )

    email: str = field(
        kind="email", label="Email", autocomplete="username webauthn", max_length=254
    )
    # Optional in the form: a work email alone goes to its organization's provider; the journey
    # asks for the password when the email is not a work account's.
    password: Sealed | None = field(
        kind="password",
        label="Password",
        autocomplete="current-password",
        max_length=256,
        required=False,
        help="Not needed for a work account.",
    )
    passkey: str | None = passkey_field("Passkey", required=False, help=PASSKEY_HELP)

    @field_validator("email")
    @classmethod
    def _normalize(cls, value: str) -> str:
        return normalize_email(value)


class ConfirmPassword(Screen):
    """Re-authentication: the signed-in customer types the password again."""

    title = "Confirm it's you"
    intro = "For your security, enter your password again to continue."
    actions = (
        Action(name="submit", label="Continue"),
        Action(name=WITH_PASSKEY, label="Use a passkey", validate_fields=False, primary=False),
    )

    password: Sealed = field(
        kind="password", label="Password", autocomplete="current-password", max_length=256
    )
    passkey: str | None = passkey_field(
        "Passkey", required=False, help="No password? Use one of your passkeys."
    )


class ChooseFactor(Screen):
    """Which second factor to use (the template lists only the customer's own)."""

    title = "Confirm it's you"
    intro = "This sign-in needs a second step. How do you want to confirm it's you?"
    actions = (Action(name="submit", label="Continue"),)

    factor: str = field(
        kind="choice",
        label="Confirm with",
        choices=[Choice(value=k, label=v) for k, v in FACTOR_LABELS.items()],
    )

    @field_validator("factor")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in FACTOR_LABELS:
            raise ValueError("Choose one of the listed ways.")
        return value


class EnterTotp(Screen):
    """A code from the customer's authenticator app."""

    title = "Enter the code from your authenticator app"
    intro = "Open your authenticator app and enter the 6-digit code shown for Threshold."
    actions = (
        Action(name="submit", label="Verify"),
        Action(name=OTHER, label="Use another way", validate_fields=False, primary=False),
    )

    code: Sealed = field(
        kind="otp",
        label="6-digit code",
        autocomplete="one-time-code",
        inputmode="numeric",
        min_length=6,
        max_length=6,
        policy="digits",
    )


class EnterRecoveryCode(Screen):
    """One of the ten recovery codes (each works once)."""

    title = "Enter a recovery code"
    intro = "Enter one of the recovery codes you saved when you set them up. Each works once."
    actions = (
        Action(name="submit", label="Verify"),
        Action(name=OTHER, label="Use another way", validate_fields=False, primary=False),
    )

    code: Sealed = field(
        kind="otp",
        label="Recovery code",
        autocomplete="off",
        min_length=10,
        max_length=32,
    )


class EnterEmailCode(Screen):
    """A 6-digit code we emailed."""

    title = "Check your email"
    intro = "We sent a 6-digit sign-in code to {email}. Enter it below."
    actions = (
        Action(name="submit", label="Verify"),
        Action(name="resend", label="Send a new code", validate_fields=False, primary=False),
        Action(name=OTHER, label="Use another way", validate_fields=False, primary=False),
    )

    code: Sealed = field(
        kind="otp",
        label="6-digit code",
        autocomplete="one-time-code",
        inputmode="numeric",
        min_length=6,
        max_length=6,
        policy="digits",
    )


class SignInBlocked(Screen):
    """The final screen of a denied sign-in: what happened and what to do."""

    title = "Sign-in blocked"
    intro = (
        "We blocked this sign-in because it does not look like you: it comes from a place or "
        "device we have not seen with your account. Nothing on your account was changed. If it "
        "was you, sign in again from a device you have used before, or reset your password via "
        "account recovery. If it was not you, reset your password now: someone may know it."
    )


class NoSecondFactor(Screen):
    """A step-up was required but the customer has no factor we may use."""

    title = "We could not confirm it's you"
    intro = (
        "This sign-in needs a second step, but your account has no second factor we can use. "
        "Sign in from a device you have used before, or reset your password via account recovery."
    )


FactorStep = Callable[[str, str, str], Awaitable[str | None]]


@dataclass(frozen=True)
class _EmailOnly:
    """The sign-in screen was posted without a password, and no organization owns the email."""

    email: str


@journey("login", public=True)
class Login(Journey):
    """The login journey (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._email = ""
        self._first = ["pwd"]  # how the first step proved the customer (RFC 8176 amr)

    @workflow.run
    async def run(self, start: LoginStart) -> Outcome:
        """Password, risk, a second factor when needed, then a session."""
        journey_id = workflow.info().workflow_id
        checked: PasswordChecked | Outcome | None
        try:
            if start.federated_customer_id:
                checked = await self._federated(journey_id, start.federated_customer_id)
            elif start.linking_customer_id:
                checked = await self._emailed(journey_id, start.linking_customer_id)
            else:
                checked = await self._password(journey_id, start)
        except StepTimedOut as timeout:
            return await self.finish(expired(journey_id, f"No answer at step {timeout}."))
        if checked is None:
            return await self.finish(failed(journey_id, "Too many attempts. Please start again."))
        if isinstance(checked, Outcome):
            return await self.finish(checked)
        customer_id = checked.customer_id
        self._email = checked.email
        self.identify(customer_id=customer_id, email_lookup=checked.email_lookup)
        kept = await deletion_gate(self, journey_id, customer_id)
        if kept is not None:
            return await self.finish(kept)
        enrolled = await self.step(
            FactorActivities.enrolled,
            FactorsOf(customer_id=customer_id),
            why="Listing the customer's second factors",
        )
        # An emailed code is a fallback, not a factor the risk policy may count on.
        factors = [kind for kind in enrolled.factors if kind != "email"]
        signals = self._signals(journey_id, start, customer_id, factors)
        risk = await self.step(RiskActivities.assess, signals, why="Scoring the sign-in risk")
        why = _risk_summary(risk)
        amr = list(self._first)
        if risk.decision == "deny":
            await self._record(signals, success=False, why=why)
            return await self.finish(
                failed(journey_id, f"Sign-in blocked. {why}"), screen=SignInBlocked
            )
        if (risk.decision == "step_up" or asks_aal2(start)) and "mfa" not in amr:
            # A user-verifying passkey is already two factors (the device and its PIN/biometric).
            await emit(self, "login.challenged", customer_id)
            # The factor that was the first one (an emailed code) does not count twice.
            others = [kind for kind in enrolled.factors if AMR.get(kind) not in self._first]
            try:
                method = await self._second_factor(journey_id, customer_id, others, why)
            except StepTimedOut as timeout:
                await self._record(signals, success=False, why=why)
                return await self.finish(expired(journey_id, f"No answer at step {timeout}."))
            if method is None:
                await self._record(signals, success=False, why=why)
                if not self._usable(others):
                    return await self.finish(
                        failed(journey_id, f"No usable second factor. {why}"),
                        screen=NoSecondFactor,
                    )
                return await self.finish(
                    failed(journey_id, "Too many wrong codes. Please start again.")
                )
            amr.append(method)
        await self._record(signals, success=True, why=why)
        await emit(self, "login.succeeded", customer_id, {"amr": amr})
        if not start.reauth_customer_id and workflow.patched(CONSENT_PATCH):
            interrupted = await reconsent(self, journey_id=journey_id, customer_id=customer_id)
            if interrupted is not None:
                return await self.finish(interrupted)
        if not start.reauth_customer_id and workflow.patched(PROFILING_PATCH):
            interrupted = await profile_interstitial(
                self, journey_id=journey_id, customer_id=customer_id
            )
            if interrupted is not None:
                return await self.finish(interrupted)
        # The reason stays in the finished journey's details: support sees why it was allowed.
        outcome = signed_in(
            journey_id,
            customer_id,
            amr=amr,
            acr="aal2" if "mfa" in amr or AAL2_METHODS & set(amr[len(self._first) :]) else "aal1",
            device={
                "country": risk.country,
                "browser": risk.browser,
                "os": risk.os,
                "device_type": risk.device_type,
            },
            to=start.return_to,
        )
        return await self.finish(outcome.model_copy(update={"reason": f"Signed in. {why}"}))

    # ----- the first factor ------------------------------------------------------------------

    async def _federated(self, journey_id: str, customer_id: str) -> PasswordChecked | Outcome:
        """The provider is the first factor (``amr`` ``fed``); the rest of the login follows.

        Decided by the start input alone, so logins recorded before this path replay unchanged.
        """
        checked = await self._known(journey_id, customer_id, "Signed in by an upstream provider")
        if isinstance(checked, PasswordChecked):
            self._first = ["fed"]
        return checked

    async def _emailed(self, journey_id: str, customer_id: str) -> PasswordChecked | Outcome:
        """A code emailed to the customer is the first factor (``amr`` ``email``): how a customer
        without a password or passkey proves control before an upstream identity is linked."""
        why = "Proving control of the account before linking an upstream sign-in"
        checked = await self._known(journey_id, customer_id, why)
        if not isinstance(checked, PasswordChecked):
            return checked
        self._email = checked.email
        if await self._email_code(journey_id, customer_id, why) != AMR["email"]:
            return failed(journey_id, "The emailed code was not confirmed. Please start again.")
        self._first = [AMR["email"]]
        return checked

    async def _known(
        self, journey_id: str, customer_id: str, why: str
    ) -> PasswordChecked | Outcome:
        checked = await self.step(
            LoginActivities.known_customer, KnownCustomer(customer_id=customer_id), why=why
        )
        return checked if checked.ok else failed(journey_id, checked.message)

    async def _password(
        self, journey_id: str, start: LoginStart
    ) -> PasswordChecked | Outcome | None:
        """Ask until the password checks out; ``None`` after too many tries in this journey, an
        :class:`Outcome` when home-realm discovery sends the browser to an upstream provider."""
        values: dict[str, str] = {}
        errors: dict[str, str] = {}
        form_errors: list[str] = []
        for _ in range(MAX_PASSWORD_TRIES):
            request = await self._ask_password(journey_id, start, values, errors, form_errors)
            errors, form_errors = {}, []
            if isinstance(request, Outcome):
                return request
            if isinstance(request, _EmailOnly):
                # Not a wrong password: nothing was checked, so neither throttle nor risk counts it.
                values, errors = {"email": request.email}, {"password": ENTER_PASSWORD}
                continue
            if isinstance(request, tuple):
                proved = await finish_passkey_sign_in(
                    self, journey_id=journey_id, ceremony_id=request[0], answer=request[1]
                )
                if isinstance(proved, str):
                    form_errors = [proved]
                    continue
                self._first = proved.amr
                return PasswordChecked(
                    ok=True,
                    customer_id=proved.customer_id,
                    email=proved.email,
                    email_lookup=proved.email_lookup,
                )
            checked = await self.step(
                LoginActivities.check_password, request, why="Checking the password"
            )
            if checked.email_lookup:
                self.identify(email_lookup=checked.email_lookup)
            if checked.ok:
                return checked
            if not checked.retry_after_seconds:
                signals = self._signals(journey_id, start, checked.customer_id or None, [])
                await self._record(signals, success=False, why="Wrong password")
            values = {"email": request.email}
            form_errors = [checked.message]
        return None

    async def _ask_password(
        self,
        journey_id: str,
        start: LoginStart,
        values: dict[str, str],
        errors: dict[str, str],
        form_errors: list[str],
    ) -> CheckPassword | tuple[str, str] | Outcome | _EmailOnly:
        """The password to check, ``(ceremony_id, answer)`` when a passkey was used, the redirect
        to an organization's provider, or :class:`_EmailOnly` when the password is missing."""
        attempt_id = str(workflow.uuid4())
        ceremony_id, options = await begin_passkey_sign_in(
            self, journey_id=journey_id, customer_id=start.reauth_customer_id or None
        )
        if start.reauth_customer_id:
            confirm = await self.ask(
                ConfirmPassword,
                values={"passkey": options},
                form_errors=form_errors,
                timeout=ANSWER_TIMEOUT,
            )
            if confirm.action == WITH_PASSKEY:
                return ceremony_id, getattr(confirm, "passkey", None) or ""
            return CheckPassword(
                attempt_id=attempt_id,
                journey_id=journey_id,
                password=confirm.password,
                client_ip=start.client_ip,
                customer_id=start.reauth_customer_id,
                device=start.device,
            )
        answer = await self.ask(
            SignIn,
            values={**values, "passkey": options},
            errors=errors,
            form_errors=form_errors,
            timeout=ANSWER_TIMEOUT,
        )
        if answer.action == WITH_PASSKEY:
            return ceremony_id, getattr(answer, "passkey", None) or ""
        linking = start.return_to.startswith(LINKING_PREFIX)
        if not linking and workflow.patched(HOME_REALM_PATCH):
            routed = await self._home_realm(journey_id, start, answer.email)
            if routed is not None:
                return routed
        if answer.password is None:
            return _EmailOnly(answer.email)
        return CheckPassword(
            attempt_id=attempt_id,
            journey_id=journey_id,
            password=answer.password,
            client_ip=start.client_ip,
            email=answer.email,
            device=start.device,
        )

    async def _home_realm(self, journey_id: str, start: LoginStart, email: str) -> Outcome | None:
        """The redirect to the provider of the organization owning ``email``'s domain, if any.

        Decided by the domain alone (never by whether an account exists); a password typed with
        the email stays sealed and unused.
        """
        realm = await self.step(
            LoginActivities.home_realm,
            HomeRealmOf(email=email),
            why="Looking for an organization that owns the email's domain",
        )
        self.identify(email_lookup=realm.email_lookup)
        if not realm.idp_name:
            return None
        query = urlencode({"login_hint": email, "return_to": start.return_to})
        outcome = redirect(journey_id, to=f"/login/idp/{realm.idp_name}?{query}")
        reason = f"Sent to the organization's provider {realm.idp_name} (home-realm discovery)."
        return outcome.model_copy(update={"reason": reason})

    # ----- the second factor -----------------------------------------------------------------

    def _usable(self, enrolled: list[str]) -> list[str]:
        steps = self._factor_steps()
        return [kind for kind in enrolled if kind in steps]

    def _factor_steps(self) -> dict[str, FactorStep]:
        """One method per factor kind; a new kind (e.g. passkey) adds one entry here."""
        return {
            "totp": self._totp,
            "passkey": self._passkey,
            "recovery_code": self._recovery_code,
            "email": self._email_code,
        }

    async def _second_factor(
        self, journey_id: str, customer_id: str, enrolled: list[str], why: str
    ) -> str | None:
        """The AMR of the factor that succeeded, or ``None`` (no usable factor, or gave up)."""
        usable = self._usable(enrolled)
        if not usable:
            return None
        steps = self._factor_steps()
        chosen = usable[0] if len(usable) == 1 else ""
        errors: dict[str, str] = {}
        while True:
            if not chosen:
                answer = await self.ask(
                    ChooseFactor,
                    values={"factor": usable[0]},
                    errors=errors,
                    context={"factors": " ".join(usable)},
                    timeout=ANSWER_TIMEOUT,
                    why=why,
                )
                if answer.factor not in usable:
                    errors = {"factor": "Choose one of the listed ways."}
                    continue
                chosen, errors = answer.factor, {}
            method = await steps[chosen](journey_id, customer_id, why)
            if method != OTHER:
                return method
            chosen = "" if len(usable) > 1 else chosen

    async def _code_loop(
        self,
        journey_id: str,
        customer_id: str,
        why: str,
        screen: type[EnterTotp] | type[EnterRecoveryCode],
        check: ActivityRef[CheckFactor, FactorChecked],
        amr: str,
    ) -> str | None:
        errors: dict[str, str] = {}
        for _ in range(MAX_CODE_TRIES):
            answer = await self.ask(screen, errors=errors, timeout=CODE_TIMEOUT, why=why)
            if answer.action == OTHER:
                return OTHER
            result = await self.step(
                check,
                CheckFactor(
                    attempt_id=str(workflow.uuid4()),
                    journey_id=journey_id,
                    customer_id=customer_id,
                    code=answer.code,
                ),
                why=f"Checking the {screen.screen_name()} code. {why}",
            )
            if result.ok:
                return amr
            errors = {"code": result.message}
        return None

    async def _totp(self, journey_id: str, customer_id: str, why: str) -> str | None:
        return await self._code_loop(
            journey_id, customer_id, why, EnterTotp, FactorActivities.check_totp, AMR["totp"]
        )

    async def _passkey(self, journey_id: str, customer_id: str, why: str) -> str | None:
        proved = await prove_passkey(self, journey_id=journey_id, customer_id=customer_id, why=why)
        return proved if proved is None or isinstance(proved, str) else "swk"

    async def _recovery_code(self, journey_id: str, customer_id: str, why: str) -> str | None:
        return await self._code_loop(
            journey_id,
            customer_id,
            why,
            EnterRecoveryCode,
            FactorActivities.check_recovery_code,
            AMR["recovery_code"],
        )

    async def _email_code(self, journey_id: str, customer_id: str, why: str) -> str | None:
        await self._send_code(journey_id, customer_id)
        sends, sent_at = 1, workflow.now()
        errors: dict[str, str] = {}
        notice = ""
        context = {"email": _mask(self._email)}
        for _ in range(MAX_CODE_TRIES + MAX_EMAIL_SENDS):
            answer = await self.ask(
                EnterEmailCode,
                errors=errors,
                notice=notice,
                context=context,
                timeout=CODE_TIMEOUT,
                why=why,
            )
            errors, notice = {}, ""
            if answer.action == OTHER:
                return OTHER
            if answer.action == "resend":
                wait = sent_at + RESEND_COOLDOWN - workflow.now()
                if sends >= MAX_EMAIL_SENDS:
                    notice = "You asked for several codes already; use the newest one."
                elif wait > timedelta(0):
                    notice = f"Please wait {int(wait.total_seconds()) + 1} s before asking again."
                else:
                    await self._send_code(journey_id, customer_id)
                    sends, sent_at = sends + 1, workflow.now()
                    notice = "We sent you a new code."
                continue
            result = await self.step(
                FactorActivities.check_email_code,
                CheckFactor(
                    attempt_id=str(workflow.uuid4()),
                    journey_id=journey_id,
                    customer_id=customer_id,
                    code=answer.code,
                ),
                why=f"Checking the emailed code. {why}",
            )
            if result.ok:
                return AMR["email"]
            errors = {"code": result.message}
        return None

    async def _send_code(self, journey_id: str, customer_id: str) -> None:
        await self.step(
            FactorActivities.send_login_code,
            SendLoginCode(
                verification_id=str(workflow.uuid4()),
                journey_id=journey_id,
                customer_id=customer_id,
            ),
            why="Emailing a sign-in code",
        )

    # ----- risk ------------------------------------------------------------------------------

    @staticmethod
    def _signals(
        journey_id: str, start: LoginStart, customer_id: str | None, factors: list[str]
    ) -> LoginSignals:
        return LoginSignals(
            journey_id=journey_id,
            customer_id=customer_id,
            client_ip=start.client_ip,
            user_agent=start.user_agent,
            device=start.device,
            at=workflow.now(),
            enrolled_factors=factors,
        )

    async def _record(self, signals: LoginSignals, *, success: bool, why: str) -> None:
        await self.step(
            RiskActivities.record,
            LoginRecord(signals=signals, success=success),
            why=f"Recording the sign-in {'success' if success else 'failure'}. {why}",
        )


def _risk_summary(risk: RiskAssessment) -> str:
    """One line for support: the decision, its score and the reasons behind it."""
    reasons = "; ".join(risk.reasons) or "nothing unusual"
    return f"Risk decision: {risk.decision} (score {risk.score:.1f}) — {reasons}."


def _mask(email: str) -> str:
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}{'•' * min(max(len(local) - 1, 1), 6)}@{domain}"
