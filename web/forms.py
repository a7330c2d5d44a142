"""From an HTML form to a :class:`Submission`: cap sizes, check secret fields, seal them.

The workflow validates every plain field itself (pydantic, in the update validator). Secret fields
are different: the workflow only ever sees them sealed, so their rules (length, the password
policy, "six digits") are checked here, before sealing, from the same screen metadata.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.security.passwords import PasswordPolicy
from core.security.sealing import Sealer
from journeys.kit import FieldView, ScreenView, Submission


class FormProblem(Exception):
    """The form cannot be submitted as is; re-render the screen with these messages."""

    def __init__(
        self,
        field_errors: dict[str, str],
        values: dict[str, str],
        form_errors: list[str] | None = None,
    ) -> None:
        super().__init__("; ".join([*field_errors.values(), *(form_errors or [])]))
        self.field_errors = field_errors
        self.values = values
        self.form_errors = form_errors or []


class FormReader:
    """Turns posted forms into sealed submissions for one deployment."""

    MAX_FIELD_CHARS = 4096

    def __init__(self, sealer: Sealer) -> None:
        self.sealer = sealer

    def submission(
        self, view: ScreenView, form: Mapping[str, str], *, journey_id: str
    ) -> Submission:
        """Build the submission for ``view`` or raise :class:`FormProblem`."""
        default = view.actions[0].name if view.actions else "submit"
        action_name = form.get("action") or default
        action = next((a for a in view.actions if a.name == action_name), None)
        echo = {f.name: form[f.name] for f in view.fields if not f.secret and f.name in form}
        if action is None:
            raise FormProblem({}, echo, [f"Unknown action {action_name!r}."])
        try:
            seq = int(form.get("seq", ""))
        except ValueError:
            raise FormProblem({}, echo, ["This form is incomplete; reload the page."]) from None
        values: dict[str, str | bool | object] = {}
        errors: dict[str, str] = {}
        for spec in view.fields:
            raw = form.get(spec.name, "")
            if spec.kind == "consent":
                values[spec.name] = raw not in ("", "off", "false")
                continue
            if len(raw) > self.MAX_FIELD_CHARS:
                errors[spec.name] = (
                    f"{spec.label} must be at most {self.MAX_FIELD_CHARS} characters."
                )
                continue
            if raw == "":
                continue  # the workflow's validator reports required fields it did not get
            if spec.secret:
                problem = _secret_problem(spec, raw, form) if action.validate_fields else None
                if problem:
                    errors[spec.name] = problem
                    continue
                values[spec.name] = self.sealer.seal(raw, journey_id=journey_id, field=spec.name)
            else:
                values[spec.name] = raw
        if action.validate_fields:
            for spec in view.fields:
                if spec.required and spec.kind != "consent" and spec.name not in values:
                    errors.setdefault(spec.name, f"{spec.label} is required.")
        if errors:
            raise FormProblem(errors, echo)
        return Submission.model_validate(
            {"screen": view.screen, "seq": seq, "action": action.name, "values": values}
        )


def _secret_problem(spec: FieldView, raw: str, form: Mapping[str, str]) -> str | None:
    if spec.policy == "new-password":
        return PasswordPolicy.problem(raw, email=form.get("email", ""))
    if spec.policy == "digits" and not (raw.isascii() and raw.isdigit()):
        return f"{spec.label}: enter digits only."
    if spec.min_length is not None and len(raw) < spec.min_length:
        return f"{spec.label} must be at least {spec.min_length} characters."
    if spec.max_length is not None and len(raw) > spec.max_length:
        return f"{spec.label} must be at most {spec.max_length} characters."
    return None
