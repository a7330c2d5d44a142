"""Events shared by several journeys, delivered by the generic web routes."""

from contracts.journey import Event
from contracts.sealed import Sealed


class EmailLinkClicked(Event):
    """A link from one of our emails was opened and confirmed, on this or any other device.

    ``token`` arrives sealed: the web layer never lets the link token into history in the clear.
    """

    token: Sealed
