"""The consent catalogue: every purpose a customer can grant, with its current version and text.

Product and legal teams change consent here, in code review. Bumping a *required* purpose's
``version`` makes every customer re-consent at their next sign-in (see
:mod:`journeys.consent_steps`); bumping an optional one only changes what new grants record.
Versions are opaque labels compared for equality, so use the date the text took effect.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Purpose(BaseModel):
    """One purpose of processing, as shown to the customer and written to consent receipts."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    label: str
    text: str
    required: bool = False
    #: Kantara consent-receipt ``purposeCategory`` and ``piiCategory`` values.
    category: str = "Core Function"
    pii: tuple[str, ...] = ("Contact",)
    third_party: str = ""


CATALOGUE: dict[str, Purpose] = {
    p.name: p
    for p in (
        Purpose(
            name="terms",
            version="2026-01",
            label="Terms of Service",
            text="I accept the Terms of Service and the Privacy Notice.",
            required=True,
        ),
        Purpose(
            name="marketing_email",
            version="2026-01",
            label="Marketing email",
            text="Send me news and offers by email. I can stop them at any time.",
            category="Marketing",
        ),
        Purpose(
            name="analytics",
            version="2026-01",
            label="Product analytics",
            text="Use how I use the product to improve it.",
            category="Research and Development",
            pii=("Usage",),
        ),
        Purpose(
            name="partner_sharing",
            version="2026-01",
            label="Partner offers",
            text="Share my name and email with selected partners for their offers.",
            category="Marketing",
            third_party="Selected partners",
        ),
    )
}


def purposes() -> list[Purpose]:
    """The catalogue in display order: required purposes first."""
    return sorted(CATALOGUE.values(), key=lambda p: not p.required)


def optional_names() -> list[str]:
    """Names of the purposes a customer may refuse or withdraw."""
    return [p.name for p in purposes() if not p.required]
