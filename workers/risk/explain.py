"""Plain words for a risk decision, and the labels it is counted under in metrics.

A decision lists what looked unusual (``reasons``) and what looked like the customer
(``familiar``). Printed together without the decision's logic they read as contradictions
("allow … 16 failed sign-ins"), so the summary always says which side won and why: the
threshold it was compared with, and the customer's history behind it.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Reason prefixes → the short, bounded metric label (Prometheus labels must not explode).
REASON_KINDS: tuple[tuple[str, str], ...] = (
    ("new country", "new_country"),
    ("new network", "new_network"),
    ("new subnet", "new_network"),
    ("new IP address", "new_network"),
    ("new device type", "new_software"),
    ("new operating system", "new_software"),
    ("new browser", "new_software"),
    ("browser details differ", "client_hints"),
    ("unrecognised device", "new_device"),
    ("forgotten device", "new_device"),
    ("new device and new software", "new_device_rule"),
    ("unusual time of day", "time_of_day"),
    ("unusual hour", "time_of_day"),
    ("impossible travel", "impossible_travel"),
    ("no sign-in history yet", "no_history"),
)
VELOCITY_KINDS = (("for this account", "failures_account"), ("other accounts", "failures_ip"))

VERDICTS = {
    "allow": "Allowed without a second step",
    "step_up": "Second step asked",
    "deny": "Refused",
}


def reason_kind(reason: str) -> str:
    """The metric label of one reason (``other`` for a reason this table does not know)."""
    for prefix, kind in REASON_KINDS:
        if reason.startswith(prefix):
            return kind
    for fragment, kind in VELOCITY_KINDS:
        if "failed sign-in" in reason and fragment in reason:
            return kind
    return "other"


def metric_reasons(reasons: Sequence[str]) -> list[str]:
    """The distinct reason labels of a decision, ``none`` when nothing looked unusual."""
    kinds = list(dict.fromkeys(reason_kind(r) for r in reasons))
    return kinds or ["none"]


def summary(
    decision: str,
    *,
    score: float,
    threshold: float,
    history: int,
    reasons: Sequence[str],
    familiar: Sequence[str],
    rule: bool = False,
) -> str:
    """One sentence a customer-support person can read aloud.

    For example: "Allowed without a second step: recognised device and usual network outweigh
    3 failed sign-in steps for this account in the last hour, 3 in the last day (score -6.2, a
    second step above -4 with 12 past sign-ins)."
    """
    verdict = VERDICTS.get(decision, decision)
    against = "; ".join(reasons)
    support = " and ".join(familiar)
    basis = f"(score {score:.1f}, a second step above {threshold:g} with {_history(history)})"
    if rule:
        return (
            f"{verdict}: new device and new software for an account with a second factor {basis}."
        )
    if decision == "allow":
        if against and support:
            return f"{verdict}: {support} outweigh {against} {basis}."
        if against:
            return f"{verdict}: only {against}, not enough for a second step {basis}."
        if support:
            return f"{verdict}: {support}, nothing unusual {basis}."
        return f"{verdict}: nothing unusual {basis}."
    if not against:
        against = "nothing stood out, but nothing looked like this customer's habits either"
    if support:
        return f"{verdict}: {against}, despite {support} {basis}."
    return f"{verdict}: {against} {basis}."


def _history(history: int) -> str:
    if history == 0:
        return "no past sign-ins"
    return "1 past sign-in" if history == 1 else f"{history} past sign-ins"
