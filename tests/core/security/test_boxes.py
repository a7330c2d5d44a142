"""Secrets encrypted at rest: rows written before core.security.boxes open, only for their row."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.security.boxes import open_box, seal_box
from core.security.staff_totp import StaffTotp, TotpBoxError
from core.security.totp import TotpError, TotpKeys
from store.webhook_secrets import SecretBoxError, WebhookSecrets

KEY = os.urandom(32)


def stored_before(plaintext: str, aad: bytes) -> str:
    """A box as the TOTP, staff TOTP and webhook secret classes each wrote it in their own copy."""
    nonce = os.urandom(12)
    box = AESGCM(KEY).encrypt(nonce, plaintext.encode(), aad)
    return base64.urlsafe_b64encode(nonce + box).decode()


def test_rows_written_before_open_unchanged() -> None:
    seed = TotpKeys.new_seed()
    assert TotpKeys(KEY).open(stored_before(seed, b"totp\x00c-1"), customer_id="c-1") == seed
    secret = StaffTotp.new_secret()
    assert StaffTotp(KEY).open(stored_before(secret, b"s-1"), staff_id="s-1") == secret
    hook = "whsec_abc"
    assert WebhookSecrets(KEY).open(stored_before(hook, b"sub-1"), subscription_id="sub-1") == hook


def test_a_box_opens_only_for_its_row_and_key() -> None:
    box = seal_box(KEY, "secret", aad=b"row-1")
    assert open_box(KEY, box, aad=b"row-1") == "secret"
    with pytest.raises(TotpError):
        TotpKeys(KEY).open(box, customer_id="row-2")
    with pytest.raises(TotpBoxError):
        StaffTotp(os.urandom(32)).open(box, staff_id="row-1")
    with pytest.raises(SecretBoxError):
        WebhookSecrets(KEY).open(box[:-4], subscription_id="row-1")


def test_each_seal_draws_a_fresh_nonce() -> None:
    assert seal_box(KEY, "same", aad=b"r") != seal_box(KEY, "same", aad=b"r")
