"""The risk activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/risk.py`` implements them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from contracts.activity import ActivityRef


class LoginSignals(BaseModel):
    """What the journey knows about a sign-in attempt (all of it already in its history)."""

    journey_id: str
    customer_id: str | None
    client_ip: str
    user_agent: str
    device: str
    at: datetime
    enrolled_factors: list[str] = []


class RiskAssessment(BaseModel):
    """The score (log-likelihood ratio attacker vs. this customer), the decision and why."""

    score: float
    decision: Literal["allow", "step_up", "deny"]
    reasons: list[str]
    country: str = ""
    browser: str = ""
    os: str = ""
    device_type: str = ""


class LoginRecord(BaseModel):
    """The outcome: a fully authenticated success teaches the baseline; failures feed velocity."""

    signals: LoginSignals
    success: bool


class RiskActivities:
    """Typed references to the risk activities, for ``Journey.step``."""

    assess = ActivityRef("risk.assess", LoginSignals, RiskAssessment)
    record = ActivityRef("risk.record", LoginRecord, type(None))
