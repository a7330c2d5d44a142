"""The kit's field helpers: one declaration, the same rules wherever a journey asks."""

from __future__ import annotations

import pytest

from journeys.kit import InvalidSubmission, Screen, Sealed, Submission
from journeys.kit.fields import code_field, email_field, new_password_field

SEALED = Sealed(kid="w1", box="opaque")


class Everything(Screen):
    """A screen with one of each helper."""

    email: str = email_field()
    code: Sealed = code_field()
    password: Sealed = new_password_field("New password")


def parse(**values: str | Sealed) -> Screen:
    return Everything.parse(
        Submission(screen=Everything.screen_name(), seq=1, action="submit", values=values)
    )


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Ann@Example.COM ", "ann@example.com"),
        ("ａｎｎ@example.com", "ann@example.com"),  # fullwidth letters: NFKC
    ],
)
def test_the_email_field_normalises_what_was_typed(typed: str, kept: str) -> None:
    answer = parse(email=typed, code=SEALED, password=SEALED)
    assert isinstance(answer, Everything) and answer.email == kept


@pytest.mark.parametrize("typed", ["not an address", "ann@", "@example.com", "a" * 250 + "@e.com"])
def test_the_email_field_refuses_what_is_not_an_address(typed: str) -> None:
    with pytest.raises(InvalidSubmission) as caught:
        parse(email=typed, code=SEALED, password=SEALED)
    assert set(caught.value.field_errors) == {"email"}


def test_the_helpers_render_the_rules_the_web_checks_before_sealing() -> None:
    fields = {f.name: f for f in Everything.render(journey="x", seq=1).fields}
    assert (fields["email"].kind, fields["email"].max_length) == ("email", 254)
    code = fields["code"]
    assert (code.kind, code.min_length, code.max_length, code.policy) == ("otp", 6, 6, "digits")
    assert code.secret and code.autocomplete == "one-time-code" and code.inputmode == "numeric"
    password = fields["password"]
    assert (password.min_length, password.max_length, password.policy) == (8, 256, "new-password")
    assert password.secret and password.autocomplete == "new-password"
    assert password.label == "New password"
