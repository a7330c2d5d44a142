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

Then the shipped defaults (``RiskPolicy`` with the history-bucket table of
``workers/risk/policy.py``), as ``shipped default, 10+ history: genuine challenged X% | naive …``
lines, next to the v1 model (no client hints, no time of day) at the old flat threshold 0 on the
same simulated sign-ins. ``--calibrate`` also prints the table that minimises genuine challenges
under the targets (``Targets``); calibrate on a seed the published run does not use.

Usage::

    .venv/bin/python bench/risk_eval.py [--customers 2000] [--seed 7] [--calibrate]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loginsim import ATTACKS, Customer, Login, Simulator  # noqa: E402

from core.settings import Settings  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from workers.risk.features import LoginFeatures, extract  # noqa: E402
from workers.risk.model import Evidence, FreemanModel  # noqa: E402
from workers.risk.policy import RiskPolicy, history_bucket  # noqa: E402
from workers.risk.store import Attempt, SqlRiskStore  # noqa: E402

BUCKETS = {"1": (1, 1), "2-4": (2, 4), "5-9": (5, 9), "10+": (10, 20)}
DETECTION = (0.95, 0.99)
RULE_FAILURES = 3
BENCH_KEY = b"risk-eval-bench-key-32-bytes-ok!"


@dataclass
class Scores:
    """Scores of one population (genuine or one attacker) for both engines.

    ``v1`` is the model without the signals added for very targeted attackers (client hints,
    time of day), scored on the same evidence; ``history`` the past sign-ins behind each score.
    """

    freeman: list[float]
    rules: list[float]
    v1: list[float] = field(default_factory=list)
    history: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Targets:
    """What the shipped table must reach (issue 19), with a margin for a different seed."""

    naive_10: float = 0.995
    targeted_10: float = 0.97
    targeted_all: float = 0.96
    margin_note: str = "targets raised above 99% / 95% / 95% so another seed still meets them"


def attempt(customer: Customer, login: Login, journey_id: str) -> Attempt:
    return Attempt(
        journey_id=journey_id,
        customer_id=customer.id,
        client_ip=login.client_ip,
        features=extract(
            login.client_ip,
            login.user_agent,
            login.device,
            client_hints=login.client_hints,
            at=login.at,
        ),
        at=login.at,
    )


def v1_features(features: LoginFeatures) -> LoginFeatures:
    """The sign-in as the v1 model saw it: no client-hints level, no time of day."""
    return dataclasses.replace(features, software=features.software[:3], time=())


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
    parser.add_argument("--calibrate", action="store_true", help="print the calibrated table")
    parser.add_argument(
        "--scores", type=Path, help="save every score here as JSON; re-read it if it exists"
    )
    args = parser.parse_args()
    if args.scores is not None and args.scores.exists():
        summarise(*load_scores(args.scores), calibrating=args.calibrate)
        return
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
                scores.v1.append(model.score(v1_features(probe.features), evidence).total)
                scores.rules.append(rule_score(probe, evidence))
                scores.history.append(evidence.history)
        scored = time.perf_counter()

    if args.scores is not None:
        save_scores(args.scores, genuine, attacked)
    summarise(genuine, attacked, calibrating=args.calibrate)
    print(
        f"\n{args.customers} customers, {learned} past sign-ins learned, seed {args.seed}; "
        f"simulate {built - started:.1f} s, learn {recorded - built:.1f} s "
        f"({1000 * (recorded - built) / learned:.2f} ms per risk.record), "
        f"score {scored - recorded:.1f} s "
        f"({1000 * (scored - recorded) / (5 * len(customers)):.2f} ms per risk.assess)"
    )


def summarise(
    genuine: dict[str, Scores], attacked: dict[tuple[str, str], Scores], *, calibrating: bool
) -> None:
    """Every table: per attacker and history, the sweep, the shipped defaults, calibration."""
    report(genuine, attacked)
    sweep(genuine, attacked)
    shipped(genuine, attacked)
    if calibrating:
        calibrate(genuine, attacked, Targets())


def save_scores(
    path: Path, genuine: dict[str, Scores], attacked: dict[tuple[str, str], Scores]
) -> None:
    """Keep a run's scores, so tables and calibration can be redone without re-simulating."""
    rows = {f"genuine|{b}": dataclasses.asdict(s) for b, s in genuine.items()}
    rows.update({f"{k}|{b}": dataclasses.asdict(s) for (k, b), s in attacked.items()})
    path.write_text(json.dumps(rows))


def load_scores(path: Path) -> tuple[dict[str, Scores], dict[tuple[str, str], Scores]]:
    """The scores :func:`save_scores` kept."""
    genuine: dict[str, Scores] = {}
    attacked: dict[tuple[str, str], Scores] = {}
    for key, value in json.loads(path.read_text()).items():
        kind, bucket = key.split("|")
        if kind == "genuine":
            genuine[bucket] = Scores(**value)
        else:
            attacked[(kind, bucket)] = Scores(**value)
    return genuine, attacked


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
    print("\n| step-up threshold | genuine challenged | " + " | ".join(ATTACKS) + " |")
    print("|---|---|" + "---|" * len(ATTACKS))
    good = [s for b in BUCKETS for s in genuine[b].freeman]
    for threshold in (-10.0, -8.0, -6.0, -4.0, -2.0, 0.0, 2.0):
        caught = []
        for kind in ATTACKS:
            bad = [s for b in BUCKETS for s in attacked[(kind, b)].freeman]
            caught.append(f"{100 * sum(1 for s in bad if s > threshold) / len(bad):.1f}%")
        rate = 100 * sum(1 for s in good if s > threshold) / len(good)
        print(f"| {threshold:g} | {rate:.1f}% | " + " | ".join(caught) + " |")


