"""Thresholds turn a score into a decision; enrolled customers are challenged, not refused."""

from __future__ import annotations

import pytest

from core.settings import Settings
from workers.risk.policy import RiskPolicy

POLICY = RiskPolicy(step_up_threshold=3.0, deny_threshold=12.0)


@pytest.mark.parametrize(
    ("score", "factors", "decision"),
    [
        (-20.0, [], "allow"),
        (3.0, [], "allow"),
        (3.01, [], "step_up"),
        (12.0, [], "step_up"),
        (12.01, [], "deny"),
        (3.0, ["totp"], "allow"),
        (3.01, ["totp"], "step_up"),
        (40.0, ["passkey"], "step_up"),
    ],
)
def test_decisions(score: float, factors: list[str], decision: str) -> None:
    assert POLICY.decide(score, factors) == decision


def test_by_default_no_history_is_allowed_and_any_evidence_of_an_attacker_is_challenged() -> None:
    default = RiskPolicy.from_settings(Settings())
    assert default.decide(0.0, []) == "allow"
    assert default.decide(0.01, []) == "step_up"


def test_thresholds_come_from_settings() -> None:
    settings = Settings(risk_step_up_threshold=1.5, risk_deny_threshold=4.0)
    assert RiskPolicy.from_settings(settings) == RiskPolicy(1.5, 4.0)


def test_a_deny_threshold_below_the_step_up_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="deny threshold"):
        RiskPolicy(step_up_threshold=5.0, deny_threshold=4.0)
