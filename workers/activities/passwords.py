"""A new password as every activity that sets one takes it: sealed by the web, then the policy.

The password never enters a journey's history: the web seals it for this journey's ``password``
field and only the activity opens it. Registration, invitations, recovery and change-password
share these two steps so their refusals read and behave the same.
"""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

from contracts.errors import ErrorCode
from contracts.sealed import Sealed
from core.security.passwords import PasswordPolicy
from core.security.sealing import Sealer, SealError


def open_password(sealer: Sealer, sealed: Sealed, *, journey_id: str, retype: str) -> str:
    """The password the web sealed for ``journey_id``; an expired seal asks for ``retype`` again."""
    try:
        return sealer.open(sealed, journey_id=journey_id, field="password")
    except SealError as exc:
        raise ApplicationError(
            f"The form expired; please enter {retype} again.",
            type=ErrorCode.SEAL_EXPIRED,
            non_retryable=True,
        ) from exc


def refuse_weak(password: str, *, email: str) -> None:
    """Refuse a password the policy (NIST checks, the customer's own address) does not accept."""
    problem = PasswordPolicy.problem(password, email=email)
    if problem:
        raise ApplicationError(problem, type=ErrorCode.WEAK_PASSWORD, non_retryable=True)
