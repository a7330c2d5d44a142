"""A second, independent evaluation: replay login events from a CSV in the RBA-dataset format.

The public "Login Data Set for Risk-Based Authentication" (Wiefling et al., das-group/rba-dataset,
CC BY 4.0: >33M login attempts of >3.3M users of a Norwegian SSO) has one row per attempt::

    index,Login Timestamp,User ID,Round-Trip Time [ms],IP Address,Country,Region,City,ASN,
    User Agent String,Browser Name and Version,OS Name and Version,Device Type,Login Successful,
    Is Attack IP,Is Account Takeover

Rows are replayed in time order through the same store and model the ``risk.assess`` activity
uses: a failed attempt is recorded as a failed password (velocity); a successful one is scored
against the user's history, then learned. Successful account takeovers (``Is Account
Takeover``) are the attacks, every other successful login is genuine. Country and ASN come from
the CSV (its addresses are synthetic, so a lookup would place them wrongly); the data set has no
device cookie, no client hints, so those signals say nothing here.

Usage (``bench/data/rba-sample.csv`` is a small synthetic sample in the same format)::

    .venv/bin/python bench/rba_replay.py bench/data/rba-sample.csv
    .venv/bin/python bench/rba_replay.py rba-dataset.csv --users-percent 1 --database-url ...
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.migrate import upgrade  # noqa: E402
from workers.risk.features import chain, extract, parse_ip, subnet_of  # noqa: E402
from workers.risk.model import FreemanModel  # noqa: E402
from workers.risk.policy import RiskPolicy, history_bucket  # noqa: E402
from workers.risk.store import Attempt, SqlRiskStore  # noqa: E402

COLUMNS = (
    "index",
    "Login Timestamp",
    "User ID",
    "IP Address",
    "Country",
    "ASN",
    "User Agent String",
    "Login Successful",
    "Is Attack IP",
    "Is Account Takeover",
)
REPLAY_KEY = b"rba-replay-bench-key-32-bytes-ok"


@dataclass(frozen=True)
class LoginEvent:
    """One row of the CSV, as much of it as the model uses."""

    index: str
    at: datetime
    user_id: str
    ip: str
    country: str
    asn: str
    user_agent: str
    success: bool
    attack_ip: bool
    takeover: bool


@dataclass
class Result:
    """Scores of successful logins, split by label, with the history behind each."""

    genuine: list[tuple[float, int]] = field(default_factory=list)
    takeovers: list[tuple[float, int]] = field(default_factory=list)
    failures: int = 0
    rows: int = 0


def _flag(value: str) -> bool:
    return value.strip().lower() in {"true", "1", "yes"}


def read_events(path: Path, users_percent: float = 100.0) -> Iterator[LoginEvent]:
    """The CSV's rows in file order (the published file is sorted by time); a missing column is
    an error. ``users_percent`` keeps a stable sample of users (by a hash of the user id)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: not in the RBA-dataset format, missing {missing}")
        for row in reader:
            user = row["User ID"]
            if users_percent < 100.0:
                bucket = int(hashlib.sha256(user.encode()).hexdigest()[:8], 16) % 10_000
                if bucket >= users_percent * 100:
                    continue
            at = datetime.fromisoformat(row["Login Timestamp"])
            yield LoginEvent(
                index=row["index"],
                at=at if at.tzinfo is not None else at.replace(tzinfo=UTC),
                user_id=user,
                ip=row["IP Address"],
                country=row["Country"],
                asn=row["ASN"],
                user_agent=row["User Agent String"],
                success=_flag(row["Login Successful"]),
                attack_ip=_flag(row["Is Attack IP"]),
                takeover=_flag(row["Is Account Takeover"]),
            )


def attempt(event: LoginEvent) -> Attempt:
    """The store's view of a row: the CSV's country and ASN, our subnet and software chains."""
    features = extract(event.ip, event.user_agent, "", at=event.at)
    address = parse_ip(event.ip)
    network = chain(
        ("country", event.country),
        ("asn", event.asn),
        ("subnet", subnet_of(address) if address is not None else ""),
        ("ip", str(address) if address is not None else ""),
    )
    return Attempt(
        journey_id=f"rba-{event.index}",
        customer_id=event.user_id,
        client_ip=event.ip,
        # No cookie in the data set: no device chain (an empty value shared by every row would
        # look like a rare, always-used cookie and drown every other signal).
        features=dataclasses.replace(features, network=network, device=(), country=event.country),
        at=event.at,
    )


def replay(events: Iterator[LoginEvent], store: SqlRiskStore) -> Result:
    """Score every successful login against what came before it, then learn it."""
    model = FreemanModel()
    result = Result()
    for event in events:
        result.rows += 1
        probe = attempt(event)
        if not event.success:
            store.record(probe, success=False)
            result.failures += 1
            continue
        evidence = store.evidence(probe)
        scored = (model.score(probe.features, evidence).total, evidence.history)
        (result.takeovers if event.takeover else result.genuine).append(scored)
        store.record(probe, success=True)
    return result


def challenged(scores: list[tuple[float, int]], policy: RiskPolicy) -> float:
    """Share the policy would challenge (score above its history bucket's threshold)."""
    if not scores:
        return 0.0
    return sum(1 for s, h in scores if s > policy.threshold(h)) / len(scores)


def auc(genuine: list[float], attacks: list[float]) -> float:
    """P(attack scores above genuine), ties half (0.5 when either side is empty)."""
    if not genuine or not attacks:
        return 0.5
    wins = sum((a > g) + 0.5 * (a == g) for a in attacks for g in genuine)
    return wins / (len(attacks) * len(genuine))


def report(result: Result, policy: RiskPolicy) -> list[str]:
    """The lines the command prints: counts, AUC, and the shipped policy by history bucket."""
    genuine = [s for s, _ in result.genuine]
    takeovers = [s for s, _ in result.takeovers]
    lines = [
        f"{result.rows} rows: {len(genuine)} genuine successful logins, "
        f"{len(takeovers)} account takeovers, {result.failures} failed attempts (velocity)",
        f"AUC (takeover scores above genuine): {auc(genuine, takeovers):.3f}",
        f"shipped default, all history sizes: genuine challenged "
        f"{100 * challenged(result.genuine, policy):.1f}% | takeovers caught "
        f"{100 * challenged(result.takeovers, policy):.1f}%",
    ]
    for bucket in ("0", "1", "2-4", "5-9", "10+"):
        good = [x for x in result.genuine if history_bucket(x[1]) == bucket]
        bad = [x for x in result.takeovers if history_bucket(x[1]) == bucket]
        if good or bad:
            lines.append(
                f"  history {bucket}: genuine {len(good)}, challenged "
                f"{100 * challenged(good, policy):.1f}% | takeovers {len(bad)}, caught "
                f"{100 * challenged(bad, policy):.1f}%"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--users-percent", type=float, default=100.0)
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a tmpdir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rba-replay-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/replay.db"
        upgrade(url)
        result = replay(read_events(args.csv, args.users_percent), SqlRiskStore(url, REPLAY_KEY))
    for line in report(result, RiskPolicy()):
        print(line)


if __name__ == "__main__":
    main()
