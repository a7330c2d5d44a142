"""The gateway the routes get (``Gateway``): every workflow call of the web, one object.

Each concern lives in its own module and this class only assembles them: the journey
screens (:mod:`web.gateway.screens`), the registered journeys (:mod:`web.gateway.catalog`), a
customer's data requests (:mod:`web.gateway.account_data`) and the profile workflow
(:mod:`web.gateway.profiles`), on the connection of :mod:`web.gateway.base`.
"""

from __future__ import annotations

from web.gateway.account_data import AccountData
from web.gateway.catalog import Catalog
from web.gateway.profiles import Profiles
from web.gateway.screens import JourneyNotFound, Rejected, Screens


class JourneyGateway(Screens, AccountData, Profiles, Catalog):
    """Thin typed wrapper over the Temporal client for the web's routes."""


__all__ = ["JourneyGateway", "JourneyNotFound", "Rejected"]
