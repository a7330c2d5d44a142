"""Funnels from Temporal visibility counts: how far journeys got, and how they ended.

Visibility only groups by ``ExecutionStatus`` (custom search attributes cannot be a ``GROUP BY``
key, on the dev server nor on SQL visibility), so each bar is one ``count_workflows`` call, run
concurrently. A journey's ``JourneyStep`` is the last screen it showed; with the journey's
``funnel_steps`` order, "reached step i" is the number of journeys whose last step is i or later.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from temporalio.client import Client

from journeys.catalog import by_name
from journeys.kit.search import JOURNEY_NAME, JOURNEY_STATUS, JOURNEY_STEP

#: Final ``JourneyStatus`` values, in the order the chart shows them. "expired" is the customer
#: walking away (no answer before the step's deadline).
OUTCOMES = ("completed", "expired", "failed", "cancelled")


@dataclass(frozen=True)
class Funnel:
    """One journey's funnel over ``[since, until)``."""

    journey: str
    since: datetime
    until: datetime
    started: int
    reached: list[tuple[str, int]]
    outcomes: list[tuple[str, int]]
    in_progress: int


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def funnel(client: Client, journey: str, since: datetime, until: datetime) -> Funnel:
    """Count ``journey``'s workflows started in ``[since, until)`` by step and by outcome."""
    steps = by_name()[journey].funnel_steps
    base = (
        f"{JOURNEY_NAME.name} = '{journey}' AND StartTime >= '{_iso(since)}' "
        f"AND StartTime < '{_iso(until)}'"
    )
    queries = [
        base,
        f"{base} AND ExecutionStatus = 'Running'",
        *(f"{base} AND {JOURNEY_STEP.name} = '{step}'" for step in steps),
        *(f"{base} AND {JOURNEY_STATUS.name} = '{status}'" for status in OUTCOMES),
    ]
    counts = [c.count for c in await asyncio.gather(*(client.count_workflows(q) for q in queries))]
    started, running = counts[0], counts[1]
    at_step = counts[2 : 2 + len(steps)]
    ended = counts[2 + len(steps) :]
    reached = [(step, sum(at_step[i:])) for i, step in enumerate(steps)]
    return Funnel(
        journey=journey,
        since=since,
        until=until,
        started=started,
        reached=reached,
        outcomes=list(zip(OUTCOMES, ended, strict=True)),
        in_progress=running,
    )


async def all_funnels(client: Client, since: datetime, until: datetime) -> list[Funnel]:
    """A funnel for every registered journey."""
    return list(
        await asyncio.gather(*(funnel(client, name, since, until) for name in sorted(by_name())))
    )
