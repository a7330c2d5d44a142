"""Password policy (NIST SP 800-63B) and argon2id hashing."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.security.passwords import (
    FAST_HASHING_FOR_TESTS,
    PasswordPolicy,
    Runs,
    hash_password,
    needs_rehash,
    verify_password,
)

STRONG = "violet-tractor-harbour"


def test_limits_are_named() -> None:
    assert (PasswordPolicy.MIN_LENGTH, PasswordPolicy.MAX_LENGTH) == (8, 256)


@pytest.mark.parametrize("length", [0, 1, 7])
def test_shorter_than_eight_is_refused(length: int) -> None:
    assert PasswordPolicy.problem("x" * length) == "Password must be at least 8 characters."


@pytest.mark.parametrize("length", [8, 64, 256])
def test_eight_sixty_four_and_two_hundred_fifty_six_are_accepted(length: int) -> None:
    candidate = ("Zq7!pL3#" * 40)[:length]

    assert len(candidate) == length
    assert PasswordPolicy.problem(candidate) is None


def test_two_hundred_fifty_seven_is_refused() -> None:
    assert (
        PasswordPolicy.problem(("Zq7!pL3#" * 40)[:257])
        == "Password must be at most 256 characters."
    )


def test_length_counts_characters_not_bytes() -> None:
    assert PasswordPolicy.problem("ééééééé") is not None  # 7 characters, 14 bytes
    assert PasswordPolicy.problem("éàüöçñøß") is None  # 8 characters


@pytest.mark.parametrize("common", ["password1", "iloveyou", "PASSWORD1", "ILoveYou"])
def test_common_passwords_are_refused_whatever_the_case(common: str) -> None:
    assert PasswordPolicy.problem(common) == (
        "This password is too common; choose one that is harder to guess."
    )


def test_no_composition_rules_a_long_lowercase_passphrase_is_fine() -> None:
    assert PasswordPolicy.problem("correct horse battery staple") is None


def test_the_email_or_its_local_part_is_refused() -> None:
    assert PasswordPolicy.problem("zanzibar.quill@example.com", email="zanzibar.quill@example.com")
    assert PasswordPolicy.problem("Zanzibar.Quill", email="zanzibar.quill@example.com")
    assert PasswordPolicy.problem(STRONG, email="zanzibar.quill@example.com") is None


def test_hash_is_argon2id_verifies_and_is_salted() -> None:
    first = hash_password(STRONG)
    second = hash_password(STRONG)

    assert first.startswith("$argon2id$")
    assert first != second
    assert verify_password(first, STRONG)
    assert not verify_password(first, STRONG + "!")


def test_no_truncation_passwords_sharing_the_first_72_bytes_differ() -> None:
    shared = "a-long-shared-prefix-" * 4  # 84 bytes, beyond bcrypt's 72-byte cut-off
    assert len(shared.encode()) > 72
    stored = hash_password(shared + "one")

    assert verify_password(stored, shared + "one")
    assert not verify_password(stored, shared + "two")
    assert not verify_password(stored, shared)


def test_fresh_hash_needs_no_rehash_and_weak_parameters_do() -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(STRONG)

    assert needs_rehash(hash_password(STRONG)) is False
    assert needs_rehash(weak) is True


def test_unicode_is_normalised_so_either_keyboard_form_verifies() -> None:
    composed = unicodedata.normalize("NFC", "crème-brûlée-été")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed

    assert verify_password(hash_password(composed), decomposed)


@pytest.mark.parametrize("garbage", ["", "not-a-hash", "$argon2id$v=19$broken"])
def test_verify_is_false_not_an_exception_for_a_bad_stored_hash(garbage: str) -> None:
    assert verify_password(garbage, STRONG) is False


GUESSABLE = (
    "This password is too easy to guess: avoid repeated characters, sequences "
    "like 1234 or abcd and keyboard runs like qwerty."
)


@pytest.mark.parametrize(
    "weak",
    [
        "aaaaaaaa",
        "ZZZZZZZZZZZZZZ",
        "ÄÄÄÄÄÄÄÄ",
        "abababab",
        "abcdefgh",
        "zyxwvuts",
        "абвгдежз",
        "35793579",
        "87654321098",
        "qwertyuiop7890",
        "poiuytre",
        "!@#$%^&*",
        "xxxxyyyyzzzz",
        "aaaaaaaa1",
        "abcdefabcdef",
        "qwertzuiopü",
        "a" * 100,
        "abcdefghijklmnopqrstuvwxyz0123456789",
    ],
)
def test_repetitive_sequential_and_keyboard_runs_are_refused(weak: str) -> None:
    assert PasswordPolicy.problem(weak) == GUESSABLE


@pytest.mark.parametrize(
    "fine",
    [
        STRONG,
        "correct horse battery staple",
        "hunter2-hunter2",
        "Tr0ub4dor&3x",
        "2468ace0-mauve",
        "a" * 72 + "Zq7!pL3#",
    ],
)
def test_passwords_with_enough_outside_runs_are_accepted(fine: str) -> None:
    assert PasswordPolicy.problem(fine) is None


_ROWS = st.sampled_from(
    ["abcdefghijklmnopqrstuvwxyz", "0123456789", *Runs.ROWS, "qwertyuiopasdfghjklzxcvbnm"]
)


@st.composite
def runs(draw: st.DrawFn) -> str:
    """A password built only from runs: one repeated character, or a slice of a row/sequence."""
    kind = draw(st.sampled_from(["repeat", "forward", "backward"]))
    length = draw(st.integers(min_value=8, max_value=40))
    if kind == "repeat":
        return draw(st.characters(codec="utf-8", categories=["L", "N", "P", "S"])) * length
    row = draw(_ROWS.filter(lambda r: len(r) >= 8))
    start = draw(st.integers(min_value=0, max_value=len(row) - 8))
    piece = row[start : start + length]
    text = piece if kind == "forward" else piece[::-1]
    return text.upper() if draw(st.booleans()) else text


@settings(max_examples=300, deadline=None)
@given(runs())
def test_generated_runs_are_always_refused(weak: str) -> None:
    assert PasswordPolicy.problem(weak) is not None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_an_answer_not_an_exception(candidate: str) -> None:
    answer = PasswordPolicy.problem(candidate)
    assert answer is None or isinstance(answer, str)


PARAMETERS = (
    "from core.security import passwords as p; h = p._HASHER; "
    "print(h.time_cost, h.memory_cost, h.parallelism, p.hash_password('x')[:9])"
)


def _hasher_in_a_fresh_process(**variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != FAST_HASHING_FOR_TESTS}
    return subprocess.run(
        [sys.executable, "-c", PARAMETERS],
        cwd=Path(__file__).resolve().parents[3],
        env={**env, **variables},
        capture_output=True,
        text=True,
    )


def test_production_hashes_at_rfc_9106_cost_and_refuses_the_suites_fast_profile() -> None:
    default = _hasher_in_a_fresh_process()
    assert default.returncode == 0, default.stderr
    assert default.stdout.split() == ["3", "65536", "4", "$argon2id"]

    fast = _hasher_in_a_fresh_process(**{FAST_HASHING_FOR_TESTS: "1"})
    assert fast.stdout.split() == ["1", "1024", "1", "$argon2id"]

    refused = _hasher_in_a_fresh_process(
        **{FAST_HASHING_FOR_TESTS: "1", "THRESHOLD_ENVIRONMENT": "production"}
    )
    assert refused.returncode != 0 and "never production" in refused.stderr