def caught(scores: list[float], history: list[int], table: dict[str, float]) -> float:
    """Share of sign-ins above their history bucket's threshold (the policy's step-up rule)."""
    above = sum(1 for s, h in zip(scores, history, strict=True) if s > table[history_bucket(h)])
    return above / len(scores)


def shipped(genuine: dict[str, Scores], attacked: dict[tuple[str, str], Scores]) -> None:
    """The lines issue 19 asks for: the shipped table, and v1 at the old flat threshold 0."""
    table = dict(RiskPolicy.from_settings(Settings()).step_up)
    flat = dict.fromkeys(table, 0.0)
    print("\nshipped table: " + ", ".join(f"{b}: {t:g}" for b, t in table.items()))
    for label, buckets in (("10+ history", ["10+"]), ("all history sizes", list(BUCKETS))):
        for name, v1, thresholds in (
            ("shipped default", False, table),
            ("v1 signals, flat 0 (before)", True, flat),
        ):
            cells = [_rate([attacked[(k, b)] for b in buckets], v1, thresholds) for k in ATTACKS]
            print(
                f"{name}, {label}: genuine challenged "
                f"{_rate([genuine[b] for b in buckets], v1, thresholds)} | "
                + " | ".join(f"{k} {c}" for k, c in zip(ATTACKS, cells, strict=True))
            )


def _rate(population: list[Scores], v1: bool, thresholds: dict[str, float]) -> str:
    scores = [x for p in population for x in (p.v1 if v1 else p.freeman)]
    history = [h for p in population for h in p.history]
    return f"{100 * caught(scores, history, thresholds):.1f}%"


def calibrate(
    genuine: dict[str, Scores], attacked: dict[tuple[str, str], Scores], targets: Targets
) -> None:
    """The per-bucket thresholds challenging the fewest genuine sign-ins under ``targets``.

    Exact, by dynamic programming over the buckets: each bucket offers every candidate
    threshold (halves from -20 to 5; 10+ only those meeting its own naive and targeted floors),
    with how many genuine sign-ins it challenges and how many targeted attackers it catches;
    the table with the fewest genuine challenges catching ``targeted_all`` of all targeted
    attackers wins (ties: the laxer thresholds).
    """
    candidates = [x / 2 for x in range(10, -41, -1)]  # laxest first: ties keep the laxer one

    def above(xs: list[float], t: float) -> int:
        return sum(1 for x in xs if x > t)

    best: dict[int, tuple[int, tuple[float, ...]]] = {0: (0, ())}
    for bucket in BUCKETS:
        good, bad = genuine[bucket].freeman, attacked[("targeted", bucket)].freeman
        naive = attacked[("naive", bucket)].freeman
        options = [
            (t, above(good, t), above(bad, t))
            for t in candidates
            if bucket != "10+"
            or (
                above(bad, t) >= targets.targeted_10 * len(bad)
                and above(naive, t) >= targets.naive_10 * len(naive)
            )
        ]
        step: dict[int, tuple[int, tuple[float, ...]]] = {}
        for caught_so_far, (challenged, chosen) in best.items():
            for t, challenges, catches in options:
                key = caught_so_far + catches
                value = (challenged + challenges, (*chosen, t))
                if key not in step or value[0] < step[key][0]:
                    step[key] = value
        best = step
    attackers = sum(len(attacked[("targeted", b)].freeman) for b in BUCKETS)
    feasible = [v for k, v in best.items() if k >= targets.targeted_all * attackers]
    challenged, chosen = min(feasible, key=lambda v: v[0])
    table = dict(zip(BUCKETS, chosen, strict=True))
    print(f"\ncalibrated step-up table ({targets.margin_note}):")
    for bucket in BUCKETS:
        t = table[bucket]
        rates = [
            above(genuine[bucket].freeman, t) / len(genuine[bucket].freeman),
            above(attacked[("targeted", bucket)].freeman, t) / len(genuine[bucket].freeman),
            above(attacked[("naive", bucket)].freeman, t) / len(genuine[bucket].freeman),
        ]
        print(
            f"  {bucket}: {t:g}  (genuine {100 * rates[0]:.1f}%, "
            f"targeted {100 * rates[1]:.1f}%, naive {100 * rates[2]:.1f}%)"
        )
    total = sum(len(genuine[b].freeman) for b in BUCKETS)
    print(f"  all history sizes: genuine {100 * challenged / total:.1f}% challenged")
    print("  (bucket 0, no history: keep 0 — the score is 0 unless velocity or travel speak)")


if __name__ == "__main__":
    main()
