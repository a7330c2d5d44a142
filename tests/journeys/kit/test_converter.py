"""The payload codec: AES-GCM per payload, key id in metadata, rotation, unknown keys refused."""

from __future__ import annotations

import os

import pytest
from cryptography.exceptions import InvalidTag
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.exceptions import ApplicationError

from core.codec import ENCODING, EncryptionCodec, UnknownCodecKey, make_data_converter
from journeys.kit import Submission

OLD = os.urandom(32)
NEW = os.urandom(32)
SECRET = b'{"email":"ann@example.com","note":"plaintext-marker"}'


def plain(data: bytes = SECRET) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=data)


async def test_round_trip_restores_the_exact_payload() -> None:
    codec = EncryptionCodec({"k1": OLD})
    original = [plain(), plain(b"second")]

    encoded = await codec.encode(original)
    decoded = await codec.decode(encoded)

    assert decoded == original


async def test_ciphertext_hides_the_plaintext_and_names_its_key() -> None:
    codec = EncryptionCodec({"k1": OLD})

    [encoded] = await codec.encode([plain()])

    assert encoded.metadata["encoding"] == ENCODING
    assert encoded.metadata["encryption-key-id"] == b"k1"
    wire = encoded.SerializeToString()
    assert b"plaintext-marker" not in wire
    assert b"ann@example.com" not in wire
    assert b"json/plain" not in wire  # the inner metadata is encrypted too


async def test_each_encoding_uses_a_fresh_nonce() -> None:
    codec = EncryptionCodec({"k1": OLD})

    [first] = await codec.encode([plain()])
    [second] = await codec.encode([plain()])

    assert first.data != second.data


async def test_unknown_key_id_raises_instead_of_passing_through() -> None:
    [encoded] = await EncryptionCodec({"gone": OLD}).encode([plain()])

    with pytest.raises(UnknownCodecKey, match="gone"):
        await EncryptionCodec({"k1": NEW}).decode([encoded])


async def test_tampered_ciphertext_is_rejected() -> None:
    codec = EncryptionCodec({"k1": OLD})
    [encoded] = await codec.encode([plain()])
    flipped = bytes([encoded.data[-1] ^ 1])
    tampered = Payload(metadata=dict(encoded.metadata), data=encoded.data[:-1] + flipped)

    with pytest.raises(InvalidTag):
        await codec.decode([tampered])


async def test_key_id_is_authenticated_not_just_a_label() -> None:
    """Relabelling a payload with another held key id must not decrypt (kid is the AAD)."""
    codec = EncryptionCodec({"k2": NEW, "k1": NEW})
    [encoded] = await codec.encode([plain()])
    relabelled = Payload(
        metadata={"encoding": ENCODING, "encryption-key-id": b"k1"}, data=encoded.data
    )

    with pytest.raises(InvalidTag):
        await codec.decode([relabelled])


async def test_foreign_encodings_pass_decode_untouched() -> None:
    codec = EncryptionCodec({"k1": OLD})

    assert await codec.decode([plain()]) == [plain()]


async def test_rotation_old_payloads_still_decrypt_and_new_ones_use_the_new_key() -> None:
    [old_payload] = await EncryptionCodec({"old": OLD}).encode([plain(b"before rotation")])
    rotated = EncryptionCodec({"new": NEW, "old": OLD})

    [restored] = await rotated.decode([old_payload])
    [fresh] = await rotated.encode([plain(b"after rotation")])

    assert restored.data == b"before rotation"
    assert fresh.metadata["encryption-key-id"] == b"new"
    assert (await EncryptionCodec({"new": NEW}).decode([fresh]))[0].data == b"after rotation"
    with pytest.raises(UnknownCodecKey):
        await EncryptionCodec({"old": OLD}).decode([fresh])


def test_an_empty_keyring_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        EncryptionCodec({})


async def test_data_converter_encrypts_values_and_failure_messages() -> None:
    converter = make_data_converter({"k1": OLD})
    submission = Submission(screen="sign-up", seq=1, values={"email": "ann@example.com"})

    [payload] = await converter.encode([submission])
    [back] = await converter.decode([payload], [Submission])
    assert back == submission
    assert b"ann@example.com" not in payload.SerializeToString()

    failure = Failure()
    await converter.encode_failure(
        ApplicationError("no account for ann@example.com", type="EMAIL_TAKEN"), failure
    )
    wire = failure.SerializeToString()
    assert b"ann@example.com" not in wire
    assert failure.application_failure_info.type == "EMAIL_TAKEN"  # the type stays readable
    restored = await converter.decode_failure(failure)
    assert isinstance(restored, ApplicationError)
    assert restored.message == "no account for ann@example.com"
