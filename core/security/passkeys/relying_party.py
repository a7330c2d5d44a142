"""Who we are to the browser: the WebAuthn relying party derived from ``THRESHOLD_BASE_URL``.

The RP id is the base URL's host and the only accepted origin is its scheme://host[:port], so a
passkey made for one deployment is useless on a look-alike domain (WebAuthn's phishing resistance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

#: How long the browser may take; also the ``timeout`` hint in the options.
CHALLENGE_LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True)
class RelyingParty:
    """``id`` (a registrable host), ``name`` (shown by authenticators) and the ``origin``."""

    id: str
    name: str
    origin: str

    @classmethod
    def for_base_url(cls, base_url: str, name: str = "Threshold") -> RelyingParty:
        """The relying party of a deployment served at ``base_url``."""
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"THRESHOLD_BASE_URL is not an http(s) URL: {base_url!r}")
        return cls(id=parts.hostname, name=name, origin=f"{parts.scheme}://{parts.netloc}")
