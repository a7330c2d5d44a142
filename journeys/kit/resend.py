"""Resending an emailed code: at most so many emails per step, and a cooldown between two.

A step that emails a code (login's emailed code, ``prove_email``) keeps one :class:`Resends`; the
"Send a new code" button asks it whether another email may go now, so every journey words and
paces resends the same way. Times come from ``workflow.now()``, so replays decide the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow

RESEND_COOLDOWN = timedelta(seconds=30)


@dataclass
class Resends:
    """The emails one step sent: at most ``limit``, at least ``cooldown`` apart."""

    limit: int
    cooldown: timedelta = RESEND_COOLDOWN
    count: int = 0
    last: datetime | None = None

    def sent(self) -> None:
        """Count an email that just went out."""
        self.count, self.last = self.count + 1, workflow.now()

    @property
    def spent(self) -> bool:
        """Whether all ``limit`` emails went out already."""
        return self.count >= self.limit

    def wait_notice(self) -> str:
        """ "Please wait N s …" while the cooldown runs, else ``""`` (another may go now)."""
        if self.last is None:
            return ""
        wait = self.last + self.cooldown - workflow.now()
        if wait <= timedelta(0):
            return ""
        return f"Please wait {int(wait.total_seconds()) + 1} s before asking again."
