"""Error codes the web layer branches on (``err.cause.type``), never on message text."""

from enum import StrEnum


class ErrorCode(StrEnum):
    """Machine-readable failure types carried by ``ApplicationError.type``."""

    STALE_SUBMISSION = "STALE_SUBMISSION"
    INVALID_SUBMISSION = "INVALID_SUBMISSION"
    JOURNEY_FINISHED = "JOURNEY_FINISHED"
    UNKNOWN_EVENT = "UNKNOWN_EVENT"
    SEAL_EXPIRED = "SEAL_EXPIRED"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    IDENTITY_TAKEN = "IDENTITY_TAKEN"
    PASSKEY_REJECTED = "PASSKEY_REJECTED"
    NO_CREDENTIAL = "NO_CREDENTIAL"
    #: A send named an email that ``templates/emails/`` does not hold (or that lacks a block).
    UNKNOWN_EMAIL = "UNKNOWN_EMAIL"
    #: A send's purpose is unknown, or not the one its template declares, or the message would
    #: carry other secrets than its purpose allows.
    EMAIL_PURPOSE = "EMAIL_PURPOSE"
