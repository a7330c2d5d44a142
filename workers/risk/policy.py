"""What to do with a risk score: allow, ask for a second factor, or refuse.

Per deployment, from ``THRESHOLD_RISK_STEP_UP_THRESHOLD`` and ``THRESHOLD_RISK_DENY_THRESHOLD``
(natural-log likelihood ratios, see :mod:`workers.risk.model` and ``docs/risk.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from core.settings import Settings

Decision = Literal["allow", "step_up", "deny"]


@dataclass(frozen=True)
class RiskPolicy:
    """``score <= step_up`` allows; above it the customer is challenged, or refused above ``deny``.

    Comparisons are strict so that a customer with no history (score exactly 0: no evidence
    either way) is allowed by the default threshold of 0.

    A customer with an enrolled factor (TOTP, passkey, recovery codes) is always challenged above
    the step-up threshold, never refused: the factor proves more than our guess, and refusing a
    legitimate traveller who holds their authenticator is worse than asking for it. Without a
    factor, a score past ``deny`` is refused (the only challenge left would be an email code, which
    an attacker holding a reused password often also holds).
    """

    step_up_threshold: float
    deny_threshold: float

    def __post_init__(self) -> None:
        if self.deny_threshold < self.step_up_threshold:
            raise ValueError("the deny threshold must not be below the step-up threshold")

    @classmethod
    def from_settings(cls, settings: Settings) -> RiskPolicy:
        """The deployment's thresholds."""
        return cls(
            step_up_threshold=settings.risk_step_up_threshold,
            deny_threshold=settings.risk_deny_threshold,
        )

    def decide(self, score: float, enrolled_factors: Sequence[str]) -> Decision:
        """The decision for ``score`` given which factors the customer has."""
        if score <= self.step_up_threshold:
            return "allow"
        if enrolled_factors or score <= self.deny_threshold:
            return "step_up"
        return "deny"
