"""Plain words for a risk decision, and the labels it is counted under in metrics.

A decision lists what looked unusual (``reasons``) and what looked like the customer
(``familiar``). Printed together without the decision's logic they read as contradictions
("allow … 16 failed sign-ins"), so the summary always says which side won and why: the
threshold it was compared with, and the customer's history behind it; and each reason, read by
:func:`reason_words`, says whose it is (failures on this account, or other people's from the same
IP address) and whether it was enough for a second step.

Shared by the risk activity (which writes the words into the audit log), the support pages and the
CLI, so it lives with the contracts: it imports nothing of ours.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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


_ACCOUNT_FAILURES = re.compile(
    r"^(\d+) failed sign-in steps for this account in the last hour, (\d+) in the last day$"
)
_IP_FAILURES = re.compile(
    r"^failed sign-ins for (\d+) other accounts from this IP address in the last hour, "
    r"(\d+) in the last day$"
)


def account_failures(hour: int, day: int) -> str:
    """The reason the model gives for failed steps on the customer's own account."""
    return f"{hour} failed sign-in steps for this account in the last hour, {day} in the last day"


def ip_failures(hour: int, day: int) -> str:
    """The reason the model gives for other accounts failing from the same IP address."""
    return (
        f"failed sign-ins for {hour} other accounts from this IP address in the last hour, "
        f"{day} in the last day"
    )


def reason_words(reason: str, decision: str) -> str:
    """One reason as support reads it: whose it is, and whether it was enough to ask more.

    Every reason raised the score; in an ``allow`` the signals that looked like the customer
    (or a score still under the threshold) won, and the words say so instead of leaving "16 failed
    sign-ins" next to "allowed".
    """
    counted = decision != "allow"
    found = _ACCOUNT_FAILURES.match(reason)
    if found:
        hour, day = found.groups()
        whose = (
            f"Wrong passwords or codes for this customer's own account: {hour} in the last hour, "
            f"{day} in the last day (the customer's typos, or someone trying the account)"
        )
        if counted:
            return f"{whose}. They counted toward the second step."
        return f"{whose}. They raised the score, but not above the threshold."
    found = _IP_FAILURES.match(reason)
    if found:
        hour, day = found.groups()
        whose = (
            f"Not this customer's failures: {hour} other accounts failed to sign in from the same "
            f"IP address in the last hour, {day} in the last day (a shared network, or someone "
            "trying many accounts). They count once per account, so one office's typos weigh little"
        )
        if counted:
            return f"{whose}; here they counted toward the second step."
        return f"{whose}; here they were not enough for a second step."
    text = reason[:1].upper() + reason[1:]
    if counted:
        return f"{text}."
    return f"{text}: unusual, but not enough for a second step."


@dataclass(frozen=True)
class Explained:
    """One decision as the support page shows it."""

    decision: str
    verdict: str
    summary: str
    unusual: list[str]
    familiar: list[str]


def explain(detail: Mapping[str, Any]) -> Explained:
    """A ``risk.assessed`` audit detail in plain words (older rows without a summary too)."""
    decision = str(detail.get("decision", ""))
    reasons = [str(r) for r in detail.get("reasons", [])]
    familiar = [str(f) for f in detail.get("familiar", [])]
    text = str(detail.get("summary", ""))
    if not text and "score" in detail and "threshold" in detail:
        text = summary(
            decision,
            score=float(detail["score"]),
            threshold=float(detail["threshold"]),
            history=int(detail.get("history", 0)),
            reasons=reasons,
            familiar=familiar,
        )
    verdict = VERDICTS.get(decision, decision or "Unknown decision")
    return Explained(
        decision=decision,
        verdict=verdict,
        summary=text or f"{verdict} (score {detail.get('score', '?')}).",
        unusual=[reason_words(r, decision) for r in reasons],
        familiar=familiar,
    )
