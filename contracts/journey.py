"""The journey wire protocol: how the web starts journeys and delivers out-of-band events.

Every journey accepts the same messages (a :class:`JourneyStart`, a ``submit`` update with a
:class:`~contracts.screens.Submission`, a ``deliver`` update with an :class:`EventEnvelope`), so
the web layer and activities can drive any journey without importing its code.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

#: The generic handlers every journey has (see ``journeys/kit/journey.py``).
SUBMIT_UPDATE = "submit"
DELIVER_UPDATE = "deliver"
VIEW_QUERY = "view"


class Event(BaseModel):
    """An out-of-band event a journey can wait for (subclass it; the class name is its name)."""

    @classmethod
    def event_name(cls) -> str:
        """The name the web layer uses when delivering this event."""
        return cls.__name__


class EventEnvelope(BaseModel):
    """An event on the wire: its name and its fields (secrets already sealed)."""

    name: str
    data: dict[str, Any] = {}


class JourneyStart(BaseModel):
    """The input every journey starts with, filled in by the web layer from the request.

    ``device`` is a keyed hash of the browser's long-lived device cookie (never the cookie
    itself); ``client_ip``, ``user_agent`` and ``client_hints`` (the browser's User-Agent Client
    Hints as ``web/client_hints.py`` normalised them, empty when none were sent) feed risk scoring.
    Journeys needing more subclass it. Every field has a default, so recorded histories decode.
    """

    return_to: str = "/account"
    client_ip: str = ""
    user_agent: str = ""
    device: str = ""
    client_hints: str = ""
    #: An OpenID relying party's ``acr_values`` (e.g. ``aal2``); see journeys/oidc_acr.py.
    acr_values: str = ""
    #: For ``signed_in`` journeys: the session's customer, set by the web from the session only.
    customer_id: str = ""
