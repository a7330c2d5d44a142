"""Scale-out: password sign-ins per second with 1 worker + 1 web process, then 2 + 2, in one run.

Workers and web processes hold no state of their own (journeys live in Temporal, everything else
in the store), so adding processes must never make sign-ins slower; on a machine with more cores
than one process can use, it makes them faster. This bench measures that on the production
pieces: it starts the chaos bench's stack without faults (the Temporal dev server on a file, the
``threshold worker`` and ``threshold web`` subcommands as separate processes, PostgreSQL as the
store), seeds one customer per client, and lets C clients sign in N times each over real HTTP, a
load balancer's way: every request goes to the next web process in turn, so one sign-in's screens
are served by different processes. Then it starts one more worker and one more web process and
measures again. The risk policy is pinned to ``allow`` through its real thresholds, so every
sign-in hashes (argon2id verify), assesses and records risk, and issues a session.

It prints sign-ins/s, p50 and p99 of a whole sign-in for both set-ups, their ratio, and the
argon2id bound of this machine (cores ÷ one verification) that no password sign-in can beat.

Usage::

    .venv/bin/python bench/scale_out.py                 # 8 clients × 10 sign-ins per set-up
    .venv/bin/python bench/scale_out.py --clients 16 --logins 20
    .venv/bin/python bench/scale_out.py --smoke         # 2 clients × 2 sign-ins (make test)

A benchmark, not a test: it asserts only that every sign-in ended with a session.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from chaoslib.stack import ChaosStack, StackOptions  # noqa: E402
from login_throughput import (  # noqa: E402
    MAX_SCREENS,
    PASSWORD,
    SKIP_BUTTON,
    _form,
    argon2_verify_seconds,
    register,
)

#: Pinned to "allow" through the real thresholds: the bench measures the password path.
ALLOW_EVERYTHING = {
    "THRESHOLD_RISK_STEP_UP_THRESHOLD": "1e9",
    "THRESHOLD_RISK_DENY_THRESHOLD": "1e9",
}


@dataclass(frozen=True)
class Result:
    """One set-up's sign-ins per second and the spread of a whole sign-in's wall time."""

    label: str
    rate: float
    p50: float
    p99: float


def email_of(client: int) -> str:
    """The seeded customer a client signs in as."""
    return f"scale-{client}@example.com"


class Balancer:
    """Round-robin over the web processes, per request, as a load balancer without affinity."""

    def __init__(self, ports: list[int]) -> None:
        self._next = itertools.cycle(ports)

    def url(self, path: str) -> str:
        """``path`` on the next web process."""
        return f"http://127.0.0.1:{next(self._next)}{path}"


async def sign_in(balancer: Balancer, client: int) -> float:
    """One password sign-in as a browser without JavaScript; returns its wall time."""
    address = f"127.2.{client // 250}.{client % 250 + 1}"  # its own IP, as a real customer
    transport = httpx.AsyncHTTPTransport(local_address=address)
    began = time.perf_counter()
    async with httpx.AsyncClient(transport=transport, timeout=120) as http:
        started = await http.get(balancer.url("/j/login"))
        path = started.headers["location"]
        page = (await http.get(balancer.url(path))).text
        form = _form(page, email=email_of(client), password=PASSWORD)
        for _ in range(MAX_SCREENS):
            done = await http.post(balancer.url(path), data=form)
            assert done.status_code == 303, done.text[:300]
            if done.headers["location"] == "/account":
                return time.perf_counter() - began
            page = (await http.get(balancer.url(done.headers["location"]))).text
            assert SKIP_BUTTON in page, f"a screen with no way past it: {page[:300]!r}"
            form = _form(page, action="skip")
    raise AssertionError(f"still no session after {MAX_SCREENS} screens")


async def measure(label: str, stack: ChaosStack, clients: int, logins: int) -> Result:
    """``clients`` loops of ``logins`` sign-ins each over every web process of the stack."""
    balancer = Balancer([web.port for web in stack.webs])
    await asyncio.gather(*(sign_in(balancer, c) for c in range(clients)))  # warm every process
    times: list[float] = []

    async def loop(client: int) -> None:
        for _ in range(logins):
            times.append(await sign_in(balancer, client))

    began = time.perf_counter()
    await asyncio.gather(*(loop(c) for c in range(clients)))
    elapsed = time.perf_counter() - began
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return Result(label, len(times) / elapsed, statistics.median(ordered), p99)


async def bench(clients: int, logins: int, directory: Path) -> list[Result]:
    """1 + 1 processes, then 2 + 2 on the same Temporal server and database."""
    stack = ChaosStack(
        StackOptions(workers=1, webs=1, directory=directory, extra_env=ALLOW_EVERYTHING)
    )
    stack.create_store()
    try:
        await asyncio.to_thread(stack.start_all)
        settings = stack.settings()
        for client in range(clients):
            await asyncio.to_thread(register, settings, email_of(client))
        results = [await measure("1 worker + 1 web", stack, clients, logins)]
        await asyncio.to_thread(stack.add, workers=1, webs=1)
        results.append(await measure("2 workers + 2 web", stack, clients, logins))
        return results
    finally:
        await asyncio.to_thread(stack.stop_all)
        stack.drop_store()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--logins", type=int, default=10, help="sign-ins per client per set-up")
    parser.add_argument("--smoke", action="store_true", help="2 clients × 2 sign-ins (make test)")
    args = parser.parse_args()
    clients, logins = (2, 2) if args.smoke else (args.clients, args.logins)

    cores = os.cpu_count() or 1
    verify = argon2_verify_seconds()
    bound = cores / verify
    with tempfile.TemporaryDirectory(prefix="threshold-scale-") as directory:
        results = asyncio.run(bench(clients, logins, Path(directory)))

    print(
        f"\n{cores} cores; one argon2id verification {verify * 1000:.1f} ms → bound "
        f"{bound:.1f} sign-ins/s; PostgreSQL store; {clients} clients × {logins} sign-ins\n"
    )
    print(f"{'set-up':<20}{'sign-ins/s':>12}{'÷ bound':>10}{'p50 s':>9}{'p99 s':>9}")
    for result in results:
        print(
            f"{result.label:<20}{result.rate:>12.2f}{result.rate / bound:>10.2f}"
            f"{result.p50:>9.2f}{result.p99:>9.2f}"
        )
    first, second = results
    print(f"\n2 + 2 ÷ 1 + 1: {second.rate / first.rate:.2f}× the sign-ins/s")


if __name__ == "__main__":
    main()
