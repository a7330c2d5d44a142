"""A throwaway PostgreSQL cluster of the bench's own, so restarting it cuts off nobody else.

Restarting the machine's server on 5432 also cut off every other test and developer using it (and
a CI run on the same machine). ``pg_createcluster`` (Debian's postgresql-common) makes a new
cluster on a free port with trust authentication for loopback; the bench migrates its database
there, restarts exactly that cluster as its fault, and drops the cluster at the end.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass

from tests.support.net import free_port

LOOPBACK = "127.0.0.1"
DATABASE = "threshold"


class ClusterError(Exception):
    """The cluster could not be made, started, restarted or dropped (the output says why)."""


def available() -> bool:
    """Whether this machine can make clusters: postgresql-common's tools, run as root."""
    tools = ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_lsclusters")
    return os.geteuid() == 0 and all(shutil.which(tool) for tool in tools)


@dataclass
class OwnCluster:
    """One cluster: its version, name and port, and the database URL the stack uses."""

    version: str
    name: str
    port: int

    @classmethod
    def create(cls) -> OwnCluster:
        """Make, start and fill a cluster with an empty ``threshold`` database (a few seconds)."""
        cluster = cls(_newest_version(), f"chaos_{secrets.token_hex(4)}", free_port())
        _run(
            "pg_createcluster",
            *(cluster.version, cluster.name, "--port", str(cluster.port), "--start"),
            *("--", "--auth-local=trust", "--auth-host=trust"),
        )
        _run(
            "psql",
            *("-h", LOOPBACK, "-p", str(cluster.port), "-U", "postgres", "-d", "postgres"),
            *("-v", "ON_ERROR_STOP=1", "-qc", f"CREATE DATABASE {DATABASE}"),
        )
        return cluster

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the bench's database in this cluster."""
        return f"postgresql+psycopg://postgres@{LOOPBACK}:{self.port}/{DATABASE}"

    def restart(self) -> str:
        """``pg_ctlcluster … restart -m fast``: every client is cut off and must reconnect."""
        _run("pg_ctlcluster", self.version, self.name, "restart", "-m", "fast")
        return f"{self.version}/{self.name} on port {self.port}"

    def drop(self) -> None:
        """Stop the cluster and delete its files."""
        _run("pg_dropcluster", "--stop", self.version, self.name)


def _newest_version() -> str:
    installed = sorted(
        os.listdir("/usr/lib/postgresql"), key=lambda v: [int(p) for p in v.split(".")]
    )
    if not installed:
        raise ClusterError("no PostgreSQL server installed under /usr/lib/postgresql")
    return installed[-1]


def _run(*argv: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise ClusterError(f"{' '.join(argv[:3])}…: {done.stderr.strip() or done.stdout.strip()}")
