"""Journeys by URL name, shared by the worker (what to run) and the web (what to start)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from temporalio import workflow

from journeys.kit.journey import Journey

J = TypeVar("J", bound=type[Journey])

JOURNEYS: dict[str, type[Journey]] = {}


def journey(name: str) -> Callable[[J], J]:
    """Make a class the journey ``name``: its URL (``/j/name``) and its workflow type.

    Applies ``@workflow.defn(name=name)`` itself, so one word names the file, class, workflow type
    and URL and they cannot disagree.
    """

    def register(cls: J) -> J:
        cls.journey_name = name
        defined = workflow.defn(name=name)(cls)
        known = JOURNEYS.get(name)
        if known is None:
            JOURNEYS[name] = defined
        elif (known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
            raise ValueError(f"journey {name!r} is already defined by {known.__qualname__}")
        # else: the workflow sandbox re-imported the module; keep the original class.
        return defined

    return register
