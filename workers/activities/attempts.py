"""Idempotent attempts: an activity checking a guess answers a retry with its first answer.

A retried check must not count a second failure, nor refuse a TOTP code it accepted a moment ago
as "already used". The first answer is stored under the attempt id (a ``workflow.uuid4()``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from store.login_models import AttemptResult
from workers.activities.base import ActivityGroup

M = TypeVar("M", bound=BaseModel)


def answer_once(group: ActivityGroup, attempt_id: str, kind: type[M], check: Callable[[], M]) -> M:
    """The stored answer of ``attempt_id``, or ``check()``'s, stored for next time."""
    with group.db() as session:
        done = session.get(AttemptResult, attempt_id)
        if done is not None:
            return kind.model_validate_json(done.result)
    result = check()
    try:
        with group.db() as session:
            session.add(AttemptResult(attempt_id=attempt_id, result=result.model_dump_json()))
    except IntegrityError:
        with group.db() as session:
            stored = session.get(AttemptResult, attempt_id)
            assert stored is not None
            return kind.model_validate_json(stored.result)
    return result
