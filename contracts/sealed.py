"""A secret in flight: what the web layer seals for the workers and journeys only carry around."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Sealed(BaseModel):
    """A secret the web layer encrypted for the workers; the workflow only carries it around.

    ``kid`` names the short-lived sealing key and ``box`` is the AES-GCM ciphertext. Once the key
    expires the value is undecryptable, so old histories hold nothing worth stealing.
    """

    model_config = ConfigDict(frozen=True)

    kid: str
    box: str

    def __repr__(self) -> str:
        return f"Sealed(kid={self.kid!r})"

    __str__ = __repr__
