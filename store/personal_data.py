"""The declared inventory of every place a customer's personal data can be, and what erasure does.

Erasure (:mod:`store.erasure`) follows this list instead of guessing from column names: a schema
guess visits tables with a ``customer_id`` column and misses a JSON blob that holds an email
address under another key (``attempt_results`` did). ``tests/store/test_personal_data.py`` fails
when a table or a column exists that is not declared here, so a new table or column forces a
decision, and it scans every column of every table after a real erasure on SQLite and PostgreSQL.

Each table is one of:

* **delete** — the customer's rows are deleted; ``rows`` says how they are found (a column equal
  to the customer id, the email, the email lookup, or a key built from them).
* **keep** — the rows stay, for the reason given, with ``blank`` columns overwritten; ``rows``
  with ``only`` restricted to some kinds are deleted outright (e.g. risk decisions in the audit
  log).
* **none** — the table holds nothing about a customer (configuration, staff, global counts).

What may remain after an erasure (the documented exceptions, checked by the test):

* the tombstone (``erasure_tombstones``: the id, a keyed hash of the email, dates, who
  acknowledged) and the ``customers`` row (the id, status ``erased``, an undeliverable address
  built from the id, so rows kept below still point at something);
* the customer **id** in ``consent_records`` (the proof of consent the law requires; purposes and
  versions only), ``outbox_events`` (receivers match ``customer.deleted`` to the id they hold;
  ``data`` carries ids, types and field names, never values) and ``audit_events`` (what was done
  and by whom; ``detail`` is blanked, risk decisions are deleted);
* the deprovisioning journey's id, ``deprovisioning-<customer id>``, in the ids, keys and
  ``ack_path`` of that journey's own events and audit rows;
* throttle rows keyed by digests of an address and a device or client (``*-dev:``,
  ``*-ipacct:``) and per-IP counters: pseudonymous, not findable from the customer, short-lived.

Places outside the database are listed in :data:`OUTSIDE` with what happens to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Handling = Literal["delete", "keep", "none"]


@dataclass(frozen=True)
class Rows:
    """Rows of one customer: ``column`` equal to ``equals`` filled in with the customer's
    ``customer_id``, ``email`` and ``email_lookup``; ``only`` restricts to some values of another
    column (``("kind", ("risk.assessed",))``)."""

    column: str
    equals: str = "{customer_id}"
    only: tuple[str, tuple[str, ...]] | None = None

    def value(self, customer_id: str, email: str, email_lookup: str) -> str:
        """The value this customer's rows hold in ``column``."""
        return self.equals.format(customer_id=customer_id, email=email, email_lookup=email_lookup)


@dataclass(frozen=True)
class TablePlace:
    """One table: which columns can hold personal data, and what erasure does with its rows."""

    handling: Handling
    personal: tuple[str, ...] = ()
    rows: tuple[Rows, ...] = ()
    blank: Mapping[str, str] = field(default_factory=dict)
    why: str = ""


BY_ID = (Rows("customer_id"),)

