"""Encryption of every payload at rest in Temporal, and the data converter that applies it.

Workflow inputs, results, update arguments and failures all pass :class:`EncryptionCodec` (AES-GCM,
key id in the payload metadata) on the client, the workers and the replayer alike. Rotation:
encrypt with the first key of the ring, decrypt with any; an unknown key id is an error, never a
silent pass-through.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

ENCODING = b"binary/encrypted"


class UnknownCodecKey(ValueError):
    """A payload names a key this process does not hold (rotated out, or another deployment)."""


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over the serialized payload; the key id travels in the metadata."""

    def __init__(self, keyring: Mapping[str, bytes]) -> None:
        if not keyring:
            raise ValueError("the codec needs at least one key")
        self._current = next(iter(keyring))
        self._aead = {kid: AESGCM(key) for kid, key in keyring.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Encrypt each payload under the current key."""
        out = []
        for payload in payloads:
            nonce = os.urandom(12)
            sealed = self._aead[self._current].encrypt(
                nonce, payload.SerializeToString(), self._current.encode()
            )
            out.append(
                Payload(
                    metadata={"encoding": ENCODING, "encryption-key-id": self._current.encode()},
                    data=nonce + sealed,
                )
            )
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Decrypt payloads we encrypted; leave foreign encodings untouched."""
        out = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                out.append(payload)
                continue
            kid = payload.metadata.get("encryption-key-id", b"").decode()
            aead = self._aead.get(kid)
            if aead is None:
                raise UnknownCodecKey(f"payload encrypted with unknown key id {kid!r}")
            plain = aead.decrypt(payload.data[:12], payload.data[12:], kid.encode())
            out.append(Payload.FromString(plain))
        return out


def make_data_converter(keyring: Mapping[str, bytes]) -> DataConverter:
    """Pydantic payloads, encrypted, with failure messages and stack traces encrypted too."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(keyring),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
