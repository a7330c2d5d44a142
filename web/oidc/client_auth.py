"""Which client authentication a token or revocation request presents: exactly one, well formed.

Authlib's :class:`~authlib.oauth2.rfc6749.ClientAuthentication` tries every allowed method in turn
and takes the first that succeeds, so a wrong ``Authorization: Basic`` for a confidential client
plus the ``client_id`` of a public client in the body authenticated as the public client. RFC 6749
§2.3 says a client MUST NOT use more than one method per request; this module names the single
method a request presents (or refuses it with ``invalid_client``), and the provider lets Authlib
try that method alone.
"""

from __future__ import annotations

import base64
import binascii
from typing import ClassVar

from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidClientError


class PresentedAuth:
    """Reads the client authentication a request carries, refusing conflicts and garbage."""

    #: The body fields of each method that carries its credentials in the body.
    BODY_FIELDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "private_key_jwt": ("client_assertion", "client_assertion_type"),
        "client_secret_post": ("client_secret",),
    }
    #: Longest ``Authorization`` header value looked at (a Basic pair of two 256-character ids).
    MAX_HEADER_LENGTH = 1024

    def method(self, request: OAuth2Request) -> str:
        """The one method ``request`` presents; ``invalid_client`` for none, two, or a
        malformed credential. A ``client_id`` alone in the body means ``none`` (public client)."""
        presented = [
            name
            for name, fields in self.BODY_FIELDS.items()
            if any(field in request.payload.datalist for field in fields)
        ]
        if "authorization" in request.headers:
            self._check_basic(request.headers["authorization"])
            presented.append("client_secret_basic")
        if len(presented) > 1:
            raise InvalidClientError(
                status_code=401 if "client_secret_basic" in presented else 400,
                description="Use exactly one client authentication method per request.",
            )
        if presented:
            return presented[0]
        if request.payload.client_id:
            return "none"
        raise InvalidClientError(description="The request carries no client authentication.")

    def _check_basic(self, value: str) -> None:
        """An ``Authorization`` header must be Basic base64 of UTF-8 ``id:secret``, both set."""
        scheme, _, encoded = value.partition(" ")
        if scheme.lower() != "basic" or len(value) > self.MAX_HEADER_LENGTH:
            raise _basic_error("Only HTTP Basic client authentication is accepted here.")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise _basic_error("The Basic credentials are not base64 of UTF-8 text.") from None
        client_id, colon, secret = decoded.partition(":")
        if not colon or not client_id or not secret or not decoded.isprintable():
            raise _basic_error("The Basic credentials must be client_id:client_secret.")

    @staticmethod
    def check_body_client_id(request: OAuth2Request, method: str, client_id: str) -> None:
        """A ``client_id`` sent besides the credentials must name the authenticated client."""
        sent = request.payload.datalist.get("client_id", [])
        if any(value != client_id for value in sent):
            raise InvalidClientError(
                status_code=401 if method == "client_secret_basic" else 400,
                description="client_id does not match the authenticated client.",
            )


def _basic_error(description: str) -> InvalidClientError:
    return InvalidClientError(status_code=401, description=description)
