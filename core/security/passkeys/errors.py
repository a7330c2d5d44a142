"""Why a passkey ceremony failed: a short machine code and a sentence a customer can act on.

Subclasses only set ``code`` and ``default`` (authlib's pattern); the activities turn any of them
into one ``ApplicationError`` type, ``PASSKEY_REJECTED``, carrying the code in its details.
"""

from __future__ import annotations


class PasskeyError(Exception):
    """Base of every ceremony failure."""

    code = "passkey_rejected"
    default = "That passkey could not be used. Please try again."

    def __init__(self, description: str | None = None) -> None:
        self.description = description or self.default
        super().__init__(self.description)


class ChallengeUnknown(PasskeyError):
    code = "challenge_unknown"
    default = "This passkey request is unknown. Please start again."


class ChallengeForeign(PasskeyError):
    code = "challenge_foreign"
    default = "This passkey request belongs to another sign-in. Please start again."


class ChallengeExpired(PasskeyError):
    code = "challenge_expired"
    default = "This passkey request expired. Please try again."


class ChallengeUsed(PasskeyError):
    code = "challenge_used"
    default = "This passkey request was already used. Please try again."


class MalformedResponse(PasskeyError):
    code = "malformed_response"
    default = "Your browser's passkey answer was incomplete or damaged. Please try again."


class CeremonyFailed(PasskeyError):
    """The signature, origin, RP id or challenge inside the answer did not check out."""

    code = "ceremony_failed"
    default = "That passkey answer did not check out. Please try again."


class UnknownCredential(PasskeyError):
    code = "unknown_credential"
    default = "This passkey is not registered with us. Try another one, or sign in another way."


class CredentialExists(PasskeyError):
    code = "credential_exists"
    default = "This passkey is already registered."


class SignCountRegressed(PasskeyError):
    code = "sign_count_regressed"
    default = (
        "This passkey reported an older use count than we saw before, so it may have been "
        "copied. Sign in another way; we flagged the passkey on your account."
    )
