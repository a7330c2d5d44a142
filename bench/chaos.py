"""Chaos benchmark: mixed journeys over HTTP while workers, web, Temporal and PostgreSQL are killed.

Threshold promises that a crash at any step loses and duplicates nothing. This bench starts its own
stack as separate processes (the Temporal dev server on a persistent file, N workers, M web
processes, the mail catcher, a fresh PostgreSQL database or a SQLite file), lets C customers walk
a seeded mix of journeys through the web processes as browsers would (registration, password
sign-in with the occasional step-up, recovery, consent change, deletion with a short grace,
export; codes and links read from the caught mail), and meanwhile injects a seeded fault schedule.
At the end it checks, from the database and Temporal, that every intended outcome happened exactly
once, that nothing is left Running by accident, that every webhook event was delivered, and that
no secret is in any history; then prints the table. See bench/README.md.

Usage::

    .venv/bin/python bench/chaos.py                       # 200 customers, the full schedule
    .venv/bin/python bench/chaos.py --smoke               # 10 customers, one worker kill (<1 min)
    .venv/bin/python bench/chaos.py --store sqlite --seed 7 --customers 50

Exit status 0 only when nothing was lost, duplicated, stuck, undelivered or leaked.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chaoslib import checks, cluster, report  # noqa: E402
from chaoslib.customer import Customer, Secrets  # noqa: E402
from chaoslib.faults import FaultCounts, Impairment, inject, schedule  # noqa: E402
from chaoslib.mailbox import Mailbox  # noqa: E402
from chaoslib.stack import ChaosStack, StackOptions  # noqa: E402
from temporalio.client import Client  # noqa: E402

from store import webhook_subscriptions  # noqa: E402
from tests.support.receiver import Receiver, running_receiver  # noqa: E402

#: Every event type except the erasure request, whose subscribers must acknowledge (the bench's
#: receiver does not, so a deletion would wait days for it).
WEBHOOK_TYPES = frozenset(webhook_subscriptions.KNOWN_TYPES - {"customer.erasure_requested"})
FOLLOW_UPS = ("login", "consent", "export", "recovery")
FOLLOW_UP_WEIGHTS = (4, 2, 1, 1)
DELETION_SHARE = 0.2
NEW_DEVICE_SHARE = 0.25
SETTLE_TIMEOUT = 180.0
PROGRESS_EVERY = 15.0
#: The default fault window per customer; arrivals spread over its first 60%. At 200 customers
#: on 2 shared cores a faster arrival saturated the dev server (update-with-start timing out).
SECONDS_PER_CUSTOMER = 5.0
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
)


@dataclass(frozen=True)
class Run:
    """The parsed command line."""

    customers: int
    workers: int
    webs: int
    store: str
    seed: int
    window: float
    grace: int
    counts: FaultCounts
    keep: bool


def parse(argv: list[str] | None = None) -> Run:
    """Flags; ``--smoke`` sets the small defaults ``make test`` runs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--webs", type=int, default=2)
    parser.add_argument("--store", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--window", type=float, help="seconds over which faults happen")
    parser.add_argument("--grace", type=int, default=5, help="deletion grace, seconds")
    parser.add_argument("--worker-kills", type=int, default=5)
    parser.add_argument("--web-kills", type=int, default=2)
    parser.add_argument("--temporal-kills", type=int, default=1)
    parser.add_argument("--postgres-restarts", type=int, default=1)
    parser.add_argument("--smtp-outages", type=int, default=1)
    parser.add_argument("--smtp-outage-seconds", type=float, default=30.0)
    parser.add_argument("--smoke", action="store_true", help="10 customers, 1 worker kill")
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (logs)")
    args = parser.parse_args(argv)
    counts = FaultCounts(
        worker_kills=args.worker_kills,
        web_kills=args.web_kills,
        temporal_kills=args.temporal_kills,
        postgres_restarts=args.postgres_restarts if args.store == "postgresql" else 0,
        smtp_outages=args.smtp_outages,
        smtp_outage_seconds=args.smtp_outage_seconds,
    )
    customers = args.customers
    if args.smoke:
        customers = 10
        counts = FaultCounts(1, 0, 0, 0, 0)
    if counts.postgres_restarts and not cluster.available():
        parser.error("no cluster of its own to restart here (pg_createcluster as root); pass 0")
    window = args.window or (20.0 if args.smoke else max(30.0, SECONDS_PER_CUSTOMER * customers))
    return Run(
        customers=customers,
        workers=args.workers,
        webs=args.webs,
        store=args.store,
        seed=args.seed,
        window=window,
        grace=args.grace,
        counts=counts,
        keep=args.keep,
    )


def plan_for(rng: random.Random) -> list[str]:
    """Registration, one to three follow-ups, and for some a deletion at the end."""
    plan = ["registration"]
    for _ in range(rng.randint(1, 3)):
        plan.append(rng.choices(FOLLOW_UPS, weights=FOLLOW_UP_WEIGHTS)[0])
    if rng.random() < DELETION_SHARE:
        plan.append("deletion")
    return plan


class Clock:
    """Seconds since the customers started."""

    def __init__(self) -> None:
        self.zero = time.monotonic()

    def __call__(self) -> float:
        return time.monotonic() - self.zero


def customers_for(
    run: Run, stack: ChaosStack, mailbox: Mailbox, secrets: Secrets, clock: Clock
) -> list[tuple[float, Customer]]:
    """Each customer with its arrival time (spread over the first 60% of the window)."""
    rng = random.Random(run.seed)
    crowd = []
    for n in range(run.customers):
        crowd.append(
            (
                round(rng.uniform(0, 0.6 * run.window), 2),
                Customer(
                    email=f"chaos-{n}-{rng.getrandbits(32):08x}@example.com",
                    password=f"amber-{rng.getrandbits(48):012x}-river",
                    new_password=f"cobalt-{rng.getrandbits(48):012x}-field",
                    plan=plan_for(rng),
                    ports=stack.web_ports[n % len(stack.web_ports) :]
                    + stack.web_ports[: n % len(stack.web_ports)],
                    address=f"127.1.{n // 250}.{n % 250 + 1}",
                    user_agents=AGENTS,
                    mailbox=mailbox,
                    secrets=secrets,
                    clock=clock,
                    new_device=lambda: rng.random() < NEW_DEVICE_SHARE,
                ),
            )
        )
    return crowd


async def progress(customers: list[Customer], clock: Clock, impairments: list[Impairment]) -> None:
    """A line every ``PROGRESS_EVERY`` seconds, so a slow run shows it is alive."""
    while True:
        await asyncio.sleep(PROGRESS_EVERY)
        records = [r for c in customers for r in c.records]
        print(
            f"  t={clock():5.0f}s  customers done "
            f"{sum(c.doing == 'done' for c in customers)}/{len(customers)}, journeys done "
            f"{sum(r.completed for r in records)} (with the sign-ins they needed), given up "
            f"{sum(bool(r.error) for r in records)}, faults {len(impairments)}",
            flush=True,
        )
        busy = [f"{c.email.split('@')[0]} {c.doing}" for c in customers if c.doing != "done"]
        if len(busy) <= 5:
            for line in busy:
                print(f"    still walking: {line}", flush=True)


async def arrive(delay: float, customer: Customer) -> None:
    """Wait for the customer's arrival time, then live the plan."""
    await asyncio.sleep(delay)
    await customer.live()


async def settle(
    client: Client, stack: ChaosStack, receiver: Receiver, abandoned: set[str]
) -> checks.Findings:
    """Wait (bounded) for erasures and webhook deliveries to finish, then look at workflows."""
    settings = stack.settings()
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        findings = await checks.check_workflows(client, stack.task_queue, abandoned)
        events, missing, unknown = checks.check_webhooks(
            settings, set(receiver.unique()), WEBHOOK_TYPES
        )
        if (not findings.running and not missing) or time.monotonic() > deadline:
            findings.events, findings.undelivered, findings.unknown_deliveries = (
                events,
                missing,
                unknown,
            )
            return findings
        await asyncio.sleep(2)


async def bench(run: Run, directory: Path) -> int:
    """Start the stack, drive the customers through the faults, check, print."""
    stack = ChaosStack(
        StackOptions(
            workers=run.workers,
            webs=run.webs,
            store="sqlite" if run.store == "sqlite" else "postgresql",
            deletion_grace_seconds=run.grace,
            directory=directory,
            own_cluster=run.counts.postgres_restarts > 0,
        )
    )
    began = time.monotonic()
    stack.create_store()
    try:
        await asyncio.to_thread(stack.start_all)
        print(
            f"stack up in {time.monotonic() - began:.0f}s: {run.workers} workers, {run.webs} web "
            f"processes, {run.store}, Temporal on {stack.temporal_address}; logs in {directory}",
            flush=True,
        )
        return await drive(run, stack)
    finally:
        await asyncio.to_thread(stack.stop_all)
        stack.drop_store()


async def drive(run: Run, stack: ChaosStack) -> int:
    """The customers and the faults, then the checks and the table."""
    settings = stack.settings()
    with running_receiver() as receiver:
        created = webhook_subscriptions.add(settings, receiver.url, sorted(WEBHOOK_TYPES))
        receiver.secret = created.secret
        mailbox, secrets, clock = Mailbox(stack.mail_dir), Secrets(), Clock()
        reading = asyncio.create_task(mailbox.run())
        crowd = customers_for(run, stack, mailbox, secrets, clock)
        faults = schedule(
            run.seed,
            run.counts,
            window=(0.1 * run.window, run.window),
            workers=run.workers,
            webs=run.webs,
        )
        impairments: list[Impairment] = []
        injecting = asyncio.create_task(inject(stack, faults, run.counts, clock, impairments))
        customers = [c for _, c in crowd]
        reporting = asyncio.create_task(progress(customers, clock, impairments))
        await asyncio.gather(*(arrive(delay, c) for delay, c in crowd))
        walked = clock()
        await injecting
        reporting.cancel()
        # Journeys the customer walked away from wait on purpose: a given-up one (reported lost)
        # and the earlier attempts of one the customer started again.
        abandoned = {j for c in customers for j in c.abandoned}
        abandoned |= {
            j
            for c in customers
            for r in c.records
            for j in (r.journey_ids if not r.completed else r.journey_ids[:-1])
        }
        client = await Client.connect(stack.temporal_address, namespace="default")
        findings = await settle(client, stack, receiver, abandoned)
        checks.check_outcomes(settings, customers, findings)
        findings.histories_scanned, findings.secrets_found = await checks.scan_secrets(
            client, settings, secrets.values
        )
        reading.cancel()
    journeys = sum(len(c.records) for c in customers)
    print(
        f"\n{run.customers} customers walked {journeys} journeys in {walked:.0f}s "
        f"({stack.options.store}, {run.workers} workers, {run.webs} web processes, "
        f"deletion grace {run.grace}s); crashed on their own: {stack.dead() or 'none'}\n"
    )
    print(report.table(findings.verdicts, impairments))
    print()
    print(report.faults_text(run.seed, impairments))
    print("problems:")
    print(report.problems_text(findings))
    print(report.summary(findings), flush=True)
    return 0 if findings.clean else 1


def main(argv: list[str] | None = None) -> int:
    """Run the bench in a temporary directory (kept with ``--keep`` or when something failed)."""
    run = parse(argv)
    # SIGTERM (a CI timeout, `kill`) takes the Ctrl-C path, so the stack is stopped and the
    # PostgreSQL database dropped instead of leaving orphans behind.
    signal.signal(signal.SIGTERM, lambda signum, frame: signal.raise_signal(signal.SIGINT))
    directory = Path(tempfile.mkdtemp(prefix="threshold-chaos-"))
    status = 1
    try:
        status = asyncio.run(bench(run, directory))
    finally:
        if run.keep or status != 0:
            print(f"run directory kept: {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
