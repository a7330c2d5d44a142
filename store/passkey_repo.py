"""Small repository of passkeys for the account page and customer creation.

Removal policy (docs/security.md): a customer must keep at least one way to sign in. The last
passkey of a customer without a password cannot be removed here; they add another passkey first
(or, once they have one, set a password through account recovery).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from store.credentials import password_credential
from store.db import session_for
from store.passkey_models import Passkey

MAX_NAME_LENGTH = 64


class LastCredential(Exception):
    """Removing this passkey would leave the customer with no way to sign in."""


def claim_registration_passkey(session: Session, *, journey_id: str, customer_id: str) -> bool:
    """Give the passkeys made by registration journey ``journey_id`` to its new customer."""
    made = session.exec(
        select(Passkey).where(
            Passkey.created_by_journey == journey_id, col(Passkey.customer_id).is_(None)
        )
    ).all()
    for passkey in made:
        passkey.customer_id = customer_id
        session.add(passkey)
    return bool(made)


def passkeys_of(database_url: str, customer_id: str) -> list[Passkey]:
    """The customer's passkeys, oldest first."""
    with session_for(database_url) as session:
        return list(
            session.exec(
                select(Passkey)
                .where(Passkey.customer_id == customer_id)
                .order_by(col(Passkey.created_at))
            ).all()
        )


def has_password(database_url: str, customer_id: str) -> bool:
    """Whether the customer can also sign in with a password."""
    with session_for(database_url) as session:
        return password_credential(session, customer_id) is not None


def rename(database_url: str, *, customer_id: str, passkey_id: int, name: str) -> bool:
    """Rename one of the customer's passkeys; ``False`` if it is not theirs."""
    with session_for(database_url) as session:
        passkey = session.get(Passkey, passkey_id)
        if passkey is None or passkey.customer_id != customer_id:
            return False
        passkey.name = name
        session.add(passkey)
        return True


def remove(database_url: str, *, customer_id: str, passkey_id: int) -> bool:
    """Delete one of the customer's passkeys; ``False`` if it is not theirs.

    Raises :class:`LastCredential` for the only passkey of a customer without a password.
    """
    with session_for(database_url) as session:
        passkey = session.get(Passkey, passkey_id)
        if passkey is None or passkey.customer_id != customer_id:
            return False
        others = session.exec(
            select(Passkey).where(Passkey.customer_id == customer_id, Passkey.id != passkey_id)
        ).first()
        if others is None and password_credential(session, customer_id) is None:
            raise LastCredential()
        session.delete(passkey)
        return True
