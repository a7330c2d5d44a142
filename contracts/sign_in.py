"""The sign-in decision's contract: one activity gathers what the decision needs.

After the first factor, a sign-in used to run six steps one after another (deletion gate, enrolled
factors, risk assessment, risk record, ``login.succeeded``, due consents, due profiling), each a
round trip. ``sign_in.gather`` reads and writes them in one activity: the journey keeps the
decision (what to show, step-up, the session); the activity records the outcomes that are already
certain when it runs (a refusal, a sign-in that needs no second factor) with their outbox events.
``workers/activities/sign_in.py`` implements it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel

from contracts.activity import ActivityRef
from contracts.consent import DueConsents
from contracts.profiling import Interstitial
from contracts.risk import LoginSignals, RiskAssessment


class GatherSignIn(BaseModel):
    """A sign-in whose first factor checked out.

    ``signals.enrolled_factors`` is filled by the activity (it reads them). ``aal2``: an OpenID
    relying party asked for a second factor whatever the risk. ``deletion_checked``: the customer
    already kept an account scheduled for deletion, so the gate is not read again.
    """

    signals: LoginSignals
    amr: list[str]
    aal2: bool = False
    reauthenticating: bool = False
    deletion_checked: bool = False


class SignInFacts(BaseModel):
    """What the decision needs; fields after ``scheduled_for`` are empty when it is set.

    ``interstitial`` is ``None`` when the activity did not ask the profile workflow (a second
    factor is still due, re-consent comes first, or a re-authentication): the journey asks it
    later, once the sign-in is certain to finish.
    """

    scheduled_for: datetime | None = None
    factors: list[str] = []
    risk: RiskAssessment | None = None
    consents: DueConsents = DueConsents()
    interstitial: Interstitial | None = None


def needs_second_factor(decision: str, *, aal2: bool, amr: Sequence[str]) -> bool:
    """Step-up: the risk policy or an ``acr_values=aal2`` asks one, unless the proof was ``mfa``.

    A user-verifying passkey (``mfa``) is already two factors (the device and its PIN/biometric).
    The journey and the activity both decide with this, so they never disagree.
    """
    return (decision == "step_up" or aal2) and "mfa" not in amr


class SignInActivities:
    """Typed references to the sign-in decision's activities, for ``Journey.step``."""

    gather = ActivityRef("sign_in.gather", GatherSignIn, SignInFacts, local=True)
