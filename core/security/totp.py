"""TOTP (RFC 6238) with ``pyotp``: seeds encrypted at rest, ±1 step, each step accepted once.

The seed must be recoverable to check a code, so it cannot be hashed: it is encrypted with AES-GCM
under a key derived from ``THRESHOLD_SECRET_KEY`` and bound to the customer id (associated data),
so a seed copied to another customer's row does not open. Single use is the caller's job: accept a
code only for a time step later than the last accepted one (Keycloak CVE-2024-7318).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from cryptography.exceptions import InvalidTag

from core.security.boxes import open_box, seal_box


class TotpError(ValueError):
    """A stored seed that does not open (wrong key or tampered row)."""


@dataclass(frozen=True)
class TotpKeys:
    """Encrypts and opens TOTP seeds with one deployment key."""

    key: bytes
    ISSUER = "Threshold"
    WINDOW = 1
    DIGITS = 6

    @staticmethod
    def new_seed() -> str:
        """A 160-bit base32 seed (RFC 4226's recommended length)."""
        return pyotp.random_base32(32)

    def seal(self, seed: str, *, customer_id: str) -> str:
        """The seed encrypted for storage."""
        return seal_box(self.key, seed, aad=_aad(customer_id))

    def open(self, stored: str, *, customer_id: str) -> str:
        """The seed of a stored row, or :class:`TotpError`."""
        try:
            return open_box(self.key, stored, aad=_aad(customer_id))
        except (InvalidTag, ValueError) as exc:
            raise TotpError("the stored TOTP seed does not open") from exc

    @classmethod
    def matching_step(cls, seed: str, code: str, *, at: datetime) -> int | None:
        """The time step (within ±:attr:`WINDOW`) whose code equals ``code``, else ``None``."""
        if len(code) != cls.DIGITS or not (code.isascii() and code.isdigit()):
            return None
        totp = pyotp.TOTP(seed, digits=cls.DIGITS)
        now = totp.timecode(at)
        found = None
        for step in range(now - cls.WINDOW, now + cls.WINDOW + 1):
            # Compare every candidate (constant work whichever matches).
            if pyotp.utils.strings_equal(code, totp.generate_otp(step)) and found is None:
                found = step
        return found

    @classmethod
    def provisioning_uri(cls, seed: str, *, account: str) -> str:
        """The ``otpauth://`` URI an authenticator app scans."""
        return pyotp.TOTP(seed, digits=cls.DIGITS).provisioning_uri(
            name=account, issuer_name=cls.ISSUER
        )

    @staticmethod
    def qr_data_uri(uri: str) -> str:
        """The URI as a QR code in an SVG ``data:`` URI (the CSP allows ``img-src data:``)."""
        return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def _aad(customer_id: str) -> bytes:
    return f"totp\x00{customer_id}".encode()
