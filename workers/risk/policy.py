"""What to do with a risk score: allow, ask for a second factor, or refuse.

The step-up threshold depends on how much history the customer has: a score computed from two
past sign-ins is weaker evidence than one from twenty, so the same number means less. The
thresholds are a table by history bucket (:data:`DEFAULT_STEP_UP`), calibrated on the simulator
with ``bench/risk_eval.py --calibrate`` (see ``docs/risk.md``), and settable per deployment:

* ``THRESHOLD_RISK_STEP_UP_THRESHOLDS='{"1": -3.5, "10+": 1}'`` replaces the named buckets
  (unknown bucket names are refused);
* ``THRESHOLD_RISK_STEP_UP_THRESHOLD`` (one number) replaces every bucket;
* ``THRESHOLD_RISK_DENY_THRESHOLD``: above it, a customer without a second factor is refused;
* ``THRESHOLD_RISK_NEW_DEVICE_STEP_UP`` (default on): a customer with a second factor signing in
  from an unknown device with a software family they never used is asked for it, whatever the
  score (the promise of the security page).

Scores are natural-log likelihood ratios, see :mod:`workers.risk.model`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from core.settings import Settings

Decision = Literal["allow", "step_up", "deny"]

#: History buckets: name, fewest and most past successful sign-ins (``None``: no upper bound).
HISTORY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0", 0, 0),
    ("1", 1, 1),
    ("2-4", 2, 4),
    ("5-9", 5, 9),
    ("10+", 10, None),
)

#: The shipped step-up thresholds by history bucket, from ``bench/risk_eval.py --calibrate
#: --customers 800 --seed 11`` (a seed the published evaluation does not use): the fewest
#: genuine challenges catching 96% of targeted attackers over all history sizes, and with 10+
#: sign-ins 99.5% of naive and 97% of targeted ones. With no history the score is 0 unless
#: velocity or travel speak, so "0" allows exactly that.
DEFAULT_STEP_UP: Mapping[str, float] = {
    "0": 0.0,
    "1": -3.5,
    "2-4": -4.5,
    "5-9": -4.5,
    "10+": -4.5,
}


def history_bucket(history: int) -> str:
    """The bucket name of a customer with ``history`` past successful sign-ins."""
    for name, low, high in HISTORY_BUCKETS:
        if history >= low and (high is None or history <= high):
            return name
    raise ValueError(f"negative history: {history}")


@dataclass(frozen=True)
class RiskPolicy:
    """``score <= step_up[bucket]`` allows; above it the customer is challenged, or refused above
    ``deny``.

    Comparisons are strict so that a customer with no history (score exactly 0: no evidence
    either way) is allowed by the "0" bucket's threshold of 0.

    A customer with an enrolled factor (TOTP, passkey, recovery codes) is always challenged above
    the step-up threshold, never refused: the factor proves more than our guess, and refusing a
    legitimate traveller who holds their authenticator is worse than asking for it. Without a
    factor, a score past ``deny`` is refused (the only challenge left would be an email code, which
    an attacker holding a reused password often also holds).
    """

    step_up: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_STEP_UP))
    deny_threshold: float = 10.0
    new_device_step_up: bool = True

    def __post_init__(self) -> None:
        names = {name for name, _, _ in HISTORY_BUCKETS}
        if set(self.step_up) != names:
            raise ValueError(f"the step-up table needs exactly the buckets {sorted(names)}")
        if any(self.deny_threshold < t for t in self.step_up.values()):
            raise ValueError("the deny threshold must not be below a step-up threshold")

    @classmethod
    def from_settings(cls, settings: Settings) -> RiskPolicy:
        """The deployment's table: the defaults, with the settings' overrides."""
        table = dict(DEFAULT_STEP_UP)
        unknown = set(settings.risk_step_up_thresholds) - set(table)
        if unknown:
            raise ValueError(f"unknown history buckets in the risk policy: {sorted(unknown)}")
        table.update(settings.risk_step_up_thresholds)
        if settings.risk_step_up_threshold is not None:
            table = dict.fromkeys(table, settings.risk_step_up_threshold)
        return cls(
            step_up=table,
            deny_threshold=settings.risk_deny_threshold,
            new_device_step_up=settings.risk_new_device_step_up,
        )

    def threshold(self, history: int) -> float:
        """The step-up threshold for a customer with ``history`` past sign-ins."""
        return self.step_up[history_bucket(history)]

    def decide(
        self,
        score: float,
        enrolled_factors: Sequence[str],
        history: int = 0,
        *,
        new_device_and_software: bool = False,
    ) -> Decision:
        """The decision for ``score`` given the customer's history and factors.

        ``new_device_and_software``: the device is not known (never seen, or forgotten) and the
        OS or browser family is one the customer never used.
        """
        if score <= self.threshold(history):
            if self.new_device_and_software_rule(enrolled_factors, new_device_and_software):
                return "step_up"
            return "allow"
        if enrolled_factors or score <= self.deny_threshold:
            return "step_up"
        return "deny"

    def new_device_and_software_rule(
        self, enrolled_factors: Sequence[str], new_device_and_software: bool
    ) -> bool:
        """Whether the new-device rule asks for the factor (only customers who have one)."""
        return self.new_device_step_up and bool(enrolled_factors) and new_device_and_software
