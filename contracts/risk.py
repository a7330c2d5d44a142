"""The risk activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/risk.py`` implements them. Every field added
after the first release has a default, so recorded histories keep decoding.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from contracts.activity import ActivityRef

#: Which step of a sign-in failed: feeds the velocity features (``docs/risk.md``).
FailedStep = Literal["password", "second_factor", "refused"]


class LoginSignals(BaseModel):
    """What the journey knows about a sign-in attempt (all of it already in its history).

    ``client_hints`` is the browser's User-Agent Client Hints as the web layer normalised them
    (platform version, model, full browser version list), empty where the browser sends none.
    """

    journey_id: str
    customer_id: str | None
    client_ip: str
    user_agent: str
    device: str
    at: datetime
    enrolled_factors: list[str] = []
    client_hints: str = ""


class RiskAssessment(BaseModel):
    """The score (log-likelihood ratio attacker vs. this customer), the decision and why.

    ``reasons`` are what looks unusual, ``familiar`` what looks like the customer; ``summary`` is
    one plain sentence joining them with the decision (for support pages and journey details).
    """

    score: float
    decision: Literal["allow", "step_up", "deny"]
    reasons: list[str]
    country: str = ""
    browser: str = ""
    os: str = ""
    device_type: str = ""
    familiar: list[str] = []
    summary: str = ""
    history: int = 0
    history_bucket: str = ""
    threshold: float = 0.0


class LoginRecord(BaseModel):
    """The outcome: a fully authenticated success teaches the baseline; failures feed velocity.

    A journey may record several failures (each wrong password, each wrong code): each one is
    kept once per ``(journey, step, signals.at)``, so a retried activity counts once.
    """

    signals: LoginSignals
    success: bool
    failed_step: FailedStep = "password"


class Baseline(BaseModel):
    """Cold start: what a new customer's registration (or first federated sign-in) looked like."""

    journey_id: str
    customer_id: str
    client_ip: str
    user_agent: str
    device: str
    at: datetime
    client_hints: str = ""


class DeviceBinding(BaseModel):
    """A device (keyed hash of its cookie) that just passed a second factor for a customer."""

    journey_id: str
    customer_id: str
    device: str
    user_agent: str
    at: datetime


class KnownDevice(BaseModel):
    """A customer's known device as the sessions page lists it (no cookie, no hash)."""

    id: str
    label: str
    bound_at: datetime
    last_seen_at: datetime


class ForgetDevice(BaseModel):
    """Revoke one known device of one customer (``id`` from :class:`KnownDevice`)."""

    customer_id: str
    device_id: str


class RiskActivities:
    """Typed references to the risk activities, for ``Journey.step``."""

    assess = ActivityRef("risk.assess", LoginSignals, RiskAssessment, local=True)
    record = ActivityRef("risk.record", LoginRecord, type(None), local=True)
    cold_start = ActivityRef("risk.cold_start", Baseline, type(None), local=True)
    bind_device = ActivityRef("risk.bind_device", DeviceBinding, KnownDevice, local=True)
    forget_device = ActivityRef("risk.forget_device", ForgetDevice, bool, local=True)
