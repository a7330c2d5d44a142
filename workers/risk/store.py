"""Where the model's counts live: the interface, and its SQL implementation.

:class:`SqlRiskStore` works on SQLite and PostgreSQL. Counts are incremented with one
``INSERT … ON CONFLICT … DO UPDATE SET count = count + 1`` per row (both databases support it), so
concurrent sign-ins of one customer never lose an update; rows are written in key order so two
PostgreSQL transactions never wait on each other in opposite orders. Recording is idempotent: the
event row (unique per journey and outcome) is inserted first in the same transaction, and a
duplicate rolls the whole recording back.

Feature paths are stored as keyed hashes (HMAC-SHA256 with a key derived from the deployment
secret), so the tables hold no IP address, network or device value in the clear.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Table, func, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from core.security.hashing import keyed_hash
from store.db import session_for
from store.risk_models import RiskCustomerCount, RiskFailure, RiskGlobalCount, RiskLoginEvent
from workers.risk.features import LoginFeatures, TravelRule, Velocity
from workers.risk.model import ROOT, Evidence

GLOBAL_COUNTS: Table = SQLModel.metadata.tables[RiskGlobalCount.__tablename__]
CUSTOMER_COUNTS: Table = SQLModel.metadata.tables[RiskCustomerCount.__tablename__]
EVENTS: Table = SQLModel.metadata.tables[RiskLoginEvent.__tablename__]
FAILURES: Table = SQLModel.metadata.tables[RiskFailure.__tablename__]
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
ROOT_LEVEL = "total"
ROOT_PARENT = "\x00root"


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt as the store sees it."""

    journey_id: str
    customer_id: str | None
    client_ip: str
    features: LoginFeatures
    at: datetime
    #: For a failure: which step failed (``contracts.risk.FailedStep``).
    step: str = "password"


class RiskStore(Protocol):
    """What the activity and the benchmark need from a store of sign-in habits."""

    def evidence(self, attempt: Attempt) -> Evidence:
        """Counts, velocity and travel for scoring ``attempt`` (nothing is written)."""
        ...

    def record(self, attempt: Attempt, *, success: bool) -> bool:
        """Learn from an outcome; ``False`` if this journey's outcome was already recorded."""
        ...


def levels_of(features: LoginFeatures) -> list[tuple[str, str, str]]:
    """``(level name, path, parent path)`` for every level, the root total included."""
    rows = [(ROOT_LEVEL, ROOT, ROOT_PARENT)]
    for chain in features.learned:
        parent = ROOT
        for level in chain:
            rows.append((level.name, level.path, parent))
            parent = level.path
    return rows


