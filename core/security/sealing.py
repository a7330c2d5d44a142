"""Sealing secrets for the workers, so a journey's history never holds them in the clear.

The web layer seals each secret form field (password, one-time code) before it sends the submit
update; only the activity that needs the secret opens it. A sealed value is bound to its journey and
field (AES-GCM associated data), so it cannot be replayed into another journey or another field, and
its key belongs to one time window: once the window is older than :attr:`Sealer.LIFETIME` the value
can no longer be opened, and a history exported later holds nothing usable.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contracts.sealed import Sealed


class SealError(ValueError):
    """A sealed value that cannot be opened: expired, tampered with or addressed elsewhere."""


@dataclass(frozen=True)
class Sealer:
    """Seals and opens secrets with hourly keys derived from the deployment's master secret."""

    master: bytes
    WINDOW_SECONDS = 3600
    LIFETIME_WINDOWS = 2

    def seal(self, plaintext: str, *, journey_id: str, field: str) -> Sealed:
        """Encrypt ``plaintext`` for the workers of this deployment."""
        window = int(time.time()) // self.WINDOW_SECONDS
        kid = f"w{window}"
        nonce = os.urandom(12)
        box = AESGCM(self._key(kid)).encrypt(nonce, plaintext.encode(), _aad(journey_id, field))
        return Sealed(kid=kid, box=base64.urlsafe_b64encode(nonce + box).decode())

    def open(self, sealed: Sealed, *, journey_id: str, field: str) -> str:
        """Decrypt a value sealed for ``journey_id``/``field``, or raise :class:`SealError`."""
        if not sealed.kid.startswith("w") or not sealed.kid[1:].isdigit():
            raise SealError("unknown sealing key")
        window = int(sealed.kid[1:])
        now = int(time.time()) // self.WINDOW_SECONDS
        if window > now or now - window >= self.LIFETIME_WINDOWS:
            raise SealError("sealing key expired")
        try:
            raw = base64.urlsafe_b64decode(sealed.box.encode())
            plain = AESGCM(self._key(sealed.kid)).decrypt(
                raw[:12], raw[12:], _aad(journey_id, field)
            )
        except (InvalidTag, ValueError) as exc:
            raise SealError("sealed value does not open for this journey and field") from exc
        return plain.decode()

    def _key(self, kid: str) -> bytes:
        return hashlib.blake2b(
            kid.encode(), key=self.master, person=b"thr-seal", digest_size=32
        ).digest()


def _aad(journey_id: str, field: str) -> bytes:
    return f"{journey_id}\x00{field}".encode()
