"""The email-change activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/email_change.py`` implements them.
"""

from __future__ import annotations

from pydantic import BaseModel

from contracts.activity import ActivityRef


class StageEmailChange(BaseModel):
    """A signed-in customer asks to move their account to ``new_email`` (normalised)."""

    journey_id: str
    customer_id: str
    new_email: str


class EmailChangeStaged(BaseModel):
    """Whether the address is the customer's own already, or another account's (``taken``).

    The journey never shows ``taken``: it only chooses which email goes out (a code, or a "someone
    tried" message whose code never matches), so the pages look the same either way.
    """

    own: bool
    taken: bool
    email_lookup: str
    #: The address the account has now: the notice goes there, and an undo restores it.
    current_email: str


class SwitchEmail(BaseModel):
    """Move the customer to the proven ``new_email`` (``EMAIL_TAKEN`` if someone took it since)."""

    journey_id: str
    customer_id: str
    new_email: str


class UndoEmailChange(BaseModel):
    """Give the account back its ``old_email`` and sign out every session."""

    journey_id: str
    customer_id: str
    old_email: str
    new_email: str


class EmailChangeUndone(BaseModel):
    """``restored`` unless the account had moved on meanwhile; sessions signed out either way."""

    restored: bool
    sessions_revoked: int


class EmailChangeActivities:
    """Typed references to the email-change activities, for ``Journey.step``."""

    stage = ActivityRef("email_change.stage", StageEmailChange, EmailChangeStaged)
    switch = ActivityRef("email_change.switch", SwitchEmail, type(None))
    undo = ActivityRef("email_change.undo", UndoEmailChange, EmailChangeUndone)
