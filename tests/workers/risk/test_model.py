"""The Freeman score against numbers worked out by hand from the formulas in ``model.py``.

With γ = 1, α = 1 and K(country) = 250 (the model's constants):
    p_A(x | p) = (G(x) + 1) / (G(p) + K)
    p_U(x | p) = (C(x) + λ·p_A) / (C(p) + λ),  λ = 1 + D(p)
"""

from __future__ import annotations

import math

import pytest

from workers.risk.features import LoginFeatures, Travel, Velocity, chain
from workers.risk.model import Evidence, FreemanModel, Score

MODEL = FreemanModel()


def login(
    country: str = "FR",
    asn: str = "ORANGE",
    subnet: str = "90.1.2.0/24",
    ip: str = "90.1.2.3",
    device_type: str = "desktop",
    os: str = "Windows 10",
    browser: str = "Chrome 131",
    device: str = "d1",
) -> LoginFeatures:
    return LoginFeatures(
        network=chain(("country", country), ("asn", asn), ("subnet", subnet), ("ip", ip)),
        software=chain(("device_type", device_type), ("os", os), ("browser", browser)),
        device=chain(("device", device)),
        country=country,
        browser=browser,
        os=os,
        device_type=device_type,
    )


def terms_by_feature(score: Score) -> dict[str, float]:
    return {t.feature: t.log_ratio for t in score.terms}


def test_the_model_constants_are_the_ones_the_hand_computations_assume() -> None:
    assert MODEL.GLOBAL_PSEUDOCOUNT == 1.0
    assert MODEL.USER_PRIOR == 1.0
    assert MODEL.BRANCHING["country"] == 250
    assert MODEL.BRANCHING["asn"] == 2_000


def test_a_new_country_costs_ln_of_history_plus_lambda_over_lambda() -> None:
    # 4 sign-ins, all from FR (one distinct country): λ = 2.
    # p_A(DE) = 11/350; p_U(DE) = (0 + 2·11/350) / (4 + 2)  →  ratio = 6/2 = 3.
    # Below DE the customer has no history: p_U = p_A, every finer level adds 0.
    evidence = Evidence(
        customer={"": 4, "country=FR": 4},
        global_={"": 100, "country=DE": 10},
        distinct={("", "country"): 1},
    )
    terms = MODEL.chain_terms(login(country="DE").network, evidence)

    assert [t.feature for t in terms] == ["country", "asn", "subnet", "ip"]
    assert terms[0].log_ratio == pytest.approx(math.log(3))
    assert terms[0].new
    assert [t.log_ratio for t in terms[1:]] == pytest.approx([0.0, 0.0, 0.0])


def test_a_familiar_country_is_evidence_for_the_customer() -> None:
    # p_A(FR) = 41/350; p_U(FR) = (4 + 2·41/350) / 6 = 1482/2100  →  ratio = 246/1482.
    evidence = Evidence(
        customer={"": 4, "country=FR": 4},
        global_={"": 100, "country=FR": 40},
        distinct={("", "country"): 1},
    )
    country = MODEL.chain_terms(login().network, evidence)[0]

    assert country.log_ratio == pytest.approx(math.log(246 / 1482))
    assert not country.new


def test_a_customer_who_roams_pays_less_for_one_more_new_country() -> None:
    # 4 sign-ins from 4 different countries: λ = 1 + 4 = 5, ratio = (4 + 5)/5 = 1.8.
    evidence = Evidence(
        customer={"": 4, "country=FR": 1, "country=ES": 1, "country=IT": 1, "country=PT": 1},
        global_={"": 100},
        distinct={("", "country"): 4},
    )
    country = MODEL.chain_terms(login(country="DE").network, evidence)[0]

    assert country.log_ratio == pytest.approx(math.log(1.8))


def test_a_new_ip_inside_a_known_subnet_is_scored_at_the_ip_level() -> None:
    # Subnet seen 3 times with 1 distinct IP: at the ip level λ = 2, ratio = (3 + 2)/2 = 2.5.
    # p_A(ip | subnet) = (0 + 1)/(3 + 256): the same on both sides, it cancels.
    known = login().network
    subnet = known[2].path
    evidence = Evidence(
        customer={"": 3, known[0].path: 3, known[1].path: 3, subnet: 3, known[3].path: 3},
        global_={"": 3, known[0].path: 3, known[1].path: 3, subnet: 3, known[3].path: 3},
        distinct={
            ("", "country"): 1,
            (known[0].path, "asn"): 1,
            (known[1].path, "subnet"): 1,
            (subnet, "ip"): 1,
        },
    )
    ip = MODEL.chain_terms(login(ip="90.1.2.99").network, evidence)[3]

    assert ip.log_ratio == pytest.approx(math.log(2.5))
    assert ip.new


def test_with_no_history_the_chains_say_nothing_and_velocity_adds_its_ratios() -> None:
    # account: 3 failures this hour → 5.0 (day table needs 5); ip: 25 today → 3.0.
    evidence = Evidence(
        global_={"": 1000, "country=FR": 300},
        velocity=Velocity(account_hour=3, account_day=3, ip_hour=0, ip_day=25),
    )
    score = MODEL.score(login(), evidence)

    assert score.total == pytest.approx(math.log(5.0) + math.log(3.0))
    assert "no sign-in history yet" in score.reasons
    assert (
        "3 failed sign-in steps for this account in the last hour, 3 in the last day"
        in score.reasons
    )
    assert (
        "failed sign-ins for 0 other accounts from this IP address in the last hour, "
        "25 in the last day" in score.reasons
    )


def test_impossible_travel_adds_ln_50() -> None:
    travel = Travel(origin="FR", destination="JP", km=9889.0, hours=2.0)
    plain = MODEL.score(login(country="JP"), Evidence())
    moved = MODEL.score(login(country="JP"), Evidence(travel=travel))

    assert moved.total - plain.total == pytest.approx(math.log(50))
    assert "impossible travel: FR → JP in 2.0 h (~9889 km)" in moved.reasons


def test_reasons_name_the_coarsest_new_level_of_each_chain() -> None:
    usual = login()
    paths = [level.path for c in usual.chains for level in c]
    evidence = Evidence(
        customer={"": 5, **dict.fromkeys(paths, 5)},
        global_={"": 50, **dict.fromkeys(paths, 5)},
    )
    score = MODEL.score(login(country="US", browser="Firefox 133", device="d2"), evidence)

    assert list(score.reasons) == [
        "new country: US",
        "new browser: Firefox 133",
        "unrecognised device",
    ]
    familiar = MODEL.score(usual, evidence)
    assert familiar.reasons == ()
    assert familiar.total < 0 < score.total
