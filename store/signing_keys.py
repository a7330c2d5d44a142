"""ID-token signing keys: made with joserfc, private halves sealed at rest, rotated with overlap.

The private JWK is AES-GCM-encrypted under a key derived from ``THRESHOLD_SECRET_KEY`` (the key id
is the associated data, so a box cannot be swapped between rows). The newest key signs; a rotation
keeps the previous keys published in the JWKS for ``overlap`` so ID tokens signed just before the
rotation still verify at relying parties that cached the old set.
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc.jwk import KeySet, RSAKey
from sqlmodel import col, select

from core.settings import Settings
from store.db import session_for
from store.models import utcnow
from store.oidc_models import SigningKey

ALG = "RS256"
DEFAULT_OVERLAP = timedelta(days=2)


class KeyRing:
    """Reads, creates and rotates the provider's signing keys."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.box_key = settings.derive_key("oidc-signing-keys")

    def rotate(self, overlap: timedelta = DEFAULT_OVERLAP) -> str:
        """Make a new signing key current; older keys stay published for ``overlap``."""
        kid = secrets.token_urlsafe(12)
        key = RSAKey.generate_key(2048, parameters={"kid": kid, "alg": ALG, "use": "sig"})
        nonce = secrets.token_bytes(12)
        private = json.dumps(key.as_dict(private=True)).encode()
        box = nonce + AESGCM(self.box_key).encrypt(nonce, private, kid.encode())
        now = utcnow()
        with session_for(self.settings.database_url) as db:
            for older in db.exec(
                select(SigningKey).where(col(SigningKey.retire_after).is_(None))
            ).all():
                older.retire_after = now + overlap
                db.add(older)
            db.add(
                SigningKey(
                    kid=kid,
                    alg=ALG,
                    public_jwk=json.dumps(key.as_dict(private=False)),
                    private_box=base64.b64encode(box).decode(),
                    created_at=now,
                )
            )
        return kid

    def _current(self) -> SigningKey | None:
        with session_for(self.settings.database_url) as db:
            return db.exec(
                select(SigningKey)
                .where(col(SigningKey.retire_after).is_(None))
                .order_by(col(SigningKey.created_at).desc())
            ).first()

    def ensure_current(self) -> str:
        """The current key's id, making the first key when there is none.

        ``threshold migrate`` (and the dev runner) call this, so a relying party that fetches
        the JWKS before any token was issued finds a key; safe to run on every start.
        """
        row = self._current()
        return row.kid if row is not None else self.rotate()

    def opens_with_this_key(self) -> bool | None:
        """Whether the current signing key's private half opens under this ``THRESHOLD_SECRET_KEY``.

        None when there is no key yet. ``threshold migrate`` makes the first key with the stack's
        secret, so False means these settings derive other keys than the running stack: anything
        sealed or keyed with them (webhook secrets, staff TOTP, token hashes) would be unusable.
        """
        row = self._current()
        if row is None:
            return None
        raw = base64.b64decode(row.private_box)
        try:
            AESGCM(self.box_key).decrypt(raw[:12], raw[12:], row.kid.encode())
        except InvalidTag:
            return False
        return True

    def signing_key(self) -> dict[str, Any]:
        """The current private JWK (the first key is made if migrate did not make it)."""
        row = self._current()
        if row is None:
            self.ensure_current()
            return self.signing_key()
        raw = base64.b64decode(row.private_box)
        plain = AESGCM(self.box_key).decrypt(raw[:12], raw[12:], row.kid.encode())
        jwk: dict[str, Any] = json.loads(plain)
        return jwk

    def public_set(self) -> KeySet:
        """Every key still published: the current one and those within their overlap; never
        empty (a key is made when none is live, e.g. on a database migrated by an older
        version)."""
        now = utcnow()
        with session_for(self.settings.database_url) as db:
            rows = db.exec(select(SigningKey).order_by(col(SigningKey.created_at).desc())).all()
        live = [r for r in rows if r.retire_after is None or r.retire_after > now]
        if not any(r.retire_after is None for r in live):
            self.ensure_current()
            return self.public_set()
        return KeySet.import_key_set({"keys": [json.loads(r.public_jwk) for r in live]})
