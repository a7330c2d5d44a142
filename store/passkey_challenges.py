"""The checks on a ceremony's stored challenge, before the browser's answer is even parsed.

A challenge is bound to the journey that asked for it, to one purpose, expires, and is spent by the
first answer that uses it; each check raises its own precise error.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from webauthn.helpers import bytes_to_base64url

from core.security.passkeys.errors import (
    ChallengeExpired,
    ChallengeForeign,
    ChallengeUnknown,
    ChallengeUsed,
)
from core.security.passkeys.relying_party import CHALLENGE_LIFETIME
from store.passkey_models import PasskeyChallenge

__all__ = ["CHALLENGE_LIFETIME", "check_challenge", "new_challenge"]

CHALLENGE_BYTES = 32


def new_challenge() -> str:
    """A fresh 256-bit challenge, base64url."""
    return bytes_to_base64url(secrets.token_bytes(CHALLENGE_BYTES))


def check_challenge(
    row: PasskeyChallenge | None,
    *,
    expected_journey_id: str,
    expected_purpose: str,
    now: datetime,
) -> PasskeyChallenge:
    """Return ``row`` if an answer may still spend it, else raise why not."""
    if row is None or row.purpose != expected_purpose:
        raise ChallengeUnknown()
    if row.journey_id != expected_journey_id:
        raise ChallengeForeign()
    if row.consumed_at is not None:
        raise ChallengeUsed()
    if now >= row.expires_at:
        raise ChallengeExpired()
    return row
