"""Secrets kept encrypted at rest in one column: AES-GCM under a deployment key, bound to their row.

A box is the URL-safe base64 of a fresh 12-byte nonce followed by the AES-GCM ciphertext; the
associated data names the row it belongs to (a customer, a staff member, a subscription, an
export), so a box copied onto another row does not open. TOTP seeds, staff TOTP secrets, webhook
signing secrets and export files are stored in this form: never change it, or rows already
written stop opening.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


def seal_box(key: bytes, plaintext: str, *, aad: bytes) -> str:
    """``plaintext`` encrypted under ``key`` for the row ``aad`` names."""
    nonce = os.urandom(NONCE_BYTES)
    box = AESGCM(key).encrypt(nonce, plaintext.encode(), aad)
    return base64.urlsafe_b64encode(nonce + box).decode()


def open_box(key: bytes, box: str, *, aad: bytes) -> str:
    """The plaintext of ``box``; ``InvalidTag`` (wrong key, row or tampering) or ``ValueError``."""
    raw = base64.urlsafe_b64decode(box.encode())
    return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad).decode()