#: Every table of the schema. ``personal`` names each column that can hold personal data (an
#: email, a name, a phone number, an address, an IP address, a customer id), including inside
#: JSON or text.
TABLES: Mapping[str, TablePlace] = {
    # --- the customer and their credentials -----------------------------------------------
    "customers": TablePlace(
        "keep",
        ("id", "email", "email_lookup"),
        why="the id stays (status erased, address erased-<id>@erased.invalid) so kept rows "
        "still point at something; see store/erasure.py",
    ),
    "erasure_tombstones": TablePlace(
        "keep",
        ("customer_id", "email_hash"),
        why="the tombstone: proof of the erasure (keyed hash of the email, never the address)",
    ),
    "credentials": TablePlace("delete", ("customer_id",), BY_ID),
    "pending_registrations": TablePlace(
        "delete",
        ("email", "email_lookup"),
        (Rows("email", "{email}"), Rows("email_lookup", "{email_lookup}")),
    ),
    "totp_factors": TablePlace("delete", ("customer_id",), BY_ID),
    "recovery_codes": TablePlace("delete", ("customer_id",), BY_ID),
    "passkeys": TablePlace("delete", ("customer_id", "user_handle", "name"), BY_ID),
    "passkey_challenges": TablePlace(
        "delete",
        ("expected_customer_id", "user_handle", "result"),
        (Rows("expected_customer_id"),),
        why="a challenge of an unknown customer names nobody; each expires in minutes",
    ),
    "identity_links": TablePlace("delete", ("customer_id", "issuer", "subject"), BY_ID),
    "idp_logins": TablePlace(
        "delete",
        ("link_customer_id", "link_issuer", "link_subject"),
        (Rows("link_customer_id"),),
    ),
    "sessions": TablePlace(
        "delete", ("customer_id", "user_agent", "ip", "country", "browser", "os"), BY_ID
    ),
    "deletion_requests": TablePlace("delete", ("customer_id",), BY_ID),
    # --- what the customer told us, and gave consent to -----------------------------------
    "profile_fields": TablePlace("delete", ("customer_id", "value"), BY_ID),
    "consent_records": TablePlace(
        "keep",
        ("customer_id",),
        why="the proof of consent the law requires (purpose, version, when; no personal data "
        "beyond the id); see docs/consent.md",
    ),
    "data_exports": TablePlace("delete", ("customer_id", "box"), BY_ID),
    "invitations": TablePlace("delete", ("customer_id", "undelivered"), BY_ID),
    # --- SCIM ---------------------------------------------------------------------------------
    "scim_resources": TablePlace("delete", ("customer_id", "unique_key", "document"), BY_ID),
    "scim_index": TablePlace(
        "delete",
        ("resource_id", "text"),
        (Rows("resource_id"),),
        why="also a group's entry of the customer's membership (members.value is the id, "
        "members.display the name): found through that entry (store/erasure.py)",
    ),
    "scim_members": TablePlace("delete", ("member_id", "display"), (Rows("member_id"),)),
    # --- sign-in machinery --------------------------------------------------------------------
    "attempt_results": TablePlace(
        "delete",
        ("customer_id", "result"),
        BY_ID,
        why="the first answer to a retried check; rows also expire (ATTEMPT_RESULT_TTL)",
    ),
    "login_throttles": TablePlace(
        "delete",
        ("key",),
        (
            Rows("key", "acct:{email_lookup}"),
            Rows("key", "mail:{email_lookup}"),
            Rows("key", "mfa:{customer_id}"),
        ),
        why="counters keyed by digests of an address and a device or client, and per-IP "
        "counters, cannot be found from the customer and stay (pseudonymous, short-lived)",
    ),
    "verifications": TablePlace(
        "none",
        ("undelivered",),
        why="holds no address; the code and link token rest sealed until delivery, then cleared",
    ),
    "oauth_codes": TablePlace("delete", ("customer_id", "nonce"), BY_ID),
    "oauth_tokens": TablePlace("delete", ("customer_id",), BY_ID),
    # --- risk ---------------------------------------------------------------------------------
    "risk_customer_counts": TablePlace("delete", ("customer_id",), BY_ID),
    "risk_login_events": TablePlace("delete", ("customer_id", "ip_key", "country"), BY_ID),
    "risk_failures": TablePlace(
        "delete",
        ("customer_id", "account_key", "ip_key"),
        (Rows("customer_id"), Rows("account_key")),
        why="account_key is the customer id for a known account (a journey id otherwise)",
    ),
    "risk_known_devices": TablePlace("delete", ("customer_id", "label"), BY_ID),
    "risk_global_counts": TablePlace(
        "none", why="counts over all customers of keyed hashes; names nobody"
    ),
    # --- events and audit ---------------------------------------------------------------------
    "outbox_events": TablePlace(
        "keep",
        ("customer_id",),
        why="receivers match customer.deleted to the id they hold; data carries ids, types and "
        "field names, never values (the erasure test checks)",
    ),
    "webhook_deliveries": TablePlace("none", why="event and subscription ids, attempt counts"),
    "audit_events": TablePlace(
        "keep",
        ("customer_id", "detail"),
        (Rows("customer_id", only=("kind", ("risk.assessed",))),),
        blank={"detail": "{}"},
        why="what was done and by whom stays, with its detail blanked; risk decisions (the "
        "customer's sign-in habits) are deleted",
    ),
    # --- configuration and staff: no customer data ------------------------------------------
    "api_apps": TablePlace("none"),
    "oauth_clients": TablePlace("none"),
    "oauth_client_assertions": TablePlace("none"),
    "oidc_signing_keys": TablePlace("none"),
    "organizations": TablePlace("none"),
    "organization_domains": TablePlace("none"),
    "scim_clients": TablePlace("none"),
    "upstream_idps": TablePlace("none"),
    "webhook_subscriptions": TablePlace("none"),
    "staff_members": TablePlace("none", why="staff, not customers (their own data)"),
    "staff_sessions": TablePlace("none", why="staff, not customers"),
}

#: Places outside the database, and what happens to the customer's data there.
OUTSIDE: Mapping[str, str] = {
    "temporal search attributes": "CustomerId (the id) and EmailLookup (a keyed hash) on each "
    "journey; they go with the closed journey at the end of the namespace retention "
    "(docs/operations.md); not yet deleted by the erasure itself",
    "temporal histories": "payloads are AES-GCM encrypted (core/codec.py) and may hold the "
    "email; sealed secrets in them are unreadable after two hours; closed histories are deleted "
    "by the namespace retention (30 days in compose); not yet deleted by the erasure itself",
    "temporal memo": "not used by journeys",
    "webhook receivers": "asked to erase by customer.erasure_requested; the journey waits for "
    "each signed acknowledgement and names the silent ones",
    "emails sent": "outside Threshold once handed to the SMTP relay",
    "dev mail files": "threshold dev's catcher keeps each message as .threshold/mail/*.eml; a "
    "development tool, never in production; delete the directory",
    "downloaded exports": "the customer's own copy; the stored file is deleted with data_exports",
}
