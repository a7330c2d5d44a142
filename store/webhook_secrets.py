"""Webhook signing secrets: generated in Standard Webhooks form, stored AES-GCM encrypted.

The workers must sign with the secret and the web must verify acknowledgements with it, so it is
encrypted (not hashed) under a key derived from ``THRESHOLD_SECRET_KEY`` and bound to the
subscription id (associated data): a box copied to another subscription's row does not open.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag

from core.security.boxes import open_box, seal_box
from core.settings import Settings

PREFIX = "whsec_"


class SecretBoxError(ValueError):
    """A stored secret that does not open (wrong key or tampered row)."""


def new_secret() -> str:
    """A fresh 256-bit secret in the ``whsec_<base64>`` form receivers paste into their library."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class WebhookSecrets:
    """Encrypts and opens subscription secrets with one deployment key."""

    key: bytes

    @classmethod
    def for_settings(cls, settings: Settings) -> WebhookSecrets:
        """The box of this deployment."""
        return cls(settings.derive_key("webhook-secrets"))

    def seal(self, secret: str, *, subscription_id: str) -> str:
        """``secret`` encrypted for storage."""
        return seal_box(self.key, secret, aad=subscription_id.encode())

    def open(self, stored: str, *, subscription_id: str) -> str:
        """The secret of a stored row, or :class:`SecretBoxError`."""
        try:
            return open_box(self.key, stored, aad=subscription_id.encode())
        except (InvalidTag, ValueError) as exc:
            raise SecretBoxError("the stored webhook secret does not open") from exc
