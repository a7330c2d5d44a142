"""Prerequisite policy: a missing external service skips a test, unless CI demands everything.

Developers without PostgreSQL (or Chromium) still get a green run of everything else, with the skip
reason printed by ``pytest -rs``. CI sets ``THRESHOLD_REQUIRE_ALL=1`` so that a missing service
fails loudly instead of silently shrinking the suite.
"""

from __future__ import annotations

import os

import pytest

REQUIRE_ALL_ENV = "THRESHOLD_REQUIRE_ALL"


def require_all() -> bool:
    """Whether every prerequisite is mandatory in this run."""
    return os.environ.get(REQUIRE_ALL_ENV, "").strip().lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip the calling test (or fixture) when ``condition`` is false; fail instead in CI mode."""
    if condition:
        return
    if require_all():
        pytest.fail(f"prerequisite missing ({REQUIRE_ALL_ENV}=1): {reason}", pytrace=False)
    pytest.skip(reason)
