"""Hierarchical features of one sign-in, as Freeman et al. (NDSS 2016) use them.

Each feature is a *chain* of levels from coarse to fine, so the model can back off from an exact
value the customer never used to a parent they did use:

* network: country → network owner (ASN) → subnet (/24 for IPv4, /48 for IPv6) → IP address
* software: device type → OS family + major → browser family + major (parsed with ``ua-parser``)
  → client hints (the high-entropy User-Agent Client Hints, where the browser sends them)
* device: the keyed hash of the long-lived device cookie (one level)
* time: part of the day (6-hour block, UTC) → hour of the day (UTC)

Besides the scored chains, ``families`` (OS family → browser family, no versions) is learned but
not scored: the policy asks whether a software *family* is new (see :mod:`workers.risk.policy`).

Every level carries a ``path`` naming it and all of its ancestors (``country=FR/asn=ORANGE``), so a
value is only ever compared with the same value under the same parent. Paths hold IP addresses;
the store keeps only keyed hashes of them.

Velocity (recent failures) and impossible travel depend on other sign-ins, not on this one alone:
their small value types live here and the store fills them in.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from ua_parser import parse

from workers.risk.geo import Place, centroid, distance_km, locate, neighbours

DESKTOP_OS = frozenset(
    {"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora", "Debian", "FreeBSD"}
)
MOBILE_OS = frozenset({"iOS", "Android", "Windows Phone", "BlackBerry OS", "KaiOS", "HarmonyOS"})
TABLET_DEVICES = ("iPad", "Tablet", "Kindle", "Galaxy Tab")


@dataclass(frozen=True)
class Level:
    """One level of a chain: ``name`` (e.g. ``asn``), the shown ``value``, and its full path."""

    name: str
    value: str
    path: str


Chain = tuple[Level, ...]


def chain(*levels: tuple[str, str]) -> Chain:
    """Build a chain from ``(name, value)`` pairs, coarse first, giving each level its path."""
    built: list[Level] = []
    path = ""
    for name, value in levels:
        path = f"{path}/{name}={value}" if path else f"{name}={value}"
        built.append(Level(name=name, value=value, path=path))
    return tuple(built)


@dataclass(frozen=True)
class Software:
    """What ``ua-parser`` makes of a user agent, with the labels shown to people."""

    device_type: str
    os: str
    browser: str
    os_family: str = "Other"
    browser_family: str = "Other"


@dataclass(frozen=True)
class LoginFeatures:
    """The chains of one sign-in plus the plain values the sessions list shows."""

    network: Chain
    software: Chain
    device: Chain
    country: str
    browser: str
    os: str
    device_type: str
    time: Chain = ()
    families: Chain = ()

    @property
    def chains(self) -> tuple[Chain, ...]:
        """Every scored chain, in the order reasons are listed."""
        return tuple(c for c in (self.network, self.software, self.device, self.time) if c)

    @property
    def learned(self) -> tuple[Chain, ...]:
        """Every chain the store counts: the scored ones and the software families."""
        return self.chains + ((self.families,) if self.families else ())


@dataclass(frozen=True)
class Velocity:
    """Failed sign-in steps before this one: for the account (every failed step), and from the
    client's IP address (distinct *other* accounts that failed there)."""

    account_hour: int = 0
    account_day: int = 0
    ip_hour: int = 0
    ip_day: int = 0


@dataclass(frozen=True)
class Travel:
    """Two successive sign-ins too far apart for the time between them."""

    origin: str
    destination: str
    km: float
    hours: float

    @property
    def km_per_hour(self) -> float:
        """Implied ground speed (infinite for simultaneous sign-ins)."""
        return self.km / self.hours if self.hours > 0 else float("inf")


class TravelRule:
    """When a move between two countries is impossible.

    Locations are country centroids (the only offline coordinates we have), so two sign-ins in
    the same country are never impossible travel, and neither are countries sharing a border or
    whose centroids are closer than ``MIN_DISTANCE_KM`` (a border commuter or a roaming phone is
    not an attack).
    """

    MAX_SPEED_KMH = 1000.0
    MIN_DISTANCE_KM = 500.0

    @classmethod
    def check(
        cls, previous: tuple[str, datetime] | None, country: str, at: datetime
    ) -> Travel | None:
        """The impossible move from ``previous`` (country, time) to ``country`` at ``at``."""
        if previous is None or not country or previous[0] == country:
            return None
        origin, then = previous
        a, b = centroid(origin), centroid(country)
        if a is None or b is None:
            return None
        km = distance_km(a, b)
        hours = max((at - then).total_seconds(), 0.0) / 3600
        travel = Travel(origin=origin, destination=country, km=km, hours=hours)
        if country in neighbours(origin) or km < cls.MIN_DISTANCE_KM:
            return None
        if travel.km_per_hour <= cls.MAX_SPEED_KMH:
            return None
        return travel


