"""What the web hands the login journey when it starts it."""

from __future__ import annotations

from contracts.journey import JourneyStart


class LoginStart(JourneyStart):
    """:class:`JourneyStart` plus the signed-in customer when this is a re-authentication, or the
    linked customer when an upstream provider already proved the sign-in (``/login/idp/NAME``).
    """

    reauth_customer_id: str = ""
    #: Set only by the web after verifying the provider's ID token for a linked identity.
    federated_customer_id: str = ""
    #: Set only by the web for the owner of an email an upstream identity waits to be linked to:
    #: a code emailed to that customer is the first factor (proof of control, docs/oidc.md).
    linking_customer_id: str = ""
