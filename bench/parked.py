"""Parked journeys: what thousands of customers waiting at the first screen cost in memory and disk.

Most journeys spend their life waiting (for an email link, for an answer, for a grace period).
This bench parks N registrations at their first screen and reports what that costs each piece:

* the **worker**'s resident memory: its workflow cache keeps up to ``max_cached_workflows`` runs
  in memory (workers/worker.py); beyond that, a parked journey costs the worker nothing until its
  customer comes back (its history is replayed then);
* the **Temporal dev server**'s resident memory and its database file, per 1,000 journeys;
* the **Threshold store** (SQLite file), per 1,000 journeys.

Every piece is its own process, started like ``bench/chaos.py`` does (the production subcommands,
configured by ``THRESHOLD_*`` variables): the dev server on a file, one worker, one web process
and the mail catcher. Customers are plain HTTP clients on loopback doing ``GET /j/registration``,
which starts the journey (update-with-start) and answers once its first screen is drawn.

Usage::

    PYTHONPATH=. .venv/bin/python bench/parked.py [--journeys 2000] [--concurrency 8]
    PYTHONPATH=. .venv/bin/python bench/parked.py --smoke      # 30 journeys (runs in make test)

A benchmark, not a test: it asserts only that every journey showed its first screen.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from chaoslib.stack import LOOPBACK, ChaosStack, Piece, StackOptions  # noqa: E402

FIRST_SCREEN = 'data-screen="sign-up"'
WARM_UP = 20
SETTLE_SECONDS = 3.0
RELOADS = 5
#: Worker RSS is printed after each fifth of the journeys: it should level off at the cache size.
CHECKPOINTS = 5


@dataclass(frozen=True)
class Sample:
    """Resident memory of each process and the size of each database file, at one moment."""

    worker_kib: int
    temporal_kib: int
    web_kib: int
    temporal_db: int
    store_db: int


def rss_kib(piece: Piece | None) -> int:
    """VmRSS of the piece's process, from /proc (Linux)."""
    assert piece is not None and piece.process is not None
    for line in Path(f"/proc/{piece.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {piece.name}")


def files_size(*paths: Path) -> int:
    """Bytes of a SQLite database with its -wal and -shm files."""
    total = 0
    for path in paths:
        for suffix in ("", "-wal", "-shm"):
            candidate = path.with_name(path.name + suffix)
            if candidate.exists():
                total += candidate.stat().st_size
    return total


def sample(stack: ChaosStack) -> Sample:
    """Memory and disk of the stack now."""
    return Sample(
        worker_kib=rss_kib(stack.workers[0]),
        temporal_kib=rss_kib(stack.temporal),
        web_kib=rss_kib(stack.webs[0]),
        temporal_db=files_size(stack.directory / "temporal.db"),
        store_db=files_size(stack.directory / "threshold.db"),
    )


async def park(base_url: str, journeys: int, concurrency: int) -> int:
    """Start ``journeys`` registrations, each left at its first screen; pages that failed.

    A customer whose page fails (a 5xx on a saturated machine) reloads after a second, as a
    person would; the failures are counted and printed, not hidden.
    """
    remaining = list(range(journeys))
    failed = 0

    async def customer() -> None:
        nonlocal failed
        async with httpx.AsyncClient(base_url=base_url, follow_redirects=True, timeout=120) as http:
            while remaining:
                remaining.pop()
                for _ in range(RELOADS):
                    http.cookies.clear()  # a new browser for every journey
                    page = await http.get("/j/registration")
                    if page.status_code == 200 and FIRST_SCREEN in page.text:
                        break
                    if page.status_code < 500:
                        raise RuntimeError(
                            f"no first screen: {page.status_code} {page.text[:300]!r}"
                        )
                    failed += 1
                    await asyncio.sleep(1.0)
                else:
                    raise RuntimeError(f"no first screen after {RELOADS} reloads")

    await asyncio.gather(*(customer() for _ in range(concurrency)))
    return failed


def report(journeys: int, before: Sample, after: Sample, rate: float) -> None:
    """The table: absolute worker RSS, growth per 1,000 journeys for everything."""
    per = 1000 / journeys

    def mib(kib: int) -> str:
        return f"{kib / 1024:.1f} MiB"

    rows = [
        (
            "worker RSS",
            mib(before.worker_kib),
            mib(after.worker_kib),
            after.worker_kib - before.worker_kib,
        ),
        (
            "dev server RSS",
            mib(before.temporal_kib),
            mib(after.temporal_kib),
            after.temporal_kib - before.temporal_kib,
        ),
        ("web RSS", mib(before.web_kib), mib(after.web_kib), after.web_kib - before.web_kib),
    ]
    print(f"\n{journeys} journeys parked at the first screen, {rate:.1f} starts/s")
    print(f"{'':<22}{'before':>12}{'after':>12}{'per 1,000 journeys':>22}")
    for name, first, last, grown in rows:
        print(f"{name:<22}{first:>12}{last:>12}{grown * per / 1024:>18.1f} MiB")
    for name, first_b, last_b in (
        ("dev server database", before.temporal_db, after.temporal_db),
        ("Threshold store", before.store_db, after.store_db),
    ):
        grown_kib = (last_b - first_b) * per / 1024
        print(
            f"{name:<22}{first_b / 2**20:>8.1f} MiB{last_b / 2**20:>8.1f} MiB{grown_kib:>18.0f} KiB"
        )


async def run(journeys: int, concurrency: int, keep: bool) -> None:
    directory = Path(tempfile.mkdtemp(prefix="threshold-parked-"))
    stack = ChaosStack(StackOptions(workers=1, webs=1, store="sqlite", directory=directory))
    stack.create_store()
    try:
        await asyncio.to_thread(stack.start_all)
        base_url = f"http://{LOOPBACK}:{stack.web_ports[0]}"
        await park(base_url, WARM_UP, 2)  # imports, caches and connection pools warm
        await asyncio.sleep(SETTLE_SECONDS)
        before = sample(stack)
        began, parked, failed = time.perf_counter(), 0, 0
        for step in range(CHECKPOINTS):
            chunk = journeys * (step + 1) // CHECKPOINTS - parked
            failed += await park(base_url, chunk, concurrency)
            parked += chunk
            print(
                f"{parked:>6} parked: worker RSS {rss_kib(stack.workers[0]) / 1024:.1f} MiB",
                flush=True,
            )
        rate = journeys / (time.perf_counter() - began)
        await asyncio.sleep(SETTLE_SECONDS)
        after = sample(stack)
        dead = stack.dead()
        if dead:
            raise SystemExit(f"pieces died during the run: {dead}; logs in {directory}")
    finally:
        await asyncio.to_thread(stack.stop_all)
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)
    print(
        f"\n{datetime.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}: dev server on a file, 1 worker, 1 web, SQLite"
    )
    report(journeys, before, after, rate)
    print(f"pages that failed and were reloaded (5xx under load): {failed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=2000, help="journeys to park")
    parser.add_argument("--concurrency", type=int, default=8, help="customers starting at once")
    parser.add_argument("--keep", action="store_true", help="keep the run's directory and logs")
    parser.add_argument("--smoke", action="store_true", help="30 journeys: runs in make test")
    args = parser.parse_args()
    if args.smoke:
        args.journeys, args.concurrency = 30, 4
    asyncio.run(run(args.journeys, args.concurrency, args.keep))


if __name__ == "__main__":
    main()
