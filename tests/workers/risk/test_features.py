"""Feature extraction: subnets, offline IP data, user-agent parsing and impossible travel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workers.risk.features import TravelRule, extract, parse_software

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
SAFARI_IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.0 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


def values(client_ip: str) -> list[str]:
    return [level.value for level in extract(client_ip, "", "").network]


def test_ipv4_is_grouped_by_its_slash_24() -> None:
    assert values("10.20.30.40")[2:] == ["10.20.30.0/24", "10.20.30.40"]


def test_ipv6_is_grouped_by_its_slash_48() -> None:
    assert values("2001:db8:abcd:12::1")[2:] == ["2001:db8:abcd::/48", "2001:db8:abcd:12::1"]


def test_ipv4_mapped_ipv6_is_treated_as_the_ipv4_address() -> None:
    assert values("::ffff:8.8.8.8") == values("8.8.8.8")


def test_public_addresses_get_country_and_network_owner_from_the_bundled_data() -> None:
    google = extract("8.8.8.8", "", "")
    assert values("8.8.8.8")[:2] == ["US", "GOOGLE"]
    assert google.country == "US"
    assert google.network[1].path == "country=US/asn=GOOGLE"


def test_private_loopback_and_garbage_addresses_have_no_location() -> None:
    assert values("192.168.1.7")[:2] == ["", ""]
    assert values("127.0.0.1")[:2] == ["", ""]
    assert values("::1")[:2] == ["", ""]
    assert values("not-an-ip") == ["", "", "", ""]
    assert values("9" * 10_000) == ["", "", "", ""]


@pytest.mark.parametrize(
    ("user_agent", "device_type", "os", "browser"),
    [
        (CHROME_WINDOWS, "desktop", "Windows 10", "Chrome 131"),
        (SAFARI_IPHONE, "mobile", "iOS 17", "Mobile Safari 17"),
        (SAFARI_IPAD, "tablet", "iOS 16", "Mobile Safari 16"),
        (CHROME_ANDROID_TABLET, "tablet", "Android 14", "Chrome 131"),
        (FIREFOX_LINUX, "desktop", "Linux", "Firefox 133"),
        (GOOGLEBOT, "bot", "Other", "Googlebot 2"),
        ("", "other", "Other", "Other"),
    ],
)
def test_user_agents_become_device_type_os_and_browser(
    user_agent: str, device_type: str, os: str, browser: str
) -> None:
    software = parse_software(user_agent)
    assert (software.device_type, software.os, software.browser) == (device_type, os, browser)


def test_the_software_chain_runs_from_device_type_to_browser() -> None:
    features = extract("8.8.8.8", CHROME_WINDOWS, "device-hash")

    assert [level.path for level in features.software] == [
        "device_type=desktop",
        "device_type=desktop/os=Windows 10",
        "device_type=desktop/os=Windows 10/browser=Chrome 131",
        "device_type=desktop/os=Windows 10/browser=Chrome 131/hints=",
    ]
    assert features.device[0].path == "device=device-hash"
    assert (features.browser, features.os, features.device_type) == (
        "Chrome 131",
        "Windows 10",
        "desktop",
    )


def test_unknown_software_is_shown_as_empty_rather_than_other() -> None:
    features = extract("8.8.8.8", "", "")
    assert (features.browser, features.os, features.device_type) == ("", "", "other")


def test_paris_to_tokyo_in_two_hours_is_impossible() -> None:
    travel = TravelRule.check(("FR", AT), "JP", AT + timedelta(hours=2))

    assert travel is not None
    assert (travel.origin, travel.destination, travel.hours) == ("FR", "JP", 2.0)
    assert travel.km_per_hour > TravelRule.MAX_SPEED_KMH


def test_paris_to_tokyo_in_a_day_is_a_flight() -> None:
    assert TravelRule.check(("FR", AT), "JP", AT + timedelta(hours=24)) is None


def test_neighbouring_countries_and_unknown_places_are_never_impossible() -> None:
    assert TravelRule.check(("FR", AT), "BE", AT + timedelta(minutes=5)) is None
    assert TravelRule.check(("FR", AT), "FR", AT) is None
    assert TravelRule.check(("FR", AT), "", AT) is None
    assert TravelRule.check(("ZZ", AT), "JP", AT) is None
    assert TravelRule.check(None, "JP", AT) is None


def test_bordering_countries_are_never_impossible_but_britain_to_poland_is() -> None:
    assert TravelRule.check(("FR", AT), "DE", AT + timedelta(minutes=5)) is None
    assert TravelRule.check(("GB", AT), "PL", AT + timedelta(minutes=30)) is not None


def test_client_hints_sit_under_the_browser_and_time_of_day_is_its_own_chain() -> None:
    at = datetime(2026, 3, 1, 21, 30, tzinfo=UTC)
    hints = 'platform="Windows";version="15.0.0";model=""'
    features = extract("8.8.8.8", CHROME_WINDOWS, "d", client_hints=hints, at=at)

    assert features.software[-1].path.endswith(f"/browser=Chrome 131/hints={hints}")
    assert [level.path for level in features.time] == ["daypart=18-24", "daypart=18-24/hour=21"]
    assert [level.value for level in features.families] == ["Windows", "Chrome"]
    assert features.families not in features.chains  # learned, not scored
    assert features.families in features.learned
    assert extract("8.8.8.8", CHROME_WINDOWS, "d").time == ()  # no time, no chain
