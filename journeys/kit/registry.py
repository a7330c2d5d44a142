"""The one list of workflows: journeys register themselves, background workflows too.

The worker (what to run), the web (what to serve at ``/j/<name>``), the replay test, the support
CLI and the funnels page all read this registry, after :func:`journeys.catalog.discover` has
imported every module of the ``journeys`` package. Adding a journey therefore edits no list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from temporalio import workflow

from journeys.kit.journey import Journey

J = TypeVar("J", bound=type[Journey])
W = TypeVar("W", bound=type[Any])

JOURNEYS: dict[str, type[Journey]] = {}
#: Workflows that are not journeys (no screens): the per-customer profile, webhook deliveries…
BACKGROUND: dict[str, type[Any]] = {}


def journey(
    name: str,
    *,
    public: bool = False,
    signed_in: bool = False,
    recent_auth: timedelta | None = None,
    account_link: str = "",
) -> Callable[[J], J]:
    """Make a class the journey ``name``: its URL (``/j/name``) and its workflow type.

    Applies ``@workflow.defn(name=name)`` itself, so one word names the file, class, workflow type
    and URL and they cannot disagree.

    Args:
        public: anyone may start it at ``/j/name`` (registration, login, recovery).
        signed_in: the web starts it at ``/j/name`` for the signed-in customer only, with the
            customer's id and email in :class:`~contracts.journey.JourneyStart`; a visitor
            without a session is sent to sign in first.
        recent_auth: with ``signed_in``, the customer must have authenticated this recently,
            else the web re-authenticates them first (``/account/reauth``) and comes back.
        account_link: with ``signed_in``, the label of a link to it on the account page.

    A journey that is neither ``public`` nor ``signed_in`` is internal: the web refuses to start
    it, and only platform code (through the gateway) can.
    """
    if public and signed_in:
        raise ValueError(f"journey {name!r} cannot be both public and signed_in")
    if (recent_auth or account_link) and not signed_in:
        raise ValueError(f"journey {name!r}: recent_auth and account_link need signed_in=True")

    def register(cls: J) -> J:
        cls.journey_name = name
        cls.entry = "public" if public else "signed_in" if signed_in else "internal"
        cls.recent_auth = recent_auth
        cls.account_link = account_link
        defined = workflow.defn(name=name)(cls)
        _remember(JOURNEYS, name, defined)
        return cast(J, JOURNEYS[name])

    return register


def background(name: str) -> Callable[[W], W]:
    """Make a class the background workflow ``name`` (``@workflow.defn(name=name)`` included)."""

    def register(cls: W) -> W:
        defined = workflow.defn(name=name)(cls)
        _remember(BACKGROUND, name, defined)
        return cast(W, BACKGROUND[name])

    return register


def _remember(registry: dict[str, Any], name: str, cls: type[Any]) -> None:
    known = registry.get(name)
    if known is None:
        registry[name] = cls
    elif (known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
        raise ValueError(f"workflow {name!r} is already defined by {known.__qualname__}")
    # else: the workflow sandbox re-imported the module; keep the original class.
