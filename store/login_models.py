"""Tables of sign-in: throttling counters, idempotent attempt results and second factors.

Secrets rest only as ciphertext (the TOTP seed, AES-GCM under a key derived from
``THRESHOLD_SECRET_KEY``) or keyed hashes (recovery codes). Imported by :mod:`store.models`
so every table is on ``SQLModel.metadata``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models import utcnow

#: How long a stored answer is kept: far beyond the last retry of any check (minutes), short
#: enough that an answer naming a customer does not outlive its purpose.
ATTEMPT_RESULT_TTL = timedelta(days=1)


class LoginThrottle(SQLModel, table=True):
    """Consecutive failures of one key (``acct:<email lookup>``, ``ip:<address>``, ``mfa:<id>``).

    A failure is counted *before* the secret is checked, with a compare-and-set on ``failures``,
    so parallel attempts each take their own number and none slips past the delays.
    """

    __tablename__ = "login_throttles"

    key: str = Field(primary_key=True, max_length=120)
    failures: int = 0
    blocked_until: datetime = Field(default_factory=utcnow)
    last_failure_at: datetime = Field(default_factory=utcnow)


class AttemptResult(SQLModel, table=True):
    """The answer given to one attempt (keyed by a ``workflow.uuid4()``); a retry gets it again.

    An answer may name the customer (a password check returns the id and the address), so the row
    carries ``customer_id`` for erasure and expires: retries end within minutes, and rows older
    than :data:`ATTEMPT_RESULT_TTL` are deleted as new ones are written.
    """

    __tablename__ = "attempt_results"

    attempt_id: str = Field(primary_key=True, max_length=200)
    result: str = Field(sa_column=Column(Text, nullable=False))
    customer_id: str | None = Field(default=None, index=True, max_length=36)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class TotpFactor(SQLModel, table=True):
    """A customer's authenticator app; ``confirmed_at`` is empty while enrolment is pending.

    ``last_step`` is the newest accepted TOTP time step: a code is accepted only for a later step,
    so each code works once (Keycloak CVE-2024-7318).
    """

    __tablename__ = "totp_factors"

    customer_id: str = Field(primary_key=True, foreign_key="customers.id", max_length=36)
    secret_box: str = Field(sa_column=Column(Text, nullable=False))
    confirmed_at: datetime | None = None
    last_step: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class RecoveryCode(SQLModel, table=True):
    """One single-use recovery code, stored as a keyed hash; ``used_at`` set when spent."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("customer_id", "code_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(foreign_key="customers.id", index=True, max_length=36)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