class FeatureLimits:
    """Hard limits on untrusted input before parsing."""

    MAX_USER_AGENT = 512
    MAX_DEVICE = 128
    MAX_IP = 64
    MAX_CLIENT_HINTS = 256


def subnet_of(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The /24 of an IPv4 address or the /48 of an IPv6 one (a site's usual allocation)."""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def parse_ip(client_ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address, with IPv4-mapped IPv6 unwrapped; ``None`` for anything unparsable."""
    try:
        address = ipaddress.ip_address(client_ip.strip()[: FeatureLimits.MAX_IP])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def network_chain(client_ip: str) -> tuple[Chain, Place]:
    """country → ASN → subnet → IP; unknown levels are empty strings (still a value)."""
    address = parse_ip(client_ip)
    if address is None:
        return chain(("country", ""), ("asn", ""), ("subnet", ""), ("ip", "")), Place("", "")
    place = locate(address)
    return (
        chain(
            ("country", place.country),
            ("asn", place.asn),
            ("subnet", subnet_of(address)),
            ("ip", str(address)),
        ),
        place,
    )


def _label(family: str | None, major: str | None) -> str:
    if not family or family == "Other":
        return "Other"
    return f"{family} {major}" if major else family


@lru_cache(maxsize=4096)
def parse_software(user_agent: str) -> Software:
    """Device type, OS and browser of a user agent (cached: a deployment sees few distinct UAs).

    ``ua-parser`` has no device-type field; we derive it: its ``Spider`` device is a bot, tablets by
    device family (or Android without ``Mobile``), phones by mobile OS, desktops by desktop OS.
    """
    ua = user_agent[: FeatureLimits.MAX_USER_AGENT]
    result = parse(ua)
    agent, os, device = result.user_agent, result.os, result.device
    browser = _label(agent.family if agent else None, agent.major if agent else None)
    os_label = _label(os.family if os else None, os.major if os else None)
    os_family = os.family if os else ""
    device_family = device.family if device else ""
    if device_family == "Spider":
        kind = "bot"
    elif any(t in device_family for t in TABLET_DEVICES) or (
        os_family == "Android" and "Mobile" not in ua
    ):
        kind = "tablet"
    elif os_family in MOBILE_OS:
        kind = "mobile"
    elif os_family in DESKTOP_OS:
        kind = "desktop"
    else:
        kind = "other"
    return Software(
        device_type=kind,
        os=os_label,
        browser=browser,
        os_family=os_family or "Other",
        browser_family=(agent.family if agent else "") or "Other",
    )


def time_chain(at: datetime | None) -> Chain:
    """Part of the day → hour, in UTC (the customer's habit, whatever their time zone)."""
    if at is None:
        return ()
    hour = (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone(UTC).hour
    return chain(
        ("daypart", f"{hour // 6 * 6:02d}-{hour // 6 * 6 + 6:02d}"), ("hour", f"{hour:02d}")
    )


def extract(
    client_ip: str,
    user_agent: str,
    device: str,
    *,
    client_hints: str = "",
    at: datetime | None = None,
) -> LoginFeatures:
    """Every chain of a sign-in from what the web layer saw (``at`` adds the time chain)."""
    network, place = network_chain(client_ip)
    software = parse_software(user_agent[: FeatureLimits.MAX_USER_AGENT])
    return LoginFeatures(
        network=network,
        software=chain(
            ("device_type", software.device_type),
            ("os", software.os),
            ("browser", software.browser),
            ("hints", client_hints[: FeatureLimits.MAX_CLIENT_HINTS]),
        ),
        device=chain(("device", device[: FeatureLimits.MAX_DEVICE])),
        country=place.country,
        browser=software.browser if software.browser != "Other" else "",
        os=software.os if software.os != "Other" else "",
        device_type=software.device_type,
        time=time_chain(at),
        families=chain(
            ("os_family", software.os_family), ("browser_family", software.browser_family)
        ),
    )
