"""Password policy (NIST SP 800-63B) and argon2id hashing.

Policy: at least :attr:`PasswordPolicy.MIN_LENGTH` characters, up to :attr:`MAX_LENGTH` accepted
(no truncation, no composition rules), and refused when it appears on a list of 30 000 common
passwords that ships with the ``zxcvbn`` package, so no network is needed.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn.frequency_lists import FREQUENCY_LISTS


class PasswordPolicy:
    """The checks every new password must pass, with the customer-facing message of each."""

    MIN_LENGTH = 8
    MAX_LENGTH = 256

    @staticmethod
    def problem(password: str, *, email: str = "") -> str | None:
        """Why ``password`` is refused, or ``None`` when it is acceptable."""
        length = len(unicodedata.normalize("NFKC", password))
        if length < PasswordPolicy.MIN_LENGTH:
            return f"Password must be at least {PasswordPolicy.MIN_LENGTH} characters."
        if length > PasswordPolicy.MAX_LENGTH:
            return f"Password must be at most {PasswordPolicy.MAX_LENGTH} characters."
        lowered = password.lower()
        if lowered in _common_passwords():
            return "This password is too common; choose one that is harder to guess."
        if email and lowered in {email.lower(), email.split("@")[0].lower()}:
            return "Password must not be your email address."
        return None


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash with argon2-cffi's RFC 9106 defaults; CPU-heavy, call it off the loop."""
    return _HASHER.hash(unicodedata.normalize("NFKC", password))


def verify_password(stored_hash: str, password: str) -> bool:
    """Constant-time check of a password against its stored hash."""
    try:
        return _HASHER.verify(stored_hash, unicodedata.normalize("NFKC", password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored_hash)


def dummy_hash(password: str) -> None:
    """Spend the same time as :func:`hash_password`, so timing does not reveal which path ran."""
    _HASHER.hash(unicodedata.normalize("NFKC", password))
