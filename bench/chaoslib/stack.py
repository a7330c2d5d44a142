"""The chaos bench's own stack: every piece a separate process the bench may kill and restart.

The Temporal dev server keeps its state in a file (a SIGKILL loses nothing it acknowledged), the
store is a fresh PostgreSQL database (in a throwaway cluster of the bench's own when it is to be
restarted, see :mod:`chaoslib.cluster`; else on the machine's server) or a SQLite file,
and the workers, the web processes and the mail catcher are the production subcommands, configured
only through ``THRESHOLD_*`` variables. Logs go to files in the run's directory, so the bench's
table is the only thing on the terminal.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Literal

import httpx

from chaoslib.cluster import OwnCluster
from core.settings import Settings
from journeys.kit.search import dev_server_flags
from ops.dev import temporal_binary
from store.migrate import upgrade
from tests.support import databases
from tests.support.net import free_port

LOOPBACK = "127.0.0.1"
NAMESPACE = "default"
START_TIMEOUT = 240.0  # generous: on a busy machine a Python process may import for a minute
STOP_TIMEOUT = 10.0
CODEC_KEY_ID = "chaos1"
DATABASE_PREFIX = "threshold_chaos_"
Store = Literal["postgresql", "sqlite"]


class StackError(Exception):
    """A piece of the stack did not come up (the bench cannot measure anything without it)."""


@dataclass
class Piece:
    """One process of the stack and how to start it again after a kill."""

    name: str
    argv: list[str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    port: int = 0
    restarts: int = 0

    def alive(self) -> bool:
        """Whether the process is running."""
        return self.process is not None and self.process.poll() is None


@dataclass
class StackOptions:
    """How many of each piece, which store, and the deletion grace the journeys get."""

    workers: int = 2
    webs: int = 2
    store: Store = "postgresql"
    deletion_grace_seconds: int = 5
    directory: Path = field(default_factory=Path)
    own_cluster: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)


class ChaosStack:
    """Starts, kills and restarts the pieces; knows their ports and the settings they share."""

    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.directory = options.directory
        self.temporal_port = free_port()
        self.web_ports = [free_port() for _ in range(options.webs)]
        self.mail_port = free_port()
        self.mail_dir = self.directory / "mail"
        self.codec_key = base64.b64encode(secrets.token_bytes(32)).decode()
        self.task_queue = f"chaos-{secrets.token_hex(4)}"
        self.database_url = ""
        self.postgres_name = ""
        self.cluster: OwnCluster | None = None
        self.temporal: Piece | None = None
        self.mail: Piece | None = None
        self.workers: list[Piece] = []
        self.webs: list[Piece] = []
        self._logs: list[IO[bytes]] = []
        self._env: dict[str, str] = {}

    # ----- settings ----------------------------------------------------------------------

    @property
    def temporal_address(self) -> str:
        """The dev server's frontend."""
        return f"{LOOPBACK}:{self.temporal_port}"

    @property
    def codec_keys(self) -> str:
        """``THRESHOLD_CODEC_KEYS`` of this run (the bench decodes histories with it)."""
        return f"{CODEC_KEY_ID}:{self.codec_key}"

    def environment(self) -> dict[str, str]:
        """What every child sees: only ``THRESHOLD_*`` variables decide its configuration."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("THRESHOLD_")}
        env.update(
            THRESHOLD_ENVIRONMENT="development",
            THRESHOLD_DATABASE_URL=self.database_url,
            THRESHOLD_TEMPORAL_ADDRESS=self.temporal_address,
            THRESHOLD_TEMPORAL_NAMESPACE=NAMESPACE,
            THRESHOLD_TASK_QUEUE=self.task_queue,
            THRESHOLD_SMTP_URL=f"smtp://{LOOPBACK}:{self.mail_port}",
            THRESHOLD_BASE_URL=f"http://{LOOPBACK}:{self.web_ports[0]}",
            THRESHOLD_SECRET_KEY=secrets.token_urlsafe(48),
            THRESHOLD_CODEC_KEYS=self.codec_keys,
            THRESHOLD_DELETION_GRACE_SECONDS=str(self.options.deletion_grace_seconds),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.options.extra_env)
        return env

    def settings(self) -> Settings:
        """The children's settings, for the bench's own reads (webhooks, checks, decoding)."""
        values = {
            k.removeprefix("THRESHOLD_").lower(): v
            for k, v in self._env.items()
            if k.startswith("THRESHOLD_")
        }
        return Settings.model_validate(values)

    # ----- store -------------------------------------------------------------------------

    def create_store(self) -> None:
        """A fresh migrated database: in its own cluster, ``threshold_chaos_<hex>`` on the
        machine's PostgreSQL, or a SQLite file."""
        if self.options.store == "postgresql" and self.options.own_cluster:
            self.cluster = OwnCluster.create()
            self.database_url = self.cluster.url
        elif self.options.store == "postgresql":
            problem = databases.postgres_problem()
            if problem:
                raise StackError(problem)
            self.postgres_name, self.database_url = databases.create_postgres_database(
                prefix=DATABASE_PREFIX
            )
        else:
            self.database_url = databases.sqlite_url_for(self.directory / "threshold.db")
        upgrade(self.database_url)
        databases.dispose(self.database_url)
        self._env = self.environment()

    def drop_store(self) -> None:
        """Drop the PostgreSQL database or cluster (a SQLite file goes with the run's directory)."""
        if self.cluster is not None:
            databases.dispose(self.database_url)
            self.cluster.drop()
            self.cluster = None
        if self.postgres_name:
            databases.drop_postgres_database(self.postgres_name)
            self.postgres_name = ""

    # ----- processes ---------------------------------------------------------------------

    def start_all(self) -> None:
        """Temporal, the mail catcher, the workers, then the web processes, each once ready."""
        self.temporal = Piece(
            "temporal",
            [
                temporal_binary(),
                *("server", "start-dev", "--ip", LOOPBACK, "--port", str(self.temporal_port)),
                *("--db-filename", str(self.directory / "temporal.db"), "--namespace", NAMESPACE),
                *("--headless", "--log-level", "warn", *dev_server_flags()),
            ],
            self.directory / "temporal.log",
            port=self.temporal_port,
        )
        self.start(self.temporal)
        self.mail = Piece(
            "mail",
            [
                *(sys.executable, "-m", "ops.mailcatcher", "--host", LOOPBACK),
                *("--port", str(self.mail_port), "--dir", str(self.mail_dir)),
            ],
            self.directory / "mail.log",
            port=self.mail_port,
        )
        self.start(self.mail)
        self.add(workers=self.options.workers, webs=self.options.webs)

    def add(self, *, workers: int, webs: int) -> None:
        """Start more workers and web processes (side by side: they need only Temporal and the
        store), each on its own log and the web processes on new ports; wait until they serve."""
        cli = [sys.executable, "-m", "ops.cli"]
        added = []
        for _ in range(workers):
            n = len(self.workers)
            self.workers.append(
                Piece(f"worker{n}", [*cli, "worker"], self.directory / f"worker{n}.log")
            )
            added.append(self.workers[-1])
        for _ in range(webs):
            n = len(self.webs)
            port = self.web_ports[n] if n < len(self.web_ports) else free_port()
            argv = [*cli, "web", "--host", LOOPBACK, "--port", str(port)]
            self.webs.append(Piece(f"web{n}", argv, self.directory / f"web{n}.log", port=port))
            added.append(self.webs[-1])
        for piece in added:
            self.spawn(piece)
        for piece in added:
            self.wait_ready(piece)

    def start(self, piece: Piece) -> None:
        """Start ``piece`` (again) and wait until it answers."""
        self.spawn(piece)
        self.wait_ready(piece)

    def spawn(self, piece: Piece) -> None:
        """Start ``piece``'s process in its own process group (Ctrl-C reaches the bench only)."""
        log = piece.log.open("ab")
        self._logs.append(log)
        piece.process = subprocess.Popen(
            piece.argv, env=self._env, stdout=log, stderr=subprocess.STDOUT, process_group=0
        )

    def wait_ready(self, piece: Piece) -> None:
        """Block until the piece serves: a port, Temporal's namespace, or a worker's poll."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if not piece.alive():
                raise StackError(f"{piece.name} exited on start; see {piece.log}")
            if self._ready(piece):
                return
            if time.monotonic() > deadline:
                raise StackError(f"{piece.name} not ready after {START_TIMEOUT:.0f}s")
            time.sleep(0.2)

    def _ready(self, piece: Piece) -> bool:
        if piece.name == "temporal":
            return asyncio.run(_temporal_answers(self.temporal_address))
        if piece.name.startswith("web"):
            try:
                answer = httpx.get(f"http://{LOOPBACK}:{piece.port}/healthz", timeout=2)
            except httpx.TransportError:
                return False
            return answer.status_code == 200
        if piece.name == "mail":
            return _listens(piece.port)
        return True  # a worker: its connection errors would end the process, checked above

    def kill(self, piece: Piece) -> None:
        """SIGKILL: no cleanup, no graceful shutdown, like a lost machine."""
        if piece.process is not None and piece.process.poll() is None:
            piece.process.send_signal(signal.SIGKILL)
            piece.process.wait(timeout=STOP_TIMEOUT)

    def restart(self, piece: Piece) -> None:
        """Start a killed piece again on the same port and files."""
        piece.restarts += 1
        self.start(piece)

    def stop_all(self) -> None:
        """SIGTERM in reverse order (web first, Temporal last), then SIGKILL stragglers."""
        pieces = [*self.webs, *self.workers, self.mail, self.temporal]
        for piece in pieces:
            if piece is not None and piece.alive() and piece.process is not None:
                piece.process.terminate()
                try:
                    piece.process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    self.kill(piece)
        for log in self._logs:
            log.close()
        self._logs.clear()

    def dead(self) -> list[str]:
        """Pieces that exited without the bench killing them (a crash the bench did not cause)."""
        every = [self.temporal, self.mail, *self.workers, *self.webs]
        return [p.name for p in every if p is not None and not p.alive()]


def _listens(port: int) -> bool:
    import socket

    try:
        with socket.create_connection((LOOPBACK, port), timeout=1):
            return True
    except OSError:
        return False


async def _temporal_answers(address: str) -> bool:
    from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
    from temporalio.client import Client

    try:
        client = await asyncio.wait_for(Client.connect(address, namespace=NAMESPACE), timeout=5)
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=NAMESPACE), timeout=timedelta(seconds=5)
        )
    except Exception:  # any connect or RPC failure means "not ready yet"
        return False
    return True
