"""Authentication ceremony: options for ``navigator.credentials.get`` and checking the assertion.

Sign-in with a passkey asks for a *discoverable* credential (empty ``allowCredentials``: the
authenticator offers the customer's passkeys and the answer names which one); step-up lists the
customer's own credentials. The sign count is checked here, after the signature, so only a genuine
assertion can report a regression (a cloned authenticator) — see :class:`Assertion`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from webauthn import generate_authentication_options, options_to_json
from webauthn import verify_authentication_response as verify_assertion_signature
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidJSONStructure
from webauthn.helpers.parse_authentication_credential_json import (
    parse_authentication_credential_json,
)
from webauthn.helpers.structs import (
    AuthenticationCredential,
    CredentialDeviceType,
    UserVerificationRequirement,
)

from core.security.passkeys.errors import CeremonyFailed, MalformedResponse
from core.security.passkeys.registration import KnownCredential
from core.security.passkeys.relying_party import CHALLENGE_LIFETIME, RelyingParty


@dataclass(frozen=True)
class Assertion:
    """A verified assertion: which credential, its new sign count and the authenticator's flags.

    ``regressed`` is true when the authenticator's counter did not move past the stored one although
    one of them counts (a synced passkey reports 0 forever, which is fine): the private key may
    exist twice. The caller decides what that means (Threshold refuses and flags the passkey).
    """

    credential_id: str
    new_sign_count: int
    regressed: bool
    user_verified: bool
    backed_up: bool


def authentication_options(
    *, rp: RelyingParty, challenge: str, allow: list[KnownCredential]
) -> str:
    """The ``publicKey`` options as JSON; an empty ``allow`` asks for a discoverable credential."""
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=base64url_to_bytes(challenge),
        timeout=int(CHALLENGE_LIFETIME.total_seconds() * 1000),
        allow_credentials=[c.descriptor() for c in allow],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options)


def parse_assertion(response: str) -> AuthenticationCredential:
    """The browser's JSON answer as a typed credential, or :class:`MalformedResponse`."""
    try:
        json.loads(response)
        return parse_authentication_credential_json(response)
    except (ValueError, InvalidJSONStructure, InvalidAuthenticationResponse) as exc:
        raise MalformedResponse() from exc


def verify_authentication(
    *,
    credential: AuthenticationCredential,
    expected_challenge: str,
    expected_rp: RelyingParty,
    expected_public_key: str,
    expected_sign_count: int,
) -> Assertion:
    """Check challenge, origin, RP id, user presence and signature; then compare the counter."""
    try:
        verified = verify_assertion_signature(
            credential=credential,
            expected_challenge=base64url_to_bytes(expected_challenge),
            expected_rp_id=expected_rp.id,
            expected_origin=expected_rp.origin,
            credential_public_key=base64url_to_bytes(expected_public_key),
            # 0 turns the library's own counter check off: it would raise before the signature is
            # checked, and a regression must be recorded only for a genuine assertion.
            credential_current_sign_count=0,
            require_user_verification=False,
        )
    except InvalidAuthenticationResponse as exc:
        raise CeremonyFailed(
            f"That passkey answer did not check out ({str(exc).rstrip('.')})."
        ) from exc
    counted = verified.new_sign_count > 0 or expected_sign_count > 0
    return Assertion(
        credential_id=bytes_to_base64url(verified.credential_id),
        new_sign_count=verified.new_sign_count,
        regressed=counted and verified.new_sign_count <= expected_sign_count,
        user_verified=verified.user_verified,
        backed_up=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
    )
