"""A software authenticator (``soft-webauthn``) speaking the JSON our pages exchange.

``SoftPasskey`` takes the ``publicKey`` options JSON a passkey field carries and answers like
``navigator.credentials.create``/``get`` would, serialised the way ``web/static/passkeys.js``
posts it (base64url binary fields). It holds one credential; ``clone()`` copies it, key and
counter included, to play a cloned authenticator.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from soft_webauthn import SoftWebauthnDevice
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url


class SoftPasskey:
    """One software authenticator for ``origin`` (e.g. ``http://threshold.test``)."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.device = SoftWebauthnDevice()

    def create(self, options: str, *, origin: str | None = None, rp_id: str | None = None) -> str:
        """Answer registration ``options``; ``origin``/``rp_id`` override what a phish would."""
        public_key: dict[str, Any] = json.loads(options)
        public_key["challenge"] = base64url_to_bytes(public_key["challenge"])
        public_key["user"]["id"] = base64url_to_bytes(public_key["user"]["id"])
        if rp_id is not None:
            public_key["rp"]["id"] = rp_id
        made = self.device.create({"publicKey": public_key}, origin or self.origin)
        return json.dumps(
            {
                "id": bytes_to_base64url(made["rawId"]),
                "rawId": bytes_to_base64url(made["rawId"]),
                "type": "public-key",
                "response": {
                    "clientDataJSON": bytes_to_base64url(made["response"]["clientDataJSON"]),
                    "attestationObject": bytes_to_base64url(made["response"]["attestationObject"]),
                    "transports": ["internal"],
                },
                "clientExtensionResults": {},
            }
        )

    def get(self, options: str, *, origin: str | None = None) -> str:
        """Answer authentication ``options`` with an assertion (the counter moves on by one)."""
        public_key: dict[str, Any] = json.loads(options)
        public_key["challenge"] = base64url_to_bytes(public_key["challenge"])
        signed = self.device.get({"publicKey": public_key}, origin or self.origin)
        response = signed["response"]
        return json.dumps(
            {
                "id": bytes_to_base64url(signed["rawId"]),
                "rawId": bytes_to_base64url(signed["rawId"]),
                "type": "public-key",
                "response": {
                    "clientDataJSON": bytes_to_base64url(response["clientDataJSON"]),
                    "authenticatorData": bytes_to_base64url(response["authenticatorData"]),
                    "signature": bytes_to_base64url(response["signature"]),
                    "userHandle": bytes_to_base64url(response["userHandle"]),
                },
                "clientExtensionResults": {},
            }
        )

    def clone(self) -> SoftPasskey:
        """A second authenticator holding a copy of this one's key and counter."""
        twin = SoftPasskey(self.origin)
        twin.device = copy.deepcopy(self.device)
        return twin
