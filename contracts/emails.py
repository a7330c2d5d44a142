"""Email addresses and messages: normalisation shared by screens (validation) and activities
(lookups), with no DNS; and the purposes an email can declare (templates/emails/).
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

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


class EmailPurpose(StrEnum):
    """What an email is for: its template declares one, and every send names it.

    The purpose fixes which secrets the message carries (:attr:`carries`), so a send that meant
    a working code can never go out as a message without one, and a message that must reveal
    nothing (a decoy) can never carry a code or a link.
    """

    #: A one-time code that proves control of the address (the sign-in code).
    CODE = "code"
    #: A one-time code and a link, either of which proves control (email verification, recovery).
    CODE_AND_LINK = "code_and_link"
    #: A link alone, nothing to type. Sent by ``verification.send_code`` it proves the address by
    #: its link only (the undo link of an email change); sent by other activities it is a link
    #: to act on (invitation, data export, keep-account).
    LINK = "link"
    #: Tells the customer something happened; carries nothing secret.
    NOTICE = "notice"
    #: Sent where a code email would go, when answering with a code would tell a stranger whether
    #: an account exists (``already_registered``, ``recovery_unknown``): it carries no code or
    #: link, and the verification stored for it never matches.
    DECOY = "decoy"

    @property
    def carries(self) -> frozenset[str]:
        """The secret template variables (``code``, ``link``) a message of this purpose gets."""
        return _CARRIES[self]


_CARRIES = {
    EmailPurpose.CODE: frozenset({"code"}),
    EmailPurpose.CODE_AND_LINK: frozenset({"code", "link"}),
    EmailPurpose.LINK: frozenset({"link"}),
    EmailPurpose.NOTICE: frozenset[str](),
    EmailPurpose.DECOY: frozenset[str](),
}
