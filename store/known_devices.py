"""Known devices: a device that passed a second factor for a customer, until they forget it.

The record is keyed (the device is stored as a keyed hash of the device-cookie hash the journey
saw, never the cookie) and revocable: "forget this device" sets ``revoked_at``, and a forgotten
device counts as unknown to the policy even though the customer's sign-in counts still remember
its cookie. Binding it again (another passed second factor) clears the revocation.

Here, in the store, so the risk activities write it and the web's sessions page can list it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from core.security.hashing import keyed_hash
from store.db import session_for
from store.risk_models import RiskKnownDevice

DeviceStatus = Literal["bound", "forgotten", "unbound"]


@dataclass(frozen=True)
class Bound:
    """One known device as people see it."""

    id: str
    label: str
    bound_at: datetime
    last_seen_at: datetime


class KnownDevices:
    """The ``risk_known_devices`` table, on SQLite and PostgreSQL."""

    MAX_LABEL = 120

    def __init__(self, database_url: str, key: bytes) -> None:
        self.database_url = database_url
        self.key = key

    def device_key(self, device: str) -> str:
        """The stored form of a device (keyed hash, so the table names no cookie hash)."""
        return keyed_hash(self.key, "known-device", device)

    def bind(self, customer_id: str, device: str, label: str, at: datetime) -> Bound:
        """Make ``device`` known for ``customer_id`` (again); idempotent for a retried call.

        Two concurrent first bindings race on the unique key: the loser reads the winner's row.
        """
        try:
            return self._bind(customer_id, device, label, at)
        except IntegrityError:
            return self._bind(customer_id, device, label, at)

    def _bind(self, customer_id: str, device: str, label: str, at: datetime) -> Bound:
        key = self.device_key(device)
        with session_for(self.database_url) as session:
            row = session.exec(
                select(RiskKnownDevice).where(
                    RiskKnownDevice.customer_id == customer_id, RiskKnownDevice.device_key == key
                )
            ).first()
            if row is None:
                row = RiskKnownDevice(
                    id=str(uuid.uuid4()),
                    customer_id=customer_id,
                    device_key=key,
                    label=label[: self.MAX_LABEL],
                    bound_at=at,
                    last_seen_at=at,
                )
            else:
                row.revoked_at = None
                row.last_seen_at = at
                row.label = label[: self.MAX_LABEL] or row.label
            session.add(row)
            session.flush()
            return _bound(row)

    def forget(self, customer_id: str, device_id: str, at: datetime) -> bool:
        """Revoke one of the customer's devices; ``False`` if it is not theirs or not known."""
        with session_for(self.database_url) as session:
            row = session.get(RiskKnownDevice, device_id)
            if row is None or row.customer_id != customer_id or row.revoked_at is not None:
                return False
            row.revoked_at = at
            session.add(row)
        return True

    def status(self, customer_id: str, device: str) -> DeviceStatus:
        """Whether the device passed a second factor for this customer, or was forgotten."""
        if not device:
            return "unbound"
        with session_for(self.database_url) as session:
            row = session.exec(
                select(RiskKnownDevice).where(
                    RiskKnownDevice.customer_id == customer_id,
                    RiskKnownDevice.device_key == self.device_key(device),
                )
            ).first()
        if row is None:
            return "unbound"
        return "forgotten" if row.revoked_at is not None else "bound"

    def list(self, customer_id: str) -> list[Bound]:
        """The customer's known devices, most recently seen first (for the sessions page)."""
        with session_for(self.database_url) as session:
            rows = session.exec(
                select(RiskKnownDevice)
                .where(
                    RiskKnownDevice.customer_id == customer_id,
                    RiskKnownDevice.revoked_at.is_(None),  # type: ignore[union-attr]
                )
                .order_by(RiskKnownDevice.last_seen_at.desc())  # type: ignore[attr-defined]
            ).all()
            return [_bound(row) for row in rows]


def _bound(row: RiskKnownDevice) -> Bound:
    return Bound(id=row.id, label=row.label, bound_at=row.bound_at, last_seen_at=row.last_seen_at)
