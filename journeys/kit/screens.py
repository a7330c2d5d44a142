"""Screens as data: what a journey asks for, described well enough for any renderer.

A product team declares a screen as a pydantic model whose fields carry UI metadata through
:func:`field`. The kit turns the class into a :class:`ScreenView` (Kratos' "UI as data") that
the web layer renders generically, and validates a :class:`Submission` against the same class, so
the rules a customer sees and the rules the workflow enforces can never drift apart.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from contracts.screens import (
    SECRET_KINDS,
    Action,
    Choice,
    FieldKind,
    FieldView,
    ScreenView,
    Submission,
    ViewStatus,
)

__all__ = [
    "SECRET_KINDS",
    "Action",
    "Choice",
    "FieldKind",
    "FieldView",
    "InvalidSubmission",
    "Screen",
    "ScreenView",
    "Submission",
    "ViewStatus",
    "field",
]


def field(
    *,
    kind: FieldKind,
    label: str,
    autocomplete: str | None = None,
    help: str | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    policy: str | None = None,
    inputmode: str | None = None,
    choices: list[Choice] | None = None,
    offered_by: str | None = None,
    required: bool = True,
    default: Any = ...,
) -> Any:
    """Declare a screen field with its UI metadata.

    Length limits are enforced by pydantic for plain fields and by the web layer (before sealing)
    for secret ones, whose plaintext the workflow never sees. ``offered_by`` names a context key
    whose space-separated values are the only ``choices`` a view offers (e.g. the customer's own
    second factors), so no template has to filter them.
    """
    secret = kind in SECRET_KINDS
    ui: dict[str, Any] = {
        "kind": kind,
        "label": label,
        "autocomplete": autocomplete,
        "help": help,
        "min_length": min_length,
        "max_length": max_length,
        "policy": policy,
        "inputmode": inputmode,
        "choices": [c.model_dump() for c in choices or []],
        "offered_by": offered_by,
        "required": required,
        "secret": secret,
    }
    constraints: dict[str, Any] = {}
    if not secret and kind not in {"consent"}:
        constraints = {"min_length": min_length, "max_length": max_length}
    if not required and default is ...:
        default = None
    extra: dict[str, Any] = {"ui": ui}
    return Field(default, json_schema_extra=extra, **constraints)


class Screen(BaseModel):
    """Base class of every screen a journey can ask.

    Subclasses set ``title`` (and optionally ``intro`` and ``actions``) and declare fields with
    :func:`field`. ``action`` holds the button the customer pressed.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: ClassVar[str] = ""
    intro: ClassVar[str] = ""
    actions: ClassVar[tuple[Action, ...]] = (Action(name="submit", label="Continue"),)

    action: str = "submit"

    @classmethod
    def screen_name(cls) -> str:
        """The stable name used in URLs, templates, search attributes and submissions."""
        name = cls.__name__
        return "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")

    @classmethod
    def ui_fields(cls) -> list[tuple[str, dict[str, Any], FieldInfo]]:
        """The declared fields with their UI metadata, in declaration order."""
        result: list[tuple[str, dict[str, Any], FieldInfo]] = []
        for name, info in cls.model_fields.items():
            extra = info.json_schema_extra
            ui = extra.get("ui") if isinstance(extra, dict) else None
            if isinstance(ui, dict):
                result.append((name, ui, info))
        return result

    @classmethod
    def action_named(cls, name: str) -> Action | None:
        """The declared action called ``name``, if any."""
        return next((a for a in cls.actions if a.name == name), None)

    @classmethod
    def render(
        cls,
        *,
        journey: str,
        seq: int,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        form_errors: list[str] | None = None,
        notice: str = "",
        context: dict[str, str] | None = None,
        status: ViewStatus = "active",
        live: bool = False,
    ) -> ScreenView:
        """Describe this screen as data, with previous values and errors filled in.

        For a ``passkey`` field, ``values[name]`` is the ceremony's options JSON (from the
        ``passkeys.begin_*`` activities); the browser's answer is posted back under the same name.
        """
        values = values or {}
        errors = errors or {}
        context = context or {}
        fields = []
        for name, ui, _info in cls.ui_fields():
            offered = context.get(ui.get("offered_by") or "")
            fields.append(
                FieldView(
                    name=name,
                    kind=ui["kind"],
                    label=ui["label"],
                    required=ui["required"],
                    secret=ui["secret"],
                    autocomplete=ui["autocomplete"],
                    help=ui["help"],
                    min_length=ui["min_length"],
                    max_length=ui["max_length"],
                    policy=ui["policy"],
                    inputmode=ui["inputmode"],
                    choices=[
                        Choice(**c)
                        for c in ui["choices"]
                        if offered is None or c["value"] in offered.split()
                    ],
                    value="" if ui["secret"] or ui["kind"] == "passkey" else values.get(name, ""),
                    error=errors.get(name),
                    options=values.get(name, "") if ui["kind"] == "passkey" else "",
                )
            )
        return ScreenView(
            journey=journey,
            screen=cls.screen_name(),
            seq=seq,
            title=cls.title,
            intro=cls.intro.format(**context),
            status=status,
            fields=fields,
            actions=list(cls.actions),
            errors=form_errors or [],
            notice=notice,
            context=context,
            live=live,
        )

    @classmethod
    def parse(cls, submission: Submission) -> Screen:
        """Validate a submission into this screen's model or raise :class:`InvalidSubmission`."""
        action = cls.action_named(submission.action)
        if action is None:
            raise InvalidSubmission({}, [f"Unknown action {submission.action!r}."])
        data: dict[str, Any] = {"action": action.name}
        declared = {name: ui for name, ui, _ in cls.ui_fields()}
        unknown = sorted(set(submission.values) - set(declared))
        if unknown:
            raise InvalidSubmission({}, [f"Unexpected field {unknown[0]!r}."])
        for name, ui in declared.items():
            raw = submission.values.get(name)
            if ui["kind"] == "consent":
                data[name] = raw in (True, "on", "true", "yes", "1")
            elif raw is None or raw == "":
                continue  # pydantic reports a required field as missing; others take defaults
            else:
                data[name] = raw
        try:
            if not action.validate_fields:
                return cls.model_construct(**data)
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InvalidSubmission.from_validation(cls, exc) from None


class InvalidSubmission(ValueError):
    """A submission that does not fit its screen, with per-field messages for the customer."""

    def __init__(self, field_errors: dict[str, str], form_errors: list[str] | None = None) -> None:
        super().__init__("; ".join([*field_errors.values(), *(form_errors or [])]))
        self.field_errors = field_errors
        self.form_errors = form_errors or []

    @classmethod
    def from_validation(cls, screen: type[Screen], exc: ValidationError) -> InvalidSubmission:
        """Turn pydantic's errors into short sentences naming the field's label."""
        labels = {name: ui["label"] for name, ui, _ in screen.ui_fields()}
        field_errors: dict[str, str] = {}
        form_errors: list[str] = []
        for error in exc.errors():
            loc = error["loc"][0] if error["loc"] else None
            label = labels.get(str(loc), str(loc))
            message = _humanize(error, label)
            if isinstance(loc, str) and loc in labels:
                field_errors.setdefault(loc, message)
            else:
                form_errors.append(message)
        return cls(field_errors, form_errors)


def _humanize(error: Any, label: str) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"{label} is required."
    if kind == "string_too_short":
        return f"{label} must be at least {ctx.get('min_length')} characters."
    if kind == "string_too_long":
        return f"{label} must be at most {ctx.get('max_length')} characters."
    message = str(error["msg"])
    return message.removeprefix("Value error, ")
