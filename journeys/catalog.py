"""Every workflow of this deployment, found by importing each module of the ``journeys`` package.

A journey file registers itself with ``@journey(...)`` (a background workflow with
``@background(...)``), so a new file is picked up without editing any list.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

import journeys
from journeys.kit import JOURNEYS, Journey
from journeys.kit.registry import BACKGROUND


@cache
def discover() -> None:
    """Import every module of the ``journeys`` package once (the kit excepted)."""
    for module in pkgutil.iter_modules(journeys.__path__, prefix="journeys."):
        if module.name != "journeys.kit":
            importlib.import_module(module.name)


def by_name() -> dict[str, type[Journey]]:
    """Journey classes by URL name (also their workflow type)."""
    discover()
    return dict(JOURNEYS)


def all_journeys() -> list[type[Journey]]:
    """The journeys, for the funnels and the support CLI."""
    discover()
    return list(JOURNEYS.values())


def all_workflows() -> list[type[Any]]:
    """Every workflow class, journeys and background ones: what a worker or a replayer runs."""
    discover()
    return [*JOURNEYS.values(), *BACKGROUND.values()]
