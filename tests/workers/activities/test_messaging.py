"""Email rendering: every template renders strictly, in text and HTML, with escaping."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError

from tests.support.mail import html_of, text_of
from workers.activities.messaging import Mailer

CONTEXT: dict[str, str | int] = {
    "to": "ann@example.com",
    "code": "042917",
    "link": "http://threshold.test/j/registration/r-1/link?token=abc&x=<y>",
    "minutes": 10,
    "base_url": "http://threshold.test",
}


@pytest.fixture
def mailer() -> Mailer:
    return Mailer("smtp://127.0.0.1:1", "Threshold <no-reply@threshold.test>")


def test_verification_mail_has_code_and_link_in_both_parts(mailer: Mailer) -> None:
    message = mailer.render("verify_email", **CONTEXT)

    assert message["To"] == "ann@example.com"
    assert message["Subject"] == "Your Threshold code: 042917"
    assert "042917" in text_of(message) and "042917" in html_of(message)
    assert "10 minutes" in text_of(message)
    assert str(CONTEXT["link"]) in text_of(message)
    html = html_of(message)
    assert "token=abc&amp;x=&lt;y&gt;" in html  # autoescaped, never raw markup
    assert "<y>" not in html


def test_already_registered_mail_has_no_code_or_link(mailer: Mailer) -> None:
    message = mailer.render("already_registered", **CONTEXT)

    for body in (text_of(message), html_of(message)):
        assert "042917" not in body
        assert "token=" not in body


@pytest.mark.parametrize("template", ["verify_email", "already_registered"])
def test_templates_refuse_missing_variables(mailer: Mailer, template: str) -> None:
    with pytest.raises((UndefinedError, KeyError)):
        mailer.render(template, to="ann@example.com")
