"""The policy table: thresholds by history bucket, settable; enrolled customers are challenged,
not refused; the new-device rule asks customers with a factor."""

from __future__ import annotations

import pytest

from core.settings import Settings
from workers.risk.policy import DEFAULT_STEP_UP, HISTORY_BUCKETS, RiskPolicy, history_bucket

FLAT = RiskPolicy(step_up=dict.fromkeys(DEFAULT_STEP_UP, 3.0), deny_threshold=12.0)


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
    assert FLAT.decide(score, factors, history=5) == decision


@pytest.mark.parametrize(
    ("history", "bucket"),
    [(0, "0"), (1, "1"), (2, "2-4"), (4, "2-4"), (5, "5-9"), (9, "5-9"), (10, "10+"), (500, "10+")],
)
def test_history_buckets_cover_every_history(history: int, bucket: str) -> None:
    assert history_bucket(history) == bucket


def test_the_threshold_depends_on_the_history() -> None:
    policy = RiskPolicy(step_up={"0": 0, "1": -1, "2-4": -2, "5-9": -3, "10+": -4})
    score = -2.5  # allowed with little history, challenged with a lot
    assert [policy.decide(score, [], h) for h in (1, 3, 7, 12)] == [
        "allow",
        "allow",
        "step_up",
        "step_up",
    ]


def test_by_default_no_history_is_allowed_and_any_evidence_of_an_attacker_is_challenged() -> None:
    default = RiskPolicy.from_settings(Settings())
    assert default.step_up == DEFAULT_STEP_UP
    assert default.decide(0.0, [], history=0) == "allow"
    assert default.decide(0.01, [], history=0) == "step_up"


def test_the_shipped_table_is_stricter_with_more_history() -> None:
    ordered = [DEFAULT_STEP_UP[name] for name, _, _ in HISTORY_BUCKETS[1:]]
    assert ordered == sorted(ordered, reverse=True)
    assert all(t <= 0 for t in ordered)


def test_buckets_are_settable_one_by_one_and_all_at_once() -> None:
    some = RiskPolicy.from_settings(Settings(risk_step_up_thresholds={"1": -1.5, "10+": 2.0}))
    assert some.threshold(1) == -1.5
    assert some.threshold(30) == 2.0
    assert some.threshold(3) == DEFAULT_STEP_UP["2-4"]
    every = RiskPolicy.from_settings(Settings(risk_step_up_threshold=1.5, risk_deny_threshold=4.0))
    assert dict(every.step_up) == dict.fromkeys(DEFAULT_STEP_UP, 1.5)
    assert every.deny_threshold == 4.0


def test_the_table_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THRESHOLD_RISK_STEP_UP_THRESHOLDS", '{"5-9": -7.5}')
    assert RiskPolicy.from_settings(Settings()).threshold(6) == -7.5


def test_an_unknown_bucket_or_a_deny_below_step_up_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown history buckets"):
        RiskPolicy.from_settings(Settings(risk_step_up_thresholds={"3": 1.0}))
    with pytest.raises(ValueError, match="deny threshold"):
        RiskPolicy(step_up=dict.fromkeys(DEFAULT_STEP_UP, 5.0), deny_threshold=4.0)
    with pytest.raises(ValueError, match="exactly the buckets"):
        RiskPolicy(step_up={"10+": 1.0})


def test_a_new_device_with_new_software_asks_customers_with_a_factor_only() -> None:
    low = -50.0  # a score every bucket allows
    assert FLAT.decide(low, ["totp"], 8, new_device_and_software=True) == "step_up"
    assert FLAT.decide(low, [], 8, new_device_and_software=True) == "allow"
    assert FLAT.decide(low, ["totp"], 8, new_device_and_software=False) == "allow"
    off = RiskPolicy.from_settings(Settings(risk_new_device_step_up=False))
    assert off.decide(low, ["totp"], 8, new_device_and_software=True) == "allow"
