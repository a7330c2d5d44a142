"""The login activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/login.py`` implements them.
"""

from __future__ import annotations

from pydantic import BaseModel

from contracts.activity import ActivityRef
from contracts.sealed import Sealed


class CheckPassword(BaseModel):
    """One sign-in attempt. ``attempt_id`` (a ``workflow.uuid4()``) makes a retry return the same
    answer; ``customer_id`` instead of ``email`` re-authenticates a signed-in customer;
    ``device`` (the keyed hash of the device cookie) lets a browser that signed in before keep its
    own allowance while the account is attacked from elsewhere."""

    attempt_id: str
    journey_id: str
    password: Sealed
    client_ip: str
    email: str = ""
    customer_id: str = ""
    device: str = ""


class PasswordChecked(BaseModel):
    """``ok`` with the customer, or a message that is the same for every kind of failure."""

    ok: bool
    customer_id: str = ""
    email: str = ""
    email_lookup: str = ""
    message: str = ""
    retry_after_seconds: int = 0


class KnownCustomer(BaseModel):
    """A customer the web already identified: by a linked upstream identity whose ID token it
    verified, or as the owner of an email an upstream identity waits to be linked to."""

    customer_id: str


class HomeRealmOf(BaseModel):
    """The email typed on the sign-in screen (normalised), for home-realm discovery."""

    email: str


class HomeRealm(BaseModel):
    """The provider of the organization owning the email's domain ("" when none does), and the
    email's lookup so support can find the journey by email whichever way it goes."""

    idp_name: str = ""
    email_lookup: str = ""


class ResetThrottle(BaseModel):
    """Clear the account's failure counter (account recovery proved the customer)."""

    customer_id: str


class LoginActivities:
    """Typed references to the login activities, for ``Journey.step``."""

    check_password = ActivityRef("login.check_password", CheckPassword, PasswordChecked)
    known_customer = ActivityRef("login.known_customer", KnownCustomer, PasswordChecked, local=True)
    home_realm = ActivityRef("login.home_realm", HomeRealmOf, HomeRealm, local=True)
    reset_throttle = ActivityRef("login.reset_throttle", ResetThrottle, type(None), local=True)
