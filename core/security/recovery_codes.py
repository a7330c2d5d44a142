"""Single-use recovery codes: ten random codes shown once, stored as keyed hashes.

Each code carries 50 bits from the OS CSPRNG, so a keyed hash (HMAC-SHA256 with a derived key) is
enough: without the key the table cannot be brute-forced, and with it 2^50 guesses per code are
still out of reach. Customers may type codes with or without the dash, in any case.
"""

from __future__ import annotations

import secrets

from core.security.hashing import keyed_hash

ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: codes are read off paper
COUNT = 10
LENGTH = 10
MAX_INPUT = 32


def new_codes(count: int = COUNT) -> list[str]:
    """``count`` fresh codes formatted ``xxxxx-xxxxx`` for display."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalize(typed: str) -> str:
    """What a customer typed, without spaces and dashes, lower-case."""
    return "".join(c for c in typed.lower() if c not in " -\t")[:MAX_INPUT]


def code_hash(key: bytes, customer_id: str, code: str) -> str:
    """The stored form of a code, bound to its customer."""
    return keyed_hash(key, "recovery-code", customer_id, normalize(code))
