"""What every activity group needs: settings, the database and the secret helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlmodel import Session
from temporalio import activity

from contracts.activity import ActivityRef
from core.security.hashing import email_lookup
from core.security.sealing import Sealer
from core.settings import Settings
from store import audit
from store.db import session_for

I = TypeVar("I")  # noqa: E741 - an activity's input
O = TypeVar("O")  # noqa: E741 - an activity's output
G = TypeVar("G", bound="ActivityGroup")

#: The attribute ``@implements`` sets on a method: the name of the activity it implements.
IMPLEMENTS = "__threshold_implements__"

#: Every activity group, in definition order; the worker instantiates each one once.
ACTIVITY_GROUPS: list[type[ActivityGroup]] = []


def implements(ref: ActivityRef[I, O]) -> Callable[[Callable[[G, I], O]], Callable[[G, I], O]]:
    """Register a method as the activity ``ref`` names; mypy checks its input and output types."""

    def register(method: Callable[[G, I], O]) -> Callable[[G, I], O]:
        setattr(method, IMPLEMENTS, ref.name)
        return activity.defn(name=ref.name)(method)

    return register


def implements_async(
    ref: ActivityRef[I, O],
) -> Callable[[Callable[[G, I], Awaitable[O]]], Callable[[G, I], Awaitable[O]]]:
    """:func:`implements` for an ``async def`` activity (it runs on the worker's event loop)."""

    def register(method: Callable[[G, I], Awaitable[O]]) -> Callable[[G, I], Awaitable[O]]:
        setattr(method, IMPLEMENTS, ref.name)
        return activity.defn(name=ref.name)(method)

    return register


class ActivityGroup:
    """Base of the activity classes; holds per-process dependencies, no per-call state.

    A subclass registers itself: the worker runs every method of every group that carries
    ``@implements``, so adding an activity edits no list.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        ACTIVITY_GROUPS.append(cls)

    def activities(self) -> list[Callable[..., Any]]:
        """This instance's activity methods, bound, for the worker."""
        cls = type(self)
        return [
            getattr(self, name)
            for name in dir(cls)
            if hasattr(getattr(cls, name, None), IMPLEMENTS)
        ]

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sealer = Sealer(settings.derive_key("sealing"))
        self.lookup_key = settings.derive_key("email-lookup")
        self.verification_key = settings.derive_key("verification")

    @contextmanager
    def db(self) -> Iterator[Session]:
        """A unit of work on the system of record."""
        with session_for(self.settings.database_url) as session:
            yield session

    def email_lookup(self, normalized_email: str) -> str:
        """The keyed hash support staff search by."""
        return email_lookup(self.lookup_key, normalized_email)

    def audit(
        self,
        key: str,
        kind: str,
        *,
        customer_id: str | None = None,
        journey_id: str | None = None,
        **detail: Any,
    ) -> None:
        """Append an audit event once; a retried activity writing the same ``key`` is a no-op."""
        audit.record(
            self.settings.database_url,
            kind,
            key=key,
            customer_id=customer_id,
            journey_id=journey_id,
            **detail,
        )
