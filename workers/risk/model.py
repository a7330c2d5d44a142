"""The Freeman et al. (NDSS 2016) likelihood-ratio score of a sign-in.

For a sign-in with feature values ``x`` claiming to be customer ``u``, the score is

    S(x, u) = Σ_k ln( p(x_k | attacker) / p(x_k | u) )

(the paper's ratio with feature independence; higher means more likely an attacker). Following
the paper, the attacker is modelled by the global population of sign-ins: an attacker who knows
the password logs in from wherever logins come from, so ``p(x | attacker) = p(x)``, the global
frequency.

Hierarchical features (see :mod:`workers.risk.features`) are scored level by level, each value
conditioned on its parent, so the chain's probability is the product of the levels' conditionals
and its log ratio is the sum over levels. For level value ``x`` under parent ``p`` (the root's
counts are the total numbers of sign-ins):

    global:    p_A(x | p) = (G(x) + γ) / (G(p) + γ·K)
    customer:  p_U(x | p) = (C(x) + λ·p_A(x | p)) / (C(p) + λ),   λ = α + D(p)

``G`` and ``C`` count past successful sign-ins globally and for this customer, ``D(p)`` is how many
distinct children of ``p`` the customer has used, ``γ`` = :attr:`FreemanModel.GLOBAL_PSEUDOCOUNT`,
``K`` = :attr:`FreemanModel.BRANCHING` of the level, ``α`` = :attr:`FreemanModel.USER_PRIOR`.

The customer estimate backs off to the global one (the paper's hierarchical smoothing): with no
history under ``p`` it *is* the global one (ratio 1, the level says nothing). A value the customer
never used under a parent they did use gets ``ratio = (C(p) + λ)/λ``: the more sign-ins behind
the parent, the stronger the evidence, and the more distinct values the customer already roams
between (``D``, the Witten–Bell estimate of the chance of something new), the weaker. Once a chain
leaves the customer's known values, finer levels have no history and add nothing, so a new
country costs the same whatever the IP.

Velocity and impossible travel have no per-customer baseline to learn from; they contribute fixed
likelihood ratios (named tables below) that are priors, not fitted values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from contracts.risk_explain import account_failures, ip_failures
from workers.risk.features import Chain, LoginFeatures, Travel, Velocity

ROOT = ""


@dataclass(frozen=True)
class Evidence:
    """Past successful sign-ins, counted for the paths of the sign-in being scored.

    ``customer`` and ``global_`` map a level's path to its count; the root path ``""`` maps to the
    total number of sign-ins. ``distinct`` maps ``(parent path, level name)`` to the number of
    distinct values of that level the customer has used under that parent. Missing keys count 0.
    """

    customer: Mapping[str, int] = field(default_factory=dict)
    global_: Mapping[str, int] = field(default_factory=dict)
    distinct: Mapping[tuple[str, str], int] = field(default_factory=dict)
    velocity: Velocity = Velocity()
    travel: Travel | None = None
    #: ``(parent path, level name)`` → the customer's sign-ins counted at that level under that
    #: parent. Equal to the parent's count for levels that always existed; smaller for a level
    #: added later (counted only since), and 0 when the level has no history yet, which makes
    #: it silent instead of "new". ``None``: every level is as old as its parent.
    children: Mapping[tuple[str, str], int] | None = None

    def parent_count(self, parent: str, name: str) -> int:
        """The customer's sign-ins a level's values are counted out of (see ``children``)."""
        if self.children is None:
            return self.customer.get(parent, 0)
        return self.children.get((parent, name), 0)

    @property
    def history(self) -> int:
        """How many successful sign-ins the customer has."""
        return self.customer.get(ROOT, 0)


@dataclass(frozen=True)
class Term:
    """One level's contribution ``ln(p_A / p_U)`` and whether the customer never used it."""

    feature: str
    value: str
    log_ratio: float
    new: bool


