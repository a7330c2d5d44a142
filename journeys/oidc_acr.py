"""What an OpenID relying party's ``acr_values`` asks of the login journey.

``/oauth2/authorize?acr_values=aal2`` sends the browser to ``/login`` with the requirement in
:class:`~journeys.kit.journey.JourneyStart`; the login journey then asks for a second factor even
when the risk policy would allow a password alone. Histories recorded before this existed never
reach the patch marker (their start input has no ``acr_values``), so they replay unchanged.
"""

from __future__ import annotations

from temporalio import workflow

from contracts.journey import JourneyStart
from journeys.patches import OIDC_ACR


def asks_aal2(start: JourneyStart) -> bool:
    """Whether this sign-in must reach AAL2 whatever the risk decision (called in the workflow)."""
    return "aal2" in start.acr_values.split() and workflow.patched(OIDC_ACR)
