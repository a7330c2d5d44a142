"""Password policy (NIST SP 800-63B) and argon2id hashing.

Policy: at least :attr:`PasswordPolicy.MIN_LENGTH` characters, up to :attr:`MAX_LENGTH` accepted
(no truncation, no composition rules), and refused when it appears on a list of 30 000 common
passwords that ships with the ``zxcvbn`` package, so no network is needed, or when it is made of
repetitive, sequential or keyboard runs (``aaaaaaaa``, ``12345678``, ``abcdefgh``, ``qwertyui``),
which NIST SP 800-63B §5.1.1.2 lists among the passwords to refuse.
"""

from __future__ import annotations

import os
import unicodedata
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn
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
        if Runs.guessable(password):
            return (
                "This password is too easy to guess: avoid repeated characters, sequences "
                "like 1234 or abcd and keyboard runs like qwerty."
            )
        return None


class Runs:
    """Repetitive, sequential and keyboard runs, found by zxcvbn's matchers.

    A password is guessable when fewer than :attr:`MIN_OTHER` of its characters lie outside such
    runs: ``aaaaaaaa1`` and ``abcd1234`` are, ``correct horse battery staple`` is not.
    """

    MIN_OTHER = PasswordPolicy.MIN_LENGTH // 2
    #: zxcvbn analyses at most this many characters at a time (its own limit).
    CHUNK = 72
    #: A repeated unit this short is a run whatever it is (``abab``, ``1212``).
    SHORT_UNIT = 4
    #: Keyboard rows (QWERTY, QWERTZ, AZERTY, digits, diagonals) that zxcvbn's graphs miss.
    ROWS = (
        "`1234567890-=",
        "qwertyuiop[]\\",
        "asdfghjkl;'",
        "zxcvbnm,./",
        "qwertzuiopü",
        "yxcvbnm",
        "azertyuiop",
        "qsdfghjklm",
        "wxcvbn",
        "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    )
    TRIVIAL = frozenset({"repeat", "sequence", "spatial"})

    @classmethod
    def guessable(cls, password: str) -> bool:
        """True when too few characters lie outside repetitive, sequential or keyboard runs."""
        text = unicodedata.normalize("NFKC", password)
        covered = [False] * len(text)
        for start in range(0, len(text), cls.CHUNK):
            for match in zxcvbn(text[start : start + cls.CHUNK])["sequence"]:
                if cls._is_run(match):
                    for i in range(start + match["i"], start + match["j"] + 1):
                        covered[i] = True
        for first, last in cls._row_runs(text.lower()):
            covered[first:last] = [True] * (last - first)
        return covered.count(False) < cls.MIN_OTHER

    @classmethod
    def _is_run(cls, match: dict[str, Any]) -> bool:
        if match["pattern"] == "repeat":
            return len(match["base_token"]) <= cls.SHORT_UNIT or all(
                cls._is_run(inner) for inner in match["base_matches"]
            )
        return match["pattern"] in cls.TRIVIAL

    @classmethod
    def _row_runs(cls, text: str) -> list[tuple[int, int]]:
        """Spans of at least :attr:`SHORT_UNIT` characters typed along one keyboard row."""
        rows = [*cls.ROWS, *(row[::-1] for row in cls.ROWS)]
        spans: list[tuple[int, int]] = []
        first = 0
        while first <= len(text) - cls.SHORT_UNIT:
            last = first + cls.SHORT_UNIT
            if not any(text[first:last] in row for row in rows):
                first += 1
                continue
            while last < len(text) and any(text[first : last + 1] in row for row in rows):
                last += 1
            spans.append((first, last))
            first = last
        return spans


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


#: Set by the test suite (tests/conftest.py) for itself and the processes it starts: argon2id with
#: the smallest cost, so thousands of sign-ups and sign-ins do not spend the suite's minutes on
#: hashing. The algorithm, the encoding and every code path stay the same; tests that compare
#: timings hash at the real cost (the ``real_hashing_cost`` fixture). Refused when
#: ``THRESHOLD_ENVIRONMENT=production``.
FAST_HASHING_FOR_TESTS = "THRESHOLD_TEST_FAST_HASHING"


def _hasher() -> PasswordHasher:
    if os.environ.get(FAST_HASHING_FOR_TESTS) != "1":
        return PasswordHasher()
    if os.environ.get("THRESHOLD_ENVIRONMENT") == "production":
        raise RuntimeError(f"{FAST_HASHING_FOR_TESTS} is for the test suite, never production")
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


_HASHER = _hasher()


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