@dataclass(frozen=True)
class Score:
    """The total (sum of the terms) and why."""

    total: float
    terms: tuple[Term, ...]
    reasons: tuple[str, ...]
    familiar: tuple[str, ...] = ()


class FreemanModel:
    """Scores sign-ins; all constants are class attributes so a deployment can subclass to tune."""

    #: γ — pseudo-count for values never seen globally (additive smoothing of the global model).
    GLOBAL_PSEUDOCOUNT = 1.0
    #: α — weight of the global model in the customer's estimate before any roaming is seen.
    USER_PRIOR = 1.0
    #: K — assumed number of possible children per parent, for the global model's unseen mass.
    BRANCHING: Mapping[str, float] = {
        "country": 250,
        "asn": 2_000,
        "subnet": 4_096,
        "ip": 256,
        "device_type": 5,
        "os": 50,
        "browser": 200,
        "hints": 50,
        "device": 1_000_000,
        "daypart": 4,
        "hour": 6,
    }
    #: Likelihood ratios for failed sign-ins before this one: ``(at least n failures, ratio)``,
    #: first match wins; hour and day windows are both checked and the larger ratio is used.
    ACCOUNT_HOUR_RATIOS = ((10, 20.0), (3, 5.0), (1, 1.5))
    ACCOUNT_DAY_RATIOS = ((20, 10.0), (5, 2.0))
    IP_HOUR_RATIOS = ((20, 50.0), (5, 5.0), (2, 1.5))
    IP_DAY_RATIOS = ((100, 20.0), (20, 3.0))
    #: Likelihood ratio of a sign-in that implies travelling faster than an airliner.
    IMPOSSIBLE_TRAVEL_RATIO = 50.0
    #: How each level is named in reasons.
    LABELS: Mapping[str, str] = {
        "country": "new country",
        "asn": "new network",
        "subnet": "new subnet",
        "ip": "new IP address",
        "device_type": "new device type",
        "os": "new operating system",
        "browser": "new browser",
        "hints": "browser details differ from this browser's usual ones",
        "device": "unrecognised device",
        "daypart": "unusual time of day",
        "hour": "unusual hour",
    }
    #: How a chain the customer does know is named in ``familiar`` (finest known level wins).
    FAMILIAR: Mapping[str, str] = {
        "country": "usual country",
        "asn": "usual network",
        "subnet": "usual network",
        "ip": "usual network",
        "device_type": "usual kind of device",
        "os": "usual operating system",
        "browser": "usual browser",
        "hints": "usual browser",
        "device": "recognised device",
        "daypart": "usual time of day",
        "hour": "usual time of day",
    }

    def score(self, features: LoginFeatures, evidence: Evidence) -> Score:
        """Sum of the log ratios of every chain level, velocity and travel, with reasons."""
        terms: list[Term] = []
        reasons: list[str] = []
        familiar: list[str] = []
        for chain in features.chains:
            chain_terms = self.chain_terms(chain, evidence)
            terms.extend(chain_terms)
            first_new = next((t for t in chain_terms if t.new), None)
            if first_new is not None and evidence.history > 0:
                reasons.append(self.reason(first_new))
            known = [t for t in chain_terms if not t.new and t.log_ratio < 0]
            if known and evidence.history > 0:
                label = self.FAMILIAR.get(known[-1].feature, f"usual {known[-1].feature}")
                if label not in familiar:
                    familiar.append(label)
        velocity_terms, velocity_reasons = self.velocity_terms(evidence.velocity)
        terms.extend(velocity_terms)
        reasons.extend(velocity_reasons)
        if evidence.travel is not None:
            travel = evidence.travel
            terms.append(
                Term("travel", travel.destination, math.log(self.IMPOSSIBLE_TRAVEL_RATIO), True)
            )
            reasons.append(
                f"impossible travel: {travel.origin} → {travel.destination} "
                f"in {travel.hours:.1f} h (~{travel.km:.0f} km)"
            )
        if evidence.history == 0:
            reasons.append("no sign-in history yet")
        return Score(
            total=sum(t.log_ratio for t in terms),
            terms=tuple(terms),
            reasons=tuple(reasons),
            familiar=tuple(familiar),
        )

    def chain_terms(self, chain: Chain, evidence: Evidence) -> list[Term]:
        """``ln(p_A(x | p) / p_U(x | p))`` for every level of one chain, coarse first.

        A level is *new* when the customer has history at that level under this parent but never
        this value; a level without history (added after the customer's sign-ins) says nothing.
        """
        terms = []
        parent = ROOT
        for level in chain:
            p_attacker = self.global_probability(level.name, level.path, parent, evidence)
            p_customer = self.customer_probability(
                level.name, level.path, parent, p_attacker, evidence
            )
            seen = evidence.customer.get(level.path, 0)
            counted = evidence.parent_count(parent, level.name)
            terms.append(
                Term(
                    feature=level.name,
                    value=level.value,
                    log_ratio=math.log(p_attacker / p_customer),
                    new=seen == 0 and counted > 0,
                )
            )
            parent = level.path
        return terms

    def global_probability(self, name: str, path: str, parent: str, evidence: Evidence) -> float:
        """``p_A(x | p) = (G(x) + γ) / (G(p) + γ·K)``."""
        g = self.GLOBAL_PSEUDOCOUNT
        return (evidence.global_.get(path, 0) + g) / (
            evidence.global_.get(parent, 0) + g * self.BRANCHING[name]
        )

    def customer_probability(
        self, name: str, path: str, parent: str, p_attacker: float, evidence: Evidence
    ) -> float:
        """``p_U(x | p) = (C(x) + λ·p_A) / (C(p) + λ)`` with ``λ = α + D(p)``."""
        weight = self.USER_PRIOR + evidence.distinct.get((parent, name), 0)
        return (evidence.customer.get(path, 0) + weight * p_attacker) / (
            evidence.parent_count(parent, name) + weight
        )

    def velocity_terms(self, velocity: Velocity) -> tuple[list[Term], list[str]]:
        """Recent failures for the account, and other accounts failing from the IP, as ratios.

        The IP address counts *distinct other accounts*, so one office's typos behind a shared
        address weigh as little as they are, while credential stuffing (many accounts) weighs.
        """
        terms: list[Term] = []
        reasons: list[str] = []
        subjects = (
            ("account", velocity.account_hour, velocity.account_day),
            ("ip", velocity.ip_hour, velocity.ip_day),
        )
        for subject, hour, day in subjects:
            hourly, daily = self._table(subject)
            ratio = max(_ratio(hourly, hour), _ratio(daily, day))
            if ratio > 1.0:
                terms.append(Term(f"failures_{subject}", str(day), math.log(ratio), True))
                words = account_failures if subject == "account" else ip_failures
                reasons.append(words(hour, day))
        return terms, reasons

    def _table(
        self, subject: str
    ) -> tuple[tuple[tuple[int, float], ...], tuple[tuple[int, float], ...]]:
        if subject == "account":
            return self.ACCOUNT_HOUR_RATIOS, self.ACCOUNT_DAY_RATIOS
        return self.IP_HOUR_RATIOS, self.IP_DAY_RATIOS

    def reason(self, term: Term) -> str:
        """A short sentence for a level the customer never used (IP addresses stay unnamed)."""
        label = self.LABELS.get(term.feature, f"new {term.feature}")
        if term.feature in {"ip", "device", "hints"} or not term.value:
            return label
        if term.feature == "daypart":
            start, end = term.value.split("-")
            return f"{label}: {start}:00–{end}:00 UTC"
        if term.feature == "hour":
            return f"{label}: {term.value}:00 UTC"
        return f"{label}: {term.value}"


def _ratio(table: tuple[tuple[int, float], ...], count: int) -> float:
    return next((ratio for least, ratio in table if count >= least), 1.0)
