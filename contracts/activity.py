"""Typed references to activities: how a journey names a side effect without importing it.

A journey must stay deterministic and must not import the code that touches the database or the
network, yet ``self.step(...)`` should still be checked by mypy. An :class:`ActivityRef` carries the
activity's registered name with its input and output types: journeys call the reference, and the
worker's implementation declares ``@implements(ref)``, which makes mypy check that its signature
matches. The name is what Temporal records in history, so moving code never renames an activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

I = TypeVar("I")  # noqa: E741 - the conventional name for an input type variable
O = TypeVar("O")  # noqa: E741


@dataclass(frozen=True)
class ActivityRef(Generic[I, O]):
    """An activity's name and message types, shared by the journey that calls it and the worker.

    ``output`` is the type the result is decoded into (``type(None)`` for activities that return
    nothing). ``local`` runs it as a local activity: inside the workflow task that scheduled it,
    without a server round trip and workflow task of its own (~20 ms each on the dev server).
    Declare it for short, idempotent reads and writes of the system of record; keep long or remote
    work (email, webhooks, password hashing) normal, where Temporal can spread it over workers and
    retry it on its own schedule. A local activity may run again when its workflow task is
    retried, so it must be as idempotent as any other.
    """

    name: str
    input: type[I]
    output: type[O]
    local: bool = False

    def __repr__(self) -> str:
        return f"ActivityRef({self.name!r})"
