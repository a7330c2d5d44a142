"""Idempotent attempts: an activity checking a guess answers a retry with its first answer.

A retried check must not count a second failure, nor refuse a TOTP code it accepted a moment ago
as "already used". The first answer is stored under the attempt id (a ``workflow.uuid4()``), with
the customer it names (so erasure finds it) and only for :data:`ATTEMPT_RESULT_TTL`: each new
answer deletes the expired ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from store.login_models import ATTEMPT_RESULT_TTL, AttemptResult
from store.models import utcnow
from workers.activities.base import ActivityGroup

M = TypeVar("M", bound=BaseModel)


def answer_once(group: ActivityGroup, attempt_id: str, kind: type[M], check: Callable[[], M]) -> M:
    """The stored answer of ``attempt_id``, or ``check()``'s, stored for next time."""
    with group.db() as session:
        done = session.get(AttemptResult, attempt_id)
        if done is not None:
            return kind.model_validate_json(done.result)
    result = check()
    customer_id = getattr(result, "customer_id", "") or None
    try:
        with group.db() as session:
            session.add(
                AttemptResult(
                    attempt_id=attempt_id,
                    result=result.model_dump_json(),
                    customer_id=customer_id,
                )
            )
    except IntegrityError:
        with group.db() as session:
            stored = session.get(AttemptResult, attempt_id)
            assert stored is not None
            return kind.model_validate_json(stored.result)
    with group.db() as session:
        expired = col(AttemptResult.created_at) < utcnow() - ATTEMPT_RESULT_TTL
        session.execute(delete(AttemptResult).where(expired))
    return result
