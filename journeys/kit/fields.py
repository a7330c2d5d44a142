"""Field helpers: the fields several journeys ask for, declared once with their rules.

A screen declares ``code: Sealed = code_field()`` instead of copying six lines of UI metadata, so
every emailed or app code, email address and new password looks and validates the same wherever
it is asked. Secrets (codes, passwords) stay sealed: their rules run in the web layer before
sealing (``policy``) and in the activity that opens them (the NIST checks of
``core.security.passwords.PasswordPolicy``).
"""

from __future__ import annotations

from typing import Any

from pydantic import AfterValidator

from contracts.emails import MAX_EMAIL_LENGTH, normalize_email
from journeys.kit.screens import field

#: The length of every one-time code we email or an authenticator app shows.
CODE_DIGITS = 6
#: NIST 800-63B: at least 8 characters, and room for long passphrases.
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
NEW_PASSWORD_HELP = "At least 8 characters; long passphrases are welcome."


def code_field(label: str = "6-digit code") -> Any:
    """A 6-digit one-time code (sealed by the web layer; the field's type is ``Sealed``)."""
    return field(
        kind="otp",
        label=label,
        autocomplete="one-time-code",
        inputmode="numeric",
        min_length=CODE_DIGITS,
        max_length=CODE_DIGITS,
        policy="digits",
    )


def email_field(label: str = "Email", *, autocomplete: str = "email") -> Any:
    """An email address, normalised (NFKC, syntax checked, lower-cased) when the form is parsed."""
    declared = field(
        kind="email", label=label, autocomplete=autocomplete, max_length=MAX_EMAIL_LENGTH
    )
    declared.metadata.append(AfterValidator(normalize_email))
    return declared


def new_password_field(label: str = "Password") -> Any:
    """A password being chosen: the web checks its length, the activity the NIST rules."""
    return field(
        kind="password",
        label=label,
        autocomplete="new-password",
        min_length=MIN_PASSWORD_LENGTH,
        max_length=MAX_PASSWORD_LENGTH,
        policy="new-password",
        help=NEW_PASSWORD_HELP,
    )
