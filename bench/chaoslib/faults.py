"""The seeded fault schedule and its execution against the running stack.

A schedule is a list of (when, what) drawn from the seed alone, so a run that finds a bug can be
repeated with the same faults at the same moments. Each executed fault records the window during
which the stack was impaired (from the kill until the piece answered again), which is how the
table tells journeys that ran through a fault from those that did not.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass

from chaoslib.stack import ChaosStack, Piece

DOWN_FOR = {"worker": 2.0, "web": 1.0, "temporal": 2.0}


@dataclass(frozen=True)
class FaultCounts:
    """How many faults of each kind a run injects."""

    worker_kills: int = 5
    web_kills: int = 2
    temporal_kills: int = 1
    postgres_restarts: int = 1
    smtp_outages: int = 1
    smtp_outage_seconds: float = 30.0


@dataclass(frozen=True)
class Fault:
    """One planned fault: ``at`` seconds after the start, against ``target`` (an index)."""

    at: float
    kind: str
    target: int = 0

    def describe(self) -> str:
        """``worker#1 SIGKILL`` and the like."""
        return {
            "worker": f"SIGKILL worker{self.target}",
            "web": f"SIGKILL web{self.target}",
            "temporal": "SIGKILL Temporal dev server",
            "postgres": "restart PostgreSQL",
            "smtp": "SMTP down",
        }[self.kind]


@dataclass
class Impairment:
    """An executed fault: what, and from when to when (seconds since the start)."""

    fault: Fault
    began: float
    ended: float = 0.0
    note: str = ""


def schedule(
    seed: int, counts: FaultCounts, *, window: tuple[float, float], workers: int, webs: int
) -> list[Fault]:
    """The faults of a run, sorted by time, drawn only from ``seed``."""
    rng = random.Random(seed)
    start, end = window
    planned: list[Fault] = []
    for kind, count, targets in (
        ("worker", counts.worker_kills, workers),
        ("web", counts.web_kills, webs),
        ("temporal", counts.temporal_kills, 1),
        ("postgres", counts.postgres_restarts, 1),
        ("smtp", counts.smtp_outages, 1),
    ):
        for _ in range(count):
            planned.append(Fault(round(rng.uniform(start, end), 1), kind, rng.randrange(targets)))
    return sorted(planned, key=lambda f: f.at)


async def inject(
    stack: ChaosStack,
    faults: list[Fault],
    counts: FaultCounts,
    clock: Callable[[], float],
    done: list[Impairment],
) -> None:
    """Execute ``faults`` at their times, one after the other; append each to ``done``."""
    for fault in faults:
        await asyncio.sleep(max(0.0, fault.at - clock()))
        happening = Impairment(fault, began=clock())
        done.append(happening)
        if fault.kind == "smtp":
            assert stack.mail is not None
            await bounce(stack, stack.mail, counts.smtp_outage_seconds)
        elif fault.kind == "postgres":
            assert stack.cluster is not None
            happening.note = await asyncio.to_thread(stack.cluster.restart)
        else:
            piece = piece_hit(stack, fault)
            await bounce(stack, piece, DOWN_FOR[fault.kind])
        happening.ended = clock()


def piece_hit(stack: ChaosStack, fault: Fault) -> Piece:
    """The process a kill fault aims at."""
    if fault.kind == "worker":
        return stack.workers[fault.target]
    if fault.kind == "web":
        return stack.webs[fault.target]
    assert stack.temporal is not None
    return stack.temporal


async def bounce(stack: ChaosStack, piece: Piece, down_for: float) -> None:
    """SIGKILL ``piece``, leave it down for ``down_for`` seconds, start it again."""
    await asyncio.to_thread(stack.kill, piece)
    await asyncio.sleep(down_for)
    await asyncio.to_thread(stack.restart, piece)
