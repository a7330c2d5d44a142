"""The second-factor screens as data: a choice offers only the customer's own factors.

The view itself carries the narrowed choices (``offered_by``), so the generic screen template
renders them and no journey needs a template of its own for its choice of factor.
"""

from __future__ import annotations

import pytest

from journeys.kit import InvalidSubmission, Submission
from journeys.kit.second_factor import FACTOR_LABELS, ChooseFactor, usable_factors
from journeys.recovery import ChooseProof, EnterAuthenticatorCode


def offered(screen: type[ChooseFactor], factors: str | None) -> list[str]:
    context = None if factors is None else {"factors": factors}
    view = screen.render(journey="login", seq=1, context=context)
    return [choice.value for choice in view.fields[0].choices]


@pytest.mark.parametrize("screen", [ChooseFactor, ChooseProof])
@pytest.mark.parametrize(
    ("factors", "expected"),
    [
        ("totp recovery_code", ["totp", "recovery_code"]),
        ("recovery_code totp", ["totp", "recovery_code"]),  # the declared order stays
        ("passkey", ["passkey"]),
        ("email", ["email"]),
        ("", []),
    ],
)
def test_the_choice_offers_only_the_factors_in_context(
    screen: type[ChooseFactor], factors: str, expected: list[str]
) -> None:
    assert offered(screen, factors) == expected


def test_without_the_context_every_known_factor_is_declared() -> None:
    assert offered(ChooseFactor, None) == list(FACTOR_LABELS)


def test_each_journey_keeps_its_own_screen_names() -> None:
    assert ChooseFactor.screen_name() == "choose-factor"
    assert ChooseProof.screen_name() == "choose-proof"
    assert EnterAuthenticatorCode.screen_name() == "enter-authenticator-code"
    assert ChooseProof.intro != ChooseFactor.intro


def test_an_unknown_factor_is_refused_before_the_journey_sees_it() -> None:
    with pytest.raises(InvalidSubmission) as caught:
        ChooseFactor.parse(
            Submission(screen="choose-factor", seq=1, action="submit", values={"factor": "sms"})
        )
    assert caught.value.field_errors == {"factor": "Choose one of the listed ways."}


def test_usable_factors_skips_unknown_kinds_and_keeps_the_order() -> None:
    assert usable_factors(["sms", "passkey", "totp", "webauthn"]) == ["passkey", "totp"]
