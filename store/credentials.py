"""A customer's password credential: found, or written, inside the caller's unit of work.

Only the argon2id hash is stored (``core.security.passwords.hash_password``); the one row per
customer of kind ``password`` is created the first time a password is set.
"""

from __future__ import annotations

from sqlmodel import Session, select

from store.models import Credential, utcnow


def password_credential(db: Session, customer_id: str) -> Credential | None:
    """The customer's password credential, or ``None`` when they sign in without one."""
    return db.exec(
        select(Credential).where(
            Credential.customer_id == customer_id, Credential.kind == "password"
        )
    ).first()


def set_password_hash(db: Session, customer_id: str, secret_hash: str) -> None:
    """Make ``secret_hash`` the customer's password (their first one, or a replacement)."""
    row = password_credential(db, customer_id)
    if row is None:
        row = Credential(customer_id=customer_id, kind="password", secret_hash=secret_hash)
    row.secret_hash, row.updated_at = secret_hash, utcnow()
    db.add(row)
