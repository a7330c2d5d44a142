"""Waiting for things that happen eventually (visibility, mail) without timing assertions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]], *, timeout: float = 15, interval: float = 0.05
) -> T:
    """Call ``probe`` until it stops raising ``AssertionError``; return its value.

    ``timeout`` only bounds how long a failing test hangs; it is not what the test asserts.
    """
    async with asyncio.timeout(timeout):
        while True:
            try:
                return await probe()
            except AssertionError:
                await asyncio.sleep(interval)


async def rejected(update: Awaitable[object]) -> ApplicationError:
    """Await an update expected to be refused; return the ``ApplicationError`` refusing it."""
    try:
        await update
    except WorkflowUpdateFailedError as err:
        assert isinstance(err.cause, ApplicationError), f"unexpected cause {err.cause!r}"
        return err.cause
    raise AssertionError("the update was accepted")
