"""How well the risk score separates customers from attackers who know the password.

Simulates customers (``bench/loginsim.py``, seeded), teaches their past sign-ins to the same
``SqlRiskStore`` the ``risk.assess`` activity uses (SQLite in a temporary directory), then scores
each customer's next genuine sign-in and one sign-in by each kind of attacker at the same moment,
with the Freeman model (``workers.risk.model``) and with a static rule engine side by side:

* rules: challenge when the country is new for the customer, or the device cookie is new, or the
  account had ``RULE_FAILURES`` failed sign-ins in the last hour (none in this simulation:
  attackers here hold the password).

Printed per attacker and per history size (past sign-ins: 1, 2–4, 5–9, 10+): ROC-AUC (1 is
perfect, 0.5 is chance) and the share of genuine sign-ins challenged when the threshold is set to
catch 95% and 99% of that attacker's sign-ins ("chall@95"). The rule engine has only a few
possible scores, so its operating point is the first one catching at least that share.

Usage::

    .venv/bin/python bench/risk_eval.py [--customers 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loginsim import ATTACKS, Customer, Login, Simulator  # noqa: E402

from core.settings import Settings  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from workers.risk.features import extract  # noqa: E402
from workers.risk.model import Evidence, FreemanModel  # noqa: E402
from workers.risk.store import Attempt, SqlRiskStore  # noqa: E402

BUCKETS = {"1": (1, 1), "2-4": (2, 4), "5-9": (5, 9), "10+": (10, 20)}
DETECTION = (0.95, 0.99)
RULE_FAILURES = 3
BENCH_KEY = b"risk-eval-bench-key-32-bytes-ok!"


@dataclass
class Scores:
    """Scores of one population (genuine or one attacker) for both engines."""

    freeman: list[float]
    rules: list[float]


def attempt(customer: Customer, login: Login, journey_id: str) -> Attempt:
    return Attempt(
        journey_id=journey_id,
        customer_id=customer.id,
        client_ip=login.client_ip,
        features=extract(login.client_ip, login.user_agent, login.device),
        at=login.at,
    )


def rule_score(attempt: Attempt, evidence: Evidence) -> float:
    """How many static rules fire (challenge if any)."""
    features = attempt.features
    new_country = evidence.customer.get(features.network[0].path, 0) == 0
    new_device = evidence.customer.get(features.device[0].path, 0) == 0
    failures = evidence.velocity.account_hour >= RULE_FAILURES
    return float(new_country + new_device + failures)


def auc(genuine: list[float], attacks: list[float]) -> float:
    """P(attack score > genuine score), ties counted half (Mann–Whitney U)."""
    ranked = sorted([(s, 0) for s in genuine] + [(s, 1) for s in attacks])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mean_rank = (i + j + 1) / 2
        rank_sum += mean_rank * sum(1 for k in range(i, j) if ranked[k][1] == 1)
        i = j
    n_a, n_g = len(attacks), len(genuine)
    return (rank_sum - n_a * (n_a + 1) / 2) / (n_a * n_g)


def challenge_rate(genuine: list[float], attacks: list[float], detection: float) -> float:
    """Share of genuine sign-ins at or above the threshold that catches ``detection`` of attacks."""
    ordered = sorted(attacks)
    threshold = ordered[math.floor((1 - detection) * len(ordered))]
    return sum(1 for s in genuine if s >= threshold) / len(genuine)


def threshold_for(attacks: list[float], detection: float) -> float:
    ordered = sorted(attacks)
    return ordered[math.floor((1 - detection) * len(ordered))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()

    sim = Simulator(args.seed)
    customers: list[tuple[str, Customer]] = []
    names = list(BUCKETS)
    for n in range(args.customers):
        bucket = names[n % len(names)]
        low, high = BUCKETS[bucket]
        customers.append((bucket, sim.customer(n, sim.rng.randint(low, high) + 1)))
    built = time.perf_counter()

    memory = Path("/dev/shm")  # SQLite without disk syncs, where the machine has a tmpfs
    with tempfile.TemporaryDirectory(
        prefix="risk-eval-", dir=memory if memory.is_dir() else None
    ) as tmp:
        url = f"sqlite:///{tmp}/risk.db"
        upgrade(url)
        store = SqlRiskStore(url, BENCH_KEY)
        learned = 0
        for _, customer in customers:
            for n, login in enumerate(customer.logins[:-1]):
                store.record(attempt(customer, login, f"{customer.id}-{n}"), success=True)
                learned += 1
        recorded = time.perf_counter()

        model = FreemanModel()
        genuine: dict[str, Scores] = defaultdict(lambda: Scores([], []))
        attacked: dict[tuple[str, str], Scores] = defaultdict(lambda: Scores([], []))
        for bucket, customer in customers:
            test = customer.logins[-1]
            samples = [("genuine", test)] + [(k, sim.attack(k, customer, test.at)) for k in ATTACKS]
            for kind, login in samples:
                probe = attempt(customer, login, f"{customer.id}-{kind}")
                evidence = store.evidence(probe)
                scores = genuine[bucket] if kind == "genuine" else attacked[(kind, bucket)]
                scores.freeman.append(model.score(probe.features, evidence).total)
                scores.rules.append(rule_score(probe, evidence))
        scored = time.perf_counter()

    report(genuine, attacked)
    sweep(genuine, attacked)
    print(
        f"\n{args.customers} customers, {learned} past sign-ins learned, seed {args.seed}; "
        f"simulate {built - started:.1f} s, learn {recorded - built:.1f} s "
        f"({1000 * (recorded - built) / learned:.2f} ms per risk.record), "
        f"score {scored - recorded:.1f} s "
        f"({1000 * (scored - recorded) / (5 * len(customers)):.2f} ms per risk.assess)"
    )


def report(genuine: dict[str, Scores], attacked: dict[tuple[str, str], Scores]) -> None:
    """Print the markdown table (the same one as in docs/risk.md)."""
    print(
        "| attacker | history | n | AUC Freeman | AUC rules | chall@95 Freeman | chall@95 rules "
        "| chall@99 Freeman | chall@99 rules |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for kind in ATTACKS:
        for bucket in [*BUCKETS, "all"]:
            buckets = list(BUCKETS) if bucket == "all" else [bucket]
            good = Scores(
                [s for b in buckets for s in genuine[b].freeman],
                [s for b in buckets for s in genuine[b].rules],
            )
            bad = Scores(
                [s for b in buckets for s in attacked[(kind, b)].freeman],
                [s for b in buckets for s in attacked[(kind, b)].rules],
            )
            cells = [
                f"{auc(good.freeman, bad.freeman):.3f}",
                f"{auc(good.rules, bad.rules):.3f}",
            ]
            for detection in DETECTION:
                cells.append(f"{100 * challenge_rate(good.freeman, bad.freeman, detection):.1f}%")
                cells.append(f"{100 * challenge_rate(good.rules, bad.rules, detection):.1f}%")
            cells = [cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]]
            print(f"| {kind} | {bucket} | {len(bad.freeman)} | " + " | ".join(cells) + " |")
    everything = [s for b in BUCKETS for s in genuine[b].freeman]
    for detection in DETECTION:
        attacks = [s for (_, b), sc in attacked.items() for s in sc.freeman]
        threshold = threshold_for(attacks, detection)
        rate = sum(1 for s in everything if s >= threshold) / len(everything)
        print(
            f"\nFreeman threshold catching {detection:.0%} of all attacks: {threshold:.2f} "
            f"(challenges {100 * rate:.1f}% of genuine sign-ins)"
        )


def sweep(genuine: dict[str, Scores], attacked: dict[tuple[str, str], Scores]) -> None:
    """Genuine challenge rate and detection per attacker at a few step-up thresholds.

    A sign-in is challenged when its score is *above* the threshold, as in ``RiskPolicy``.
    """
    defaults = Settings()
    print("\n| step-up threshold | genuine challenged | " + " | ".join(ATTACKS) + " |")
    print("|---|---|" + "---|" * len(ATTACKS))
    good = [s for b in BUCKETS for s in genuine[b].freeman]
    for threshold in sorted(
        {-10.0, -8.0, -6.0, -4.0, -2.0, 0.0, 2.0, defaults.risk_step_up_threshold}
    ):
        caught = []
        for kind in ATTACKS:
            bad = [s for b in BUCKETS for s in attacked[(kind, b)].freeman]
            caught.append(f"{100 * sum(1 for s in bad if s > threshold) / len(bad):.1f}%")
        rate = 100 * sum(1 for s in good if s > threshold) / len(good)
        print(f"| {threshold:g} | {rate:.1f}% | " + " | ".join(caught) + " |")


if __name__ == "__main__":
    main()
