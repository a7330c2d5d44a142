"""Keyed hashes for values we must look up but never store: tokens, codes, email lookups."""

from __future__ import annotations

import hashlib
import hmac


def keyed_hash(key: bytes, *parts: str) -> str:
    """HMAC-SHA256 over ``parts`` (NUL-separated); a short code cannot be brute-forced offline."""
    return hmac.new(key, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()


def matches(expected_hex: str, key: bytes, *parts: str) -> bool:
    """Constant-time comparison of a stored keyed hash with a candidate."""
    return hmac.compare_digest(expected_hex, keyed_hash(key, *parts))


def email_lookup(key: bytes, normalized_email: str) -> str:
    """The ``EmailLookup`` search attribute: support can search by email, the UI never sees one."""
    return keyed_hash(key, "email", normalized_email)[:40]
