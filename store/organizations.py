"""B2B organizations: ``threshold orgs`` writes them, home-realm discovery on login reads them.

An organization names the upstream provider its people sign in with and owns email domains. The
login journey asks :meth:`Organizations.realm_for` about the typed email's domain; an owned domain
sends the browser to that provider instead of asking for a password.

**Exact domains only.** ``acme.example`` owns ``ann@acme.example`` and nothing else: not
``ann@eu.acme.example``, not ``ann@notacme.example``. Subdomains often belong to someone else
(a marketing agency, a hosted mail service), so each one an organization owns is added explicitly.
Domains are compared in their lower-case ASCII (IDNA A-label) form, so ``Bücher.example`` typed at
login matches ``xn--bcher-kva.example`` added by an operator.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from core.settings import Settings
from store.db import session_for
from store.idp_models import UpstreamIdp
from store.organization_models import Organization, OrganizationDomain


class OrganizationError(ValueError):
    """An organization change that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class OrganizationView:
    """An organization with its provider and its domains (A-labels, sorted)."""

    name: str
    idp_name: str
    domains: tuple[str, ...]


def email_domain(raw: str) -> str:
    """``raw`` as a domain key: lower-case A-label, syntax checked; :class:`OrganizationError`.

    The same checks as an email address's domain part (email-validator, IDNA 2008), because only
    domains that can appear in a sign-in email are worth owning.
    """
    text = raw.strip().lower()
    if not text or len(text) > Organizations.MAX_DOMAIN_LENGTH or "@" in text:
        raise OrganizationError(f"{raw!r} is not a valid email domain")
    try:
        checked = validate_email(f"x@{text}", check_deliverability=False)
    except EmailNotValidError:
        raise OrganizationError(f"{raw!r} is not a valid email domain") from None
    return checked.ascii_domain.lower()


class Organizations:
    """Add, list and remove organizations; find the provider that owns an email's domain."""

    MAX_NAME_LENGTH = 100
    MAX_DOMAIN_LENGTH = 253
    NAME = re.compile(r"^[^\x00-\x1f\x7f]+$")

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url

    def add(self, name: str, *, idp_name: str, domains: Sequence[str]) -> OrganizationView:
        """Create ``name`` signing in with ``idp_name`` and owning ``domains`` (at least one)."""
        name = name.strip()
        if not name or len(name) > self.MAX_NAME_LENGTH or not self.NAME.match(name):
            raise OrganizationError(
                f"the name must be 1 to {self.MAX_NAME_LENGTH} printable characters"
            )
        keys = sorted({email_domain(domain) for domain in domains})
        if not keys:
            raise OrganizationError("an organization needs at least one --domain")
        try:
            with session_for(self.url) as db:
                if db.get(UpstreamIdp, idp_name) is None:
                    raise OrganizationError(
                        f"there is no provider {idp_name!r} (see `threshold idps list`)"
                    )
                if db.exec(select(Organization).where(Organization.name == name)).first():
                    raise OrganizationError(f"an organization named {name!r} already exists")
                owned = db.exec(
                    select(OrganizationDomain.domain, Organization.name)
                    .join(Organization, col(Organization.id) == OrganizationDomain.organization_id)
                    .where(col(OrganizationDomain.domain).in_(keys))
                ).first()
                if owned is not None:
                    raise OrganizationError(
                        f"the domain {owned[0]} already belongs to the organization {owned[1]!r}"
                    )
                organization = Organization(name=name, idp_name=idp_name)
                db.add(organization)
                db.flush()
                assert organization.id is not None
                for key in keys:
                    db.add(OrganizationDomain(domain=key, organization_id=organization.id))
        except IntegrityError:
            # Another operator added the same name or domain between our checks and the commit.
            raise OrganizationError(
                f"the name {name!r} or one of the domains was taken meanwhile; list and retry"
            ) from None
        return OrganizationView(name, idp_name, tuple(keys))

    def list(self) -> list[OrganizationView]:
        """Every organization by name, with its domains."""
        with session_for(self.url) as db:
            organizations = db.exec(select(Organization).order_by(Organization.name)).all()
            domains = db.exec(select(OrganizationDomain).order_by(OrganizationDomain.domain)).all()
        owned: dict[int, list[str]] = {}
        for row in domains:
            owned.setdefault(row.organization_id, []).append(row.domain)
        return [
            OrganizationView(org.name, org.idp_name, tuple(owned.get(org.id or 0, [])))
            for org in organizations
        ]

    def remove(self, name: str) -> bool:
        """Delete ``name`` and its domains; ``False`` when there is no such organization."""
        with session_for(self.url) as db:
            organization = db.exec(select(Organization).where(Organization.name == name)).first()
            if organization is None:
                return False
            db.execute(
                delete(OrganizationDomain).where(
                    col(OrganizationDomain.organization_id) == organization.id
                )
            )
            db.delete(organization)
        return True

    def realm_for(self, email: str) -> str | None:
        """The provider of the organization owning ``email``'s domain (exact match), or ``None``.

        Depends on the domain alone, never on whether an account exists, so the answer reveals
        nothing about customers.
        """
        _, at, domain = email.rpartition("@")
        if not at:
            return None
        try:
            key = email_domain(domain)
        except OrganizationError:
            return None
        with session_for(self.url) as db:
            found: str | None = db.exec(
                select(Organization.idp_name)
                .join(
                    OrganizationDomain,
                    col(OrganizationDomain.organization_id) == Organization.id,
                )
                .where(OrganizationDomain.domain == key)
            ).first()
        return found
