"""SCIM Users are customers: the customer row written in the same transaction as the resource.

Mapping: the customer's email is ``userName`` when it is an email address (``userName`` is then
stored normalised, as :func:`normalize_email` does for every other way in), otherwise the primary
(or first) ``emails`` value; ``active`` maps to the customer's status (``active``/``suspended``).

SCIM lets ``userName`` be any unique string, so a User may arrive with no email address at all. It
is still provisioned, as a customer without an address (:func:`no_address`, a reserved ``.invalid``
domain that can never receive mail): nobody can sign in as them and no invitation is sent, until
an update gives them an address; then they are invited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scim2_models import InvalidValueException, UniquenessException
from sqlmodel import Session, select

from core.security.hashing import email_lookup
from journeys.kit import normalize_email
from store.models import Customer, utcnow
from store.scim_models import ScimResource


@dataclass
class AccountWrites:
    """The account hook of one User write, remembering what changed for the effects after it.

    ``suspended`` tells the caller to revoke the customer's sessions, ``invite`` to start the
    invitation journey (the customer became reachable: active and with an address).
    """

    lookup_key: bytes
    suspended: bool = False
    invite: bool = False
    customer_id: str = ""

    def __call__(self, db: Session, row: ScimResource, resource: Any, new: bool) -> None:
        """Create or update the customer behind ``row`` (the :data:`AccountHook` protocol)."""
        email = account_email(resource)
        if email is not None:
            taken = db.exec(select(Customer).where(Customer.email == email)).first()
            if taken is not None and taken.id != row.customer_id:
                raise UniquenessException(detail="A customer with this email already exists.")
        active = resource.active is not False
        if new:
            customer = Customer(
                id=row.id,
                email=email or no_address(row.id),
                email_lookup=email_lookup(self.lookup_key, email) if email else "",
                status="active" if active else "suspended",
                created_by_journey=f"scim:{row.id}",
                created_at=utcnow(),
            )
            db.add(customer)
            db.flush()
            row.customer_id = customer.id
            self.invite = active and email is not None
        else:
            found = db.get(Customer, row.customer_id) if row.customer_id else None
            if found is None:
                raise InvalidValueException(detail="This user's account no longer exists.")
            customer = found
            had_address = customer.email != no_address(customer.id)
            if email is not None and email != customer.email:
                customer.email = email
                customer.email_lookup = email_lookup(self.lookup_key, email)
            was_active = customer.status == "active"
            customer.status = "active" if active else "suspended"
            self.suspended = was_active and not active
            reachable = active and customer.email != no_address(customer.id)
            self.invite = reachable and not (was_active and had_address)
            db.add(customer)
        self.customer_id = customer.id


def account_email(resource: Any) -> str | None:
    """The sign-in address a User resource gives its customer (see the module docstring).

    An email-shaped ``userName`` is normalised in place.
    """
    try:
        resource.user_name = normalize_email(resource.user_name)
        return str(resource.user_name)
    except ValueError:
        pass
    emails = [e for e in resource.emails or [] if e.value]
    chosen = next((e for e in emails if e.primary), emails[0] if emails else None)
    if chosen is None:
        return None
    try:
        return normalize_email(str(chosen.value))
    except ValueError:
        return None


def no_address(customer_id: str) -> str:
    """The placeholder email of a customer provisioned without one (``.invalid`` never resolves)."""
    return f"no-address-{customer_id}@scim.invalid"
