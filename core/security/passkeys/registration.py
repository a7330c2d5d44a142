"""Registration ceremony: the options for ``navigator.credentials.create`` and checking the answer.

Policy: a discoverable credential is required (so the passkey alone identifies the customer at
sign-in), user verification is preferred (required would lock out security keys without a PIN),
attestation is not requested (we trust no vendor list; the key is what matters).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from webauthn import generate_registration_options, options_to_json, verify_registration_response
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidJSONStructure, InvalidRegistrationResponse
from webauthn.helpers.parse_registration_credential_json import (
    parse_registration_credential_json,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    RegistrationCredential,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from core.security.passkeys.errors import CeremonyFailed, MalformedResponse
from core.security.passkeys.relying_party import CHALLENGE_LIFETIME, RelyingParty


@dataclass(frozen=True)
class KnownCredential:
    """A credential already registered (excluded from registration, allowed at step-up)."""

    credential_id: str
    transports: str = ""

    def descriptor(self) -> PublicKeyCredentialDescriptor:
        """The WebAuthn descriptor of this credential."""
        return PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(self.credential_id),
            transports=[AuthenticatorTransport(t) for t in _known_transports(self.transports)],
        )


@dataclass(frozen=True)
class NewPasskey:
    """What the answer proved: a new credential (all base64url) and its authenticator's flags."""

    credential_id: str
    public_key: str
    sign_count: int
    transports: str
    backed_up: bool
    user_verified: bool


def registration_options(
    *,
    rp: RelyingParty,
    challenge: str,
    user_handle: str,
    user_name: str,
    exclude: list[KnownCredential],
) -> str:
    """The ``publicKey`` options as JSON (base64url binary fields), ready for the page."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=base64url_to_bytes(user_handle),
        user_name=user_name,
        user_display_name=user_name,
        challenge=base64url_to_bytes(challenge),
        timeout=int(CHALLENGE_LIFETIME.total_seconds() * 1000),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            require_resident_key=True,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[c.descriptor() for c in exclude],
    )
    return options_to_json(options)


def verify_registration(
    *,
    response: str,
    expected_challenge: str,
    expected_rp: RelyingParty,
) -> NewPasskey:
    """Check the browser's answer to :func:`registration_options`; raise a precise error if bad."""
    credential = parse_registration(response)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(expected_challenge),
            expected_rp_id=expected_rp.id,
            expected_origin=expected_rp.origin,
            require_user_verification=False,
        )
    except InvalidRegistrationResponse as exc:
        raise CeremonyFailed(_sentence(str(exc))) from exc
    transports = credential.response.transports or []
    return NewPasskey(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        transports=" ".join(t.value for t in transports),
        backed_up=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
        user_verified=verified.user_verified,
    )


def parse_registration(response: str) -> RegistrationCredential:
    """The browser's JSON answer as a typed credential, or :class:`MalformedResponse`."""
    try:
        json.loads(response)
        return parse_registration_credential_json(response)
    except (ValueError, InvalidJSONStructure, InvalidRegistrationResponse) as exc:
        raise MalformedResponse() from exc


def _known_transports(joined: str) -> list[str]:
    known = {t.value for t in AuthenticatorTransport}
    return [t for t in joined.split() if t in known]


def _sentence(library_message: str) -> str:
    """The library's reason, as the tail of a customer-facing sentence."""
    return f"That passkey answer did not check out ({library_message.rstrip('.')})."