def aware(at: datetime) -> datetime:
    """Times from a database or a naive caller, read as UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


class SqlRiskStore:
    """Counts and events in the system of record (``risk_*`` tables)."""

    def __init__(self, database_url: str, key: bytes) -> None:
        self.database_url = database_url
        self.key = key

    def hash(self, value: str) -> str:
        """The stored form of a feature path or an IP address."""
        return keyed_hash(self.key, "risk", value)

    def evidence(self, attempt: Attempt) -> Evidence:
        """Read everything the model needs for this attempt in one short read transaction."""
        levels = levels_of(attempt.features)
        path_of = {self.hash(path): path for _, path, _ in levels}
        parent_of = {self.hash(parent): parent for _, _, parent in levels}
        with session_for(self.database_url) as session:
            global_ = self._global_counts(session, path_of)
            if attempt.customer_id is None:
                customer: dict[str, int] = {}
                distinct: dict[tuple[str, str], int] = {}
                children: dict[tuple[str, str], int] = {}
                previous = None
            else:
                customer = self._customer_counts(session, attempt.customer_id, path_of)
                distinct, children = self._distinct(session, attempt.customer_id, parent_of)
                previous = self._last_success(session, attempt.customer_id, attempt.at)
            velocity = self._velocity(session, attempt)
        return Evidence(
            customer=customer,
            global_=global_,
            distinct=distinct,
            velocity=velocity,
            travel=TravelRule.check(previous, attempt.features.country, attempt.at),
            children=children,
        )

    def record(self, attempt: Attempt, *, success: bool) -> bool:
        """Learn a success (event + every count, one transaction) or keep a failed step.

        A success is unique per journey; a failure per journey, step and attempt time, so each
        wrong password of one journey counts while a retried activity does not.
        """
        ip_key = self.hash(f"ip={attempt.client_ip}")
        try:
            with session_for(self.database_url) as session:
                if not success:
                    session.add(
                        RiskFailure(
                            journey_id=attempt.journey_id,
                            step=attempt.step,
                            customer_id=attempt.customer_id,
                            account_key=attempt.customer_id or f"unknown:{attempt.journey_id}",
                            ip_key=ip_key,
                            at=attempt.at,
                        )
                    )
                    return True
                session.add(
                    RiskLoginEvent(
                        journey_id=attempt.journey_id,
                        success=True,
                        customer_id=attempt.customer_id,
                        ip_key=ip_key,
                        country=attempt.features.country,
                        at=attempt.at,
                    )
                )
                session.flush()
                self._learn(session, attempt)
        except IntegrityError:
            return False
        return True

    # ----- reads ---------------------------------------------------------------------------

    def _global_counts(self, session: Session, path_of: Mapping[str, str]) -> dict[str, int]:
        table = GLOBAL_COUNTS
        rows = session.connection().execute(
            select(table.c.key, table.c.count).where(table.c.key.in_(list(path_of)))
        )
        return {path_of[key]: int(count) for key, count in rows}

    def _customer_counts(
        self, session: Session, customer_id: str, path_of: Mapping[str, str]
    ) -> dict[str, int]:
        table = CUSTOMER_COUNTS
        rows = session.connection().execute(
            select(table.c.key, table.c.count).where(
                table.c.customer_id == customer_id, table.c.key.in_(list(path_of))
            )
        )
        return {path_of[key]: int(count) for key, count in rows}

    def _distinct(
        self, session: Session, customer_id: str, parent_of: Mapping[str, str]
    ) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
        """Per ``(parent, level)``: how many distinct values, and how many sign-ins in all."""
        table = CUSTOMER_COUNTS
        rows = session.connection().execute(
            select(table.c.parent, table.c.level, func.count(), func.sum(table.c.count))
            .where(table.c.customer_id == customer_id, table.c.parent.in_(list(parent_of)))
            .group_by(table.c.parent, table.c.level)
        )
        distinct: dict[tuple[str, str], int] = {}
        children: dict[tuple[str, str], int] = {}
        for parent, level, n, total in rows:
            distinct[(parent_of[parent], level)] = int(n)
            children[(parent_of[parent], level)] = int(total or 0)
        return distinct, children

    def _last_success(
        self, session: Session, customer_id: str, at: datetime
    ) -> tuple[str, datetime] | None:
        table = EVENTS
        row = (
            session.connection()
            .execute(
                select(table.c.country, table.c.at)
                .where(
                    table.c.customer_id == customer_id,
                    table.c.success.is_(True),
                    table.c.country != "",
                    table.c.at <= at,
                )
                .order_by(table.c.at.desc())
                .limit(1)
            )
            .first()
        )
        return None if row is None else (str(row[0]), aware(row[1]))

    def _velocity(self, session: Session, attempt: Attempt) -> Velocity:
        """Failed steps of this account; distinct other accounts failing from this IP."""
        table = FAILURES
        account_hour = account_day = 0
        if attempt.customer_id is not None:
            failures = self._failures(session, table.c.customer_id == attempt.customer_id, attempt)
            account_hour = sum(1 for at, _ in failures if at >= attempt.at - HOUR)
            account_day = len(failures)
        others: Any = table.c.ip_key == self.hash(f"ip={attempt.client_ip}")
        if attempt.customer_id is not None:
            others = others & (
                table.c.customer_id.is_(None) | (table.c.customer_id != attempt.customer_id)
            )
        failures = self._failures(session, others, attempt)
        ip_hour = len({account for at, account in failures if at >= attempt.at - HOUR})
        ip_day = len({account for _, account in failures})
        return Velocity(
            account_hour=account_hour, account_day=account_day, ip_hour=ip_hour, ip_day=ip_day
        )

    @staticmethod
    def _failures(session: Session, subject: Any, attempt: Attempt) -> list[tuple[datetime, str]]:
        """``(time, account)`` of the failed steps matching ``subject`` in the day before."""
        table = FAILURES
        rows = session.connection().execute(
            select(table.c.at, table.c.account_key).where(
                subject, table.c.at >= attempt.at - DAY, table.c.at < attempt.at
            )
        )
        return [(aware(at), str(account)) for at, account in rows]

    # ----- writes --------------------------------------------------------------------------

    def _learn(self, session: Session, attempt: Attempt) -> None:
        assert attempt.customer_id is not None, "a successful sign-in has a customer"
        levels = levels_of(attempt.features)
        customer_rows = sorted(
            (
                {
                    "customer_id": attempt.customer_id,
                    "key": self.hash(path),
                    "parent": self.hash(parent),
                    "level": name,
                    "count": 1,
                    "last_seen_at": attempt.at,
                }
                for name, path, parent in levels
            ),
            key=lambda row: str(row["key"]),
        )
        global_rows = sorted(
            ({"key": key, "count": 1} for key in {str(r["key"]) for r in customer_rows}),
            key=lambda row: str(row["key"]),
        )
        self._increment(
            session,
            CUSTOMER_COUNTS,
            customer_rows,
            ["customer_id", "key"],
            extra=("last_seen_at",),
        )
        self._increment(session, GLOBAL_COUNTS, global_rows, ["key"])

    @staticmethod
    def _increment(
        session: Session,
        table: Table,
        rows: list[dict[str, object]],
        conflict: list[str],
        extra: tuple[str, ...] = (),
    ) -> None:
        """Insert the rows, or add their ``count`` to existing ones atomically (one statement)."""
        connection = session.connection()
        insert = sqlite_insert if connection.dialect.name == "sqlite" else postgres_insert
        statement = insert(table).values(rows)
        update = {"count": table.c.count + statement.excluded.count}
        update.update({column: statement.excluded[column] for column in extra})
        connection.execute(statement.on_conflict_do_update(index_elements=conflict, set_=update))
