"""Staff TOTP (RFC 6238 via pyotp): secrets encrypted at rest, every code accepted at most once.

The secret is AES-GCM encrypted under a key derived from ``THRESHOLD_SECRET_KEY`` and bound to the
staff id (associated data), so a row copied onto another account does not open. A code is checked
against the previous, current and next 30-second step (clock drift); the step that matched must be
newer than the last one accepted, which makes each code single use.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass

import pyotp
from cryptography.exceptions import InvalidTag

from core.security.boxes import open_box, seal_box

ISSUER = "Threshold support"


class TotpBoxError(ValueError):
    """The stored secret does not open (wrong deployment key or tampered row)."""


@dataclass(frozen=True)
class StaffTotp:
    """Encrypts TOTP secrets and verifies codes."""

    key: bytes
    DRIFT_STEPS = 1
    DIGITS = 6

    @staticmethod
    def new_secret() -> str:
        """A fresh 160-bit base32 secret."""
        return pyotp.random_base32(32)

    def seal(self, secret: str, *, staff_id: str) -> str:
        """The secret encrypted for ``staff_id``'s row."""
        return seal_box(self.key, secret, aad=staff_id.encode())

    def open(self, box: str, *, staff_id: str) -> str:
        """The secret from a row, or :class:`TotpBoxError`."""
        try:
            return open_box(self.key, box, aad=staff_id.encode())
        except (InvalidTag, ValueError) as exc:
            raise TotpBoxError("the TOTP secret does not open with this deployment's key") from exc

    @staticmethod
    def provisioning_uri(secret: str, email: str) -> str:
        """The ``otpauth://`` URI an authenticator app scans."""
        return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)

    def matching_step(
        self, secret: str, code: str, *, after_step: int, now: float | None = None
    ) -> int | None:
        """The time step ``code`` belongs to if valid and newer than ``after_step``, else None."""
        if len(code) != self.DIGITS or not code.isdigit():
            return None
        totp = pyotp.TOTP(secret)
        current = totp.timecode(time.time() if now is None else now)
        found: int | None = None
        for step in range(current - self.DRIFT_STEPS, current + self.DRIFT_STEPS + 1):
            # Check every candidate (no early exit) so timing does not reveal which step matched.
            if hmac.compare_digest(totp.generate_otp(step), code) and step > after_step:
                found = step
        return found
