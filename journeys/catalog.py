"""Every journey of this deployment: importing this module registers them all.

The worker (what to run), the web app (what to serve at ``/j/<name>``) and the replayer use it.
"""

from journeys import (
    add_passkey,
    deprovisioning,
    export,
    invitation,
    login,
    recovery,
    registration,
)
from journeys.kit import JOURNEYS, Journey

MODULES = (add_passkey, deprovisioning, export, invitation, login, recovery, registration)


def by_name() -> dict[str, type[Journey]]:
    """Journey classes by URL name (also their workflow type)."""
    return dict(JOURNEYS)


def all_journeys() -> list[type[Journey]]:
    """The workflow classes to give a worker or a replayer."""
    return list(JOURNEYS.values())
