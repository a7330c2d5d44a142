"""Screens on the wire: the UI-as-data a journey publishes and the posts that answer it.

A journey describes each screen as a :class:`ScreenView` (Kratos' "UI as data"); the web layer
renders any of them generically and answers with a :class:`Submission`. Both sides import these
types from here, so the web never needs a journey's code to draw its screens.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from contracts.sealed import Sealed

FieldKind = Literal["text", "email", "password", "otp", "choice", "consent", "hidden", "passkey"]
SECRET_KINDS: frozenset[str] = frozenset({"password", "otp"})
ViewStatus = Literal["active", "waiting", "done", "expired", "failed"]


class Choice(BaseModel):
    """One option of a ``choice`` field."""

    value: str
    label: str


class Action(BaseModel):
    """A button on a screen; ``validate=False`` lets e.g. "resend" skip required fields."""

    name: str
    label: str
    validate_fields: bool = True
    primary: bool = True


class FieldView(BaseModel):
    """Everything a renderer needs to draw one input and its error."""

    name: str
    kind: FieldKind
    label: str
    required: bool = True
    secret: bool = False
    autocomplete: str | None = None
    help: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    policy: str | None = None
    inputmode: str | None = None
    choices: list[Choice] = []
    value: str = ""
    error: str | None = None
    #: A ``passkey`` field's WebAuthn ``publicKey`` options (JSON) for the page's script.
    options: str = ""


class ScreenView(BaseModel):
    """A rendered-to-data screen: the answer to every submit and the ``view`` query."""

    journey: str
    screen: str
    seq: int
    title: str
    intro: str = ""
    status: ViewStatus = "active"
    fields: list[FieldView] = []
    actions: list[Action] = []
    errors: list[str] = []
    notice: str = ""
    context: dict[str, str] = {}
    live: bool = False
    outcome: dict[str, Any] | None = None


class Submission(BaseModel):
    """One form post, addressed to one screen instance (``screen`` + ``seq``).

    The pair makes a replayed or stale post detectable in the update validator, before anything
    enters history. Secret field values arrive already :class:`Sealed`.
    """

    screen: str
    seq: int
    action: str = "submit"
    values: dict[str, str | Sealed | bool] = {}
