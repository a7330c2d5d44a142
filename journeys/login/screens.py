"""The screens of the login journey itself (the second-factor ones come from the kit)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journeys.kit import Action, Screen, Sealed, field
    from journeys.kit.fields import email_field
    from journeys.kit.passkey_steps import passkey_field
    from journeys.kit.reauthenticate import WITH_PASSKEY, ConfirmItsYou

PASSKEY_HELP = "Or use a passkey: pick it from the email suggestions, or press the passkey button."


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

    email: str = email_field(autocomplete="username webauthn")
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


class ConfirmPassword(ConfirmItsYou):
    """Re-authentication: the signed-in customer types the password again (or uses a passkey);
    the kit's screen under login's own name (recorded histories carry it)."""


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
