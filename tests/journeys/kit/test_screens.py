"""Screens as data: rendering to a ScreenView and parsing a Submission with human messages."""

from __future__ import annotations

import pytest

from journeys.kit import InvalidSubmission, Screen, ScreenView, Sealed, Submission
from journeys.kit.passkey_steps import CreatePasskey
from journeys.registration import AcceptTerms, CheckYourEmail, SignUp

SEALED = Sealed(kid="w1", box="opaque")


def parse(screen: type[Screen], action: str = "submit", **values: str | bool | Sealed) -> Screen:
    return screen.parse(
        Submission(screen=screen.screen_name(), seq=1, action=action, values=values)
    )


def refused(
    screen: type[Screen], action: str = "submit", **values: str | bool | Sealed
) -> InvalidSubmission:
    with pytest.raises(InvalidSubmission) as caught:
        parse(screen, action, **values)
    return caught.value


# ----- names and rendering -----------------------------------------------------------------


def test_screen_names_are_kebab_case_of_the_class() -> None:
    assert [SignUp.screen_name(), CheckYourEmail.screen_name(), AcceptTerms.screen_name()] == [
        "sign-up",
        "check-your-email",
        "accept-terms",
    ]


def test_render_describes_every_field_with_its_ui_metadata() -> None:
    view = SignUp.render(journey="registration", seq=3)

    assert isinstance(view, ScreenView)
    assert (view.journey, view.screen, view.seq, view.status) == (
        "registration",
        "sign-up",
        3,
        "active",
    )
    assert view.title == "Create your account"
    email, password = view.fields
    assert (email.name, email.kind, email.autocomplete, email.max_length, email.secret) == (
        "email",
        "email",
        "email",
        254,
        False,
    )
    assert (password.name, password.kind, password.autocomplete, password.secret) == (
        "password",
        "password",
        "new-password",
        True,
    )
    assert (password.min_length, password.max_length) == (8, 256)
    assert [(a.name, a.validate_fields) for a in view.actions] == [
        ("submit", True),
        ("passkey", False),  # "Create a passkey instead" needs no password
    ]


def test_render_echoes_plain_values_and_errors_but_never_a_secret() -> None:
    view = SignUp.render(
        journey="registration",
        seq=2,
        values={"email": "ann@example.com", "password": "hunter2-hunter2"},
        errors={"password": "Too common."},
    )

    fields = {f.name: f for f in view.fields}
    assert fields["email"].value == "ann@example.com"
    assert fields["password"].value == ""
    assert fields["password"].error == "Too common."
    assert "hunter2" not in view.model_dump_json()


def test_render_formats_the_intro_with_its_context_and_marks_live_waiting() -> None:
    view = CheckYourEmail.render(
        journey="registration",
        seq=4,
        context={"email": "a•••@example.com"},
        status="waiting",
        live=True,
        notice="We sent you a new code.",
    )

    assert "a•••@example.com" in view.intro
    assert view.status == "waiting" and view.live
    assert view.notice == "We sent you a new code."
    code = view.fields[0]
    assert (code.kind, code.autocomplete, code.inputmode, code.secret) == (
        "otp",
        "one-time-code",
        "numeric",
        True,
    )
    resend = CheckYourEmail.action_named("resend")
    assert resend is not None and not resend.validate_fields and not resend.primary


# ----- parsing -----------------------------------------------------------------------------


def test_parse_accepts_a_valid_sign_up_and_normalises_the_email() -> None:
    signup = parse(SignUp, email="  Ann@Example.COM ", password=SEALED)

    assert isinstance(signup, SignUp)
    assert signup.email == "ann@example.com"  # one mailbox, one customer, whatever the case
    assert signup.password == SEALED
    assert signup.action == "submit"


def test_missing_email_is_reported_on_the_field_by_its_label() -> None:
    error = refused(SignUp, password=SEALED)

    assert error.field_errors == {"email": "Email is required."}
    assert error.form_errors == []


def test_empty_string_counts_as_missing() -> None:
    error = refused(SignUp, email="", password=SEALED)

    assert error.field_errors == {"email": "Email is required."}


def test_too_long_email_is_refused_with_the_limit() -> None:
    error = refused(SignUp, email="a" * 250 + "@example.com", password=SEALED)

    assert error.field_errors == {"email": "Email must be at most 254 characters."}


@pytest.mark.parametrize("email", ["not-an-email", "ann@", "@example.com", "ann@@example.com"])
def test_invalid_email_is_refused_with_a_sentence(email: str) -> None:
    error = refused(SignUp, email=email, password=SEALED)

    message = error.field_errors["email"]
    assert message.startswith("Enter a valid email address")
    assert "Value error" not in message


def test_missing_secret_is_reported_and_an_unsealed_secret_is_refused() -> None:
    assert refused(SignUp, email="ann@example.com").field_errors == {
        "password": "Password is required."
    }
    # A plaintext password must never be accepted into the workflow: only sealed values parse.
    unsealed = refused(SignUp, email="ann@example.com", password="correct horse battery")
    assert set(unsealed.field_errors) == {"password"}


def test_unknown_field_is_a_form_error() -> None:
    error = refused(SignUp, email="ann@example.com", password=SEALED, is_admin="1")

    assert error.field_errors == {}
    assert error.form_errors == ["Unexpected field 'is_admin'."]


def test_unknown_action_is_a_form_error() -> None:
    error = refused(SignUp, "delete-account", email="ann@example.com", password=SEALED)

    assert error.form_errors == ["Unknown action 'delete-account'."]


def test_resend_action_skips_field_validation() -> None:
    resend = parse(CheckYourEmail, "resend")

    assert isinstance(resend, CheckYourEmail)
    assert resend.action == "resend"


def test_submit_action_of_the_same_screen_still_requires_the_code() -> None:
    error = refused(CheckYourEmail)

    assert error.field_errors == {"code": "6-digit code is required."}


@pytest.mark.parametrize("ticked", ["on", "true", "yes", "1", True])
def test_consent_checkbox_values_count_as_accepted(ticked: str | bool) -> None:
    accepted = parse(AcceptTerms, terms=ticked)

    assert isinstance(accepted, AcceptTerms) and accepted.terms is True


@pytest.mark.parametrize("values", [{}, {"terms": "off"}, {"terms": False}])
def test_unticked_required_consent_is_refused_with_the_reason(values: dict[str, str]) -> None:
    error = refused(AcceptTerms, **values)

    assert error.field_errors == {
        "terms": "You must accept the Terms of Service to create an account."
    }


def test_error_message_joins_every_problem() -> None:
    error = refused(SignUp, email="nope")

    assert set(error.field_errors) == {"email", "password"}
    assert "Password is required." in str(error)


def test_a_passkey_field_carries_its_options_apart_from_its_answer() -> None:
    view = CreatePasskey.render(
        journey="registration", seq=4, values={"passkey": '{"challenge": "abc"}'}
    )

    [passkey] = view.fields
    assert (passkey.kind, passkey.secret, passkey.required) == ("passkey", False, True)
    assert passkey.options == '{"challenge": "abc"}'
    assert passkey.value == ""  # the browser's answer is posted here, never prefilled
    answer = CreatePasskey.parse(
        Submission(screen="create-passkey", seq=4, values={"passkey": '{"id": "x"}'})
    )
    assert isinstance(answer, CreatePasskey) and answer.passkey == '{"id": "x"}'
