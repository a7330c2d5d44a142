"""Sign-ins in flight with upstream providers, and the identity links they end in.

A browser's sign-in is found by the keyed hash of a random value only its cookie holds; the row
keeps the state, nonce and PKCE verifier, so none of them travels through the browser except the
state the provider echoes. Spending a row is a conditional UPDATE, so a callback replayed in
parallel cannot sign in twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from contracts.emails import normalize_email
from core.security.hashing import keyed_hash
from core.settings import Settings
from store.credentials import password_credential
from store.db import session_for
from store.idp_models import IdentityLink, IdpLogin
from store.models import SIGN_IN_STATUSES, Customer, utcnow
from store.passkey_models import Passkey


@dataclass(frozen=True)
class Started:
    """A new sign-in: the cookie value for the browser, and what goes to the provider."""

    cookie: str
    state: str
    nonce: str
    verifier: str


@dataclass(frozen=True)
class Resolved:
    """Where an upstream identity leads: a customer to sign in, or one to prove control of."""

    customer_id: str
    needs_proof: bool
    #: ``False`` for a linked customer who was deactivated or deleted: no session for them.
    active: bool = True
    #: No customer has this identity or its email: the registration journey takes over.
    new: bool = False


class IdentityLinks:
    """Pending sign-ins and the identity links they end in."""

    LIFETIME = timedelta(minutes=10)
    #: How long after the upstream sign-in the customer may prove control to link it.
    LINK_WINDOW = timedelta(minutes=15)

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url
        self.key = settings.derive_key("idp-logins")

    def _hash(self, cookie: str) -> str:
        return keyed_hash(self.key, "idp-login", cookie)

    def start(self, idp_name: str, return_to: str) -> Started:
        """Remember a new sign-in; its values are random and single use."""
        started = Started(
            cookie=secrets.token_urlsafe(32),
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            verifier=secrets.token_urlsafe(64),
        )
        with session_for(self.url) as db:
            db.add(
                IdpLogin(
                    flow_hash=self._hash(started.cookie),
                    idp_name=idp_name,
                    state=started.state,
                    nonce=started.nonce,
                    verifier=started.verifier,
                    return_to=return_to[:500],
                    expires_at=utcnow() + self.LIFETIME,
                )
            )
        return started

    def pending(self, cookie: str | None, idp_name: str) -> IdpLogin | None:
        """This browser's unspent, unexpired sign-in with ``idp_name``."""
        if not cookie or len(cookie) > 128:
            return None
        with session_for(self.url) as db:
            row = db.get(IdpLogin, self._hash(cookie))
        if row is None or row.idp_name != idp_name or row.used_at is not None:
            return None
        return row if utcnow() < row.expires_at else None

    def spend(self, row: IdpLogin) -> bool:
        """Mark a sign-in used; ``False`` when another request already did."""
        with session_for(self.url) as db:
            result = db.exec(
                update(IdpLogin)
                .where(col(IdpLogin.flow_hash) == row.flow_hash, col(IdpLogin.used_at).is_(None))
                .values(used_at=utcnow())
            )
            return bool(result.rowcount == 1)

    def resolve(self, row: IdpLogin, *, issuer: str, subject: str, email: str) -> Resolved:
        """The customer this upstream identity signs in, never linked by email match alone.

        A link (issuer + subject) wins. A known email records the identity on the sign-in row and
        asks for proof of control; an unknown one is a new customer, whom the registration
        journey creates (``Resolved.new``) after the terms, so nothing is written here.
        """
        normalized = normalize_email(email)
        with session_for(self.url) as db:
            link = db.exec(
                select(IdentityLink).where(
                    IdentityLink.issuer == issuer, IdentityLink.subject == subject
                )
            ).first()
            if link is not None:
                customer = db.get(Customer, link.customer_id)
                active = customer is not None and customer.status in SIGN_IN_STATUSES
                return Resolved(link.customer_id, needs_proof=False, active=active)
            existing = db.exec(select(Customer).where(Customer.email == normalized)).first()
            if existing is None:
                return Resolved("", needs_proof=False, new=True)
            pending = db.get(IdpLogin, row.flow_hash)
            assert pending is not None
            pending.link_customer_id = existing.id
            pending.link_issuer = issuer
            pending.link_subject = subject
            db.add(pending)
            return Resolved(existing.id, needs_proof=True)

    def awaiting_proof(self, cookie: str | None, customer_id: str) -> IdpLogin | None:
        """The identity this browser may link to ``customer_id`` once it has signed in locally."""
        row = self.waiting(cookie)
        return row if row is not None and row.link_customer_id == customer_id else None

    def waiting(self, cookie: str | None) -> IdpLogin | None:
        """This browser's identity waiting for its customer's proof of control (in the window)."""
        if not cookie or len(cookie) > 128:
            return None
        with session_for(self.url) as db:
            row = db.get(IdpLogin, self._hash(cookie))
        if row is None or row.link_customer_id is None or row.linked_at is not None:
            return None
        return row if utcnow() < row.created_at + self.LINK_WINDOW else None

    def link(self, row: IdpLogin, *, proven_at: datetime) -> bool:
        """Link the identity if the local sign-in (``proven_at``) followed the upstream one."""
        if row.link_customer_id is None or proven_at < row.created_at:
            return False
        try:
            with session_for(self.url) as db:
                pending = db.get(IdpLogin, row.flow_hash)
                if pending is None or pending.linked_at is not None:
                    return False
                pending.linked_at = utcnow()
                db.add(pending)
                db.add(
                    IdentityLink(
                        idp_name=row.idp_name,
                        issuer=row.link_issuer,
                        subject=row.link_subject,
                        customer_id=row.link_customer_id,
                    )
                )
        except IntegrityError:
            return False  # the identity is already linked (to this or another customer)
        return True

    def links_of(self, customer_id: str) -> list[IdentityLink]:
        """A customer's upstream identities."""
        with session_for(self.url) as db:
            return list(
                db.exec(select(IdentityLink).where(IdentityLink.customer_id == customer_id)).all()
            )

    def unlink(self, customer_id: str, link_id: int) -> str | None:
        """Remove one of the customer's links; its provider's name, or ``None`` if not theirs.

        Raises :class:`LastWayToSignIn` when the link is the customer's only way to sign in (no
        password, no passkey, no other link). The customer row is locked first (PostgreSQL), so
        two unlinks in parallel cannot both pass that check.
        """
        with session_for(self.url) as db:
            db.exec(select(Customer).where(Customer.id == customer_id).with_for_update()).first()
            link = db.get(IdentityLink, link_id)
            if link is None or link.customer_id != customer_id:
                return None
            others = (
                db.exec(
                    select(IdentityLink).where(
                        IdentityLink.customer_id == customer_id, IdentityLink.id != link_id
                    )
                ).first()
                or db.exec(select(Passkey).where(Passkey.customer_id == customer_id)).first()
                or password_credential(db, customer_id)
            )
            if others is None:
                raise LastWayToSignIn()
            db.delete(link)
            return link.idp_name


class LastWayToSignIn(Exception):
    """Unlinking this identity would leave the customer with no way to sign in."""
