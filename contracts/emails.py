"""Email normalisation shared by screens (validation) and activities (lookups), with no DNS."""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

MAX_EMAIL_LENGTH = 254


def normalize_email(raw: str) -> str:
    """NFKC-normalise, check the syntax and lower-case; ``ValueError`` if invalid."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if len(text) > MAX_EMAIL_LENGTH:
        raise ValueError(f"Email must be at most {MAX_EMAIL_LENGTH} characters.")
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"Enter a valid email address: {exc}") from None
    # Case-insensitive as a whole, like every major provider treats mailboxes in practice:
    # Ann@example.com and ann@example.com must never become two customers.
    return checked.normalized.lower()
