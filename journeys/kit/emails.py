"""Email normalisation shared by screens (validation) and activities (lookups), with no DNS."""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

MAX_EMAIL_LENGTH = 254


def normalize_email(raw: str) -> str:
    """NFKC-normalise, check the syntax, lower-case the domain; ``ValueError`` if invalid."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if len(text) > MAX_EMAIL_LENGTH:
        raise ValueError(f"Email must be at most {MAX_EMAIL_LENGTH} characters.")
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"Enter a valid email address: {exc}") from None
    local, _, domain = checked.normalized.rpartition("@")
    return f"{local}@{domain.lower()}"
