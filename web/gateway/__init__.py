"""The web layer's only door into Temporal.

Routes start, read and steer workflows through this package and nowhere else (import-linter keeps
``temporalio`` out of the rest of ``web``): journeys (:mod:`web.gateway.journeys`, assembled from
one module per concern), the one deprovisioning per customer (:mod:`web.gateway.deletion`), SCIM
invitations (:mod:`web.gateway.invitations`), and support's reads (:mod:`web.gateway.support`,
:mod:`web.gateway.funnels`).
"""

from web.gateway.journeys import JourneyGateway, JourneyNotFound, Rejected

__all__ = ["JourneyGateway", "JourneyNotFound", "Rejected"]
