"""What a finished journey asks the web layer to do.

Outcomes travel through workflow history, so they carry identifiers only, never secrets: the web
layer turns ``SignedIn`` into a server-side session itself.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Outcome(BaseModel):
    """The result of every journey's ``run``."""

    kind: Literal["signed_in", "redirect", "expired", "failed", "cancelled"]
    journey_id: str
    customer_id: str | None = None
    redirect_to: str = "/"
    reason: str = ""
    amr: list[str] = []
    acr: str = ""
    device: dict[str, str] = {}


def signed_in(
    journey_id: str,
    customer_id: str,
    *,
    amr: list[str],
    to: str = "/account",
    acr: str = "",
    device: dict[str, str] | None = None,
) -> Outcome:
    """The customer proved who they are: start a session and send them on.

    ``acr`` names the assurance level reached; ``device`` (``country``, ``browser``, ``os``,
    ``device_type``) describes the browser for the sessions list.
    """
    return Outcome(
        kind="signed_in",
        journey_id=journey_id,
        customer_id=customer_id,
        redirect_to=to,
        amr=amr,
        acr=acr,
        device=device or {},
    )


def expired(journey_id: str, reason: str) -> Outcome:
    """The journey waited too long; the customer must start again."""
    return Outcome(kind="expired", journey_id=journey_id, reason=reason)


def failed(journey_id: str, reason: str) -> Outcome:
    """The journey ended without success (e.g. too many wrong codes)."""
    return Outcome(kind="failed", journey_id=journey_id, reason=reason)


def cancelled(journey_id: str, reason: str) -> Outcome:
    """Support staff cancelled the journey (``JourneyCancelled`` was raised)."""
    return Outcome(kind="cancelled", journey_id=journey_id, reason=reason)


def redirect(journey_id: str, *, to: str) -> Outcome:
    """The journey is done and needs no session: send the browser to ``to`` (a local path)."""
    return Outcome(kind="redirect", journey_id=journey_id, redirect_to=to)
